"""HTTP for the API functions: the error types, their mapping to responses, and the caller's identity.

Errors map to HTTP responses here and nowhere else. Bad input is always a 4xx JSON body that names
the field; a 5xx means a bug or an outage, never a validation result.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import APIGatewayRestResolver, CORSConfig, Response, content_types
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError
from pydantic import ValidationError

from shop.settings import get_settings

logger = Logger(child=True)

UNAUTHENTICATED_PREFIXES = ("/guest", "/partner")


class ShopError(Exception):
    """An expected failure with an HTTP status and a machine-readable code."""

    status: HTTPStatus = HTTPStatus.INTERNAL_SERVER_ERROR
    code = "internal_error"

    def __init__(self, message: str, *, field: str | None = None, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.details = details

    def headers(self) -> dict[str, str]:
        return {}

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"error": self.code, "message": self.message}
        if self.field:
            body["field"] = self.field
        body.update(self.details)
        return body


class BadRequest(ShopError):
    status = HTTPStatus.BAD_REQUEST
    code = "bad_request"


class Unauthorized(ShopError):
    status = HTTPStatus.UNAUTHORIZED
    code = "unauthorized"


class Forbidden(ShopError):
    status = HTTPStatus.FORBIDDEN
    code = "forbidden"


class NotFound(ShopError):
    status = HTTPStatus.NOT_FOUND
    code = "not_found"


class Conflict(ShopError):
    status = HTTPStatus.CONFLICT
    code = "conflict"


class _RetryLater(ShopError):
    """A refusal the client may retry: the body and the Retry-After header say when."""

    def __init__(self, message: str, *, retry_after_seconds: int, **details: Any) -> None:
        super().__init__(message, retry_after_seconds=retry_after_seconds, **details)
        self.retry_after_seconds = retry_after_seconds

    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after_seconds)}


class TooManyRequests(_RetryLater):
    status = HTTPStatus.TOO_MANY_REQUESTS
    code = "rate_limited"


class ServiceUnavailable(_RetryLater):
    status = HTTPStatus.SERVICE_UNAVAILABLE
    code = "service_unavailable"


class NotImplementedYet(ShopError):
    """A route that is declared (and wired in AWS) but whose feature lands with a later issue."""

    status = HTTPStatus.NOT_IMPLEMENTED
    code = "not_implemented"

    def __init__(self, feature: str) -> None:
        super().__init__(f"{feature} is not available yet", feature=feature)


def json_response(status: int, body: Any, headers: dict[str, str] | None = None) -> Response[str]:
    return Response(
        status_code=int(status),
        content_type=content_types.APPLICATION_JSON,
        body=json.dumps(body, default=str),
        headers=headers or {},
    )


def _validation_fields(errors: Any) -> list[dict[str, Any]]:
    fields = []
    for error in errors:
        location = [str(part) for part in error.get("loc", ()) if part not in ("body", "query", "path")]
        fields.append({"field": ".".join(location) or "body", "message": error.get("msg", "invalid")})
    return fields


def shop_error_response(error: ShopError) -> Response[str]:
    if error.status >= HTTPStatus.INTERNAL_SERVER_ERROR:
        logger.error("request failed", extra={"error": error.code, "error_message": error.message})
    else:
        logger.info("request refused", extra={"error": error.code, "status": int(error.status)})
    return json_response(error.status, error.body(), error.headers())


def validation_error_response(errors: Any) -> Response[str]:
    """422 naming every invalid field; `field` is the first, for clients that show one message."""
    fields = _validation_fields(errors)
    return json_response(
        HTTPStatus.UNPROCESSABLE_ENTITY,
        {
            "error": "validation_error",
            "message": "; ".join(f"{f['field']}: {f['message']}" for f in fields),
            "field": fields[0]["field"] if fields else "body",
            "fields": fields,
        },
    )


def malformed_json_response(_error: json.JSONDecodeError) -> Response[str]:
    return json_response(
        HTTPStatus.BAD_REQUEST,
        {"error": "bad_request", "message": "request body is not valid JSON", "field": "body"},
    )


def build_resolver() -> APIGatewayRestResolver:
    """An API Gateway REST resolver with the shop's CORS policy and error mapping registered."""
    settings = get_settings()
    app = APIGatewayRestResolver(
        enable_validation=True,
        # /guest/... and /partner/... are the same routes without a Cognito authorizer or with a partner
        # API key (API Gateway cannot make one method's auth optional); the handler sees one path and
        # tells callers apart by their claims.
        strip_prefixes=list(UNAUTHENTICATED_PREFIXES),
        cors=CORSConfig(
            allow_origin=settings.web_origin,
            allow_headers=["Authorization", "Content-Type", "X-Cart-Id", "Idempotency-Key", "X-Api-Key"],
            expose_headers=["Retry-After"],
            max_age=600,
        ),
    )

    # Registered by call, not as decorators: Powertools' decorator is untyped.
    app.exception_handler(ShopError)(shop_error_response)
    app.exception_handler(RequestValidationError)(lambda error: validation_error_response(error.errors()))
    app.exception_handler(ValidationError)(lambda error: validation_error_response(error.errors()))
    app.exception_handler(json.JSONDecodeError)(malformed_json_response)

    @app.not_found
    def _no_route(_error: Exception) -> Response[str]:
        return json_response(
            HTTPStatus.NOT_FOUND,
            {
                "error": "not_found",
                "message": f"no route {app.current_event.http_method} {app.current_event.path}",
            },
        )

    return app


@dataclass(frozen=True)
class Caller:
    """Who is calling, from the Cognito claims that API Gateway's authorizer put on the event."""

    user_id: str | None
    email: str | None
    groups: frozenset[str]
    email_verified: bool = False

    @property
    def signed_in(self) -> bool:
        return self.user_id is not None

    @property
    def is_admin(self) -> bool:
        return get_settings().admin_group in self.groups

    def require_signed_in(self) -> str:
        if self.user_id is None:
            raise Unauthorized("sign in to use this route")
        return self.user_id

    def require_admin(self) -> str:
        user_id = self.require_signed_in()
        if not self.is_admin:
            raise Forbidden("this route is for shop administrators")
        return user_id


def caller_of(app: APIGatewayRestResolver) -> Caller:
    """Read the caller from requestContext.authorizer.claims (see docs/api.md)."""
    context = app.current_event.request_context
    claims: dict[str, Any] = {}
    authorizer = context.authorizer.raw_event if context.authorizer else {}
    if isinstance(authorizer, dict):
        raw_claims = authorizer.get("claims") or {}
        if isinstance(raw_claims, dict):
            claims = raw_claims
    groups_claim = claims.get("cognito:groups") or ""
    if isinstance(groups_claim, list):
        groups = frozenset(str(group) for group in groups_claim)
    else:
        # API Gateway flattens list claims into "[a b]" or "a,b" strings depending on the token.
        groups = frozenset(part for part in str(groups_claim).strip("[]").replace(",", " ").split() if part)
    return Caller(
        user_id=claims.get("sub") or None,
        email=claims.get("email") or None,
        groups=groups,
        # API Gateway passes every claim as a string ("true"); tests and the local runner may pass a bool.
        email_verified=str(claims.get("email_verified", "")).lower() == "true",
    )
