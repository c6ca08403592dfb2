"""HTTP for the API functions: the resolver, the domain errors' mapping to responses, the caller.

Errors map to HTTP responses here and nowhere else. Bad input is always a 4xx JSON body that names
the field; a 5xx means a bug or an outage, never a validation result.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import APIGatewayRestResolver, CORSConfig, Response, content_types
from aws_lambda_powertools.event_handler.openapi.exceptions import (
    RequestUnsupportedContentType,
    RequestValidationError,
)
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import ValidationError

from shop.api.api_keys import require_plan_key
from shop.contracts import security_headers
from shop.platform.errors import (
    BadRequest,
    Conflict,
    Forbidden,
    Gone,
    NotFound,
    NotImplementedYet,
    PaymentDeclined,
    RetryLater,
    ServiceUnavailable,
    ShopError,
    TooManyRequests,
    Unauthorized,
    UpstreamRefused,
)
from shop.platform.identity import Caller
from shop.platform.settings import get_settings

logger = Logger(child=True)

UNAUTHENTICATED_PREFIXES = ("/guest", "/partner")


# The one mapping of domain errors to HTTP: the most specific class listed wins.
HTTP_STATUS: dict[type[ShopError], HTTPStatus] = {
    BadRequest: HTTPStatus.BAD_REQUEST,
    Unauthorized: HTTPStatus.UNAUTHORIZED,
    Forbidden: HTTPStatus.FORBIDDEN,
    NotFound: HTTPStatus.NOT_FOUND,
    Gone: HTTPStatus.GONE,
    Conflict: HTTPStatus.CONFLICT,
    PaymentDeclined: HTTPStatus.PAYMENT_REQUIRED,
    TooManyRequests: HTTPStatus.TOO_MANY_REQUESTS,
    NotImplementedYet: HTTPStatus.NOT_IMPLEMENTED,
    UpstreamRefused: HTTPStatus.BAD_GATEWAY,
    ServiceUnavailable: HTTPStatus.SERVICE_UNAVAILABLE,
}


def http_status_of(error: ShopError) -> HTTPStatus:
    """The status of the error's nearest class in HTTP_STATUS; 500 for a ShopError nobody mapped."""
    for cls in type(error).__mro__:
        if cls in HTTP_STATUS:
            return HTTP_STATUS[cls]
    return HTTPStatus.INTERNAL_SERVER_ERROR


def error_headers(error: ShopError) -> dict[str, str]:
    if isinstance(error, RetryLater):
        return {"Retry-After": str(error.retry_after_seconds)}
    return {}


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
    status = http_status_of(error)
    if status >= HTTPStatus.INTERNAL_SERVER_ERROR:
        logger.error("request failed", extra={"error": error.code, "error_message": error.message})
    else:
        logger.info("request refused", extra={"error": error.code, "status": int(status)})
    return json_response(status, error.body(), error_headers(error))


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


def unparseable_body_response(error: ValueError) -> Response[str]:
    """400 for a body Powertools could not parse before any route ran (a multipart/form-data body
    without its boundary, say). Any other ValueError is a bug: raised again, it stays a 5xx."""
    if not _raised_while_parsing_the_request(error):
        raise error
    return json_response(
        HTTPStatus.BAD_REQUEST,
        {"error": "bad_request", "message": f"request body cannot be read: {error}", "field": "body"},
    )


def unsupported_media_type_response(_error: RequestUnsupportedContentType) -> Response[str]:
    """415 in the shop's error body for a body of a type no route reads (Powertools' own 415 answers
    with another shape, which the API's document and clients do not know)."""
    return json_response(
        HTTPStatus.UNSUPPORTED_MEDIA_TYPE,
        {
            "error": "unsupported_media_type",
            "message": "send the body as JSON (Content-Type: application/json)",
            "field": "Content-Type",
        },
    )


def too_deep_response(_error: RecursionError) -> Response[str]:
    """400 for JSON nested deeper than Python's parser recurses (about 1,000 levels); no route's
    schema goes more than a few levels deep, so such a body is never a valid request."""
    return json_response(
        HTTPStatus.BAD_REQUEST,
        {"error": "bad_request", "message": "request body is nested too deeply", "field": "body"},
    )


# Powertools' request validation middleware parses the body (JSON, form or multipart) by its
# Content-Type; a ValueError from there is about the request, not about our code.
_REQUEST_PARSING_MODULE = "openapi_validation"
# The event's body accessors: a body of a binary media type arrives base64-encoded, and one that is
# not UTF-8 once decoded fails there, whichever code asked for the body.
_EVENT_BODY_MODULE = "data_classes"


def _raised_while_parsing_the_request(error: BaseException) -> bool:
    traceback = error.__traceback__
    last = None
    while traceback is not None:
        last = traceback
        traceback = traceback.tb_next
    if last is None:
        return False
    raised_in = last.tb_frame.f_code.co_filename
    if isinstance(error, UnicodeDecodeError) and _EVENT_BODY_MODULE in raised_in:
        return True
    return _REQUEST_PARSING_MODULE in raised_in


# The GETs that API Gateway's stage cache answers for everyone (cdk_app.api_routes' cached routes, the
# /partner twins included once stripped, and the sitemap): the only answers a browser or proxy may
# keep. Every other answer is personal (/me, orders, carts, payments, admin) or a write: no-store.
_PUBLIC_CATALOG = re.compile(
    r"^/(products(/[^/]+)?|categories|featured|bestsellers|reviews/[^/]+|sitemap\.xml)/?$"
)


def is_public_catalog(method: str, path: str) -> bool:
    """True for a GET of the public catalog (`/products`, `/reviews/{product_id}`, ...), guest and
    partner prefixes stripped as the routes see them."""
    for prefix in UNAUTHENTICATED_PREFIXES:
        if path == prefix or path.startswith(f"{prefix}/"):
            path = path[len(prefix) :] or "/"
            break
    return method.upper() in ("GET", "HEAD") and bool(_PUBLIC_CATALOG.match(path))


def with_security_headers(response: dict[str, Any], *, method: str, path: str) -> dict[str, Any]:
    """Add HSTS and nosniff to an answer, and `Cache-Control: no-store` unless it is a public catalog
    GET or its route set a Cache-Control of its own (a download's `private, no-store`, say)."""
    added = dict(security_headers.ALWAYS)
    if not is_public_catalog(method, path):
        added.update(security_headers.NOT_STORED)
    # REST proxy answers carry multiValueHeaders (Powertools' serializer for API Gateway v1).
    multi = "multiValueHeaders" in response or "headers" not in response
    headers: dict[str, Any] = response.setdefault("multiValueHeaders" if multi else "headers", {})
    present = {name.lower() for name in headers}
    for name, value in added.items():
        if name.lower() not in present:
            headers[name] = [value] if multi else value
    return response


class ShopResolver(APIGatewayRestResolver):
    """Powertools' REST resolver, whose every answer (routes, errors, 404s) leaves through one place
    that adds the security headers."""

    def resolve(self, event: Mapping[str, Any], context: LambdaContext) -> dict[str, Any]:
        response = super().resolve(event, context)
        return with_security_headers(
            response, method=str(event.get("httpMethod") or ""), path=str(event.get("path") or "")
        )


def build_resolver() -> APIGatewayRestResolver:
    """An API Gateway REST resolver with the shop's CORS policy, error mapping and security headers."""
    settings = get_settings()
    app = ShopResolver(
        enable_validation=True,
        # /guest/... and /partner/... are the same routes without a Cognito authorizer or with a partner
        # API key (API Gateway cannot make one method's auth optional); the handler sees one path and
        # tells callers apart by their claims.
        strip_prefixes=list(UNAUTHENTICATED_PREFIXES),
        cors=CORSConfig(
            allow_origin=settings.web_origin,
            allow_headers=[
                "Authorization",
                "Content-Type",
                "X-Cart-Id",
                "Idempotency-Key",
                "X-Api-Key",
                "X-Order-Token",
            ],
            # The site is another origin than the API: its script reads these two only if exposed
            # (a 429's wait, and the file name of an invoice it saves).
            expose_headers=["Retry-After", "Content-Disposition"],
            max_age=600,
        ),
    )

    # Registered by call, not as decorators: Powertools' decorator is untyped.
    app.exception_handler(ShopError)(shop_error_response)
    app.exception_handler(RequestValidationError)(lambda error: validation_error_response(error.errors()))
    app.exception_handler(ValidationError)(lambda error: validation_error_response(error.errors()))
    app.exception_handler(json.JSONDecodeError)(malformed_json_response)
    # Both reach the function before any route: without these, API Gateway answers 502.
    app.exception_handler(ValueError)(unparseable_body_response)
    app.exception_handler(RecursionError)(too_deep_response)
    app.exception_handler(RequestUnsupportedContentType)(unsupported_media_type_response)
    # API Gateway lets any usage plan's key through; each key opens its own plan's routes only.
    app.use(middlewares=[require_plan_key])

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
