"""Releases on small hand-made cloud assemblies: create, re-create, refuse, verify, roll back."""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from cdk_app import release
from cdk_app.cloud_assembly import PROJECT_DIR, AssemblyError
from cdk_app.release import (
    RELEASE_MANIFEST,
    ReleaseError,
    create_release,
    git_commit,
    releases_dir,
    rollback_command,
    verify_release,
)
from cdk_app.version import product_version

VERSION = product_version()
NOW = datetime(2026, 11, 21, 9, 30, tzinfo=UTC)
CODE = "def handler(event, context):\n    return 1\n"


def queue_template(visibility: int = 1800, version: str = VERSION) -> dict[str, Any]:
    return {
        "Resources": {
            "OrdersQueue": {
                "Type": "AWS::SQS::Queue",
                "Properties": {
                    "VisibilityTimeout": visibility,
                    "Tags": [{"Key": "shop:version", "Value": version}],
                },
            }
        }
    }


def table_template() -> dict[str, Any]:
    return {
        "Resources": {
            "OrdersTable": {
                "Type": "AWS::DynamoDB::GlobalTable",
                "Properties": {"KeySchema": [{"AttributeName": "order_id", "KeyType": "HASH"}]},
            }
        }
    }


def write_assembly(directory: Path, templates: dict[str, dict[str, Any]]) -> Path:
    """A minimal cloud assembly: CDK's manifest.json, one template per stack, one asset file."""
    directory.mkdir(parents=True, exist_ok=True)
    artifacts: dict[str, Any] = {
        stack: {"type": "aws:cloudformation:stack", "properties": {"templateFile": f"{stack}.template.json"}}
        for stack in templates
    }
    artifacts["Tree"] = {"type": "cdk:tree", "properties": {"file": "tree.json"}}
    (directory / "manifest.json").write_text(json.dumps({"version": "55.0.0", "artifacts": artifacts}))
    for stack, template in templates.items():
        (directory / f"{stack}.template.json").write_text(json.dumps(template, indent=1))
    (directory / "asset.0123").mkdir(exist_ok=True)
    (directory / "asset.0123" / "index.py").write_text(CODE)
    return directory


def prod_assembly(directory: Path, *, visibility: int = 1800) -> Path:
    return write_assembly(
        directory,
        {"Shop-prod-Messaging": queue_template(visibility), "Shop-prod-Data": table_template()},
    )


def copy_of(source: Path) -> Callable[[Path], None]:
    def synthesize_into(staging: Path) -> None:
        for path in source.rglob("*"):
            target = staging / path.relative_to(source)
            if path.is_dir():
                target.mkdir(parents=True, exist_ok=True)
            else:
                target.write_bytes(path.read_bytes())

    return synthesize_into


def create(releases: Path, assembly: Path, *, stage: str = "prod") -> release.CreateOutcome:
    return create_release(
        version=VERSION,
        stage=stage,
        releases=releases,
        synthesize_into=copy_of(assembly),
        commit="c0ffee" * 6 + "beef",
        now=NOW,
    )


def leftovers(releases: Path) -> list[str]:
    return sorted(path.name for path in releases.iterdir() if path.name != VERSION)


def test_create_writes_the_assembly_and_a_release_manifest(tmp_path: Path) -> None:
    assembly = prod_assembly(tmp_path / "synth")
    outcome = create(tmp_path / "releases", assembly)

    target = tmp_path / "releases" / VERSION
    assert outcome.created
    assert outcome.path == target
    manifest = json.loads((target / RELEASE_MANIFEST).read_text())
    assert manifest["version"] == VERSION
    assert manifest["stage"] == "prod"
    assert manifest["commit"] == "c0ffee" * 6 + "beef"
    assert manifest["created_utc"] == "2026-11-21T09:30:00+00:00"
    expected = hashlib.sha256((assembly / "Shop-prod-Messaging.template.json").read_bytes()).hexdigest()
    assert manifest["stacks"]["Shop-prod-Messaging"] == {
        "template": "Shop-prod-Messaging.template.json",
        "sha256": expected,
    }
    assert set(manifest["stacks"]) == {"Shop-prod-Messaging", "Shop-prod-Data"}
    code = hashlib.sha256(b"index.py\0" + hashlib.sha256(CODE.encode()).hexdigest().encode() + b"\n")
    assert manifest["files"]["asset.0123"] == code.hexdigest()
    assert (
        manifest["files"]["manifest.json"]
        == hashlib.sha256((assembly / "manifest.json").read_bytes()).hexdigest()
    )
    # The CDK's own assembly manifest survives: `cdk deploy --app releases/<v>` reads it.
    assert json.loads((target / "manifest.json").read_text())["artifacts"]["Shop-prod-Data"]
    assert leftovers(tmp_path / "releases") == []


def test_creating_the_same_release_again_changes_nothing(tmp_path: Path) -> None:
    assembly = prod_assembly(tmp_path / "synth")
    create(tmp_path / "releases", assembly)
    manifest_path = tmp_path / "releases" / VERSION / RELEASE_MANIFEST
    before = manifest_path.read_bytes()

    outcome = create_release(
        version=VERSION,
        stage="prod",
        releases=tmp_path / "releases",
        synthesize_into=copy_of(assembly),
        commit="another",
        now=datetime(2027, 1, 1, tzinfo=UTC),
    )

    assert not outcome.created
    assert manifest_path.read_bytes() == before
    assert leftovers(tmp_path / "releases") == []


def test_a_version_released_with_other_templates_is_refused_and_left_intact(tmp_path: Path) -> None:
    create(tmp_path / "releases", prod_assembly(tmp_path / "synth"))
    released_template = tmp_path / "releases" / VERSION / "Shop-prod-Messaging.template.json"
    before = released_template.read_bytes()

    with pytest.raises(ReleaseError, match=r"Shop-prod-Messaging \(changed\)") as refused:
        create(tmp_path / "releases", prod_assembly(tmp_path / "changed", visibility=900))

    assert "Shop-prod-Data" not in str(refused.value)
    assert "bump [project].version" in str(refused.value)
    assert released_template.read_bytes() == before
    assert leftovers(tmp_path / "releases") == []


def test_a_stack_added_since_the_release_is_named_in_the_refusal(tmp_path: Path) -> None:
    create(tmp_path / "releases", prod_assembly(tmp_path / "synth"))
    grown = write_assembly(
        tmp_path / "grown",
        {
            "Shop-prod-Messaging": queue_template(),
            "Shop-prod-Data": table_template(),
            "Shop-prod-Api": queue_template(),
        },
    )

    with pytest.raises(ReleaseError, match=r"Shop-prod-Api \(added\)"):
        create(tmp_path / "releases", grown)


def test_a_failed_synth_leaves_nothing_behind(tmp_path: Path) -> None:
    def half_then_fail(staging: Path) -> None:
        (staging / "Shop-prod-Data.template.json").write_text("{}")
        raise AssemblyError("cdk synth for stage 'prod' failed (exit 1)")

    with pytest.raises(AssemblyError):
        create_release(
            version=VERSION,
            stage="prod",
            releases=tmp_path / "releases",
            synthesize_into=half_then_fail,
            commit="x",
        )

    assert list((tmp_path / "releases").iterdir()) == []


def test_an_assembly_of_another_stage_is_refused(tmp_path: Path) -> None:
    dev = write_assembly(tmp_path / "dev", {"Shop-dev-Messaging": queue_template()})

    with pytest.raises(ReleaseError, match="not of stage 'prod'"):
        create(tmp_path / "releases", dev)
    assert list((tmp_path / "releases").iterdir()) == []


def test_an_assembly_tagged_with_another_version_is_refused(tmp_path: Path) -> None:
    old = write_assembly(tmp_path / "old", {"Shop-prod-Messaging": queue_template(version="0.0.1")})

    with pytest.raises(ReleaseError, match=r"tagged with version 0\.0\.1"):
        create(tmp_path / "releases", old)


def test_a_version_with_a_path_in_it_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ReleaseError, match="not a release version"):
        create_release(
            version="../escape",
            stage="prod",
            releases=tmp_path / "releases",
            synthesize_into=copy_of(prod_assembly(tmp_path / "synth")),
            commit="x",
        )
    assert not (tmp_path / "escape").exists()


def test_verify_accepts_an_untouched_release(tmp_path: Path) -> None:
    create(tmp_path / "releases", prod_assembly(tmp_path / "synth"))

    manifest = verify_release(tmp_path / "releases" / VERSION, version=VERSION, stage="prod")

    assert manifest.stage == "prod"


def test_verify_refuses_an_edited_template_naming_the_stack(tmp_path: Path) -> None:
    create(tmp_path / "releases", prod_assembly(tmp_path / "synth"))
    template = tmp_path / "releases" / VERSION / "Shop-prod-Data.template.json"
    template.write_text(template.read_text().replace("order_id", "customer_id"))

    with pytest.raises(ReleaseError, match=r"modified after it was created") as refused:
        verify_release(tmp_path / "releases" / VERSION, version=VERSION, stage="prod")

    assert "Shop-prod-Data: template Shop-prod-Data.template.json does not match its SHA-256" in str(
        refused.value
    )
    assert "Shop-prod-Messaging" not in str(refused.value)


def test_verify_refuses_edited_lambda_code(tmp_path: Path) -> None:
    create(tmp_path / "releases", prod_assembly(tmp_path / "synth"))
    (tmp_path / "releases" / VERSION / "asset.0123" / "index.py").write_text("import os\n")

    with pytest.raises(ReleaseError, match=r"asset\.0123 does not match its SHA-256"):
        verify_release(tmp_path / "releases" / VERSION, version=VERSION, stage="prod")


def test_verify_refuses_another_stage(tmp_path: Path) -> None:
    create(tmp_path / "releases", prod_assembly(tmp_path / "synth"))

    with pytest.raises(ReleaseError, match="built for stage 'prod', not 'dev'"):
        verify_release(tmp_path / "releases" / VERSION, version=VERSION, stage="dev")


def test_verify_names_the_available_releases_when_one_is_missing(tmp_path: Path) -> None:
    create(tmp_path / "releases", prod_assembly(tmp_path / "synth"))

    with pytest.raises(ReleaseError, match=rf"no release 9.9.9 .*available: {re.escape(VERSION)}"):
        verify_release(tmp_path / "releases" / "9.9.9", version="9.9.9", stage="prod")


def test_rollback_command_deploys_the_release_assembly_without_synth_or_prompt(tmp_path: Path) -> None:
    assert rollback_command(tmp_path / "releases" / "1.2.3") == [
        "node_modules/.bin/cdk",
        "deploy",
        "--app",
        str((tmp_path / "releases" / "1.2.3").resolve()),
        "--all",
        "--require-approval",
        "never",
        "--no-notices",
    ]


def test_rollback_command_names_project_releases_relatively() -> None:
    command = rollback_command(PROJECT_DIR / "releases" / "1.2.3")

    assert " ".join(command).startswith("node_modules/.bin/cdk deploy --app releases/1.2.3 --all")


def test_rollback_dry_run_prints_the_deploy_command_and_deploys_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    create(tmp_path / "releases", prod_assembly(tmp_path / "synth"))
    monkeypatch.setattr(release, "run_cdk", _forbidden)

    code = release.main(
        [
            "rollback",
            "--version",
            VERSION,
            "--stage",
            "prod",
            "--dry-run",
            "--releases-dir",
            str(tmp_path / "releases"),
        ]
    )

    assert code == 0
    release_path = (tmp_path / "releases" / VERSION).resolve()
    assert (
        f"node_modules/.bin/cdk deploy --app {release_path} --all --require-approval never --no-notices"
        in capsys.readouterr().out.splitlines()
    )


def test_rollback_runs_the_deploy_and_returns_its_exit_code(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    create(tmp_path / "releases", prod_assembly(tmp_path / "synth"))
    ran: list[list[str]] = []

    def fake_run_cdk(command: list[str], *, capture: bool) -> subprocess.CompletedProcess[str]:
        ran.append(command)
        return subprocess.CompletedProcess(command, 3)

    monkeypatch.setattr(release, "run_cdk", fake_run_cdk)

    code = release.main(
        ["rollback", "--version", VERSION, "--stage", "prod", "--releases-dir", str(tmp_path / "releases")]
    )

    assert code == 3
    assert ran == [rollback_command(tmp_path / "releases" / VERSION)]


def test_rollback_of_a_tampered_release_fails_before_deploying(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    create(tmp_path / "releases", prod_assembly(tmp_path / "synth"))
    template = tmp_path / "releases" / VERSION / "Shop-prod-Messaging.template.json"
    template.write_text(template.read_text().replace("1800", "30"))
    monkeypatch.setattr(release, "run_cdk", _forbidden)

    code = release.main(
        [
            "rollback",
            "--version",
            VERSION,
            "--stage",
            "prod",
            "--dry-run",
            "--releases-dir",
            str(tmp_path / "releases"),
        ]
    )

    assert code == 1
    error = capsys.readouterr().err
    assert "Shop-prod-Messaging" in error
    assert "refusing" in error


def test_cli_create_is_idempotent_and_refuses_changes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(release.RELEASES_DIR_ENV, str(tmp_path / "releases"))
    assembly = prod_assembly(tmp_path / "synth")

    assert release.main(["create", "--assembly", str(assembly)]) == 0
    assert f"released {VERSION} (stage prod" in capsys.readouterr().out
    assert release.main(["create", "--assembly", str(assembly)]) == 0
    assert "identical templates; nothing to do" in capsys.readouterr().out
    assert (
        release.main(["create", "--assembly", str(prod_assembly(tmp_path / "changed", visibility=60))]) == 1
    )
    assert "Shop-prod-Messaging (changed)" in capsys.readouterr().err


def test_releases_dir_prefers_the_option_then_the_environment(tmp_path: Path) -> None:
    assert releases_dir(tmp_path / "a", environ={release.RELEASES_DIR_ENV: "/elsewhere"}) == tmp_path / "a"
    assert releases_dir(None, environ={release.RELEASES_DIR_ENV: "/elsewhere"}) == Path("/elsewhere")
    assert releases_dir(None, environ={}) == PROJECT_DIR / "releases"


def test_git_commit_is_unknown_without_git(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))

    assert git_commit() == "unknown"


def test_git_commit_is_the_checkout_head_when_git_is_there() -> None:
    try:
        head = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=PROJECT_DIR, capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("no git checkout here")

    assert git_commit() == head


def _forbidden(command: list[str], *, capture: bool) -> subprocess.CompletedProcess[str]:
    raise AssertionError(f"must not run {command}")
