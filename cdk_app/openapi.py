"""Write docs/openapi.json: the OpenAPI document of shop_api and cart_api, from their resolvers.

Powertools derives each function's document from its routes and pydantic models; this merges the
two so the published document cannot drift from the handlers. `python -m cdk_app.openapi` rewrites it.
"""

from __future__ import annotations

import importlib
import json
import sys
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parents[1]
LAMBDA_CODE_ROOT = PROJECT_ROOT / "lambdas"
OPENAPI_DOCUMENT = PROJECT_ROOT / "docs" / "openapi.json"
API_FUNCTIONS = ("shop_api", "cart_api")
TITLE = "Shop API"
DESCRIPTION = (
    "Catalog, reviews and cart of the serverless shop. Amounts are integer cents. Signed-in routes "
    "take a Cognito ID token; guest carts are identified by the X-Cart-Id header."
)


class OpenApiMergeError(ValueError):
    """Two functions declare the same path and method, or one schema name with different content."""


def function_document(function: str, version: str) -> dict[str, Any]:
    """The OpenAPI document Powertools generates for one function's resolver."""
    if str(LAMBDA_CODE_ROOT) not in sys.path:
        sys.path.insert(0, str(LAMBDA_CODE_ROOT))
    module = importlib.import_module(f"{function}.handler")
    document: dict[str, Any] = json.loads(module.app.get_openapi_json_schema(title=TITLE, version=version))
    return document


def merge_documents(documents: list[dict[str, Any]], *, version: str) -> dict[str, Any]:
    """One document with every path and component schema of `documents`."""
    paths: dict[str, dict[str, Any]] = {}
    schemas: dict[str, Any] = {}
    for document in documents:
        for path, operations in document.get("paths", {}).items():
            merged = paths.setdefault(path, {})
            clashes = set(merged) & set(operations)
            if clashes:
                raise OpenApiMergeError(f"{path}: {sorted(clashes)} declared by two functions")
            merged.update(operations)
        for name, schema in document.get("components", {}).get("schemas", {}).items():
            if name in schemas and schemas[name] != schema:
                raise OpenApiMergeError(f"schema {name} differs between functions")
            schemas[name] = schema
    return {
        "openapi": documents[0]["openapi"],
        "info": {"title": TITLE, "version": version, "description": DESCRIPTION},
        "paths": dict(sorted(paths.items())),
        "components": {"schemas": dict(sorted(schemas.items()))},
    }


def render() -> str:
    """The document's exact text (stable key order, trailing newline)."""
    from cdk_app.version import product_version

    version = product_version()
    merged = merge_documents([function_document(name, version) for name in API_FUNCTIONS], version=version)
    return json.dumps(merged, indent=2, sort_keys=True) + "\n"


def main() -> None:
    OPENAPI_DOCUMENT.write_text(render())
    print(f"wrote {OPENAPI_DOCUMENT.relative_to(PROJECT_ROOT)}")


if __name__ == "__main__":
    main()
