"""What an API route can answer, declared on the route (`responses=`) for the OpenAPI document.

Each route names its success (status, body) and the refusals its own code can raise; the answers every
route shares (API Gateway's 401/403/413/429, the resolver's 400 for unreadable bodies, 415 for bodies
that are not JSON and 422 for invalid fields) are added once by cdk_app/openapi.py.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponse, OpenAPIResponseHeader
from pydantic import BaseModel, ConfigDict

JSON = "application/json"
ANY_JSON_OBJECT: dict[str, Any] = {"type": "object"}


class FieldProblem(BaseModel):
    """One invalid field of a 422."""

    field: str
    message: str


class ErrorBody(BaseModel):
    """Every refusal's body: `error` and `message` from the function (plus `field` for bad input and
    details such as `retry_after_seconds`), only `message` from API Gateway itself."""

    model_config = ConfigDict(extra="allow")

    message: str
    error: str | None = None
    field: str | None = None
    fields: list[FieldProblem] | None = None


RETRY_LATER = (HTTPStatus.TOO_MANY_REQUESTS, HTTPStatus.SERVICE_UNAVAILABLE)
RETRY_HEADERS: dict[str, OpenAPIResponseHeader] = {
    "Retry-After": {"description": "Seconds to wait before trying again", "schema": {"type": "integer"}}
}
REDIRECT_HEADERS: dict[str, OpenAPIResponseHeader] = {
    "Location": {"description": "Where to go", "schema": {"type": "string"}}
}

# Why each refusal happens, in the words the document shows next to the status.
REFUSAL_DESCRIPTIONS: dict[int, str] = {
    HTTPStatus.BAD_REQUEST: "A value or combination of values is wrong; `field` names it",
    HTTPStatus.UNAUTHORIZED: "Sign in first",
    HTTPStatus.PAYMENT_REQUIRED: "The card or wallet declined the payment",
    HTTPStatus.FORBIDDEN: "The caller may not do this",
    HTTPStatus.NOT_FOUND: "Nothing with this id (or not the caller's)",
    HTTPStatus.CONFLICT: "The current state forbids it (stock, status, a concurrent change, a duplicate)",
    HTTPStatus.GONE: "It existed but is over for good (an expired or revoked download)",
    HTTPStatus.TOO_MANY_REQUESTS: "Over the route's rate limit; Retry-After says when to try again",
    HTTPStatus.BAD_GATEWAY: "The payment provider refused the shop's request",
    HTTPStatus.SERVICE_UNAVAILABLE: "A dependency is down or paused; Retry-After says when to try again",
}


def refusal(status: int) -> OpenAPIResponse:
    """An error answer with the shared error body (and Retry-After where the caller should wait)."""
    refused: OpenAPIResponse = {
        "description": REFUSAL_DESCRIPTIONS[status],
        "content": {JSON: {"model": ErrorBody}},
    }
    if status in RETRY_LATER:
        refused["headers"] = RETRY_HEADERS
    return refused


def answers(
    status: int,
    description: str,
    *refusals: int,
    model: type[BaseModel] | None = None,
    content: dict[str, Any] | None = None,
    headers: dict[str, OpenAPIResponseHeader] | None = None,
) -> dict[int, OpenAPIResponse]:
    """The route's success and the refusals its own code raises. The success body is `model`, or
    `content` (media type -> OpenAPI media object), or else what the route's return type says."""
    success: OpenAPIResponse = {"description": description}
    if model is not None:
        success["content"] = {JSON: {"model": model}}
    elif content is not None:
        success["content"] = content
    if headers:
        success["headers"] = headers
    declared: dict[int, OpenAPIResponse] = {int(status): success}
    for refused in refusals:
        declared[int(refused)] = refusal(refused)
    return declared


def json_object() -> dict[str, Any]:
    """The media object of a ready JSON object body (json_response) whose fields the description names."""
    return {JSON: {"schema": dict(ANY_JSON_OBJECT)}}


def request_body(model: type[BaseModel]) -> dict[str, Any]:
    """`openapi_extensions` for a route that reads its JSON body itself (json_body) instead of taking a
    pydantic parameter: the document still shows the body the route validates."""
    return {"requestBody": {"required": True, "content": {JSON: {"schema": model.model_json_schema()}}}}
