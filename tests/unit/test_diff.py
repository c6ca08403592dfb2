"""The offline diff's comparison logic on small hand-made templates, and its command line."""

from __future__ import annotations

import copy
import gzip
import json
import shutil
import subprocess
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from cfnlint.schema import PROVIDER_SCHEMA_MANAGER

from cdk_app import diff
from cdk_app.cloud_assembly import AssemblyError
from cdk_app.diff import (
    DANGER,
    REPLACEMENT_PROPERTIES,
    STATEFUL_TYPES,
    choose_release,
    diff_stack,
    diff_templates,
    has_aws_credentials,
    render_summary,
)
from cdk_app.release import ReleaseError, create_release
from cdk_app.version import product_version

SPEC_DB = Path(__file__).resolve().parents[2] / "node_modules" / "aws-cdk" / "db.json.gz"


def resource(resource_type: str, path: str = "", **properties: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"Type": resource_type, "Properties": properties}
    if path:
        body["Metadata"] = {"aws:cdk:path": f"Shop-prod-Data/{path}/Resource"}
    return body


def orders_table(key: str = "order_id") -> dict[str, Any]:
    return resource(
        "AWS::DynamoDB::GlobalTable",
        "Orders/Table",
        TableName="prod-Orders",
        KeySchema=[{"AttributeName": key, "KeyType": "HASH"}],
    )


def data_stack(**resources: dict[str, Any]) -> dict[str, Any]:
    base: dict[str, Any] = {
        "OrdersTable": orders_table(),
        "OrdersQueue": resource("AWS::SQS::Queue", VisibilityTimeout=1800),
        "ShopApiFunction": resource("AWS::Lambda::Function", MemorySize=512),
    }
    base.update(resources)
    return {"Resources": {logical_id: body for logical_id, body in base.items() if body}}


def dangers_of(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    return [danger.banner() for danger in diff_stack("Shop-prod-Data", old, new).dangers]


def test_identical_templates_have_no_changes_and_no_danger() -> None:
    result = diff_stack("Shop-prod-Data", data_stack(), data_stack())

    assert result.summary() == "Shop-prod-Data: no changes"
    assert not result.dangers
    assert list(result.details()) == []


def test_a_changed_queue_property_is_counted_and_named_without_danger() -> None:
    new = data_stack(OrdersQueue=resource("AWS::SQS::Queue", VisibilityTimeout=900))

    result = diff_stack("Shop-prod-Data", data_stack(), new)

    assert result.summary() == "Shop-prod-Data: 0 added, 1 changed, 0 removed"
    assert list(result.details()) == ["  ~ OrdersQueue (AWS::SQS::Queue): VisibilityTimeout"]
    assert result.dangers == []


def test_a_key_schema_change_replaces_the_table_loudly() -> None:
    banners = dangers_of(data_stack(), data_stack(OrdersTable=orders_table(key="customer_id")))

    assert banners == [
        f"{DANGER}: Shop-prod-Data OrdersTable (AWS::DynamoDB::GlobalTable, Orders/Table) "
        "will be REPLACED (KeySchema forces a new resource)"
    ]


def test_the_detail_line_marks_replacement_forcing_properties() -> None:
    new = data_stack(OrdersTable=orders_table(key="customer_id"))

    details = list(diff_stack("Shop-prod-Data", data_stack(), new).details())

    assert details == [
        "  ~ OrdersTable (AWS::DynamoDB::GlobalTable, Orders/Table): KeySchema"
        " [forces replacement: KeySchema]"
    ]


def test_renaming_a_table_replaces_it() -> None:
    renamed = orders_table()
    renamed["Properties"]["TableName"] = "prod-Orders-v2"

    assert (
        "will be REPLACED (TableName forces" in dangers_of(data_stack(), data_stack(OrdersTable=renamed))[0]
    )


def test_a_new_logical_id_for_a_table_is_a_replacement() -> None:
    new = data_stack(OrdersTable={}, OrdersTableV2=orders_table())

    result = diff_stack("Shop-prod-Data", data_stack(), new)

    assert result.summary() == "Shop-prod-Data: 1 added, 0 changed, 1 removed"
    assert [danger.banner() for danger in result.dangers] == [
        f"{DANGER}: Shop-prod-Data OrdersTable (AWS::DynamoDB::GlobalTable, Orders/Table) "
        "will be REPLACED (logical ID removed, new AWS::DynamoDB::GlobalTable OrdersTableV2 added)"
    ]


def test_a_removed_queue_is_a_deletion() -> None:
    assert dangers_of(data_stack(), data_stack(OrdersQueue={})) == [
        f"{DANGER}: Shop-prod-Data OrdersQueue (AWS::SQS::Queue) will be DELETED (logical ID removed)"
    ]


def test_a_retained_resource_says_where_its_data_went() -> None:
    retained = resource("AWS::S3::Bucket", BucketName="prod-images")
    retained["DeletionPolicy"] = "Retain"

    banners = dangers_of(data_stack(Images=retained), data_stack())

    assert len(banners) == 1
    assert "will be DELETED" in banners[0]
    assert "DeletionPolicy Retain: the old one is kept but orphaned" in banners[0]


def test_replacing_a_stateless_resource_is_not_a_danger() -> None:
    new = data_stack(ShopApiFunction={}, ShopApiFunctionV2=resource("AWS::Lambda::Function", MemorySize=512))

    result = diff_stack("Shop-prod-Data", data_stack(), new)

    assert result.summary() == "Shop-prod-Data: 1 added, 0 changed, 1 removed"
    assert result.dangers == []


def test_a_changed_type_under_the_same_logical_id_is_a_replacement() -> None:
    new = data_stack(OrdersTable=resource("AWS::DynamoDB::Table", "Orders/Table", TableName="prod-Orders"))

    banners = dangers_of(data_stack(), new)

    assert len(banners) == 1
    assert "REPLACED (Type forces" in banners[0]


def test_metadata_only_changes_are_not_changes() -> None:
    new = copy.deepcopy(data_stack())
    new["Resources"]["OrdersTable"]["Metadata"] = {"aws:cdk:path": "Shop-prod-Data/Moved/Table/Resource"}

    assert diff_stack("Shop-prod-Data", data_stack(), new).summary() == "Shop-prod-Data: no changes"


def test_cdk_metadata_is_left_out_like_cdk_diff_does() -> None:
    old = data_stack(CDKMetadata=resource("AWS::CDK::Metadata", Analytics="v2:deflate64:old"))
    new = data_stack(CDKMetadata=resource("AWS::CDK::Metadata", Analytics="v2:deflate64:new"))

    assert diff_stack("Shop-prod-Data", old, new).summary() == "Shop-prod-Data: no changes"


def test_a_deletion_policy_change_is_reported() -> None:
    new = copy.deepcopy(data_stack())
    new["Resources"]["OrdersQueue"]["DeletionPolicy"] = "Delete"

    result = diff_stack("Shop-prod-Data", data_stack(), new)

    assert list(result.details()) == ["  ~ OrdersQueue (AWS::SQS::Queue): DeletionPolicy"]


@pytest.mark.parametrize(
    ("prop", "old_value", "new_value", "dangerous"),
    [
        ("UserPoolName", "prod-users", "prod-shoppers", False),  # UpdateUserPool renames in place
        ("UsernameAttributes", ["email"], ["phone_number"], True),
        ("AliasAttributes", [], ["email"], True),
    ],
)
def test_user_pool_changes_that_need_a_new_pool_are_dangerous(
    prop: str, old_value: Any, new_value: Any, dangerous: bool
) -> None:
    old = {"Resources": {"Users": resource("AWS::Cognito::UserPool", **{prop: old_value})}}
    new = {"Resources": {"Users": resource("AWS::Cognito::UserPool", **{prop: new_value})}}

    assert bool(dangers_of(old, new)) is dangerous


def test_a_stack_gone_from_the_app_is_not_reported_as_deleting_its_resources() -> None:
    (gone,) = diff_templates({"Shop-prod-Old": data_stack()}, {})

    assert (
        gone.summary() == "Shop-prod-Old: no longer in the app (`cdk deploy --all` does not delete the stack)"
    )
    assert gone.dangers == []
    assert list(gone.details()) == []


def test_a_new_stack_lists_its_resources_as_added() -> None:
    (new,) = diff_templates({}, {"Shop-prod-Api": data_stack()})

    assert new.summary() == "Shop-prod-Api: new stack, 3 added, 0 changed, 0 removed"
    assert new.dangers == []


def test_the_summary_has_one_line_per_stack_and_ends_with_the_danger_banner() -> None:
    old = {"Shop-prod-Data": data_stack(), "Shop-prod-Auth": {"Resources": {}}}
    new = {"Shop-prod-Data": data_stack(OrdersQueue={}), "Shop-prod-Auth": {"Resources": {}}}

    lines = render_summary(diff_templates(old, new), title="t")

    assert lines[:4] == [
        "=== t ===",
        "Shop-prod-Auth: no changes",
        "Shop-prod-Data: 0 added, 0 changed, 1 removed",
        "  - OrdersQueue (AWS::SQS::Queue)",
    ]
    assert lines[-2] == f"{DANGER}: 1 stateful resource(s) would be replaced or deleted !!!"
    assert lines[-1].startswith(f"{DANGER}: Shop-prod-Data OrdersQueue")


def test_a_safe_summary_says_so() -> None:
    lines = render_summary(diff_templates({"S": data_stack()}, {"S": data_stack()}), title="t")

    assert lines[-1] == "No stateful resource is replaced or deleted."
    assert not any(line.startswith(DANGER) for line in lines)


def test_the_default_stage_is_the_apps() -> None:
    from cdk_app.config import DEFAULT_STAGE

    assert diff.DEFAULT_STAGE == DEFAULT_STAGE


def test_every_replacement_property_has_a_stateful_type() -> None:
    assert set(REPLACEMENT_PROPERTIES) == STATEFUL_TYPES


@pytest.mark.skipif(not SPEC_DB.exists(), reason="CDK CLI not installed (npm ci)")
def test_replacement_properties_match_the_cdk_resource_specification() -> None:
    entities = json.loads(gzip.decompress(SPEC_DB.read_bytes()))["schema"]["resource"]["entities"]
    spec = {
        entity["cloudFormationType"]: {
            name for name, prop in entity["properties"].items() if prop.get("causesReplacement") == "yes"
        }
        for entity in entities
        if entity.get("cloudFormationType") in STATEFUL_TYPES
    }
    for resource_type, properties in REPLACEMENT_PROPERTIES.items():
        if resource_type == "AWS::Cognito::UserPool":
            assert not properties & {"UserPoolName"}  # renamed in place; the rest is documented in diff.py
            continue
        assert properties <= spec[resource_type], resource_type


def test_replacement_properties_agree_with_the_cloudformation_registry_schema() -> None:
    """The registry schema (what CloudFormation's handlers do) is the authority where the CLI's
    specification is older: an engine change from Redis OSS to Valkey is an in-place upgrade."""
    schema = PROVIDER_SCHEMA_MANAGER.get_resource_schema("us-east-1", "AWS::ElastiCache::ReplicationGroup")
    create_only = {path.rsplit("/", 1)[-1] for path in schema.schema["createOnlyProperties"]}
    assert "Engine" not in create_only
    assert REPLACEMENT_PROPERTIES["AWS::ElastiCache::ReplicationGroup"] <= create_only
    old = {"Resources": {"Redis": resource("AWS::ElastiCache::ReplicationGroup", Engine="redis")}}
    new = {"Resources": {"Redis": resource("AWS::ElastiCache::ReplicationGroup", Engine="valkey")}}
    assert not diff_stack("Shop-prod-Cache", old, new).dangers


@pytest.mark.parametrize(
    ("environ", "has_file", "expected"),
    [
        ({}, False, False),
        ({"AWS_ACCESS_KEY_ID": "AKIA..."}, False, True),
        ({"AWS_PROFILE": "shop"}, False, True),
        ({"AWS_SESSION_TOKEN": "token"}, False, True),
        ({"AWS_PROFILE": ""}, False, False),
        ({}, True, True),
    ],
)
def test_credentials_are_judged_from_environment_and_files_only(
    tmp_path: Path, environ: dict[str, str], has_file: bool, expected: bool
) -> None:
    if has_file:
        (tmp_path / ".aws").mkdir()
        (tmp_path / ".aws" / "credentials").write_text("[default]\n")

    assert has_aws_credentials(environ, home=tmp_path) is expected


def test_a_custom_credentials_file_counts(tmp_path: Path) -> None:
    (tmp_path / "creds").write_text("[default]\n")

    assert has_aws_credentials({"AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "creds")}, home=tmp_path / "x")


# --- the command line, on hand-made assemblies and releases -------------------------------------


def write_assembly(directory: Path, templates: dict[str, dict[str, Any]]) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    artifacts = {
        stack: {"type": "aws:cloudformation:stack", "properties": {"templateFile": f"{stack}.template.json"}}
        for stack in templates
    }
    (directory / "manifest.json").write_text(json.dumps({"version": "55.0.0", "artifacts": artifacts}))
    for stack, template in templates.items():
        (directory / f"{stack}.template.json").write_text(json.dumps(template))
    return directory


def make_release(releases: Path, assembly: Path, *, stage: str, version: str, when: str) -> None:
    def copy_assembly(staging: Path) -> None:
        shutil.copytree(assembly, staging, dirs_exist_ok=True)

    create_release(
        version=version,
        stage=stage,
        releases=releases,
        synthesize_into=copy_assembly,
        commit="abc",
        now=datetime.fromisoformat(when),
    )


@pytest.fixture
def released(tmp_path: Path) -> Path:
    releases = tmp_path / "releases"
    assembly = write_assembly(tmp_path / "prod-synth", {"Shop-prod-Data": data_stack()})
    make_release(
        releases, assembly, stage="prod", version=product_version(), when="2026-11-20T10:00:00+00:00"
    )
    return releases


def test_choose_release_prefers_the_newest_of_the_stage(tmp_path: Path) -> None:
    releases = tmp_path / "releases"
    prod = write_assembly(tmp_path / "prod", {"Shop-prod-Data": data_stack()})
    dev = write_assembly(tmp_path / "dev", {"Shop-dev-Data": data_stack()})
    make_release(releases, prod, stage="prod", version="1.0.0", when="2026-01-01T00:00:00+00:00")
    make_release(releases, prod, stage="prod", version="1.1.0", when="2026-02-01T00:00:00+00:00")
    make_release(releases, dev, stage="dev", version="1.1.0-dev", when="2026-01-15T00:00:00+00:00")

    assert choose_release(releases, against=None, stage="dev")[1].version == "1.1.0-dev"
    assert choose_release(releases, against=None, stage="prod")[1].version == "1.1.0"
    assert choose_release(releases, against=None, stage="local")[1].version == "1.1.0"
    assert choose_release(releases, against="1.0.0", stage="dev")[1].version == "1.0.0"
    with pytest.raises(ReleaseError, match=r"no release 2\.0\.0 .*available: 1\.0\.0, 1\.1\.0-dev, 1\.1\.0"):
        choose_release(releases, against="2.0.0", stage="prod")


def test_choose_release_without_any_release_says_how_to_make_one(tmp_path: Path) -> None:
    with pytest.raises(ReleaseError, match="run `make release` first"):
        choose_release(tmp_path / "releases", against=None, stage="dev")


def test_offline_cli_prints_the_summary_and_exits_zero_despite_danger(
    released: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    changed = write_assembly(
        tmp_path / "now",
        {"Shop-prod-Data": data_stack(OrdersTable=orders_table(key="customer_id"))},
    )

    code = diff.main(
        [
            *("--against", product_version(), "--releases-dir", str(released)),
            *("--assembly", str(changed), "--summary-only"),
        ],
        environ={},
    )

    out = capsys.readouterr().out
    assert code == 0
    assert "Shop-prod-Data: 0 added, 1 changed, 0 removed" in out
    assert f"{DANGER}: Shop-prod-Data OrdersTable" in out


def test_the_cli_diff_runs_per_stack_against_the_release_template_and_its_failure_is_an_error(
    released: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    now = write_assembly(tmp_path / "now", {"Shop-prod-Data": data_stack(OrdersQueue={})})
    ran: list[list[str]] = []

    def failing_run_cdk(command: list[str], *, capture: bool) -> subprocess.CompletedProcess[str]:
        ran.append(command)
        return subprocess.CompletedProcess(command, 1, stdout="", stderr="Missing environment")

    monkeypatch.setattr(diff, "cdk_cli_available", lambda: True)
    monkeypatch.setattr(diff, "run_cdk", failing_run_cdk)

    code = diff.main(
        ["--against", product_version(), "--releases-dir", str(released), "--assembly", str(now)], environ={}
    )

    captured = capsys.readouterr()
    release_template = released.resolve() / product_version() / "Shop-prod-Data.template.json"
    assert ran == [
        [
            *("node_modules/.bin/cdk", "diff", "--app", str(now.resolve()), "Shop-prod-Data"),
            *("--exclusively", "--template", str(release_template), "--no-notices"),
        ]
    ]
    assert code == 1
    assert "Missing environment" in captured.out
    assert f"{DANGER}: Shop-prod-Data OrdersQueue" in captured.out  # the summary is printed anyway
    assert "cdk diff failed for Shop-prod-Data" in captured.err


def test_offline_cli_without_credentials_uses_the_newest_release_and_its_stage(
    released: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    synthesized: list[str] = []

    def fake_synthesize(*, stage: str, out_dir: Path) -> None:
        synthesized.append(stage)
        write_assembly(out_dir, {"Shop-prod-Data": data_stack()})

    monkeypatch.setattr(diff, "synthesize", fake_synthesize)
    monkeypatch.setattr(diff, "run_cdk", _forbidden)
    monkeypatch.setattr(Path, "home", lambda: tmp_path / "no-home")

    code = diff.main(["--stage", "dev", "--releases-dir", str(released), "--summary-only"], environ={})

    out = capsys.readouterr().out
    assert code == 0
    assert synthesized == ["prod"]  # a prod release is compared with a prod synth
    assert "a 'prod' synth is compared" in out
    assert "Shop-prod-Data: no changes" in out


def test_offline_cli_notes_a_release_edited_after_it_was_made(
    released: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    template = released / product_version() / "Shop-prod-Data.template.json"
    template.write_text(template.read_text().replace("1800", "60"))
    now = write_assembly(tmp_path / "now", {"Shop-prod-Data": data_stack()})

    code = diff.main(
        [
            "--against",
            product_version(),
            "--releases-dir",
            str(released),
            "--assembly",
            str(now),
            "--summary-only",
        ],
        environ={},
    )

    out = capsys.readouterr().out
    assert code == 0
    assert "Shop-prod-Data's template in release" in out
    assert "  ~ OrdersQueue (AWS::SQS::Queue): VisibilityTimeout" in out


def test_reverse_previews_what_a_rollback_would_delete(
    released: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    grown = write_assembly(
        tmp_path / "now", {"Shop-prod-Data": data_stack(ReturnsQueue=resource("AWS::SQS::Queue"))}
    )
    arguments = [
        *("--against", product_version(), "--releases-dir", str(released)),
        *("--assembly", str(grown), "--summary-only"),
    ]

    assert diff.main(arguments, environ={}) == 0
    forward = capsys.readouterr().out
    assert diff.main([*arguments, "--reverse"], environ={}) == 0
    backward = capsys.readouterr().out

    assert "  + ReturnsQueue (AWS::SQS::Queue)" in forward
    assert DANGER not in forward
    assert f"Summary: current 'prod' synth -> release {product_version()}" in backward
    assert f"{DANGER}: Shop-prod-Data ReturnsQueue (AWS::SQS::Queue) will be DELETED" in backward


def test_a_missing_release_is_an_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = diff.main(["--against", "9.9.9", "--releases-dir", str(tmp_path)], environ={})

    assert code == 1
    assert "no release 9.9.9" in capsys.readouterr().err


def test_a_failed_synth_is_an_error(
    released: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def failing_synthesize(*, stage: str, out_dir: Path) -> None:
        raise AssemblyError(f"cdk synth for stage '{stage}' failed (exit 2)")

    monkeypatch.setattr(diff, "synthesize", failing_synthesize)

    code = diff.main(["--releases-dir", str(released), "--offline"], environ={})

    assert code == 1
    assert "cdk synth for stage 'prod' failed" in capsys.readouterr().err


def test_with_credentials_it_runs_cdk_diff_against_the_deployed_stacks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assembly = write_assembly(tmp_path / "dev", {"Shop-dev-Data": data_stack()})
    ran: list[list[str]] = []

    def fake_run_cdk(command: list[str], *, capture: bool) -> subprocess.CompletedProcess[str]:
        ran.append(command)
        return subprocess.CompletedProcess(command, 0)

    monkeypatch.setattr(diff, "run_cdk", fake_run_cdk)

    code = diff.main(["--assembly", str(assembly)], environ={"AWS_PROFILE": "shop"})

    assert code == 0
    assert ran == [["node_modules/.bin/cdk", "diff", "--app", str(assembly.resolve()), "--no-notices"]]


def test_with_credentials_and_against_it_stays_offline(
    released: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(diff, "run_cdk", _forbidden)
    now = write_assembly(tmp_path / "now", {"Shop-prod-Data": data_stack()})

    code = diff.main(
        [
            "--against",
            product_version(),
            "--releases-dir",
            str(released),
            "--assembly",
            str(now),
            "--summary-only",
        ],
        environ={"AWS_ACCESS_KEY_ID": "AKIA..."},
    )

    assert code == 0
    assert "offline" in capsys.readouterr().out


def _forbidden(command: list[str], *, capture: bool) -> subprocess.CompletedProcess[str]:
    raise AssertionError(f"must not run {command}")
