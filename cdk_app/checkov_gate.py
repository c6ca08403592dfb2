"""checkov over every synthesized template: no failed check outside `cdk_app.checkov_acceptances`.

Run as `python -m cdk_app.checkov_gate [cdk.out ...]` (`make synth` does); the infra tests call
`run()` directly. checkov lives in a virtualenv of its own (`.venv-checkov`, `make setup`), because
it pins many packages the shop also uses; it runs offline (`--skip-download`, `BC_SKIP_MAPPING`).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cdk_app.checkov_acceptances import ACCEPTED, Acceptance

ROOT = Path(__file__).resolve().parent.parent
CHECKOV = ROOT / ".venv-checkov" / "bin" / "checkov"
_STAGE_OF_TEMPLATE = re.compile(r"Shop-([a-z][a-z0-9]*)-[A-Za-z]+\.template\.json$")


class CheckovMissing(RuntimeError):
    """The checkov virtualenv is not installed; `make setup` creates it."""


@dataclass(frozen=True)
class Failure:
    check: str
    name: str
    template: str
    resource: str  # `AWS::Type.LogicalId`
    acceptance: Acceptance | None

    @property
    def logical_id(self) -> str:
        return self.resource.split(".", 1)[-1]

    def __str__(self) -> str:
        return f"{self.template} {self.check} [{self.resource}] {self.name}"


@dataclass(frozen=True)
class Report:
    passed: int
    failures: tuple[Failure, ...]

    @property
    def refused(self) -> list[Failure]:
        return [failure for failure in self.failures if failure.acceptance is None]

    @property
    def accepted(self) -> list[Failure]:
        return [failure for failure in self.failures if failure.acceptance is not None]


def stage_settings() -> dict[str, dict[str, Any]]:
    """Each stage's settings from cdk.json, for acceptances that hold only where a setting is off."""
    context = json.loads((ROOT / "cdk.json").read_text())["context"]
    stages: dict[str, dict[str, Any]] = context["shop:stages"]
    return stages


def run(assembly_dir: Path, *, checkov: Path = CHECKOV) -> Report:
    """checkov's CloudFormation checks over one cloud assembly, each failure matched to its acceptance."""
    if not checkov.exists():
        raise CheckovMissing(f"{checkov} not found: `make setup` installs checkov into .venv-checkov")
    if not any(assembly_dir.glob("*.template.json")):
        raise FileNotFoundError(f"no templates in {assembly_dir}")
    arguments = ["-d", str(assembly_dir), "--framework", "cloudformation", "--skip-download", "--compact"]
    completed = subprocess.run(  # noqa: S603 - our own checkov binary and paths, no shell
        [str(checkov), *arguments, "--quiet", "-o", "json"],
        capture_output=True,
        text=True,
        check=False,  # exit 1 means "some check failed": the report says which
        env={**os.environ, "BC_SKIP_MAPPING": "TRUE"},
    )
    if completed.returncode not in (0, 1):
        raise RuntimeError(f"checkov failed ({completed.returncode}): {completed.stderr[-2000:]}")
    return _report(json.loads(completed.stdout), stage_settings())


def _report(output: Any, settings: dict[str, dict[str, Any]]) -> Report:
    # One object per framework; an empty run prints a bare summary.
    results = output if isinstance(output, list) else [output]
    passed = 0
    failures: list[Failure] = []
    for result in results:
        passed += int(result.get("summary", {}).get("passed", 0))
        for failed in (result.get("results") or {}).get("failed_checks", []):
            template = Path(failed["file_path"]).name
            match = _STAGE_OF_TEMPLATE.search(template)
            stage = settings.get(match.group(1), {}) if match else {}
            logical_id = str(failed["resource"]).split(".", 1)[-1]
            acceptance = next(
                (each for each in ACCEPTED if each.covers(failed["check_id"], logical_id, stage)), None
            )
            failures.append(
                Failure(failed["check_id"], failed["check_name"], template, failed["resource"], acceptance)
            )
    return Report(passed=passed, failures=tuple(failures))


def main(argv: list[str]) -> int:
    refused = 0
    for directory in argv or ["cdk.out"]:
        report = run(Path(directory))
        for failure in report.refused:
            print(f"checkov: FAILED {failure}")
        refused += len(report.refused)
        print(
            f"checkov {directory}: {report.passed} passed, {len(report.failures)} failed, of which "
            f"{len(report.accepted)} accepted (cdk_app/checkov_acceptances.py) and {len(report.refused)} not"
        )
    if refused:
        print(f"checkov: {refused} failed check(s) not accepted", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
