"""The payment-hold sweep in the Orders stack: a rate schedule on order_processor's `live` alias with
retries and the schedule-failures DLQ, and the stage's hold minutes in the function's environment."""

from __future__ import annotations

import json
from typing import Any

from cdk_app.synth import SynthesizedStage
from shop.contracts.schedules import PAYMENT_HOLD_SWEEP_EVERY_MINUTES, PAYMENT_HOLD_SWEEP_JOB
from tests.infra.api_template import alias_ids, function_properties, resources_of
from tests.infra.conftest import template_of


def _orders(stage: SynthesizedStage) -> dict[str, Any]:
    template: dict[str, Any] = template_of(stage, "Orders").to_json()
    return template


def test_the_sweep_runs_every_five_minutes_on_order_processor_with_retries_and_a_dlq(
    dev: SynthesizedStage,
) -> None:
    orders = _orders(dev)
    [schedule] = resources_of(orders, "AWS::Scheduler::Schedule").values()
    properties = schedule["Properties"]
    assert PAYMENT_HOLD_SWEEP_EVERY_MINUTES == 5
    assert (properties["ScheduleExpression"], properties["State"]) == ("rate(5 minutes)", "ENABLED")
    target = properties["Target"]
    assert target["Arn"] == {"Ref": alias_ids(orders)["order_processor"]}
    assert json.loads(target["Input"]) == {"job": PAYMENT_HOLD_SWEEP_JOB}
    assert target["RetryPolicy"] == {"MaximumRetryAttempts": 3, "MaximumEventAgeInSeconds": 300}
    # The same DLQ as the marketing schedule: the Messaging stack's schedule-failures queue.
    assert "ScheduleFailuresQueue" in target["DeadLetterConfig"]["Arn"]["Fn::ImportValue"]


def test_the_hold_minutes_of_the_stage_reach_order_processor_only(
    dev: SynthesizedStage, prod: SynthesizedStage
) -> None:
    for stage in (dev, prod):
        orders = _orders(stage)
        env = function_properties(orders, "order_processor")["Environment"]["Variables"]
        assert env["PAYMENT_HOLD_MINUTES"] == str(stage.stacks.config.payment_hold_minutes) == "30"
        for other in ("order_api", "inventory_updater"):
            other_env = function_properties(orders, other)["Environment"]["Variables"]
            assert "PAYMENT_HOLD_MINUTES" not in other_env
