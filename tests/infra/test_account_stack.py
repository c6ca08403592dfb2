"""The account-wide API Gateway CloudWatch role lives in one stack that no stage owns."""

from __future__ import annotations

from typing import Any

from cdk_app.cloud_assembly import ACCOUNT_STACK_NAME
from cdk_app.synth import SynthesizedStage


def _types(template: dict[str, Any]) -> list[str]:
    return [resource["Type"] for resource in template["Resources"].values()]


def test_no_stage_stack_sets_the_account_wide_cloudwatch_role(
    dev: SynthesizedStage, prod: SynthesizedStage
) -> None:
    for stage in (dev, prod):
        for name, template in stage.templates.items():
            if name == ACCOUNT_STACK_NAME:
                continue
            assert name.startswith(f"Shop-{stage.stacks.config.name}-"), name
            assert "AWS::ApiGateway::Account" not in _types(template), name


def test_the_account_stack_is_the_same_in_every_stage_and_survives_a_stage(
    dev: SynthesizedStage, prod: SynthesizedStage
) -> None:
    account = dev.templates[ACCOUNT_STACK_NAME]
    assert account == prod.templates[ACCOUNT_STACK_NAME]  # deploying either stage changes nothing
    assert sorted(_types(account)) == ["AWS::ApiGateway::Account", "AWS::IAM::Role"]
    for resource in account["Resources"].values():
        assert resource["DeletionPolicy"] == "Retain"
    assert dev.stacks.account.termination_protection is True
    assert "shop:stage" not in dev.stacks.account.tags.tag_values()


def test_the_api_and_its_stage_are_deployed_after_the_account_role(dev: SynthesizedStage) -> None:
    assert dev.stacks.account in dev.stacks.api_stage.dependencies
    assert dev.stacks.account in dev.stacks.api.dependencies
