"""Every stack carries the product version as a tag and in its description."""

from __future__ import annotations

import pytest

from cdk_app.synth import SynthesizedStage
from cdk_app.version import product_version

STATEFUL = ("Network", "Data", "Messaging", "Cache", "Auth")


def _stacks(stage: SynthesizedStage) -> list:  # type: ignore[type-arg]
    return [
        stack
        for stack in stage.stacks.__dict__.values()
        if hasattr(stack, "stack_name") and hasattr(stack, "tags")
    ]


def test_version_is_read_from_pyproject() -> None:
    assert product_version().count(".") == 2


@pytest.mark.parametrize("short_name", STATEFUL)
def test_stack_is_named_by_stage_and_described_with_the_version(
    dev: SynthesizedStage, short_name: str
) -> None:
    stack = getattr(dev.stacks, short_name.lower())
    assert stack.stack_name == f"Shop-dev-{short_name}"
    description = dev.template(short_name)["Description"]
    assert product_version() in description
    assert short_name in description


def test_every_stack_is_tagged_with_version_and_stage(dev: SynthesizedStage) -> None:
    stacks = _stacks(dev)
    assert len(stacks) >= len(STATEFUL)
    for stack in stacks:
        tags = stack.tags.tag_values()
        assert tags["shop:version"] == product_version(), stack.stack_name
        if stack is not dev.stacks.account:  # shared by every stage (stacks/account_stack.py)
            assert tags["shop:stage"] == "dev", stack.stack_name


def test_resources_inherit_the_version_tag(dev: SynthesizedStage) -> None:
    queues = [
        resource
        for resource in dev.template("Messaging")["Resources"].values()
        if resource["Type"] == "AWS::SQS::Queue"
    ]
    assert queues
    for queue in queues:
        tags = {tag["Key"]: tag["Value"] for tag in queue["Properties"]["Tags"]}
        assert tags["shop:version"] == product_version()


def test_stateful_stacks_are_termination_protected_in_prod_only(
    dev: SynthesizedStage, prod: SynthesizedStage
) -> None:
    for short_name in STATEFUL:
        assert getattr(prod.stacks, short_name.lower()).termination_protection is True
        assert getattr(dev.stacks, short_name.lower()).termination_protection is False
