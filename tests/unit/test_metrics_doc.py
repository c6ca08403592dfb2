"""docs/metrics.md's catalog and cart table lists exactly the metrics of shop.contracts.metric_names, and the
catalog and cart code emits no other name. (Other functions document their own tables below it.)"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from shop.contracts import metric_names

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "metrics.md"
SHOP = ROOT / "lambdas" / "shop"
EMITTING_SOURCES = [
    *(
        SHOP / name
        for name in (
            "platform/cache.py",
            "platform/cache_metrics.py",
            "catalog/service.py",
            "cart/service.py",
            "reviews/service.py",
        )
    ),
    *(ROOT / "lambdas" / "shop_api").glob("*.py"),
    *(ROOT / "lambdas" / "cart_api").glob("*.py"),
]


def documented_rows() -> list[list[str]]:
    """The rows of the first table (catalog and cart); it ends at the first heading after it."""
    rows = []
    text = DOC.read_text()
    first_table = text[: text.index("\n## ")] if "\n## " in text else text
    for line in first_table.splitlines():
        cells = [cell.strip() for cell in re.split(r"(?<!\\)\|", line.strip().strip("|"))]
        if len(cells) >= 4 and cells[0] == "`Shop`":
            rows.append(cells)
    return rows


def test_the_doc_lists_exactly_the_metric_constants() -> None:
    documented = [row[1].strip("`") for row in documented_rows()]
    assert sorted(documented) == sorted(metric_names.ALL_METRICS)
    assert len(documented) == len(set(documented))


def test_the_doc_names_the_cache_dimension_and_its_values() -> None:
    for row in documented_rows():
        dimensions = row[3]
        assert f"`{metric_names.CACHE_DIMENSION}`" in dimensions
        assert set(re.findall(r"`(\w+)`", dimensions)) >= {
            metric_names.CACHE_DIMENSION,
            *metric_names.CACHE_NAMES,
        }
        assert row[2] == "Count"


def metric_name_arguments(source: Path) -> list[tuple[int, ast.expr]]:
    """(line, name argument) of every add_metric/single_metric/count_metric call in a source file."""
    found = []
    for node in ast.walk(ast.parse(source.read_text())):
        if isinstance(node, ast.Call):
            called = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            if called in ("add_metric", "single_metric", "count_metric"):
                names = [keyword.value for keyword in node.keywords if keyword.arg == "name"] + node.args[:1]
                found.extend((node.lineno, name) for name in names)
    return found


def test_no_code_emits_a_metric_name_outside_metric_names() -> None:
    """Catalog and cart code names metrics only through shop.contracts.metric_names constants."""
    constants = {name for name in dir(metric_names) if name.isupper()}
    offenders = []
    for source in EMITTING_SOURCES:
        for line, name in metric_name_arguments(source):
            # cache_metrics publishes names it tallied from CacheCounters.record(...), checked below.
            tallied = source.name == "cache_metrics.py" and isinstance(name, ast.Name)
            if not tallied and not (isinstance(name, ast.Name) and name.id in constants):
                offenders.append(f"{source.relative_to(ROOT)}:{line}")
    assert offenders == []


def test_counters_only_record_documented_names() -> None:
    source = (SHOP / "platform" / "cache.py").read_text()
    recorded = set(re.findall(r"record\((CACHE_\w+)", source))
    assert recorded
    assert {getattr(metric_names, name) for name in recorded} <= set(metric_names.ALL_METRICS)
