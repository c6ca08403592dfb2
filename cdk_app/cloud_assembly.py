"""CDK cloud assemblies: synthesize one with the pinned CLI, list its stacks, read and hash templates.

Releases and the offline diff both work on assemblies (the directory `cdk synth -o DIR` writes), so
the stack list always comes from the assembly's own manifest.json, never from a hard-coded list.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

PROJECT_DIR = Path(__file__).resolve().parent.parent
# Relative on purpose: every CLI call runs with cwd=PROJECT_DIR (cdk.json lives there), and the
# commands we print for people to copy stay short and machine-independent.
CDK_CLI = Path("node_modules/.bin/cdk")
ASSEMBLY_MANIFEST = "manifest.json"
STACK_ARTIFACT_TYPE = "aws:cloudformation:stack"
VERSION_TAG = "shop:version"
# The one stack every stage's assembly holds under the same name: account-wide settings that no stage
# may own (stacks/account_stack.py). Every other stack is named `Shop-<stage>-<Name>`.
ACCOUNT_STACK_NAME = "Shop-Account"


class AssemblyError(RuntimeError):
    """An assembly is missing, malformed, or could not be synthesized; the message says which and why."""


def cdk_environment(base: Mapping[str, str] | None = None) -> dict[str, str]:
    """The process environment for the CDK CLI: no Node end-of-life banner, no telemetry calls."""
    environment = dict(os.environ if base is None else base)
    environment["JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION"] = "20"
    environment["CDK_DISABLE_CLI_TELEMETRY"] = "true"
    return environment


def cdk_command(*arguments: str) -> list[str]:
    """A CDK CLI command line; notices are off because fetching them needs the network."""
    return [str(CDK_CLI), *arguments, "--no-notices"]


def cdk_cli_available() -> bool:
    return (PROJECT_DIR / CDK_CLI).exists()


def display_path(path: Path) -> str:
    """`path` relative to the project when it lies inside it (how people type it), else absolute."""
    resolved = path.resolve()
    try:
        return str(resolved.relative_to(PROJECT_DIR))
    except ValueError:
        return str(resolved)


def run_cdk(command: Sequence[str], *, capture: bool) -> subprocess.CompletedProcess[str]:
    """Run a CDK CLI command from the project directory. Raises AssemblyError when the CLI is missing."""
    try:
        return subprocess.run(  # noqa: S603 - the command is built from fixed arguments, never a shell
            list(command),
            cwd=PROJECT_DIR,
            env=cdk_environment(),
            capture_output=capture,
            text=True,
            check=False,
        )
    except FileNotFoundError:
        raise AssemblyError(f"CDK CLI not found at {CDK_CLI}; install it with `npm ci`") from None


def synthesize(*, stage: str, out_dir: Path) -> None:
    """Synthesize the app for `stage` into `out_dir` with the pinned CLI (offline, no credentials)."""
    result = run_cdk(
        cdk_command("synth", "--quiet", "-c", f"stage={stage}", "-o", str(out_dir)), capture=True
    )
    if result.returncode != 0:
        output = (result.stderr + result.stdout).strip().splitlines()
        tail = "\n".join(output[-25:])
        raise AssemblyError(f"cdk synth for stage '{stage}' failed (exit {result.returncode}):\n{tail}")


def read_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise AssemblyError(f"{path} does not exist") from None
    except json.JSONDecodeError as error:
        raise AssemblyError(f"{path} is not valid JSON: {error}") from None
    if not isinstance(data, dict):
        raise AssemblyError(f"{path} must hold a JSON object")
    return data


def stack_template_files(assembly_dir: Path) -> dict[str, str]:
    """Stack artifact id -> template file name (relative to the assembly), read from manifest.json.

    The artifact id is what `cdk deploy/diff <Stack>` selects on. The shop has no nested stages
    (`cdk:cloud-assembly` artifacts), so only top-level stacks are listed.
    """
    manifest = read_json(assembly_dir / ASSEMBLY_MANIFEST)
    artifacts = manifest.get("artifacts")
    if not isinstance(artifacts, dict):
        raise AssemblyError(f"{assembly_dir / ASSEMBLY_MANIFEST} has no artifacts")
    stacks: dict[str, str] = {}
    for artifact_id, artifact in artifacts.items():
        if not isinstance(artifact, dict) or artifact.get("type") != STACK_ARTIFACT_TYPE:
            continue
        template_file = artifact.get("properties", {}).get("templateFile")
        if not isinstance(template_file, str) or Path(template_file).name != template_file:
            raise AssemblyError(f"stack {artifact_id} in {assembly_dir} has no plain templateFile")
        stacks[artifact_id] = template_file
    return dict(sorted(stacks.items()))


def read_templates(assembly_dir: Path) -> dict[str, dict[str, Any]]:
    """Stack artifact id -> parsed CloudFormation template, for every stack of the assembly."""
    return {
        stack: read_json(assembly_dir / template_file)
        for stack, template_file in stack_template_files(assembly_dir).items()
    }


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 16), b""):
            digest.update(block)
    return digest.hexdigest()


def _tag_values(node: Any, key: str) -> Iterator[str]:
    # Tags sit at different depths per resource type (GlobalTable keeps them per replica), so walk all.
    if isinstance(node, dict):
        if node.get("Key") == key and isinstance(node.get("Value"), str):
            yield node["Value"]
        for child in node.values():
            yield from _tag_values(child, key)
    elif isinstance(node, list):
        for child in node:
            yield from _tag_values(child, key)


def tagged_versions(template: Mapping[str, Any]) -> set[str]:
    """Every product version the template's resources are tagged with (normally exactly one)."""
    return set(_tag_values(template.get("Resources", {}), VERSION_TAG))
