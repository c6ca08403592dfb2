"""The docs point at code that exists: every `lambdas/...` or `shop/...` file or folder they cite."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
CITED = re.compile(r"`((?:lambdas/)?shop/[A-Za-z0-9_/]+(?:\.py)?/?)`|\b((?:lambdas/)?shop/[a-z_/]+\.py)\b")


def cited_paths(text: str) -> set[str]:
    return {next(group for group in match.groups() if group) for match in CITED.finditer(text)}


def test_every_cited_shop_path_exists() -> None:
    missing = []
    for doc in DOCS:
        for cited in cited_paths(doc.read_text()):
            path = ROOT / "lambdas" / cited.removeprefix("lambdas/")
            if not path.exists():
                missing.append(f"{doc.relative_to(ROOT)}: {cited}")
    assert missing == []


def test_the_pattern_finds_paths_in_both_spellings() -> None:
    assert cited_paths("see `lambdas/shop/orders/` and shop/platform/cache.py.") == {
        "lambdas/shop/orders/",
        "shop/platform/cache.py",
    }


DOTTED = re.compile(r"\bshop\.([a-z_]+)((?:\.[A-Za-z_]+)*)")
SHOP_PACKAGES = {
    path.name for path in (ROOT / "lambdas" / "shop").iterdir() if (path / "__init__.py").exists()
}


def _resolves(dotted: str) -> bool:
    """A module, or an attribute of the longest module prefix that imports."""
    parts = dotted.split(".")
    for split in range(len(parts), 1, -1):
        try:
            target: object = importlib.import_module(".".join(parts[:split]))
        except ModuleNotFoundError:
            continue
        for name in parts[split:]:
            if not hasattr(target, name):
                return False
            target = getattr(target, name)
        return True
    return False


def test_every_cited_shop_module_and_name_exists() -> None:
    missing = []
    for doc in DOCS:
        for match in DOTTED.finditer(doc.read_text()):
            if match.group(1) in SHOP_PACKAGES and not _resolves(match.group(0).rstrip(".")):
                missing.append(f"{doc.relative_to(ROOT)}: {match.group(0)}")
    assert missing == []
