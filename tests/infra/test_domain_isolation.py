"""Deploy only what changed: a change inside one domain moves that domain's stack and functions only.

Synthesizes prod in a temporary copy of the project, changes one module of a domain there,
synthesizes again, and compares the templates stack by stack.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from cdk_app.code_assets import shop_packages_for
from cdk_app.function_catalog import Domain, functions_of
from tests.infra.api_template import resources_of

ROOT = Path(__file__).resolve().parents[2]
COPIED = ("app.py", "cdk.json", "pyproject.toml", "cdk_app", "stacks", "constructs_lib", "lambdas", "web")
SYNTH = """
import json, sys
from pathlib import Path
from cdk_app.synth import synthesize
stage = synthesize("prod", Path(sys.argv[1]), nag=False)
json.dump(stage.templates, open(sys.argv[2], "w"))
"""

pytestmark = pytest.mark.slow


def _synth(project: Path, name: str) -> dict[str, Any]:
    out = project.parent / f"{name}.json"
    env = {**os.environ, "PYTHONPATH": f"{project}{os.pathsep}{project / 'lambdas'}"}
    subprocess.run(
        [sys.executable, "-c", SYNTH, str(project.parent / f"cdk-{name}"), str(out)],
        cwd=project,
        env=env,
        check=True,
        capture_output=True,
        timeout=300,
    )
    templates: dict[str, Any] = json.loads(out.read_text())
    return templates


def _changed_stacks(before: dict[str, Any], after: dict[str, Any]) -> set[str]:
    return {name for name in before if before[name] != after[name]}


def _changed_functions(before: dict[str, Any], after: dict[str, Any]) -> set[str]:
    def code_by_function(templates: dict[str, Any]) -> dict[str, Any]:
        return {
            resource["Properties"]["Handler"].split(".")[0]: resource["Properties"]["Code"]
            for template in templates.values()
            for resource in resources_of(template, "AWS::Lambda::Function").values()
            if resource["Properties"]["Handler"].endswith(".handler.handler")
        }

    old, new = code_by_function(before), code_by_function(after)
    return {name for name in old if old[name] != new[name]}


def _versions(templates: dict[str, Any]) -> set[str]:
    return {
        f"{stack}/{logical_id}"
        for stack, template in templates.items()
        for logical_id in resources_of(template, "AWS::Lambda::Version")
    }


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    copy = tmp_path_factory.mktemp("isolation") / "project"
    for name in COPIED:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, copy / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            copy.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, copy / name)
    return copy


def _stacks_shipping(package: str) -> set[str]:
    return {
        f"Shop-prod-{domain.value}"
        for domain in Domain
        if package in shop_packages_for(spec.name for spec in functions_of(domain))
    }


def test_a_change_in_one_domain_changes_its_stack_and_function_versions_only(project: Path) -> None:
    before = _synth(project, "before")
    settlement = project / "lambdas" / "shop" / "payments" / "settlement.py"
    settlement.write_text(settlement.read_text() + "\n# A change that only the payment functions ship.\n")
    after = _synth(project, "payments-changed")

    assert _changed_stacks(before, after) == {"Shop-prod-Payments"}
    assert _changed_functions(before, after) == {"payment_api", "payment_processor"}
    new_versions = _versions(after) - _versions(before)
    assert new_versions, "a code change must publish new versions"
    assert {version.split("/")[0] for version in new_versions} == {"Shop-prod-Payments"}

    # A shared domain moves exactly the stacks whose asset ships it, as the asset rule predicts.
    email_module = project / "lambdas" / "shop" / "email" / "rendering.py"
    email_module.write_text(email_module.read_text() + "\n# A change to the email domain.\n")
    email_changed = _synth(project, "email-changed")
    assert _changed_stacks(after, email_changed) == _stacks_shipping("email")
    assert "Shop-prod-Payments" not in _changed_stacks(after, email_changed)


def test_a_route_change_makes_a_new_deployment_of_the_stage(project: Path) -> None:
    before = _synth(project, "routes-before")
    routes = project / "cdk_app" / "api_routes.py"
    one_product = '"One product", cache_ttl_seconds=600'
    assert one_product in routes.read_text()
    routes.write_text(routes.read_text().replace(one_product, '"One product", cache_ttl_seconds=900'))
    after = _synth(project, "routes-changed")

    def deployment_ids(templates: dict[str, Any]) -> set[str]:
        return set(resources_of(templates["Shop-prod-ApiStage"], "AWS::ApiGateway::Deployment"))

    assert deployment_ids(before) != deployment_ids(after)
    assert "Shop-prod-ApiStage" in _changed_stacks(before, after)
