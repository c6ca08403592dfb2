"""Write docs/openapi.json: every route API Gateway exposes, described by the function that serves it.

Powertools derives each API function's document from its routes, pydantic models and declared
`responses=`; this lays those operations on the paths API Gateway really exposes (cdk_app.api_routes:
`/guest/...` and `/partner/...` reach the same handler, `{id}` is the gateway's parameter name), and
adds only what API Gateway and the shared resolver answer on every route: the authorizer's 401, the
API key's and AWS WAF's 403, 413 over 10 MB, 429 when throttled, 400 for unreadable bodies, 415 for
bodies that are not JSON and 422 for invalid fields. `python -m cdk_app.openapi` (`make openapi`)
rewrites it.
"""

from __future__ import annotations

import copy
import importlib
import json
import re
import sys
from pathlib import Path
from typing import Any

from cdk_app.api_routes import ROUTES, Access, Route

PROJECT_ROOT = Path(__file__).resolve().parents[1]
LAMBDA_CODE_ROOT = PROJECT_ROOT / "lambdas"
OPENAPI_DOCUMENT = PROJECT_ROOT / "docs" / "openapi.json"
API_FUNCTIONS = tuple(sorted({route.function for route in ROUTES}))
TITLE = "Shop API"
DESCRIPTION = (
    "Every route of the serverless shop's REST API (stage v1), as API Gateway exposes it. Amounts are "
    "integer cents. Signed-in routes take the Cognito ID token as it is in `Authorization`; "
    "administrator routes also need the admin API key (`x-api-key`), partner routes the partner key; "
    "guest carts are identified by the `X-Cart-Id` header. Every refusal is a JSON object with a "
    "`message` (API Gateway's own answers carry only that; the functions add `error` and `field`)."
)
# The error body every function declares (shop.api.documented_responses.ErrorBody).
JSON = "application/json"
ERROR_SCHEMA = "ErrorBody"
ERROR_REF = {"$ref": f"#/components/schemas/{ERROR_SCHEMA}"}
# Powertools' own error shapes, which the shop's resolver never sends (shop.api.http maps request
# validation to ErrorBody, and no route validates its responses with an error status).
POWERTOOLS_VALIDATION_SCHEMAS = ("HTTPValidationError", "ValidationError", "ResponseValidationError")
PREFIXES_STRIPPED_BY_THE_RESOLVER = ("/guest", "/partner")

SECURITY_SCHEMES: dict[str, Any] = {
    "cognitoIdToken": {
        "type": "apiKey",
        "in": "header",
        "name": "Authorization",
        "description": "The Cognito ID token of a signed-in user, sent as it is (API Gateway's Cognito "
        "authorizer); administrator routes need a token of the `admin` group.",
    },
    "apiKey": {
        "type": "apiKey",
        "in": "header",
        "name": "x-api-key",
        "description": "An API key of the route's usage plan: the admin key for administrator routes, a "
        "partner key for /partner routes.",
    },
    "guestCartId": {
        "type": "apiKey",
        "in": "header",
        "name": "X-Cart-Id",
        "description": "The guest cart the server issued on the guest's first add (its answer's "
        "`cart_id`); without it a guest has no cart yet.",
    },
}
SECURITY_BY_ACCESS: dict[Access, list[dict[str, list[str]]]] = {
    Access.CUSTOMER: [{"cognitoIdToken": []}],
    Access.ADMIN: [{"cognitoIdToken": [], "apiKey": []}],
    Access.PARTNER: [{"apiKey": []}],
}

GATEWAY_ANSWERS: dict[int, str] = {
    403: "Refused before the function: AWS WAF, a missing or wrong API key, or (from the function) "
    "not the caller's to do",
    413: "The request is over API Gateway's 10 MB limit",
    429: "Throttled by API Gateway or over the route's own rate limit; Retry-After, when sent, says when",
}
UNAUTHORIZED = "No valid Cognito ID token in Authorization (API Gateway's authorizer)"
UNREADABLE = (
    "The body or a required query parameter is missing or malformed: API Gateway's request validator, "
    "or a body the function cannot read (not JSON, nested too deeply, multipart without a boundary)"
)
UNSUPPORTED_MEDIA_TYPE = "The body is of a type the route does not read; send JSON"
INVALID_FIELDS = "A parameter or body field is invalid; `fields` names each one"


class OpenApiMergeError(ValueError):
    """The functions' routes and API Gateway's disagree, or two functions clash on a name."""


def function_document(function: str, version: str) -> dict[str, Any]:
    """The OpenAPI document Powertools generates for one function's resolver."""
    if str(LAMBDA_CODE_ROOT) not in sys.path:
        sys.path.insert(0, str(LAMBDA_CODE_ROOT))
    module = importlib.import_module(f"{function}.handler")
    document: dict[str, Any] = json.loads(
        module.app.get_openapi_json_schema(title=TITLE, version=version, security_schemes=SECURITY_SCHEMES)
    )
    return document


def path_shape(path: str) -> str:
    """The path with its parameter names left out: `/orders/{id}` and `/orders/{order_id}` are one."""
    return re.sub(r"\{[^}]+\}", "{}", path)


def resolver_path(route: Route) -> str:
    """The path the function's resolver sees once it stripped `/guest` or `/partner`."""
    for prefix in PREFIXES_STRIPPED_BY_THE_RESOLVER:
        if route.path.startswith(prefix + "/"):
            return route.path[len(prefix) :]
    return route.path


def _parameter_names(path: str) -> list[str]:
    return re.findall(r"\{([^}]+)\}", path)


def _as_exposed(route: Route, function_path: str, operation: dict[str, Any]) -> dict[str, Any]:
    """The function's operation under the gateway's path: its parameter names, its own operationId."""
    exposed = copy.deepcopy(operation)
    renamed = dict(zip(_parameter_names(function_path), route.path_params, strict=True))
    for parameter in exposed.get("parameters", []):
        if parameter.get("in") == "path":
            parameter["name"] = renamed.get(parameter["name"], parameter["name"])
    if route.path != resolver_path(route):
        prefix = route.path.split("/")[1]
        exposed["operationId"] = f"{exposed['operationId']}_{prefix}"
    return exposed


def _with_gateway_validation(route: Route, operation: dict[str, Any]) -> dict[str, Any]:
    """What API Gateway's request validator demands before the function runs: the route table's body
    model (draft 4, often stricter than the function's pydantic model: required fields the model
    defaults) and its required query strings and headers."""
    if route.body is not None:
        body = operation.setdefault("requestBody", {"content": {JSON: {"schema": {}}}})
        body["required"] = True
        media = body["content"].setdefault(JSON, {"schema": {}})
        media["schema"] = {"allOf": [route.body, media["schema"]]} if media["schema"] else route.body
    for location, names in (("query", route.required_query), ("header", route.required_headers)):
        for name in names:
            _require_parameter(operation, location, name)
    return operation


def _require_parameter(operation: dict[str, Any], location: str, name: str) -> None:
    parameters: list[dict[str, Any]] = operation.setdefault("parameters", [])
    for parameter in parameters:
        if parameter["in"] == location and parameter["name"].lower() == name.lower():
            parameter["required"] = True
            return
    parameters.append({"name": name, "in": location, "required": True, "schema": {"type": "string"}})


def _with_gateway_answers(route: Route, operation: dict[str, Any]) -> dict[str, Any]:
    """Add what API Gateway and the shared resolver answer on this route; the function's own
    declarations of a status win."""
    responses: dict[str, Any] = operation["responses"]
    takes_input = bool(operation.get("parameters")) or "requestBody" in operation
    # Powertools puts its own 422 on every route; the resolver's is ErrorBody, and only where there
    # is input to refuse.
    responses.pop("422", None)
    if takes_input:
        responses["422"] = _error(INVALID_FIELDS)
    if "requestBody" in operation or route.body is not None or route.required_query or route.required_headers:
        responses.setdefault("400", _error(UNREADABLE))
    if "requestBody" in operation:
        responses.setdefault("415", _error(UNSUPPORTED_MEDIA_TYPE))
    if route.access in (Access.CUSTOMER, Access.ADMIN):
        responses.setdefault("401", _error(UNAUTHORIZED))
    for status, description in GATEWAY_ANSWERS.items():
        responses.setdefault(str(status), _error(description))
    if route.access in SECURITY_BY_ACCESS:
        operation["security"] = SECURITY_BY_ACCESS[route.access]
    operation["responses"] = dict(sorted(responses.items()))
    return operation


def _error(description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": ERROR_REF}}}


def _operations_by_shape(document: dict[str, Any]) -> dict[tuple[str, str], tuple[str, dict[str, Any]]]:
    return {
        (method, path_shape(path)): (path, operation)
        for path, operations in document.get("paths", {}).items()
        for method, operation in operations.items()
    }


def exposed_paths(documents: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Every route of api_routes.ROUTES with the operation of the function serving it."""
    by_function = {function: _operations_by_shape(document) for function, document in documents.items()}
    served: set[tuple[str, str, str]] = set()
    paths: dict[str, dict[str, Any]] = {}
    for route in ROUTES:
        method = route.method.lower()
        key = (method, path_shape(resolver_path(route)))
        found = by_function[route.function].get(key)
        if found is None:
            raise OpenApiMergeError(f"{route.method} {route.path}: {route.function} has no such route")
        function_path, operation = found
        served.add((route.function, *key))
        exposed = _with_gateway_answers(
            route, _with_gateway_validation(route, _as_exposed(route, function_path, operation))
        )
        paths.setdefault(route.path, {})[method] = exposed
    unexposed = sorted(
        f"{function}: {method.upper()} {path}"
        for function, operations in by_function.items()
        for (method, shape), (path, _) in operations.items()
        if (function, method, shape) not in served
    )
    if unexposed:
        raise OpenApiMergeError(f"routes API Gateway never reaches (add them to api_routes): {unexposed}")
    return dict(sorted(paths.items()))


def merged_schemas(documents: dict[str, dict[str, Any]]) -> dict[str, Any]:
    schemas: dict[str, Any] = {}
    for function, document in documents.items():
        for name, schema in document.get("components", {}).get("schemas", {}).items():
            if name in schemas and schemas[name] != schema:
                raise OpenApiMergeError(f"schema {name} differs between functions ({function})")
            schemas[name] = schema
    for name in POWERTOOLS_VALIDATION_SCHEMAS:
        schemas.pop(name, None)
    if ERROR_SCHEMA not in schemas:
        raise OpenApiMergeError(f"no function declares the {ERROR_SCHEMA} of its refusals")
    return dict(sorted(schemas.items()))


def build_document(documents: dict[str, dict[str, Any]], *, version: str) -> dict[str, Any]:
    """One document with every exposed route and every component schema of `documents`."""
    first = next(iter(documents.values()))
    return {
        "openapi": first["openapi"],
        "info": {"title": TITLE, "version": version, "description": DESCRIPTION},
        "paths": exposed_paths(documents),
        "components": {"schemas": merged_schemas(documents), "securitySchemes": SECURITY_SCHEMES},
    }


def render() -> str:
    """The document's exact text (stable key order, trailing newline)."""
    from cdk_app.version import product_version

    version = product_version()
    documents = {function: function_document(function, version) for function in API_FUNCTIONS}
    return json.dumps(build_document(documents, version=version), indent=2, sort_keys=True) + "\n"


def main() -> None:
    OPENAPI_DOCUMENT.write_text(render())
    print(f"wrote {OPENAPI_DOCUMENT.relative_to(PROJECT_ROOT)}")


if __name__ == "__main__":
    main()
