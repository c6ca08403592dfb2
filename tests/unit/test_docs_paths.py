"""The docs point at code that exists: every `lambdas/...` or `shop/...` file or folder they cite."""

from __future__ import annotations

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
