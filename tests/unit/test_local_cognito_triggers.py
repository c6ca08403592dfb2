"""The local Cognito's pre token generation trigger: which function a pool runs (read from its
template's LambdaConfig) and how an answer shapes each token, as Cognito applies V1 and V2 answers."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from cdk_app.local.cognito_emulation import apply_trigger_answer, pre_token_triggers
from cdk_app.local.template_model import read_shop_model
from tests.e2e.handmade_templates import AUTH, shop_templates

POOL = "ShoppersUserPoolADB861F7"
GATE = "AdminMfaGateFunction1A2B3C4D"


def _templates_with_trigger(version: str | None) -> dict[str, dict[str, Any]]:
    templates = copy.deepcopy(shop_templates())
    resources = templates[AUTH]["Resources"]
    resources[GATE] = {
        "Type": "AWS::Lambda::Function",
        "Properties": {"Handler": "admin_mfa_gate.handler.handler", "Runtime": "python3.14", "Timeout": 5},
    }
    resources[f"{GATE}Live"] = {
        "Type": "AWS::Lambda::Alias",
        "Properties": {"FunctionName": {"Ref": GATE}, "FunctionVersion": "1", "Name": "live"},
    }
    arn = {"Ref": f"{GATE}Live"}
    resources[POOL]["Properties"]["LambdaConfig"] = (
        {"PreTokenGenerationConfig": {"LambdaArn": arn, "LambdaVersion": version}}
        if version
        else {"PreTokenGeneration": arn}  # the V1-only property of older templates
    )
    return templates


@pytest.mark.parametrize(("version", "event_version"), [("V2_0", "2"), ("V1_0", "1"), (None, "1")])
def test_the_pools_trigger_is_its_templates_function(version: str | None, event_version: str) -> None:
    model = read_shop_model(_templates_with_trigger(version))
    [trigger] = pre_token_triggers(model)
    assert trigger.pool.logical_id == POOL
    assert trigger.function.logical_id == GATE
    assert trigger.event_version == event_version


def test_a_pool_without_a_trigger_runs_none() -> None:
    assert pre_token_triggers(read_shop_model(shop_templates())) == ()


def _v2(details: dict[str, Any] | None) -> dict[str, Any]:
    return {"response": {"claimsAndScopeOverrideDetails": details}}


def test_a_v2_group_override_applies_to_both_tokens_and_an_empty_one_drops_the_claim() -> None:
    answer = _v2({"groupOverrideDetails": {"groupsToOverride": []}})
    for kind in ("id", "access"):
        claims: dict[str, Any] = {"cognito:groups": ["admin"], "origin_jti": "j"}
        apply_trigger_answer(answer, kind, claims, version="2")
        assert claims == {"origin_jti": "j"}, kind


def test_v2_claims_go_to_the_token_they_name() -> None:
    answer = _v2(
        {
            "idTokenGeneration": {"claimsToAddOrOverride": {"shop_admin_mfa": "setup_required"}},
            "accessTokenGeneration": {
                "claimsToSuppress": ["origin_jti"],
                "scopesToAdd": ["shop/read"],
                "scopesToSuppress": ["aws.cognito.signin.user.admin"],
            },
        }
    )
    id_claims: dict[str, Any] = {"origin_jti": "j"}
    apply_trigger_answer(answer, "id", id_claims, version="2")
    assert id_claims == {"origin_jti": "j", "shop_admin_mfa": "setup_required"}
    access_claims: dict[str, Any] = {"origin_jti": "j", "scope": "aws.cognito.signin.user.admin"}
    apply_trigger_answer(answer, "access", access_claims, version="2")
    assert access_claims == {"scope": "shop/read"}


def test_an_unchanged_v2_event_changes_nothing() -> None:
    claims: dict[str, Any] = {"cognito:groups": ["admin"]}
    apply_trigger_answer(_v2(None), "id", claims, version="2")  # the event as Cognito sent it
    assert claims == {"cognito:groups": ["admin"]}


def test_a_v1_answer_changes_the_id_token_only_except_for_groups() -> None:
    answer = {
        "response": {
            "claimsOverrideDetails": {
                "claimsToAddOrOverride": {"tier": "gold"},
                "groupOverrideDetails": {"groupsToOverride": ["staff"]},
            }
        }
    }
    id_claims: dict[str, Any] = {}
    apply_trigger_answer(answer, "id", id_claims, version="1")
    assert id_claims == {"tier": "gold", "cognito:groups": ["staff"]}
    access_claims: dict[str, Any] = {}
    apply_trigger_answer(answer, "access", access_claims, version="1")
    assert access_claims == {"cognito:groups": ["staff"]}
