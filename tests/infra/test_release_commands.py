"""End to end, as `make release`, `make diff` and `make rollback` run them: real synths, the real CDK
CLI, offline, with releases in a temp dir ($SHOP_RELEASES_DIR) so the checkout stays untouched."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from cdk_app.cloud_assembly import PROJECT_DIR, cdk_cli_available
from cdk_app.release import RELEASE_MANIFEST, RELEASES_DIR_ENV
from cdk_app.version import product_version

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not cdk_cli_available(), reason="CDK CLI not installed (npm ci)"),
]

VERSION = product_version()
STATEFUL = ("Network", "Data", "Messaging", "Cache", "Auth")


def run(module: str, *arguments: str, releases: Path) -> subprocess.CompletedProcess[str]:
    environment = {
        name: value
        for name, value in os.environ.items()
        # Offline on any machine: a developer's credentials must not turn the diff into an AWS call.
        if not name.startswith("AWS_") or name == "AWS_CA_BUNDLE"
    }
    environment[RELEASES_DIR_ENV] = str(releases)
    return subprocess.run(
        [sys.executable, "-m", module, *arguments],
        cwd=PROJECT_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def edit_template(path: Path, edit: Any) -> None:
    template = json.loads(path.read_text())
    edit(template["Resources"])
    path.write_text(json.dumps(template, indent=1))


def first_of_type(resources: dict[str, Any], resource_type: str) -> str:
    return next(logical_id for logical_id, body in resources.items() if body["Type"] == resource_type)


@pytest.fixture(scope="module")
def releases(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("releases")


@pytest.fixture(scope="module")
def first_release(releases: Path) -> subprocess.CompletedProcess[str]:
    return run("cdk_app.release", "create", releases=releases)


def test_create_synthesizes_prod_into_a_release(
    first_release: subprocess.CompletedProcess[str], releases: Path
) -> None:
    assert first_release.returncode == 0, first_release.stderr
    release = releases / VERSION
    manifest = json.loads((release / RELEASE_MANIFEST).read_text())
    assert manifest["version"] == VERSION
    assert manifest["stage"] == "prod"
    assert len(manifest["commit"]) == 40 or manifest["commit"] == "unknown"
    assert {f"Shop-prod-{name}" for name in STATEFUL} <= set(manifest["stacks"])
    for stack, record in manifest["stacks"].items():
        assert sha256(release / record["template"]) == record["sha256"], stack
    # The stack list is the assembly's own, so stacks added later are released without code changes.
    assembly_stacks = {
        artifact_id
        for artifact_id, artifact in json.loads((release / "manifest.json").read_text())["artifacts"].items()
        if artifact["type"] == "aws:cloudformation:stack"
    }
    assert set(manifest["stacks"]) == assembly_stacks
    assert [path.name for path in releases.iterdir()] == [VERSION]  # no temp dir left


def test_releasing_the_same_version_again_is_a_no_op(
    first_release: subprocess.CompletedProcess[str], releases: Path
) -> None:
    manifest_before = (releases / VERSION / RELEASE_MANIFEST).read_bytes()

    again = run("cdk_app.release", "create", releases=releases)

    # Fails, rightly, if the app's code changes between the two synths (e.g. while someone edits it).
    assert again.returncode == 0, again.stderr
    assert "identical templates; nothing to do" in again.stdout
    assert (releases / VERSION / RELEASE_MANIFEST).read_bytes() == manifest_before


def test_releasing_the_same_version_with_a_changed_template_is_refused(
    first_release: subprocess.CompletedProcess[str], releases: Path, tmp_path: Path
) -> None:
    changed = tmp_path / "changed-synth"
    shutil.copytree(releases / VERSION, changed, ignore=shutil.ignore_patterns(RELEASE_MANIFEST))

    def shorter_visibility(resources: dict[str, Any]) -> None:
        resources[first_of_type(resources, "AWS::SQS::Queue")]["Properties"]["VisibilityTimeout"] = 42

    edit_template(changed / "Shop-prod-Messaging.template.json", shorter_visibility)
    release_before = sha256(releases / VERSION / "Shop-prod-Messaging.template.json")

    refused = run("cdk_app.release", "create", "--assembly", str(changed), releases=releases)

    assert refused.returncode == 1
    assert "already exists with different templates: Shop-prod-Messaging (changed)" in refused.stderr
    assert sha256(releases / VERSION / "Shop-prod-Messaging.template.json") == release_before
    assert [path.name for path in releases.iterdir()] == [VERSION]


@pytest.fixture(scope="module")
def edited_release(
    first_release: subprocess.CompletedProcess[str], releases: Path, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, dict[str, str]]:
    """A copy of the release whose queue and table differ from the current synth, as after a change."""
    edited = tmp_path_factory.mktemp("edited-releases")
    shutil.copytree(releases / VERSION, edited / VERSION)
    changed: dict[str, str] = {}

    def longer_visibility(resources: dict[str, Any]) -> None:
        changed["queue"] = first_of_type(resources, "AWS::SQS::Queue")
        resources[changed["queue"]]["Properties"]["VisibilityTimeout"] = 7

    def other_key(resources: dict[str, Any]) -> None:
        changed["table"] = first_of_type(resources, "AWS::DynamoDB::GlobalTable")
        resources[changed["table"]]["Properties"]["KeySchema"] = [
            {"AttributeName": "legacy_id", "KeyType": "HASH"}
        ]

    edit_template(edited / VERSION / "Shop-prod-Messaging.template.json", longer_visibility)
    edit_template(edited / VERSION / "Shop-prod-Data.template.json", other_key)
    return edited, changed


def test_offline_diff_reports_the_changed_property_and_the_table_replacement(
    edited_release: tuple[Path, dict[str, str]],
) -> None:
    edited, changed = edited_release

    # --stage dev, as `make diff` passes it: the prod release must still be compared with a prod synth.
    result = run("cdk_app.diff", "--stage", "dev", "--against", VERSION, releases=edited)

    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "a 'prod' synth is compared" in out
    # The CDK CLI's own diff ran offline against the release template...
    assert "[~] AWS::SQS::Queue" in out
    assert "KeySchema (requires replacement)" in out
    # ...and the summary names the property and shouts about the table.
    # (Counts are not pinned: the app may have grown since this release, which is the point of a diff.)
    assert re.search(r"^Shop-prod-Messaging: \d+ added, [1-9]\d* changed, \d+ removed$", out, re.MULTILINE)
    assert re.search(
        rf"^  ~ {changed['queue']} \(AWS::SQS::Queue, [^)]+\): .*VisibilityTimeout", out, re.MULTILINE
    )
    danger = [line for line in out.splitlines() if line.startswith("!!! DANGER") and changed["table"] in line]
    assert len(danger) == 1
    assert "will be REPLACED (KeySchema forces a new resource)" in danger[0]


def test_rollback_dry_run_prints_the_exact_deploy_command(
    first_release: subprocess.CompletedProcess[str], releases: Path
) -> None:
    result = run(
        "cdk_app.release", "rollback", "--version", VERSION, "--stage", "prod", "--dry-run", releases=releases
    )

    assert result.returncode == 0, result.stderr
    release = (releases / VERSION).resolve()
    expected = f"node_modules/.bin/cdk deploy --app {release} --all --require-approval never --no-notices"
    assert expected in result.stdout.splitlines()


def test_rollback_refuses_a_tampered_release_and_another_stage(
    edited_release: tuple[Path, dict[str, str]], releases: Path
) -> None:
    edited, _ = edited_release

    tampered = run(
        "cdk_app.release", "rollback", "--version", VERSION, "--stage", "prod", "--dry-run", releases=edited
    )
    wrong_stage = run(
        "cdk_app.release", "rollback", "--version", VERSION, "--stage", "dev", "--dry-run", releases=releases
    )

    assert tampered.returncode == 1
    assert (
        "Shop-prod-Data: template Shop-prod-Data.template.json does not match its SHA-256" in tampered.stderr
    )
    assert "cdk deploy" not in tampered.stdout
    assert wrong_stage.returncode == 1
    assert "built for stage 'prod', not 'dev'" in wrong_stage.stderr
