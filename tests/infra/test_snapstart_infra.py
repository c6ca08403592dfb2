"""SnapStart follows the stage setting `snap_start_functions`: on those functions' published versions,
behind the alias `live`, priced in the stage's fixed cost; off everywhere else."""

from __future__ import annotations

from typing import Any

import pytest

from cdk_app.config import SNAP_START_READY, ConfigError, load_stage_config
from cdk_app.cost import load_prices, price_templates
from cdk_app.synth import SynthesizedStage, cdk_context
from stacks.domain_stack import CONSUMER_CONCURRENCY
from tests.infra.api_template import function_ids, merged_api_template, resources_of

PUBLISHED_VERSIONS = {"ApplyOn": "PublishedVersions"}


def stage_of(name: str, request: pytest.FixtureRequest) -> SynthesizedStage:
    stage: SynthesizedStage = request.getfixturevalue(name)
    return stage


def snap_start_of(template: dict[str, Any]) -> dict[str, Any]:
    """Function name -> its SnapStart property ({} without one)."""
    return {
        name: template["Resources"][logical_id]["Properties"].get("SnapStart", {})
        for name, logical_id in function_ids(template).items()
    }


def test_prod_turns_snapstart_on_for_api_functions_only() -> None:
    chosen = load_stage_config(cdk_context("prod"), "prod").snap_start_functions
    assert chosen  # the issue: on in prod
    assert set(chosen) <= set(SNAP_START_READY)


@pytest.mark.parametrize("stage_name", ["dev", "prod"])
def test_snapstart_is_on_exactly_where_the_stage_setting_says(
    stage_name: str, request: pytest.FixtureRequest
) -> None:
    stage = stage_of(stage_name, request)
    chosen = set(stage.stacks.config.snap_start_functions)
    settings = snap_start_of(merged_api_template(stage))

    assert {name for name, setting in settings.items() if setting == PUBLISHED_VERSIONS} == chosen
    assert all(setting == {} for name, setting in settings.items() if name not in chosen)


@pytest.mark.parametrize("stage_name", ["dev", "prod"])
def test_the_live_alias_of_a_snapstart_function_points_at_a_version_not_retained(
    stage_name: str, request: pytest.FixtureRequest
) -> None:
    stage = stage_of(stage_name, request)
    template = merged_api_template(stage)
    functions = function_ids(template)
    versions = resources_of(template, "AWS::Lambda::Version")
    aliases = resources_of(template, "AWS::Lambda::Alias")
    for name in stage.stacks.config.snap_start_functions:
        [alias] = [
            alias
            for alias in aliases.values()
            if alias["Properties"]["FunctionName"] == {"Ref": functions[name]}
        ]
        assert alias["Properties"]["Name"] == "live"
        # A published version ($LATEST has no snapshot): the alias names a version resource.
        version_id = alias["Properties"]["FunctionVersion"]["Fn::GetAtt"][0]
        version = versions[version_id]
        assert version["Properties"]["FunctionName"] == {"Ref": functions[name]}
        # Not retained: a replaced version is deleted, and its snapshot's billing ends with it
        # (retained, it would stay billed until 14 days without a call).
        assert version.get("DeletionPolicy", "Delete") == "Delete"


@pytest.mark.parametrize("stage_name", ["dev", "prod"])
def test_each_snapstart_function_is_a_line_of_the_fixed_cost(
    stage_name: str, request: pytest.FixtureRequest
) -> None:
    stage = stage_of(stage_name, request)
    report = price_templates(stage.templates, load_prices())
    snapstart_lines = [item for item in report.items if item.what.startswith("SnapStart cache")]
    assert len(snapstart_lines) == len(stage.stacks.config.snap_start_functions)
    assert all(item.category == "Compute" and item.monthly_usd > 0 for item in snapstart_lines)


def test_a_function_that_registers_no_hooks_cannot_have_snapstart() -> None:
    context = cdk_context("dev")
    context["shop:stages"]["dev"]["snap_start_functions"] = ["order_processor"]
    with pytest.raises(ConfigError, match=r"snap_start_functions.*order_processor"):
        load_stage_config(context, "dev")


def test_queue_consumers_roll_back_on_errors_and_duration_only(prod: SynthesizedStage) -> None:
    # SQS never runs a consumer beyond its event source's maximum concurrency, below its reservation.
    template = merged_api_template(prod)
    alarms = resources_of(template, "AWS::CloudWatch::Alarm")
    groups = resources_of(template, "AWS::CodeDeploy::DeploymentGroup").values()
    watched = {}
    for group in groups:
        names = [ref["Name"]["Ref"] for ref in group["Properties"]["AlarmConfiguration"]["Alarms"]]
        metrics = sorted(alarms[name]["Properties"]["MetricName"] for name in names)
        function = alarms[names[0]]["Properties"]["Dimensions"]
        [resource] = [d["Value"] for d in function if d["Name"] == "Resource"]
        watched[str(resource)] = metrics
    without_throttles = [key for key, metrics in watched.items() if metrics == ["Duration", "Errors"]]
    assert len(without_throttles) == len(CONSUMER_CONCURRENCY)
    everyone_else = [metrics for key, metrics in watched.items() if key not in without_throttles]
    assert everyone_else
    assert all(metrics == ["Duration", "Errors", "Throttles"] for metrics in everyone_else)
