"""API Gateway (REST, Lambda proxy integration) in front of the in-process handlers.

An HTTP request becomes the proxy event AWS sends (`resource`, `pathParameters`, multi-value headers
and query strings, base64 bodies for binary media types, `requestContext` with the Cognito claims), the
handler's result becomes the HTTP response, and the gateway's own answers keep AWS's wording: 403
`Missing Authentication Token` for an unknown route, 401 `Unauthorized` for a missing or bad token, 502
`Internal server error` for a failed or malformed handler response, 413 `Request Too Long` over the
10 MB payload limit.
"""

from __future__ import annotations

import base64
import fnmatch
import json
import logging
import time
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, unquote

from cdk_app.local.cognito_tokens import InvalidTokenError, TokenVerifier
from cdk_app.local.intrinsics import LOCAL_ACCOUNT, ResourceAddress
from cdk_app.local.stage_cache import CachedResponse, StageCache, cache_key
from cdk_app.local.template_model import RouteModel

logger = logging.getLogger(__name__)

Invoke = Callable[[ResourceAddress, Any], Any]
# API Gateway's payload limit for REST APIs: a larger request is refused with 413 "Request Too Long".
MAX_PAYLOAD_BYTES = 10 * 1024 * 1024
CLAIM_TIMESTAMPS = ("exp", "iat", "auth_time")


@dataclass(frozen=True)
class HttpRequest:
    method: str
    path: str  # as routed: no /api prefix, no query string
    query: str = ""
    headers: Sequence[tuple[str, str]] = ()
    body: bytes = b""
    source_ip: str = "127.0.0.1"


@dataclass(frozen=True)
class HttpResponse:
    status: int
    headers: Sequence[tuple[str, str]]
    body: bytes

    def header(self, name: str) -> str | None:
        for key, value in self.headers:
            if key.lower() == name.lower():
                return value
        return None


def gateway_error(status: int, message: str) -> HttpResponse:
    body = json.dumps({"message": message}).encode()
    return HttpResponse(status, [("Content-Type", "application/json")], body)


class MalformedProxyResponseError(ValueError):
    """The handler's result is not a Lambda proxy response."""


@dataclass(frozen=True)
class RouteMatch:
    route: RouteModel
    path_parameters: dict[str, str]


def _segments(path: str) -> list[str]:
    return [segment for segment in path.split("/") if segment]


def _match_template(template: str, segments: list[str]) -> tuple[tuple[int, ...], dict[str, str]] | None:
    """(specificity score, parameters) when `segments` fit `template`; lower scores are more specific."""
    parts = _segments(template)
    score: list[int] = []
    parameters: dict[str, str] = {}
    for position, part in enumerate(parts):
        if part.startswith("{") and part.endswith("+}"):
            rest = segments[position:]
            if not rest or position != len(parts) - 1:
                return None
            parameters[part[1:-2]] = "/".join(unquote(segment) for segment in rest)
            return (*score, 2), parameters
        if position >= len(segments):
            return None
        if part.startswith("{") and part.endswith("}"):
            parameters[part[1:-1]] = unquote(segments[position])
            score.append(1)
        elif part == segments[position]:
            score.append(0)
        else:
            return None
    if len(parts) != len(segments):
        return None
    return tuple(score), parameters


class RouteTable:
    """API Gateway's matching: the most specific resource wins (literal over `{param}` over `{proxy+}`),
    then its method, or ANY. A request whose resource lacks the method does not fall back to another
    resource, as in AWS."""

    def __init__(self, routes: Iterable[RouteModel]) -> None:
        self._by_path: dict[str, dict[str, RouteModel]] = {}
        for route in routes:
            self._by_path.setdefault(route.path, {})[route.method] = route

    @property
    def routes(self) -> list[RouteModel]:
        return [route for methods in self._by_path.values() for route in methods.values()]

    def match(self, method: str, path: str) -> RouteMatch | None:
        segments = _segments(path)
        best: tuple[tuple[int, ...], str, dict[str, str]] | None = None
        for template in self._by_path:
            fitted = _match_template(template, segments)
            if fitted is not None and (best is None or fitted[0] < best[0]):
                best = (fitted[0], template, fitted[1])
        if best is None:
            return None
        methods = self._by_path[best[1]]
        route = methods.get(method.upper()) or methods.get("ANY")
        return RouteMatch(route, best[2]) if route else None


def _is_binary(content_type: str | None, binary_media_types: Iterable[str]) -> bool:
    if not content_type:
        return False
    media_type = content_type.split(";", 1)[0].strip().lower()
    return any(fnmatch.fnmatch(media_type, pattern.lower()) for pattern in binary_media_types)


def authorizer_claims(claims: Mapping[str, Any]) -> dict[str, str]:
    """Claims as API Gateway REST passes them: every value a string, lists comma-joined, times as dates."""
    rendered = {}
    for name, value in claims.items():
        if name in CLAIM_TIMESTAMPS and isinstance(value, int | float):
            rendered[name] = datetime.fromtimestamp(value, UTC).strftime("%a %b %d %H:%M:%S UTC %Y")
        elif isinstance(value, list | tuple):
            rendered[name] = ",".join(str(item) for item in value)
        elif isinstance(value, bool):
            rendered[name] = "true" if value else "false"
        else:
            rendered[name] = str(value)
    return rendered


def proxy_event(
    match: RouteMatch,
    request: HttpRequest,
    *,
    stage: str,
    claims: Mapping[str, Any] | None = None,
    binary_media_types: Iterable[str] = (),
    api_id: str = "local",
    request_id: str | None = None,
    now: float | None = None,
    api_key: tuple[str, str] | None = None,
) -> dict[str, Any]:
    """The event API Gateway's Lambda proxy integration (payload 1.0) sends for `request`."""
    now = time.time() if now is None else now
    request_id = request_id or str(uuid.uuid4())
    multi_headers: dict[str, list[str]] = {}
    for name, value in request.headers:
        multi_headers.setdefault(name, []).append(value)
    multi_query: dict[str, list[str]] = {}
    for name, value in parse_qsl(request.query, keep_blank_values=True):
        multi_query.setdefault(name, []).append(value)
    lower_headers = {name.lower(): values[-1] for name, values in multi_headers.items()}
    body: str | None = None
    is_base64 = False
    if request.body:
        if _is_binary(lower_headers.get("content-type"), binary_media_types):
            body, is_base64 = base64.b64encode(request.body).decode(), True
        else:
            try:
                body = request.body.decode("utf-8")
            except UnicodeDecodeError:
                # AWS would mangle undeclared binary; passing it base64-encoded is kinder and says so.
                body, is_base64 = base64.b64encode(request.body).decode(), True
    route = match.route
    request_context: dict[str, Any] = {
        "accountId": LOCAL_ACCOUNT,
        "apiId": api_id,
        "domainName": lower_headers.get("host", "localhost"),
        "domainPrefix": lower_headers.get("host", "localhost").split(".", 1)[0],
        "extendedRequestId": request_id,
        "httpMethod": request.method.upper(),
        "identity": {
            "accessKey": None,
            "accountId": None,
            # On key-protected methods API Gateway names the key used (value and id); null elsewhere.
            "apiKey": api_key[0] if api_key else None,
            "apiKeyId": api_key[1] if api_key else None,
            "caller": None,
            "cognitoAuthenticationProvider": None,
            "cognitoAuthenticationType": None,
            "cognitoIdentityId": None,
            "cognitoIdentityPoolId": None,
            "principalOrgId": None,
            "sourceIp": request.source_ip,
            "user": None,
            "userAgent": lower_headers.get("user-agent"),
            "userArn": None,
        },
        "path": f"/{stage}{request.path}",
        "protocol": "HTTP/1.1",
        "requestId": request_id,
        "requestTime": datetime.fromtimestamp(now, UTC).strftime("%d/%b/%Y:%H:%M:%S +0000"),
        "requestTimeEpoch": int(now * 1000),
        "resourceId": route.path,
        "resourcePath": route.path,
        "stage": stage,
    }
    if claims is not None:
        request_context["authorizer"] = {"claims": authorizer_claims(claims)}
    return {
        "resource": route.path,
        "path": request.path,
        "httpMethod": request.method.upper(),
        "headers": {name: values[-1] for name, values in multi_headers.items()} or None,
        "multiValueHeaders": multi_headers or None,
        "queryStringParameters": {name: values[-1] for name, values in multi_query.items()} or None,
        "multiValueQueryStringParameters": multi_query or None,
        "pathParameters": match.path_parameters or None,
        "stageVariables": None,
        "requestContext": request_context,
        "body": body,
        "isBase64Encoded": is_base64,
    }


def http_response(
    result: Any, *, binary_media_types: Iterable[str] | None = None, accept: str | None = None
) -> HttpResponse:
    """The HTTP response for a handler's proxy result; raises MalformedProxyResponseError like AWS's 502.

    With `binary_media_types` (the API's), a base64 body (`isBase64Encoded`) becomes bytes only when the
    request's first Accept type is one of them, as API Gateway does; otherwise the client gets the
    base64 text. Without them, a base64 body is always decoded."""
    if not isinstance(result, Mapping) or "statusCode" not in result:
        raise MalformedProxyResponseError(f"not a proxy response: {str(result)[:200]}")
    try:
        status = int(result["statusCode"])
    except (TypeError, ValueError) as error:
        raise MalformedProxyResponseError(f"statusCode {result['statusCode']!r}") from error
    headers: list[tuple[str, str]] = []
    for name, values in (result.get("multiValueHeaders") or {}).items():
        if not isinstance(values, list):
            raise MalformedProxyResponseError(f"multiValueHeaders.{name} is not a list")
        headers.extend((str(name), str(value)) for value in values)
    present = {name.lower() for name, _ in headers}
    for name, value in (result.get("headers") or {}).items():
        if str(name).lower() not in present:
            headers.append((str(name), str(value)))
    if not any(name.lower() == "content-type" for name, _ in headers):
        headers.append(("Content-Type", "application/json"))
    body = result.get("body")
    if body is None:
        payload = b""
    elif not isinstance(body, str):
        raise MalformedProxyResponseError("body must be a string")
    elif result.get("isBase64Encoded") and (
        binary_media_types is None or _is_binary((accept or "").split(",", 1)[0], binary_media_types)
    ):
        payload = base64.b64decode(body)
    else:
        payload = body.encode("utf-8")
    return HttpResponse(status, headers, payload)


def bearer_token(headers: Iterable[tuple[str, str]]) -> str | None:
    for name, value in headers:
        if name.lower() == "authorization" and value.strip():
            # API Gateway's Cognito authorizer takes the raw token; a `Bearer ` prefix is tolerated here.
            token = value.strip()
            return token[7:].strip() if token.lower().startswith("bearer ") else token
    return None


def request_problem(
    route: RouteModel, request: HttpRequest, path_parameters: Mapping[str, str]
) -> tuple[str, int, str] | None:
    """What the method's request validator refuses: (gateway response type, status, message), or None."""
    if route.validate_parameters:
        query = {name for name, _ in parse_qsl(request.query, keep_blank_values=True)}
        headers = {name.lower() for name, _ in request.headers}
        missing = []
        for parameter, required in route.request_parameters.items():
            source, _, name = parameter.removeprefix("method.request.").partition(".")
            present = (
                (source == "querystring" and name in query)
                or (source == "header" and name.lower() in headers)
                or (source == "path" and bool(path_parameters.get(name)))
            )
            if required and not present:
                missing.append(name)
        if missing:
            return (
                "BAD_REQUEST_PARAMETERS",
                400,
                f"Missing required request parameters: [{', '.join(missing)}]",
            )
    if (
        route.validate_body
        and route.body_schema is not None
        and not _body_is_valid(request.body, route.body_schema)
    ):
        return "BAD_REQUEST_BODY", 400, "Invalid request body"
    return None


def _body_is_valid(body: bytes, schema: Mapping[str, Any]) -> bool:
    try:
        import jsonschema  # moto[server] brings it; without it bodies pass unchecked, as with no validator
    except ImportError:  # pragma: no cover - depends on the environment
        return True
    try:
        document = json.loads(body or b"null")
        validator = jsonschema.Draft4Validator(dict(schema))
        return not any(True for _ in validator.iter_errors(document))
    except ValueError:  # not JSON, or not UTF-8
        return False
    except RecursionError:
        # JSON nested deeper than Python recurses (about 1,000 levels): no route's schema is that deep,
        # so the body is invalid; uncaught, it dropped the connection instead of answering.
        return False


class ApiGateway:
    """Routes, authorizes, caches and invokes; `handle` never raises."""

    def __init__(
        self,
        routes: Iterable[RouteModel],
        invoke: Invoke,
        *,
        stage: str,
        verifier: TokenVerifier | None = None,
        cache: StageCache | None = None,
        binary_media_types: Iterable[str] = (),
        api_id: str = "local",
        api_keys: Mapping[str, str] | None = None,
        gateway_response_headers: Mapping[str, Mapping[str, str]] | None = None,
    ) -> None:
        """`api_keys` (key value → key id) None skips the API key check; otherwise `x-api-key` must be
        one of them, and its id reaches the function as API Gateway passes it."""
        self.routes = RouteTable(routes)
        self._api_keys = None if api_keys is None else dict(api_keys)
        self._gateway_response_headers = dict(gateway_response_headers or {})
        self._invoke = invoke
        self._stage = stage
        self._verifier = verifier
        self.cache = cache or StageCache()
        self._binary_media_types = tuple(binary_media_types)
        self._api_id = api_id

    def handle(self, request: HttpRequest) -> HttpResponse:
        request_id = str(uuid.uuid4())
        try:
            response = self._handle(request, request_id)
        except Exception:
            # A bug of the emulation itself: API Gateway still answers, it never drops the connection.
            logger.exception("local runner: %s %s: the gateway failed", request.method, request.path)
            response = self._error("DEFAULT_5XX", 500, "Internal server error")
        return self._with_request_id(response, request_id)

    def too_large(self) -> HttpResponse:
        """API Gateway's answer to a request over MAX_PAYLOAD_BYTES, given before the body is read."""
        response = self._error("REQUEST_TOO_LARGE", 413, "Request Too Long")
        return self._with_request_id(response, str(uuid.uuid4()))

    @staticmethod
    def _with_request_id(response: HttpResponse, request_id: str) -> HttpResponse:
        return HttpResponse(
            response.status, [*response.headers, ("x-amzn-RequestId", request_id)], response.body
        )

    def _error(self, response_type: str, status: int, message: str) -> HttpResponse:
        """API Gateway's own answer, with the headers the API's gateway responses add (CORS, mostly)."""
        default_type = "DEFAULT_4XX" if status < 500 else "DEFAULT_5XX"
        headers = self._gateway_response_headers.get(response_type) or self._gateway_response_headers.get(
            default_type, {}
        )
        error = gateway_error(status, message)
        return HttpResponse(status, [*error.headers, *headers.items()], error.body)

    def _handle(self, request: HttpRequest, request_id: str) -> HttpResponse:
        match = self.routes.match(request.method, request.path)
        if match is None:
            return self._error("MISSING_AUTHENTICATION_TOKEN", 403, "Missing Authentication Token")
        route = match.route
        claims: dict[str, Any] | None = None
        if route.requires_token:
            token = bearer_token(request.headers)
            if token is None or self._verifier is None:
                return self._error("UNAUTHORIZED", 401, "Unauthorized")
            try:
                claims = self._verifier.verify(token, scopes=route.authorization_scopes)
            except InvalidTokenError as error:
                logger.info("local runner: %s %s refused: %s", request.method, request.path, error)
                return self._error("UNAUTHORIZED", 401, "Unauthorized")
        api_key: tuple[str, str] | None = None
        if route.api_key_required and self._api_keys is not None:
            given = next((value for name, value in request.headers if name.lower() == "x-api-key"), None)
            if given is None or given not in self._api_keys:
                return self._error("INVALID_API_KEY", 403, "Forbidden")
            api_key = (given, self._api_keys[given])
        invalid = request_problem(route, request, match.path_parameters)
        if invalid is not None:
            return self._error(*invalid)
        if route.mock_response is not None:
            return HttpResponse(
                route.mock_response.status_code, list(route.mock_response.headers.items()), b""
            )
        if route.function is None:
            return self._error("DEFAULT_5XX", 500, "Internal server error")
        key = None
        if route.caches and request.method.upper() == "GET":
            query: dict[str, list[str]] = {}
            for name, value in parse_qsl(request.query, keep_blank_values=True):
                query.setdefault(name, []).append(value)
            key = cache_key(
                route, path_parameters=match.path_parameters, query=query, headers=dict(request.headers)
            )
            cached = self.cache.get(key)
            if cached is not None:
                return HttpResponse(cached.status, [*cached.headers, ("X-Local-Cache", "Hit")], cached.body)
        event = proxy_event(
            match,
            request,
            stage=self._stage,
            claims=claims,
            binary_media_types=self._binary_media_types,
            api_id=self._api_id,
            request_id=request_id,
            api_key=api_key,
        )
        try:
            response = http_response(
                self._invoke(route.function, event),
                binary_media_types=self._binary_media_types,
                accept=next((value for name, value in request.headers if name.lower() == "accept"), None),
            )
        except MalformedProxyResponseError as error:
            logger.error(
                "local runner: %s %s: malformed Lambda proxy response: %s", route.method, route.path, error
            )
            return gateway_error(502, "Internal server error")
        except Exception:
            logger.exception("local runner: %s %s: handler failed", route.method, route.path)
            return gateway_error(502, "Internal server error")
        if key is not None:
            self.cache.put(
                key,
                CachedResponse(response.status, tuple(response.headers), response.body),
                route.cache_ttl_seconds,
            )
            return HttpResponse(
                response.status, [*response.headers, ("X-Local-Cache", "Miss")], response.body
            )
        return response
