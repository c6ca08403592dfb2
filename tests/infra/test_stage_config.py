"""Stage selection: typed config, clear errors, and synth with no credentials, network or git."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import ValidationError

from cdk_app.config import ConfigError, load_stage_config
from cdk_app.synth import cdk_context

ROOT = Path(__file__).resolve().parents[2]


def test_each_stage_loads_into_a_frozen_config() -> None:
    context = cdk_context("dev")
    for stage in ("dev", "prod", "local"):
        config = load_stage_config(context, stage)
        assert config.name == stage
        with pytest.raises(ValidationError):
            config.cache_nodes = 9  # type: ignore[misc]


def test_stage_defaults_to_dev() -> None:
    assert load_stage_config(cdk_context("dev"), None).name == "dev"


def test_prod_retains_data_and_dev_does_not() -> None:
    context = cdk_context("dev")
    assert load_stage_config(context, "prod").retains_data
    assert not load_stage_config(context, "dev").retains_data


def test_unknown_stage_names_the_valid_stages() -> None:
    with pytest.raises(ConfigError, match=r"unknown stage 'qa'.*valid stages: dev, local, prod"):
        load_stage_config(cdk_context("dev"), "qa")


@pytest.mark.parametrize(
    ("key", "value", "expected"),
    [
        ("cache_nodes", "two", "key 'cache_nodes'"),
        ("removal_policy", "keep", "key 'removal_policy'"),
        ("log_retention_days", 10, "key 'log_retention_days'"),
        ("region", "mars", "key 'region'"),
        ("surprise_setting", True, "key 'surprise_setting'"),
    ],
)
def test_malformed_value_names_the_bad_key(key: str, value: object, expected: str) -> None:
    context = cdk_context("dev")
    stages = json.loads(json.dumps(context["shop:stages"]))
    stages["dev"][key] = value
    context["shop:stages"] = stages
    with pytest.raises(ConfigError) as raised:
        load_stage_config(context, "dev")
    assert expected in str(raised.value)
    assert "valid stages: dev, local, prod" in str(raised.value)


def _run_app(stage: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    context = cdk_context(stage)
    # What the CDK CLI hands the app; no AWS credentials or config reachable.
    env = {
        "PATH": os.environ["PATH"],
        "HOME": str(tmp_path),
        "CDK_CONTEXT_JSON": json.dumps(context),
        "CDK_OUTDIR": str(tmp_path / "out"),
        "AWS_CONFIG_FILE": str(tmp_path / "none"),
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "none"),
        "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20",
        "GIT_DIR": str(tmp_path / "no-git"),
    }
    return subprocess.run(
        [sys.executable, "app.py"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_synth_of_an_unknown_stage_fails_with_a_clear_message(tmp_path: Path) -> None:
    result = _run_app("staging", tmp_path)
    assert result.returncode == 2
    assert "unknown stage 'staging'" in result.stderr
    assert "valid stages: dev, local, prod" in result.stderr


@pytest.mark.slow
def test_app_synthesizes_without_credentials_network_or_git(tmp_path: Path) -> None:
    result = _run_app("dev", tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    written = sorted(path.name for path in (tmp_path / "out").glob("*.template.json"))
    assert "Shop-dev-Data.template.json" in written
    assert "Shop-dev-Network.template.json" in written


def test_malformed_pricing_rules_fail_with_the_key_named() -> None:
    context = cdk_context("dev")
    stages = json.loads(json.dumps(context["shop:stages"]))
    stages["dev"]["pricing"]["tax_rate_bps"] = -5
    context["shop:stages"] = stages
    with pytest.raises(ConfigError, match=r"key 'pricing\.tax_rate_bps'"):
        load_stage_config(context, "dev")
