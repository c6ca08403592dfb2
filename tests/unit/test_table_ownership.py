"""Each DynamoDB table is reached only through its owner's module (one repository per table)."""

import ast
from pathlib import Path

from shop.contracts import tables
from shop.contracts.tables import TableSpec

LAMBDAS = Path(__file__).resolve().parents[2] / "lambdas"

# Table logical name -> the one module allowed to name its spec (and so to reach the table).
OWNERS = {
    "Products": "shop.catalog.repository",
    "Reviews": "shop.reviews.repository",
    "Cart": "shop.cart.repository",
    "Orders": "shop.orders.repository",
    "EmailPreferences": "shop.email.repository",
    "ProductViews": "shop.tracking.repository",
    "WatchList": "shop.tracking.repository",
    "MarketingQueue": "shop.marketing.repository",
    "Users": "shop.accounts.repository",
    "RateLimits": "shop.platform.rate_limiter",
    "AuditLog": "shop.platform.audit_log",
    "Idempotency": "shop.platform.idempotency",
    "RuntimeFlags": "shop.platform.runtime_flags",
    "Promotions": "shop.promotions.repository",
    "CircuitBreakers": "shop.platform.circuit_store_dynamodb",
    "SigningKeys": "shop.platform.signing_keys",
}

# Known violations still to be moved, each with its reason: (module, table logical name).
# Remove an entry when its code moves; test_exceptions_are_still_needed fails on a stale one.
# None left: the last one, the sandbox payment provider's store, went with the provider (issue 15).
EXCEPTIONS: dict[tuple[str, str], str] = {}

TABLE_SPECS = {name: value for name, value in vars(tables).items() if isinstance(value, TableSpec)}


def _module_name(path: Path) -> str:
    return ".".join(path.relative_to(LAMBDAS).with_suffix("").parts)


def _tables_named_in(tree: ast.Module) -> set[str]:
    """Logical names of the tables whose spec the module imports or reads as `tables.X`, plus any
    literal passed to `table(...)` (a table reached by its name instead of its spec)."""
    named: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "shop.contracts.tables":
            named |= {
                TABLE_SPECS[alias.name].logical_name for alias in node.names if alias.name in TABLE_SPECS
            }
        elif (
            isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "tables"
        ):
            if node.attr in TABLE_SPECS:
                named.add(TABLE_SPECS[node.attr].logical_name)
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name | ast.Attribute)
            and (node.func.id if isinstance(node.func, ast.Name) else node.func.attr) in {"table", "Table"}
            and node.args
            and isinstance(node.args[0], ast.Constant)
        ):
            named.add(str(node.args[0].value))
    return named


def _violations() -> set[tuple[str, str]]:
    found: set[tuple[str, str]] = set()
    for path in sorted(LAMBDAS.rglob("*.py")):
        module = _module_name(path)
        if module.startswith("shop.contracts."):
            continue  # the specs themselves, and the environment names derived from them
        for logical_name in _tables_named_in(ast.parse(path.read_text(), filename=str(path))):
            if OWNERS.get(logical_name) != module:
                found.add((module, logical_name))
    return found


def test_every_table_has_an_owner() -> None:
    assert {spec.logical_name for spec in TABLE_SPECS.values()} == set(OWNERS)


def test_only_the_owner_reaches_a_table() -> None:
    unexpected = sorted(_violations() - set(EXCEPTIONS))
    assert not unexpected, (
        "tables reached outside their owner module (call the owner's repository):\n"
        + "\n".join(f"  {module} -> {table}" for module, table in unexpected)
    )


def test_exceptions_are_still_needed() -> None:
    # An exception that no longer happens is removed, so the list shows only what is left to move.
    stale = sorted(set(EXCEPTIONS) - _violations())
    assert not stale, f"remove these from EXCEPTIONS: {stale}"
