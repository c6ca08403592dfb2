"""The Docker-free dependency layer: the pip command, its cache key, and what it leaves out."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest
from aws_cdk import aws_lambda as lambda_

from constructs_lib import dependency_layer
from constructs_lib.dependency_layer import build_layer_directory, layer_fingerprint, pip_install_command


def test_pip_installs_only_binary_wheels_for_the_lambda_platform(tmp_path: Path) -> None:
    command = pip_install_command(
        tmp_path / "requirements.txt", tmp_path / "out", lambda_.Architecture.ARM_64, "3.14"
    )
    joined = " ".join(command)
    assert "--platform manylinux2014_aarch64" in joined
    assert "--only-binary=:all:" in command
    assert "--python-version 3.14" in joined
    assert f"--target {tmp_path / 'out'}" in joined


def test_fingerprint_changes_with_requirements_architecture_and_python(tmp_path: Path) -> None:
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("pydantic==2.14.3\n")
    base = layer_fingerprint(requirements, lambda_.Architecture.ARM_64, "3.14")
    assert base == layer_fingerprint(requirements, lambda_.Architecture.ARM_64, "3.14")
    assert base != layer_fingerprint(requirements, lambda_.Architecture.X86_64, "3.14")
    assert base != layer_fingerprint(requirements, lambda_.Architecture.ARM_64, "3.13")
    requirements.write_text("pydantic==2.14.4\n")
    assert base != layer_fingerprint(requirements, lambda_.Architecture.ARM_64, "3.14")


def test_build_runs_pip_once_per_fingerprint_and_drops_runtime_provided_packages(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[list[str]] = []

    def fake_pip(command: list[str], check: bool) -> subprocess.CompletedProcess[str]:
        calls.append(command)
        target = Path(command[command.index("--target") + 1])
        for name in ("pydantic", "botocore", "boto3", "s3transfer", "redis"):
            (target / name).mkdir(parents=True)
            (target / name / "__init__.py").write_text("")
        (target / "botocore-1.44.5.dist-info").mkdir()
        return subprocess.CompletedProcess(command, 0)

    monkeypatch.setattr(dependency_layer, "BUILD_CACHE", tmp_path / "cache")
    monkeypatch.setattr(dependency_layer.subprocess, "run", fake_pip)
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("pydantic==2.14.3\n")

    built = build_layer_directory(requirements, lambda_.Architecture.ARM_64, "3.14")
    again = build_layer_directory(requirements, lambda_.Architecture.ARM_64, "3.14")

    assert built == again
    assert len(calls) == 1
    installed = sorted(path.name for path in (built / "python").iterdir())
    assert installed == ["pydantic", "redis"]


def test_layer_requirements_leave_boto3_to_the_runtime() -> None:
    requirements = (dependency_layer.ROOT / "lambdas" / "requirements.txt").read_text().lower()
    packages: list[Any] = [
        line.split("==")[0] for line in requirements.splitlines() if line and not line.startswith("#")
    ]
    assert "boto3" not in packages
    assert "aws-cdk-lib" not in packages
