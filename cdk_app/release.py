"""Versioned releases: freeze a synthesized stage under releases/<version>/, redeploy it later.

A release directory is a complete cloud assembly (templates, assets and CDK's own manifest.json), so
`cdk deploy --app releases/<version>` deploys it without re-synthesizing; next to it, release.json
records the version, git commit, UTC date, stage and the SHA-256 of every template and asset.
(It cannot be called manifest.json: that name belongs to the assembly manifest the CDK CLI reads.)

    python -m cdk_app.release create [--stage prod] [--assembly DIR] [--releases-dir DIR]
    python -m cdk_app.release rollback --version X --stage S [--dry-run] [--releases-dir DIR]
"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from pydantic import BaseModel, ConfigDict, ValidationError

from cdk_app.cloud_assembly import (
    ACCOUNT_STACK_NAME,
    PROJECT_DIR,
    AssemblyError,
    cdk_command,
    display_path,
    file_sha256,
    read_json,
    read_templates,
    run_cdk,
    stack_template_files,
    synthesize,
    tagged_versions,
)
from cdk_app.version import product_version

RELEASES_DIR_ENV = "SHOP_RELEASES_DIR"
RELEASE_MANIFEST = "release.json"
DEFAULT_RELEASE_STAGE = "prod"
UNKNOWN_COMMIT = "unknown"
# A version becomes a directory name, so it may not contain a path separator or start with a dot.
_VERSION_PATTERN = re.compile(r"^[0-9A-Za-z][0-9A-Za-z.+_-]*$")


class ReleaseError(RuntimeError):
    """A release cannot be created or deployed; the message says which release and why."""


class StackRecord(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    template: str
    sha256: str


class ReleaseManifest(BaseModel):
    """release.json: what was released, from which commit, when, for which stage, with which hashes."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    version: str
    commit: str
    created_utc: str
    stage: str
    stacks: dict[str, StackRecord]
    # Every other entry of the assembly too (assets hold the Lambda code a rollback would deploy): a
    # file's SHA-256, or for a directory (an asset, thousands of files for the dependency layer) the
    # SHA-256 of its files' relative paths and hashes, to keep release.json readable.
    files: dict[str, str]


@dataclass(frozen=True)
class CreateOutcome:
    manifest: ReleaseManifest
    path: Path
    created: bool


Synthesizer = Callable[[Path], None]


def releases_dir(explicit: Path | None = None, *, environ: Mapping[str, str] | None = None) -> Path:
    """--releases-dir, else $SHOP_RELEASES_DIR (tests), else <project>/releases (git-ignored)."""
    if explicit is not None:
        return explicit
    configured = (os.environ if environ is None else environ).get(RELEASES_DIR_ENV)
    return Path(configured) if configured else PROJECT_DIR / "releases"


def checked_version(version: str) -> str:
    if not _VERSION_PATTERN.fullmatch(version):
        raise ReleaseError(f"'{version}' is not a release version (letters, digits, '.', '+', '_', '-')")
    return version


def git_commit() -> str:
    """HEAD of the project's git checkout, or 'unknown' when git or the checkout is missing."""
    try:
        result = subprocess.run(
            ["git", "rev-parse", "HEAD"],  # noqa: S607 - git from PATH, like a person would run it
            cwd=PROJECT_DIR,
            capture_output=True,
            text=True,
            check=False,
        )
    except OSError:
        return UNKNOWN_COMMIT
    commit = result.stdout.strip()
    return commit if result.returncode == 0 and commit else UNKNOWN_COMMIT


def read_release_manifest(release_path: Path) -> ReleaseManifest:
    try:
        return ReleaseManifest.model_validate(read_json(release_path / RELEASE_MANIFEST))
    except AssemblyError as error:
        raise ReleaseError(f"{release_path} is not a release: {error}") from None
    except ValidationError as error:
        raise ReleaseError(f"{release_path / RELEASE_MANIFEST} is malformed: {error}") from None


def list_releases(releases: Path) -> list[ReleaseManifest]:
    """Every complete release under `releases`, oldest first (by creation date)."""
    if not releases.is_dir():
        return []
    found = [
        read_release_manifest(child)
        for child in releases.iterdir()
        # Dot-directories are the temp dirs of releases being created.
        if child.is_dir() and not child.name.startswith(".") and (child / RELEASE_MANIFEST).is_file()
    ]
    return sorted(found, key=lambda manifest: (manifest.created_utc, manifest.version))


def _directory_sha256(directory: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(directory.rglob("*")):
        if path.is_file():
            digest.update(f"{path.relative_to(directory).as_posix()}\0{file_sha256(path)}\n".encode())
    return digest.hexdigest()


def _assembly_files(assembly_dir: Path) -> dict[str, str]:
    return {
        entry.name: _directory_sha256(entry) if entry.is_dir() else file_sha256(entry)
        for entry in sorted(assembly_dir.iterdir())
        if entry.name != RELEASE_MANIFEST
    }


def stack_records(assembly_dir: Path) -> dict[str, StackRecord]:
    return {
        stack: StackRecord(template=template_file, sha256=file_sha256(assembly_dir / template_file))
        for stack, template_file in stack_template_files(assembly_dir).items()
    }


def differing_stacks(old: Mapping[str, StackRecord], new: Mapping[str, StackRecord]) -> list[str]:
    """Stacks whose template hash differs, plus stacks only one side has, each with the reason."""
    differences = []
    for stack in sorted(set(old) | set(new)):
        if stack not in new:
            differences.append(f"{stack} (removed)")
        elif stack not in old:
            differences.append(f"{stack} (added)")
        elif old[stack].sha256 != new[stack].sha256:
            differences.append(f"{stack} (changed)")
    return differences


def _check_assembly(assembly_dir: Path, *, version: str, stage: str) -> None:
    # An assembly handed in with --assembly could be of another stage or version; a release must
    # hold exactly what its name and release.json claim. Stack names follow StageConfig.stack_name.
    templates = read_templates(assembly_dir)
    if not templates:
        raise ReleaseError(f"the assembly in {assembly_dir} holds no stacks")
    prefix = f"Shop-{stage}-"
    # The Account stack is the same in every stage's assembly (stacks/account_stack.py).
    foreign = [stack for stack in templates if not stack.startswith(prefix) and stack != ACCOUNT_STACK_NAME]
    if foreign:
        raise ReleaseError(f"stacks {', '.join(foreign)} are not of stage '{stage}' (expected {prefix}*)")
    for stack, template in templates.items():
        other_versions = tagged_versions(template) - {version}
        if other_versions:
            raise ReleaseError(
                f"stack {stack} is tagged with version {', '.join(sorted(other_versions))}, "
                f"not the product version {version}"
            )


def create_release(
    *,
    version: str,
    stage: str,
    releases: Path,
    synthesize_into: Synthesizer,
    commit: str,
    now: datetime | None = None,
) -> CreateOutcome:
    """Synthesize into a temp dir next to the releases and move it into place in one rename.

    Re-releasing identical templates is a no-op; different templates under an existing version are
    refused (ReleaseError naming the stacks), because a version must always mean the same thing.
    """
    target = releases / checked_version(version)
    releases.mkdir(parents=True, exist_ok=True)
    # Same directory as the target, so the final os.rename is atomic (one file system).
    staging = Path(tempfile.mkdtemp(prefix=f".{version}.", suffix=".partial", dir=releases))
    try:
        synthesize_into(staging)
        _check_assembly(staging, version=version, stage=stage)
        records = stack_records(staging)
        if target.exists():
            if not (target / RELEASE_MANIFEST).is_file():
                raise ReleaseError(f"{target} exists but holds no {RELEASE_MANIFEST}; move it out of the way")
            existing = verify_release(target, version=version, stage=stage)
            differences = differing_stacks(existing.stacks, records)
            if differences:
                raise ReleaseError(
                    f"release {version} already exists with different templates: {', '.join(differences)}. "
                    "A version must always deploy the same thing: bump [project].version in "
                    "pyproject.toml to release these changes."
                )
            return CreateOutcome(existing, target, created=False)
        manifest = ReleaseManifest(
            version=version,
            commit=commit,
            created_utc=(now or datetime.now(UTC)).astimezone(UTC).isoformat(timespec="seconds"),
            stage=stage,
            stacks=records,
            files=_assembly_files(staging),
        )
        (staging / RELEASE_MANIFEST).write_text(manifest.model_dump_json(indent=2) + "\n", encoding="utf-8")
        staging.chmod(0o755)  # mkdtemp's 0700 would hide the release from other users (CI, on-call)
        try:
            staging.rename(target)
        except OSError as error:
            raise ReleaseError(f"could not move the release into {target}: {error}") from None
        return CreateOutcome(manifest, target, created=True)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def verify_release(release_path: Path, *, version: str, stage: str) -> ReleaseManifest:
    """The release's manifest, after checking its version, its stage and every file's hash.

    Raises ReleaseError naming each stack or file that no longer matches release.json.
    """
    if not (release_path / RELEASE_MANIFEST).is_file():
        available = ", ".join(manifest.version for manifest in list_releases(release_path.parent))
        raise ReleaseError(
            f"no release {version} in {display_path(release_path.parent)} (available: {available or 'none'})"
        )
    manifest = read_release_manifest(release_path)
    if manifest.version != version:
        raise ReleaseError(f"{release_path} holds version {manifest.version}, not {version}")
    if manifest.stage != stage:
        raise ReleaseError(f"release {version} was built for stage '{manifest.stage}', not '{stage}'")
    problems = _stack_problems(release_path, manifest) + _file_problems(release_path, manifest)
    if problems:
        listed = "\n  ".join(problems)
        raise ReleaseError(f"release {version} was modified after it was created; refusing it:\n  {listed}")
    return manifest


def _stack_problems(release_path: Path, manifest: ReleaseManifest) -> list[str]:
    try:
        assembly_stacks = stack_template_files(release_path)
    except AssemblyError as error:
        return [str(error)]
    problems = []
    for stack in sorted(set(manifest.stacks) | set(assembly_stacks)):
        record = manifest.stacks.get(stack)
        if record is None:
            problems.append(f"{stack}: in the assembly but not in {RELEASE_MANIFEST}")
        elif stack not in assembly_stacks:
            problems.append(f"{stack}: in {RELEASE_MANIFEST} but not in the assembly")
        elif assembly_stacks[stack] != record.template:
            problems.append(f"{stack}: the assembly points at another template file")
        elif not (release_path / record.template).is_file():
            problems.append(f"{stack}: template {record.template} is missing")
        elif file_sha256(release_path / record.template) != record.sha256:
            problems.append(f"{stack}: template {record.template} does not match its SHA-256")
    return problems


def _file_problems(release_path: Path, manifest: ReleaseManifest) -> list[str]:
    actual = _assembly_files(release_path)
    templates = {record.template for record in manifest.stacks.values()}
    problems = []
    for name in sorted(set(manifest.files) | set(actual)):
        if name in templates:
            continue  # reported per stack above
        if name not in actual:
            problems.append(f"{name} is missing")
        elif name not in manifest.files:
            problems.append(f"{name} was added")
        elif actual[name] != manifest.files[name]:
            problems.append(f"{name} does not match its SHA-256")
    return problems


def rollback_command(release_path: Path) -> list[str]:
    """Deploy every stack of a release's assembly as it is: no synth, no approval prompt."""
    return cdk_command("deploy", "--app", display_path(release_path), "--all", "--require-approval", "never")


def _copy_assembly(source: Path) -> Synthesizer:
    def copy_into(staging: Path) -> None:
        if not source.is_dir():
            raise ReleaseError(f"assembly directory {source} does not exist")
        shutil.copytree(source, staging, dirs_exist_ok=True)

    return copy_into


def _synthesize_stage(stage: str) -> Synthesizer:
    def synthesize_into(staging: Path) -> None:
        synthesize(stage=stage, out_dir=staging)

    return synthesize_into


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m cdk_app.release", description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    create = commands.add_parser("create", help="synthesize a stage into releases/<version>/")
    create.add_argument("--stage", default=DEFAULT_RELEASE_STAGE, help="stage to release (default: prod)")
    create.add_argument(
        "--assembly", type=Path, help="release this already-synthesized assembly instead of synthesizing"
    )
    rollback = commands.add_parser("rollback", help="redeploy a release with cdk deploy --app releases/<x>")
    rollback.add_argument("--version", required=True, help="the release to deploy")
    rollback.add_argument("--stage", required=True, help="the stage the release was built for")
    rollback.add_argument("--dry-run", action="store_true", help="print the deploy command, do not run it")
    for command in (create, rollback):
        command.add_argument(
            "--releases-dir",
            type=Path,
            help=f"where releases live (default: ${RELEASES_DIR_ENV} or releases/)",
        )
    return parser


def _create(arguments: argparse.Namespace) -> int:
    version = product_version()
    outcome = create_release(
        version=version,
        stage=arguments.stage,
        releases=releases_dir(arguments.releases_dir),
        synthesize_into=(
            _copy_assembly(arguments.assembly) if arguments.assembly else _synthesize_stage(arguments.stage)
        ),
        commit=git_commit(),
    )
    where = display_path(outcome.path)
    if outcome.created:
        manifest = outcome.manifest
        print(
            f"released {version} (stage {manifest.stage}, commit {manifest.commit[:12]}) to {where}: "
            f"{', '.join(manifest.stacks)}"
        )
    else:
        print(f"release {version} already exists in {where} with identical templates; nothing to do")
    return 0


def _rollback(arguments: argparse.Namespace) -> int:
    version = checked_version(arguments.version)
    release_path = releases_dir(arguments.releases_dir) / version
    manifest = verify_release(release_path, version=version, stage=arguments.stage)
    command = rollback_command(release_path)
    print(f"release {version} verified (stage {manifest.stage}, commit {manifest.commit[:12]})")
    print(shlex.join(command))
    if arguments.dry_run:
        return 0
    sys.stdout.flush()
    return run_cdk(command, capture=False).returncode


def main(argv: Sequence[str] | None = None) -> int:
    arguments = _parser().parse_args(argv)
    try:
        return _create(arguments) if arguments.command == "create" else _rollback(arguments)
    except (ReleaseError, AssemblyError) as error:
        print(f"release {arguments.command} failed: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
