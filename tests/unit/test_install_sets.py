"""`make run` installs the shop and its local stand-ins; the test and lint tools come with `make test`."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TEST_AND_LINT_TOOLS = {
    "pytest",
    "playwright",
    "mypy",
    "ruff",
    "hypothesis",
    "cfn-lint",
    "import-linter",
    "responses",
}


def requirement_names(path: Path) -> set[str]:
    """Package names of a requirements file, following `-r` includes."""
    names: set[str] = set()
    for line in path.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line.startswith("-r "):
            names |= requirement_names(path.parent / line[3:].strip())
        elif line:
            names.add(re.split(r"[\[=<>!~ ]", line, maxsplit=1)[0].lower())
    return names


def make_rule(target: str) -> str:
    makefile = (ROOT / "Makefile").read_text()
    match = re.search(rf"^{re.escape(target)}:.*(?:\n\t.*)*", makefile, re.MULTILINE)
    assert match, target
    return match.group(0)


def test_make_run_installs_the_local_set_without_test_tools() -> None:
    local = requirement_names(ROOT / "requirements-local.txt")
    assert not local & TEST_AND_LINT_TOOLS
    # What the runner itself needs beyond the app: AWS and Redis stand-ins, the CDK libraries.
    assert {"moto", "fakeredis", "aws-cdk-lib", "boto3", "aws-lambda-powertools"} <= local
    assert "$(RUN_STAMP)" in make_rule("run").splitlines()[0]
    assert "$(PIP_INSTALL) -r requirements-local.txt" in make_rule("$(RUN_STAMP)")


def test_make_test_installs_everything_the_suite_uses() -> None:
    dev = requirement_names(ROOT / "requirements-dev.txt")
    assert dev >= TEST_AND_LINT_TOOLS
    assert requirement_names(ROOT / "requirements-local.txt") <= dev
    assert "setup" in make_rule("test").splitlines()[0]
