"""`make diff`: what a change does to every stack, against AWS or offline against a release.

With AWS credentials (and no --against) this is `cdk diff` against the deployed stacks. Otherwise the
current synth is compared with a release's templates, stack by stack: the CLI's own
`cdk diff --template` output (it works offline), then a summary computed here of added, changed and
removed resources, ending with a `!!! DANGER` banner for every stateful resource that would be
replaced or deleted. Last comes the change in fixed monthly cost (cdk_app/cost.py): between the two
sides offline; against AWS, between the newest release of the stage and the synth. Exit status is 0
whether or not anything changed; non-zero only on errors.

    python -m cdk_app.diff [--stage dev] [--against VERSION] [--offline] [--reverse] [--summary-only]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cdk_app.cloud_assembly import (
    AssemblyError,
    cdk_cli_available,
    cdk_command,
    display_path,
    file_sha256,
    read_templates,
    run_cdk,
    stack_template_files,
    synthesize,
)
from cdk_app.cost import PriceTableError, render_change
from cdk_app.release import (
    ReleaseError,
    ReleaseManifest,
    checked_version,
    list_releases,
    read_release_manifest,
    releases_dir,
)

Template = Mapping[str, Any]

# Resources that hold data (or, for the VPC, everything stateful sits in it): replacing or deleting
# one loses that data or cuts the shop off, so the diff shouts about it.
STATEFUL_TYPES = frozenset(
    {
        "AWS::DynamoDB::Table",
        "AWS::DynamoDB::GlobalTable",
        "AWS::SQS::Queue",
        "AWS::ElastiCache::ReplicationGroup",
        "AWS::Cognito::UserPool",
        "AWS::S3::Bucket",
        "AWS::SecretsManager::Secret",
        "AWS::EC2::VPC",
    }
)

# Properties whose change makes CloudFormation create a new resource and delete the old one. Taken
# from the resource specification the CDK CLI ships (node_modules/aws-cdk/db.json.gz,
# `causesReplacement: "yes"`; tests/unit/test_diff.py checks the table against it), minus
# properties the shop never sets. "Maybe" properties (VPC InstanceTenancy, ElastiCache AuthToken,
# NumNodeGroups, NodeGroupConfiguration) are left to `cdk diff`, which prints "may be replaced".
# ElastiCache's Engine is left out although that file still marks it: the CloudFormation registry
# schema (cfn-lint's copy, createOnlyProperties) does not, and ElastiCache upgrades Redis OSS to Valkey
# in place through ModifyReplicationGroup, keeping the endpoint and the data.
REPLACEMENT_PROPERTIES: dict[str, frozenset[str]] = {
    "AWS::DynamoDB::Table": frozenset({"TableName", "KeySchema", "ImportSourceSpecification"}),
    "AWS::DynamoDB::GlobalTable": frozenset({"TableName", "KeySchema", "LocalSecondaryIndexes"}),
    "AWS::SQS::Queue": frozenset({"QueueName", "FifoQueue"}),
    "AWS::ElastiCache::ReplicationGroup": frozenset(
        {
            "ReplicationGroupId",
            "Port",
            "AtRestEncryptionEnabled",
            "KmsKeyId",
            "CacheSubnetGroupName",
            "NetworkType",
            "DataTieringEnabled",
            "PreferredCacheClusterAZs",
            "SnapshotArns",
            "SnapshotName",
        }
    ),
    # The spec marks no UserPool property, and UserPoolName is renamed in place (UpdateUserPool takes
    # PoolName). But UpdateUserPool has no way to change sign-in attributes or case sensitivity: the
    # Cognito guide says those need a new user pool, which means every user signs up again.
    "AWS::Cognito::UserPool": frozenset({"AliasAttributes", "UsernameAttributes", "UsernameConfiguration"}),
    "AWS::S3::Bucket": frozenset({"BucketName", "BucketNamePrefix", "ObjectLockEnabled"}),
    "AWS::SecretsManager::Secret": frozenset({"Name"}),
    "AWS::EC2::VPC": frozenset({"CidrBlock", "Ipv4IpamPoolId", "Ipv4NetmaskLength"}),
}

# Resource attributes besides Properties that change what a deploy does; Metadata does not.
_COMPARED_ATTRIBUTES = ("Type", "DeletionPolicy", "UpdateReplacePolicy", "DependsOn", "Condition")
# The app's default stage, as in cdk_app.config (a test keeps them equal). Not imported from there:
# config pulls in aws_cdk, which starts a Node process this command otherwise never needs.
DEFAULT_STAGE = "dev"
CREDENTIAL_VARIABLES = ("AWS_ACCESS_KEY_ID", "AWS_PROFILE", "AWS_SESSION_TOKEN")
DANGER = "!!! DANGER"


@dataclass(frozen=True)
class ChangedResource:
    logical_id: str
    resource_type: str
    changed: tuple[str, ...]
    replacing: tuple[str, ...]


@dataclass(frozen=True)
class Danger:
    stack: str
    resource: str
    what: str

    def banner(self) -> str:
        return f"{DANGER}: {self.stack} {self.resource} {self.what}"


@dataclass
class StackDiff:
    """One stack's resources, old (release) against new (current synth), by logical ID."""

    stack: str
    in_old: bool = True
    in_new: bool = True
    added: dict[str, str] = field(default_factory=dict)
    removed: dict[str, str] = field(default_factory=dict)
    changed: list[ChangedResource] = field(default_factory=list)
    dangers: list[Danger] = field(default_factory=list)
    # logical ID -> "LogicalId (Type, construct path)", so readers find the construct in the code.
    labels: dict[str, str] = field(default_factory=dict)

    @property
    def has_changes(self) -> bool:
        return bool(self.added or self.removed or self.changed) or self.in_old != self.in_new

    def summary(self) -> str:
        if not self.in_new:
            return f"{self.stack}: no longer in the app (`cdk deploy --all` does not delete the stack)"
        counts = f"{len(self.added)} added, {len(self.changed)} changed, {len(self.removed)} removed"
        if not self.in_old:
            return f"{self.stack}: new stack, {counts}"
        return f"{self.stack}: {counts}" if self.has_changes else f"{self.stack}: no changes"

    def details(self) -> Iterator[str]:
        for logical_id in self.added:
            yield f"  + {self.labels[logical_id]}"
        for change in self.changed:
            replacing = f" [forces replacement: {', '.join(change.replacing)}]" if change.replacing else ""
            yield f"  ~ {self.labels[change.logical_id]}: {', '.join(change.changed)}{replacing}"
        if self.in_new:  # a gone stack's resources are not deleted by a deploy; do not list them as such
            for logical_id in self.removed:
                yield f"  - {self.labels[logical_id]}"


def _resources(template: Template | None) -> dict[str, Mapping[str, Any]]:
    resources = (template or {}).get("Resources") or {}
    # CDKMetadata only records which constructs the app uses; it changes with every construct added
    # and deploys nothing, so (like `cdk diff`) the summary leaves it out.
    return {
        logical_id: body
        for logical_id, body in resources.items()
        if isinstance(body, Mapping) and body.get("Type") != "AWS::CDK::Metadata"
    }


def _type_of(resource: Mapping[str, Any]) -> str:
    return str(resource.get("Type", "?"))


def _label(stack: str, logical_id: str, resource: Mapping[str, Any]) -> str:
    path = str((resource.get("Metadata") or {}).get("aws:cdk:path", ""))
    path = path.removeprefix(f"{stack}/").removesuffix("/Resource")
    return f"{logical_id} ({_type_of(resource)}{', ' + path if path else ''})"


def changed_keys(old: Mapping[str, Any], new: Mapping[str, Any]) -> tuple[str, ...]:
    """Resource attributes (Type, DeletionPolicy, ...) and top-level properties that differ."""
    changed = [name for name in _COMPARED_ATTRIBUTES if old.get(name) != new.get(name)]
    old_properties = old.get("Properties") or {}
    new_properties = new.get("Properties") or {}
    changed += sorted(
        name
        for name in set(old_properties) | set(new_properties)
        if old_properties.get(name) != new_properties.get(name)
    )
    return tuple(changed)


def _retain_note(resource: Mapping[str, Any], policy: str) -> str:
    # Retain keeps the old physical resource, but the stack forgets it: the app then talks to the new,
    # empty one. Still loud, only more precise about where the data went.
    if resource.get(policy) == "Retain":
        return f" ({policy} Retain: the old one is kept but orphaned, the app switches to an empty new one)"
    return ""


def diff_stack(stack: str, old: Template | None, new: Template | None) -> StackDiff:
    """Compare one stack's Resources by logical ID; flag replaced or deleted stateful resources."""
    old_resources, new_resources = _resources(old), _resources(new)
    result = StackDiff(stack, in_old=old is not None, in_new=new is not None)
    result.added = {
        logical_id: _type_of(body)
        for logical_id, body in new_resources.items()
        if logical_id not in old_resources
    }
    result.removed = {
        logical_id: _type_of(body)
        for logical_id, body in old_resources.items()
        if logical_id not in new_resources
    }
    result.labels = {
        logical_id: _label(stack, logical_id, body)
        for logical_id, body in (old_resources | new_resources).items()
    }
    for logical_id in sorted(set(old_resources) & set(new_resources)):
        before, after = old_resources[logical_id], new_resources[logical_id]
        changed = changed_keys(before, after)
        if not changed:
            continue
        resource_type = _type_of(after)
        if "Type" in changed:
            replacing: tuple[str, ...] = ("Type",)
        else:
            replacing = tuple(
                name for name in changed if name in REPLACEMENT_PROPERTIES.get(resource_type, ())
            )
        result.changed.append(ChangedResource(logical_id, resource_type, changed, replacing))
        if replacing and STATEFUL_TYPES & {resource_type, _type_of(before)}:
            result.dangers.append(
                Danger(
                    stack,
                    result.labels[logical_id],
                    f"will be REPLACED ({', '.join(replacing)} forces a new resource)"
                    + _retain_note(before, "UpdateReplacePolicy"),
                )
            )
    if result.in_new:
        for logical_id, resource_type in result.removed.items():
            if resource_type not in STATEFUL_TYPES:
                continue
            successors = [added for added, added_type in result.added.items() if added_type == resource_type]
            what = (
                f"will be REPLACED (logical ID removed, new {resource_type} {', '.join(successors)} added)"
                if successors
                else "will be DELETED (logical ID removed)"
            )
            note = _retain_note(old_resources[logical_id], "DeletionPolicy")
            result.dangers.append(Danger(stack, result.labels[logical_id], what + note))
    return result


def diff_templates(old: Mapping[str, Template], new: Mapping[str, Template]) -> list[StackDiff]:
    """Every stack of either side, by name: `old` is what is replaced (normally the release), `new` what
    would be deployed (normally the current synth)."""
    return [diff_stack(stack, old.get(stack), new.get(stack)) for stack in sorted(set(old) | set(new))]


def render_summary(diffs: Sequence[StackDiff], *, title: str) -> list[str]:
    lines = [f"=== {title} ==="]
    for stack_diff in diffs:
        lines.append(stack_diff.summary())
        lines.extend(stack_diff.details())
    dangers = [danger for stack_diff in diffs for danger in stack_diff.dangers]
    if dangers:
        lines.append("")
        lines.append(f"{DANGER}: {len(dangers)} stateful resource(s) would be replaced or deleted !!!")
        lines.extend(danger.banner() for danger in dangers)
    else:
        lines.append("No stateful resource is replaced or deleted.")
    return lines


def has_aws_credentials(environ: Mapping[str, str], *, home: Path) -> bool:
    """Whether credentials are configured, judged only from the environment and files (no network)."""
    if any(environ.get(name) for name in CREDENTIAL_VARIABLES):
        return True
    credentials_file = environ.get("AWS_SHARED_CREDENTIALS_FILE") or str(home / ".aws" / "credentials")
    return Path(credentials_file).is_file()


def choose_release(releases: Path, *, against: str | None, stage: str | None) -> tuple[Path, ReleaseManifest]:
    """The release named by --against, else the newest one of `stage`, else the newest one at all."""
    if against is not None:
        path = releases / checked_version(against)
        if not path.is_dir():
            available = ", ".join(manifest.version for manifest in list_releases(releases)) or "none"
            raise ReleaseError(f"no release {against} in {display_path(releases)} (available: {available})")
        return path, read_release_manifest(path)
    known = list_releases(releases)
    if not known:
        raise ReleaseError(
            f"no release in {display_path(releases)} to diff against: run `make release` first, "
            "or diff against AWS with credentials configured"
        )
    same_stage = [manifest for manifest in known if manifest.stage == stage]
    newest = (same_stage or known)[-1]
    return releases / newest.version, newest


def _edited_release_notes(release_path: Path, manifest: ReleaseManifest) -> list[str]:
    # Diffing an edited release is allowed (it is how one previews a change), but say so.
    notes = []
    for stack, record in manifest.stacks.items():
        template = release_path / record.template
        if template.is_file() and file_sha256(template) != record.sha256:
            notes.append(f"note: {stack}'s template in release {manifest.version} was edited after release")
    return notes


def cdk_template_diffs(*, app: Path, baseline: Path, stacks: Sequence[str]) -> list[tuple[str, int, str]]:
    """`cdk diff --app <app> <Stack> --template <baseline's template>` per stack, run in parallel.

    Returns (stack, exit code, output) in `stacks` order. Needs neither credentials nor network.
    """
    baseline_files = stack_template_files(baseline)

    def one(stack: str) -> tuple[str, int, str]:
        command = cdk_command(
            "diff",
            "--app",
            display_path(app),
            stack,
            # Without it the CLI also selects the stack's dependencies and refuses a fixed template.
            "--exclusively",
            "--template",
            display_path(baseline / baseline_files[stack]),
        )
        result = run_cdk(command, capture=True)
        return stack, result.returncode, (result.stdout + result.stderr).rstrip()

    with ThreadPoolExecutor(max_workers=4) as pool:
        return list(pool.map(one, stacks))


def _offline(arguments: argparse.Namespace, *, assembly_dir: Path) -> int:
    release_path, manifest = choose_release(
        releases_dir(arguments.releases_dir), against=arguments.against, stage=arguments.stage
    )
    stage = manifest.stage
    if arguments.stage and arguments.stage != stage:
        print(f"note: release {manifest.version} was built for '{stage}', so a '{stage}' synth is compared")
    where = display_path(release_path)
    print(f"Comparing the current '{stage}' synth with release {manifest.version} ({where}), offline")
    for note in _edited_release_notes(release_path, manifest):
        print(note)
    assembly = arguments.assembly or assembly_dir
    if arguments.assembly is None:
        synthesize(stage=stage, out_dir=assembly)
    release_side, current_side = f"release {manifest.version}", f"current '{stage}' synth"
    # A rollback preview swaps the sides: DANGER then means what deploying the release would destroy.
    old_dir, new_dir = (assembly, release_path) if arguments.reverse else (release_path, assembly)
    old_name, new_name = (current_side, release_side) if arguments.reverse else (release_side, current_side)
    old, new = read_templates(old_dir), read_templates(new_dir)
    failures = []
    if arguments.summary_only:
        pass
    elif not cdk_cli_available():
        print("note: the CDK CLI is not installed (`npm ci`); printing the summary only")
    else:
        for stack, returncode, output in cdk_template_diffs(
            app=new_dir, baseline=old_dir, stacks=sorted(set(old) & set(new))
        ):
            print(f"\n--- cdk diff {stack} ({old_name} -> {new_name}) ---")
            print(output)
            if returncode != 0:
                failures.append(stack)
    print()
    print("\n".join(render_summary(diff_templates(old, new), title=f"Summary: {old_name} -> {new_name}")))
    print("\n".join(_cost_lines(old, new)))
    if failures:
        print(f"cdk diff failed for {', '.join(failures)}", file=sys.stderr)
        return 1
    return 0


def _against_aws(arguments: argparse.Namespace, *, assembly_dir: Path) -> int:
    stage = arguments.stage or DEFAULT_STAGE
    assembly = arguments.assembly or assembly_dir
    if arguments.assembly is None:
        synthesize(stage=stage, out_dir=assembly)
    print(f"AWS credentials found: comparing the '{stage}' synth with the deployed stacks")
    sys.stdout.flush()
    returncode = run_cdk(cdk_command("diff", "--app", display_path(assembly)), capture=False).returncode
    print("\n".join(_cost_against_newest_release(releases_dir(arguments.releases_dir), stage, assembly)))
    return returncode


def _cost_lines(old: Mapping[str, Template], new: Mapping[str, Template]) -> list[str]:
    # A broken price table must not hide the diff above it.
    try:
        return ["", *render_change(old, new)]
    except PriceTableError as error:
        return ["", f"Fixed monthly cost: not computed ({error})"]


def _cost_against_newest_release(releases: Path, stage: str, assembly: Path) -> list[str]:
    # What is deployed is not known offline; the newest release of the stage stands in for it. The
    # `cdk diff` above has run by now, so a broken release only costs these lines.
    try:
        same_stage = [manifest for manifest in list_releases(releases) if manifest.stage == stage]
        if not same_stage:
            return [
                "",
                f"Fixed monthly cost: no '{stage}' release to compare with (`make cost STAGE={stage}`).",
            ]
        newest = same_stage[-1].version
        lines = _cost_lines(read_templates(releases / newest), read_templates(assembly))
    except (ReleaseError, AssemblyError) as error:
        return ["", f"Fixed monthly cost: not computed ({error})"]
    return ["", f"Against release {newest}, the newest '{stage}' release:", *lines[1:]]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m cdk_app.diff", description=__doc__.split("\n")[0])
    parser.add_argument(
        "--stage", help=f"stage to synthesize (default: {DEFAULT_STAGE}; a release's own stage)"
    )
    parser.add_argument("--against", help="compare offline with this release instead of AWS")
    parser.add_argument(
        "--offline", action="store_true", help="compare with the newest release even with AWS"
    )
    parser.add_argument("--releases-dir", type=Path, help="where releases live (default: releases/)")
    parser.add_argument("--assembly", type=Path, help="use this synthesized assembly instead of synthesizing")
    parser.add_argument("--summary-only", action="store_true", help="skip the CLI's cdk diff output")
    parser.add_argument(
        "--reverse",
        action="store_true",
        help="rollback preview: what deploying the release over the current code would change",
    )
    return parser


def main(argv: Sequence[str] | None = None, *, environ: Mapping[str, str] | None = None) -> int:
    arguments = _parser().parse_args(argv)
    environment = os.environ if environ is None else environ
    offline = (
        arguments.against is not None
        or arguments.offline
        or not has_aws_credentials(environment, home=Path.home())
    )
    try:
        with tempfile.TemporaryDirectory(prefix="shop-diff-") as scratch:
            if offline:
                return _offline(arguments, assembly_dir=Path(scratch))
            return _against_aws(arguments, assembly_dir=Path(scratch))
    except (ReleaseError, AssemblyError) as error:
        print(f"diff failed: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
