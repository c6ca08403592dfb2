"""Admin MFA (issue #19 item 3): TOTP is the pool's MFA, and a pre token generation trigger that may
only read users of this pool leaves `admin` out of the tokens of a user without it."""

from __future__ import annotations

from typing import Any

import pytest

from cdk_app.synth import SynthesizedStage

TRIGGER_HANDLER = "admin_mfa_gate.handler.handler"


def _resources(stage: SynthesizedStage, type_: str) -> dict[str, dict[str, Any]]:
    return {
        logical_id: resource
        for logical_id, resource in stage.template("Auth")["Resources"].items()
        if resource["Type"] == type_
    }


def _single(stage: SynthesizedStage, type_: str) -> tuple[str, dict[str, Any]]:
    [(logical_id, resource)] = _resources(stage, type_).items()
    return logical_id, resource


def _trigger_function(stage: SynthesizedStage) -> tuple[str, dict[str, Any]]:
    [(logical_id, resource)] = [
        (logical_id, resource)
        for logical_id, resource in _resources(stage, "AWS::Lambda::Function").items()
        if resource["Properties"]["Handler"] == TRIGGER_HANDLER
    ]
    return logical_id, resource


@pytest.mark.parametrize("stage_name", ["dev", "prod"])
def test_the_pool_offers_totp_as_optional_mfa(stage_name: str, request: pytest.FixtureRequest) -> None:
    stage: SynthesizedStage = request.getfixturevalue(stage_name)
    _, pool = _single(stage, "AWS::Cognito::UserPool")
    assert pool["Properties"]["MfaConfiguration"] == "OPTIONAL"
    assert pool["Properties"]["EnabledMfas"] == ["SOFTWARE_TOKEN_MFA"]
    # A remembered device skips the code (SetUserMFAPreference's documented exception): none are kept,
    # so a token with `admin` always follows a sign-in with the code.
    assert "DeviceConfiguration" not in pool["Properties"]


@pytest.mark.parametrize("stage_name", ["dev", "prod"])
def test_the_trigger_is_attached_as_a_v2_pre_token_generation_trigger(
    stage_name: str, request: pytest.FixtureRequest
) -> None:
    stage: SynthesizedStage = request.getfixturevalue(stage_name)
    pool_id, pool = _single(stage, "AWS::Cognito::UserPool")
    function_id, _ = _trigger_function(stage)
    config = pool["Properties"]["LambdaConfig"]["PreTokenGenerationConfig"]
    assert config["LambdaVersion"] == "V2_0"  # V2: the groups of the access token too
    alias = stage.template("Auth")["Resources"][config["LambdaArn"]["Ref"]]
    assert alias["Type"] == "AWS::Lambda::Alias"
    assert alias["Properties"]["FunctionName"] == {"Ref": function_id}
    [permission] = [
        resource
        for resource in _resources(stage, "AWS::Lambda::Permission").values()
        if resource["Properties"]["Principal"] == "cognito-idp.amazonaws.com"
    ]
    assert permission["Properties"]["FunctionName"] == config["LambdaArn"]
    assert permission["Properties"]["SourceArn"] == {"Fn::GetAtt": [pool_id, "Arn"]}


def test_the_trigger_runs_outside_the_vpc_within_cognitos_five_seconds(dev: SynthesizedStage) -> None:
    _, function = _trigger_function(dev)
    properties = function["Properties"]
    assert "VpcConfig" not in properties  # it calls Cognito, which the VPC cannot reach
    assert properties["Timeout"] <= 5
    assert properties["Environment"]["Variables"]["ADMIN_GROUP"] == "admin"


def test_the_triggers_only_cognito_permission_is_admin_get_user_on_this_pool(dev: SynthesizedStage) -> None:
    pool_id, _ = _single(dev, "AWS::Cognito::UserPool")
    _, function = _trigger_function(dev)
    role = function["Properties"]["Role"]["Fn::GetAtt"][0]
    statements = [
        statement
        for policy in _resources(dev, "AWS::IAM::Policy").values()
        if {"Ref": role} in policy["Properties"]["Roles"]
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
    ]
    actions = {
        action
        for statement in statements
        for action in (
            statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        )
    }
    assert actions == {"cognito-idp:AdminGetUser", "xray:PutTraceSegments", "xray:PutTelemetryRecords"}
    [cognito_statement] = [
        statement for statement in statements if statement["Action"] == "cognito-idp:AdminGetUser"
    ]
    assert cognito_statement["Resource"] == {"Fn::GetAtt": [pool_id, "Arn"]}
    # The trigger is not given the pool's admin rights through a managed policy either.
    [(_, role_resource)] = [
        (logical_id, resource)
        for logical_id, resource in _resources(dev, "AWS::IAM::Role").items()
        if logical_id == role
    ]
    managed = [str(arn) for arn in role_resource["Properties"].get("ManagedPolicyArns", [])]
    assert all("AWSLambdaBasicExecutionRole" in arn for arn in managed), managed
