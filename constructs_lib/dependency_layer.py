"""The Lambda dependency layer, built without Docker by pip's cross-platform wheel download.

`pip install --platform manylinux..._<arch> --only-binary=:all:` fetches the wheels that the
Lambda runtime can load, whatever this machine is. The result is cached under `.build/` by the hash
of the requirements file, the architecture and the Python version, so it is rebuilt only when one of
them changes. boto3 and botocore come with the runtime and are removed from the layer.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsii
from aws_cdk import AssetHashType, BundlingOptions, DockerImage, ILocalBundling
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

ROOT = Path(__file__).resolve().parent.parent
BUILD_CACHE = ROOT / ".build"
# Provided by the Lambda runtime: shipping them again only makes the layer bigger.
RUNTIME_PROVIDED = ("boto3", "botocore", "s3transfer")

_PLATFORMS = {
    lambda_.Architecture.ARM_64.name: ("manylinux2014_aarch64", "manylinux_2_28_aarch64"),
    lambda_.Architecture.X86_64.name: ("manylinux2014_x86_64", "manylinux_2_28_x86_64"),
}


def layer_fingerprint(requirements: Path, architecture: lambda_.Architecture, python_version: str) -> str:
    digest = hashlib.sha256(requirements.read_bytes())
    digest.update(f"{architecture.name}:{python_version}".encode())
    return digest.hexdigest()[:16]


def pip_install_command(
    requirements: Path, target: Path, architecture: lambda_.Architecture, python_version: str
) -> list[str]:
    platforms = [flag for platform in _PLATFORMS[architecture.name] for flag in ("--platform", platform)]
    return [
        sys.executable,
        "-m",
        "pip",
        "install",
        "--quiet",
        "--disable-pip-version-check",
        "--requirement",
        str(requirements),
        *platforms,
        "--only-binary=:all:",
        "--implementation",
        "cp",
        "--python-version",
        python_version,
        "--target",
        str(target),
    ]


def build_layer_directory(
    requirements: Path, architecture: lambda_.Architecture, python_version: str
) -> Path:
    """The layer's content (`python/...`), built once per fingerprint and reused afterwards."""
    fingerprint = layer_fingerprint(requirements, architecture, python_version)
    built = BUILD_CACHE / f"layer-{fingerprint}"
    if (built / ".complete").exists():
        return built
    staging = BUILD_CACHE / f"layer-{fingerprint}.partial"
    shutil.rmtree(staging, ignore_errors=True)
    site_packages = staging / "python"
    subprocess.run(  # noqa: S603 - our own interpreter and arguments
        pip_install_command(requirements, site_packages, architecture, python_version), check=True
    )
    for installed in site_packages.iterdir():
        distribution = installed.name.split("-")[0].lower()
        if distribution in RUNTIME_PROVIDED:
            shutil.rmtree(installed) if installed.is_dir() else installed.unlink()
    for cache_dir in site_packages.rglob("__pycache__"):
        shutil.rmtree(cache_dir, ignore_errors=True)
    (staging / ".complete").touch()
    shutil.rmtree(built, ignore_errors=True)
    staging.rename(built)
    return built


@jsii.implements(ILocalBundling)
class _PipPlatformBundling:
    def __init__(self, requirements: Path, architecture: lambda_.Architecture, python_version: str) -> None:
        self._requirements = requirements
        self._architecture = architecture
        self._python_version = python_version

    def try_bundle(self, output_dir: str, *_args: Any, **_kwargs: Any) -> bool:
        built = build_layer_directory(self._requirements, self._architecture, self._python_version)
        shutil.copytree(built / "python", Path(output_dir) / "python", dirs_exist_ok=True)
        return True


class DependencyLayer(Construct):
    """One layer with every third-party package the functions import (from one requirements file)."""

    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        requirements: Path,
        architecture: lambda_.Architecture,
        runtime: lambda_.Runtime,
        **kwargs: Any,
    ) -> None:
        super().__init__(scope, id_, **kwargs)
        python_version = runtime.name.removeprefix("python")
        fingerprint = layer_fingerprint(requirements, architecture, python_version)
        self.layer = lambda_.LayerVersion(
            self,
            "Layer",
            description=f"Shop dependencies ({requirements.name} {fingerprint})",
            compatible_runtimes=[runtime],
            compatible_architectures=[architecture],
            code=lambda_.Code.from_asset(
                str(requirements.parent),
                asset_hash_type=AssetHashType.CUSTOM,
                asset_hash=fingerprint,
                bundling=BundlingOptions(
                    # Never pulled: local bundling always succeeds (or fails loudly) first.
                    image=DockerImage.from_registry("public.ecr.aws/sam/build-python3.14"),
                    local=_PipPlatformBundling(requirements, architecture, python_version),
                ),
            ),
        )
