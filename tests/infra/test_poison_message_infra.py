"""Every queue consumer knows its queue and its DLQ, may send to that DLQ (poison messages go there at
once) and change its queue's visibility (backoff), and nothing more of either."""

from __future__ import annotations

from typing import Any

import pytest

from cdk_app.function_catalog import FUNCTIONS
from cdk_app.synth import SynthesizedStage
from shop.contracts.queues import ALL_QUEUES, QueueSpec
from tests.infra.api_template import function_properties, policy_statements

QUEUES = {spec.logical_name: spec for spec in ALL_QUEUES}


def _queue_names_by_export(stage: SynthesizedStage) -> dict[str, tuple[str, str]]:
    """Export name of the Messaging stack -> (queue name, "Ref" or the attribute it exports)."""
    messaging = stage.template("Messaging")
    resources = messaging["Resources"]
    exports = {}
    for output in messaging.get("Outputs", {}).values():
        value = output["Value"]
        if "Ref" in value:
            logical_id, attribute = value["Ref"], "Ref"
        elif "Fn::GetAtt" in value:
            logical_id, attribute = value["Fn::GetAtt"]
        else:
            continue
        resource = resources.get(logical_id, {})
        if resource.get("Type") == "AWS::SQS::Queue":
            exports[output["Export"]["Name"]] = (resource["Properties"]["QueueName"], attribute)
    return exports


def _imported_queue(stage: SynthesizedStage, value: Any) -> tuple[str, str] | None:
    if not isinstance(value, dict) or "Fn::ImportValue" not in value:
        return None
    return _queue_names_by_export(stage).get(value["Fn::ImportValue"])


def _consumer_template(stage: SynthesizedStage, spec: QueueSpec) -> dict[str, Any]:
    template: dict[str, Any] = stage.template(FUNCTIONS[spec.consumer].domain.value)
    return template


def _actions(statement: dict[str, Any]) -> set[str]:
    actions = statement["Action"]
    return {actions} if isinstance(actions, str) else set(actions)


def _queues_granted(stage: SynthesizedStage, template: dict[str, Any], name: str, action: str) -> set[str]:
    granted = set()
    for statement in policy_statements(template, name):
        if action not in _actions(statement):
            continue
        resources = (
            statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
        )
        for resource in resources:
            imported = _imported_queue(stage, resource)
            assert imported is not None, (
                f"{name} may {action} on {resource}, not a queue of the Messaging stack"
            )
            granted.add(imported[0])
    return granted


@pytest.mark.parametrize("logical_name", sorted(QUEUES))
def test_the_consumer_gets_its_queue_and_dlq_urls(dev: SynthesizedStage, logical_name: str) -> None:
    spec = QUEUES[logical_name]
    env = function_properties(_consumer_template(dev, spec), spec.consumer)["Environment"]["Variables"]
    assert _imported_queue(dev, env[spec.env_var]) == (spec.queue_name("dev"), "Ref")
    assert _imported_queue(dev, env[spec.dlq_env_var]) == (spec.dlq_name("dev"), "Ref")


@pytest.mark.parametrize("logical_name", sorted(QUEUES))
def test_the_consumer_may_send_to_its_own_dlq_and_change_its_queues_visibility(
    dev: SynthesizedStage, logical_name: str
) -> None:
    spec = QUEUES[logical_name]
    template = _consumer_template(dev, spec)
    sent_to = _queues_granted(dev, template, spec.consumer, "sqs:SendMessage")
    assert spec.dlq_name("dev") in sent_to
    # No other DLQ: a consumer parks only its own queue's poison messages. (A consumer that a schedule
    # also invokes, order_processor's payment-hold sweep, may send its failed runs to the schedule's DLQ:
    # Lambda's on-failure destination sends as the function.)
    own = {name for name in sent_to if name.endswith("-dlq")} - {"dev-schedule-failures-dlq"}
    assert own == {spec.dlq_name("dev")}
    assert spec.queue_name("dev") in _queues_granted(
        dev, template, spec.consumer, "sqs:ChangeMessageVisibility"
    )


def test_no_other_function_gets_a_dlq_url(dev: SynthesizedStage) -> None:
    consumers = {spec.consumer for spec in ALL_QUEUES}
    dlq_vars = {spec.dlq_env_var for spec in ALL_QUEUES}
    for name, spec in FUNCTIONS.items():
        if name in consumers:
            continue
        env = function_properties(dev.template(spec.domain.value), name).get("Environment", {})
        assert not dlq_vars & set(env.get("Variables", {})), name
