"""Messaging: five queues with DLQs, three receives, retention, visibility, encryption, TLS only."""

from __future__ import annotations

from typing import Any

import pytest

from cdk_app.synth import SynthesizedStage

# consumer timeouts from seed 001 (seconds) and the seed's own visibility floors
EXPECTED_VISIBILITY = {
    "order-processing": 6 * 300,  # order_processor 5 min
    "payment-processing": 6 * 300,  # payment_processor 5 min (seed floor 5 min)
    "email-notification": 6 * 120,  # email_sender 2 min (seed floor 1 min)
    "inventory-update": 6 * 60,  # inventory_updater 1 min
    "tracking-events": 6 * 60,  # tracking consumer 1 min
}


def _queues(stage: SynthesizedStage) -> dict[str, dict[str, Any]]:
    return {
        resource["Properties"]["QueueName"]: {"logical_id": logical_id, **resource}
        for logical_id, resource in stage.template("Messaging")["Resources"].items()
        if resource["Type"] == "AWS::SQS::Queue"
    }


def test_work_queues_and_dead_letter_queues_named_by_stage(dev: SynthesizedStage) -> None:
    expected = {f"dev-{name}-queue" for name in EXPECTED_VISIBILITY} | {
        f"dev-{name}-dlq" for name in EXPECTED_VISIBILITY
    }
    expected |= {"dev-schedule-failures-dlq", "dev-stream-failures-dlq"}
    assert set(_queues(dev)) == expected


@pytest.mark.parametrize("name", sorted(EXPECTED_VISIBILITY))
def test_queue_redrives_to_its_dlq_after_three_receives(dev: SynthesizedStage, name: str) -> None:
    queues = _queues(dev)
    queue = queues[f"dev-{name}-queue"]["Properties"]
    dlq = queues[f"dev-{name}-dlq"]
    assert queue["RedrivePolicy"] == {
        "deadLetterTargetArn": {"Fn::GetAtt": [dlq["logical_id"], "Arn"]},
        "maxReceiveCount": 3,
    }
    assert queue["MessageRetentionPeriod"] == 4 * 24 * 3600
    assert dlq["Properties"]["MessageRetentionPeriod"] == 14 * 24 * 3600
    assert queue["VisibilityTimeout"] == EXPECTED_VISIBILITY[name]


def test_seed_visibility_floors_hold(dev: SynthesizedStage) -> None:
    queues = _queues(dev)
    assert queues["dev-payment-processing-queue"]["Properties"]["VisibilityTimeout"] >= 5 * 60
    assert queues["dev-email-notification-queue"]["Properties"]["VisibilityTimeout"] >= 60


def test_every_queue_is_encrypted_and_requires_tls(dev: SynthesizedStage) -> None:
    queues = _queues(dev)
    policies = [
        resource["Properties"]
        for resource in dev.template("Messaging")["Resources"].values()
        if resource["Type"] == "AWS::SQS::QueuePolicy"
    ]
    denied: set[str] = set()
    for policy in policies:
        for statement in policy["PolicyDocument"]["Statement"]:
            if statement["Effect"] == "Deny" and statement["Condition"] == {
                "Bool": {"aws:SecureTransport": "false"}
            }:
                denied |= {queue["Ref"] for queue in policy["Queues"]}
    for name, queue in queues.items():
        assert queue["Properties"]["SqsManagedSseEnabled"] is True, name
        assert queue["logical_id"] in denied, name


def test_prod_queues_are_retained(prod: SynthesizedStage) -> None:
    for name, queue in _queues(prod).items():
        assert queue["DeletionPolicy"] == "Retain", name
