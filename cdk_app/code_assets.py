"""The code asset of each domain stack: its handlers plus exactly the shop packages they import.

`lambdas/shop` is split by domain (see docs/decisions.md). A domain stack's functions ship one asset
with their handler packages, `shop/contracts`, `shop/platform`, `shop/api` and the domain packages the
handlers reach through imports, found by reading the source (ast), not by a list that could drift. So
a change inside `shop/payments/` changes only the assets that import payments, and CloudFormation
publishes new versions only for those functions.

The asset is staged under `.build/code/`, in a directory named by the hash of its content, so two
synths never write the same directory and an unchanged asset keeps its path and hash.
"""

from __future__ import annotations

import ast
import hashlib
import os
import shutil
import time
from collections.abc import Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LAMBDAS_DIR = ROOT / "lambdas"
STAGING_DIR = ROOT / ".build" / "code"
SHARED_PACKAGE = "shop"
# Every function needs these: settings, errors, observability, the table and queue specs, the resolver.
ALWAYS_SHIPPED = ("contracts", "platform", "api")
_SKIPPED_PARTS = {"__pycache__", ".mypy_cache"}
# Staged assets nobody synthesized for a week are removed; each synth touches the ones it uses.
STALE_AFTER_SECONDS = 7 * 24 * 3600


def _source_files(directory: Path) -> list[Path]:
    return sorted(
        path
        for path in directory.rglob("*")
        if path.is_file() and not _SKIPPED_PARTS & set(path.parts) and path.suffix != ".pyc"
    )


def _shop_packages_imported(directory: Path, lambdas_dir: Path) -> set[str]:
    """The `shop.<package>` names any module under `directory` imports, at any depth (lazy imports too)."""
    found: set[str] = set()
    for path in directory.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            names: Iterable[str] = ()
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            for name in names:
                parts = name.split(".")
                if parts[0] == SHARED_PACKAGE and len(parts) > 1:
                    found.add(parts[1])
    return {name for name in found if (lambdas_dir / SHARED_PACKAGE / name).is_dir()}


def shop_packages_for(handlers: Iterable[str], lambdas_dir: Path = LAMBDAS_DIR) -> tuple[str, ...]:
    """Every `shop` subpackage the handler packages need, following imports between packages."""
    needed = set(ALWAYS_SHIPPED)
    for handler in handlers:
        needed |= _shop_packages_imported(lambdas_dir / handler, lambdas_dir)
    pending = list(needed)
    while pending:
        package = pending.pop()
        for reached in _shop_packages_imported(lambdas_dir / SHARED_PACKAGE / package, lambdas_dir) - needed:
            needed.add(reached)
            pending.append(reached)
    return tuple(sorted(needed))


def asset_files(handlers: Iterable[str], lambdas_dir: Path = LAMBDAS_DIR) -> dict[str, Path]:
    """Relative path inside the asset -> source file."""
    handlers = tuple(handlers)
    directories = [lambdas_dir / handler for handler in handlers] + [
        lambdas_dir / SHARED_PACKAGE / package for package in shop_packages_for(handlers, lambdas_dir)
    ]
    files = {"shop/__init__.py": lambdas_dir / SHARED_PACKAGE / "__init__.py"}
    for directory in directories:
        for path in _source_files(directory):
            files[path.relative_to(lambdas_dir).as_posix()] = path
    return dict(sorted(files.items()))


def staged_asset(handlers: Iterable[str], lambdas_dir: Path = LAMBDAS_DIR) -> Path:
    """A directory holding exactly `asset_files(handlers)`, reused while its content is unchanged."""
    files = asset_files(handlers, lambdas_dir)
    digest = hashlib.sha256()
    for relative, source in files.items():
        digest.update(relative.encode() + b"\0" + source.read_bytes() + b"\0")
    target = STAGING_DIR / digest.hexdigest()[:24]
    if target.is_dir():
        os.utime(target)
        return target
    _remove_stale_assets()
    partial = STAGING_DIR / f"{target.name}.{os.getpid()}.partial"
    shutil.rmtree(partial, ignore_errors=True)
    for relative, source in files.items():
        destination = partial / relative
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, destination)
    try:
        partial.rename(target)
    except OSError:  # another synth staged the same content first
        shutil.rmtree(partial, ignore_errors=True)
    return target


def _remove_stale_assets() -> None:
    cutoff = time.time() - STALE_AFTER_SECONDS
    for staged in STAGING_DIR.glob("*"):
        if staged.is_dir() and staged.stat().st_mtime < cutoff:
            shutil.rmtree(staged, ignore_errors=True)
