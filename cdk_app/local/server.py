"""The local shop's one HTTP server: the API under /api, web/ at the root, and a generated /config.json.

Same origin for the site and the API, so the browser needs no CORS locally (AWS serves them from
CloudFront and API Gateway; the API's CORS settings are still applied to its responses by the handlers
and gateway responses). `/_local/cache` shows the stage cache's hit and miss counters; DELETE flushes it.
`POST /_local/schedules/<name>` runs a scheduled function now. `/_local/apigateway` answers the
handlers' FlushStageCache calls. `/_local/emails` shows the emails the shop sent (moto's SES).
`/_local/stripe/...` is the shop's localstripe, on the site's own origin: browsers refuse a page's
script from another loopback port (Chromium's local network access rules), and Stripe.js's calls go
where its script came from.
"""

from __future__ import annotations

import html
import json
import logging
import mimetypes
import re
import sys
import threading
import urllib.error
import urllib.request
from collections.abc import Callable
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from cdk_app.local.api_gateway import MAX_PAYLOAD_BYTES, ApiGateway, HttpRequest, HttpResponse, gateway_error
from cdk_app.local.product_images import ProductImageFiles
from cdk_app.local.request_bodies import UnreadableBody, declared_length, read_body
from cdk_app.local.schedules import ScheduleRunner
from cdk_app.local.sent_emails import EMAILS_PATH, emails_page, sent_emails
from cdk_app.site_pages import BRAND_CSS, NOT_FOUND_PAGE, SITEMAP_PATH, SitePages, is_source

logger = logging.getLogger(__name__)

API_PREFIX = "/api"
SCHEDULES_PREFIX = "/_local/schedules/"
# Handlers' `apigateway` clients are pointed here (AWS_ENDPOINT_URL_API_GATEWAY), so that
# FlushStageCache empties the emulated stage cache rather than failing against moto.
API_GATEWAY_CONTROL_PREFIX = "/_local/apigateway"
STRIPE_PREFIX = "/_local/stripe"
# Request headers localstripe reads; everything else (cookies, the shop's own auth) stays here.
_STRIPE_HEADERS = ("Content-Type", "Authorization", "Accept")
_FLUSH_STAGE_CACHE = re.compile(r"^/restapis/[^/]+/stages/[^/]+/cache/data$")
ConfigProvider = Callable[[str], dict[str, Any]]  # base URL (http://host:port) → config.json
# How long a request's body may pause between bytes: a client declaring more than it sends gets a 408
# then, instead of holding a server thread for ever.
BODY_TIMEOUT_SECONDS = 10.0


def routes_page(gateway: ApiGateway) -> bytes:
    """Served at / when web/ has no index.html yet: what the API offers."""
    rows = "".join(
        "<tr>"
        f"<td>{html.escape(route.method)}</td><td><code>{html.escape(API_PREFIX + route.path)}</code></td>"
        f"<td>{'token' if route.requires_token else ''}</td>"
        f"<td>{route.cache_ttl_seconds if route.caches else ''}</td>"
        "</tr>"
        for route in sorted(gateway.routes.routes, key=lambda r: (r.path, r.method))
        if route.method != "OPTIONS"
    )
    return (
        "<!doctype html><meta charset=utf-8><title>Shop (local)</title>"
        "<h1>Shop API (local)</h1><p>web/index.html is missing, so here are the API's routes."
        " <a href=/config.json>config.json</a></p>"
        f"<table><tr><th>Method</th><th>Path</th><th>Auth</th><th>Cache TTL (s)</th></tr>{rows}</table>"
    ).encode()


class _LoggingHttpServer(ThreadingHTTPServer):
    # socketserver's default listen backlog is 5: a burst of new connections (the 100 shoppers of
    # bench_load starting at once) was refused at the socket before any thread could take it.
    request_queue_size = 256

    def handle_error(self, request: Any, client_address: Any) -> None:
        # socketserver prints tracebacks to stderr; browsers dropping connections are not worth one.
        error = sys.exc_info()[1]
        if isinstance(error, ConnectionError | TimeoutError):
            logger.debug("local runner: client %s went away: %r", client_address, error)
        else:
            logger.warning("local runner: request from %s failed", client_address, exc_info=True)


class ShopHttpServer:
    def __init__(
        self,
        gateway: ApiGateway,
        *,
        web_root: Path,
        config: ConfigProvider,
        port: int = 8000,
        host: str = "127.0.0.1",
        schedules: ScheduleRunner | None = None,
        product_images: ProductImageFiles | None = None,
        aws_endpoint_url: str | None = None,
        pages: SitePages | None = None,
    ) -> None:
        self.gateway = gateway
        # web/'s page templates rendered per request with the stage's brand (None: files served as they are).
        self.pages = pages
        self.aws_endpoint_url = aws_endpoint_url
        self.schedules = schedules
        self.product_images = product_images
        self.web_root = web_root.resolve()
        self._config = config
        self.body_timeout_seconds = BODY_TIMEOUT_SECONDS
        # Set once the shop's localstripe runs (cdk_app/local/local_stripe.py); None: not proxied.
        self.stripe_upstream: str | None = None
        handler = self._handler_class()
        self._server = _LoggingHttpServer((host, port), handler)
        self._server.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> ShopHttpServer:
        self._thread = threading.Thread(target=self._server.serve_forever, name="shop-http", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._thread is not None:
            self._server.shutdown()  # blocks forever unless serve_forever is running: only if started
            self._thread.join(5)
            self._thread = None
        self._server.server_close()

    def static(self, path: str, base_url: str) -> HttpResponse:
        """web/ as CloudFront serves the built site: pages rendered with the brand, sources (`_layout/`,
        `_content/`) hidden, and the designed 404 page with status 404 for anything else."""
        relative = path.lstrip("/")
        candidate = (self.web_root / relative).resolve()
        if not candidate.is_relative_to(self.web_root) or is_source(Path(relative)):
            return self.not_found(base_url)
        if candidate.is_dir():
            candidate = candidate / "index.html"
        if self.pages is not None and relative == BRAND_CSS:
            return HttpResponse(200, [("Content-Type", "text/css")], self.pages.brand_css().encode())
        if candidate.is_file():
            if self.pages is not None and candidate.suffix == ".html" and candidate.parent == self.web_root:
                return self.page(200, candidate.name, base_url)
            content_type = mimetypes.guess_type(candidate.name)[0] or "application/octet-stream"
            return HttpResponse(200, [("Content-Type", content_type)], candidate.read_bytes())
        if relative in ("", "index.html"):
            return HttpResponse(
                200, [("Content-Type", "text/html; charset=utf-8")], routes_page(self.gateway)
            )
        return self.not_found(base_url)

    def page(self, status: int, name: str, base_url: str) -> HttpResponse:
        assert self.pages is not None
        body = self.pages.render(name, site_url=base_url).encode()
        return HttpResponse(status, [("Content-Type", "text/html; charset=utf-8")], body)

    def not_found(self, base_url: str) -> HttpResponse:
        if self.pages is not None and (self.web_root / NOT_FOUND_PAGE).is_file():
            return self.page(404, NOT_FOUND_PAGE, base_url)
        return HttpResponse(404, [("Content-Type", "text/plain")], b"Not found")

    def control_plane(self, method: str, path: str) -> HttpResponse:
        """The one API Gateway management call the shop makes: FlushStageCache."""
        if method == "DELETE" and _FLUSH_STAGE_CACHE.match(path):
            self.gateway.cache.flush()
            return HttpResponse(202, [("Content-Type", "application/json")], b"{}")
        body = json.dumps({"message": f"{method} {path} is not emulated by the local runner"}).encode()
        return HttpResponse(404, [("Content-Type", "application/json")], body)

    def forward_to_stripe(
        self, method: str, path: str, query: str, headers: Any, body: bytes
    ) -> HttpResponse:
        """Pass a browser's call (localstripe's Stripe.js, its API) to the shop's localstripe."""
        if self.stripe_upstream is None:
            return HttpResponse(404, [("Content-Type", "text/plain")], b"No local Stripe")
        url = self.stripe_upstream + path + (f"?{query}" if query else "")
        sent = {name: headers[name] for name in _STRIPE_HEADERS if headers.get(name)}
        request = urllib.request.Request(url, data=body or None, method=method, headers=sent)  # noqa: S310
        try:
            with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310 - loopback localstripe
                status, content_type, payload = (
                    answer.status,
                    answer.headers.get("Content-Type"),
                    answer.read(),
                )
        except urllib.error.HTTPError as error:
            status, content_type, payload = error.code, error.headers.get("Content-Type"), error.read()
        return HttpResponse(status, [("Content-Type", content_type or "application/octet-stream")], payload)

    def fire_schedule(self, name: str) -> HttpResponse:
        """Run a scheduled function now; `name` is its function's name or the schedule's logical id."""
        if self.schedules is not None:
            for schedule in self.schedules.schedules:
                if name in (schedule.address.logical_id, schedule.function.logical_id) or name in str(
                    schedule.function
                ):
                    try:
                        result = self.schedules.fire(schedule)
                    except Exception as error:
                        logger.exception("local runner: firing %s failed", schedule.address)
                        payload = json.dumps({"fired": str(schedule.address), "error": repr(error)})
                        return HttpResponse(500, [("Content-Type", "application/json")], payload.encode())
                    payload = json.dumps({"fired": str(schedule.address), "result": result}, default=str)
                    return HttpResponse(200, [("Content-Type", "application/json")], payload.encode())
        return HttpResponse(404, [("Content-Type", "text/plain")], b"No such schedule")

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        shop = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            server_version = "ShopLocal/1"

            def log_message(self, format: str, *args: Any) -> None:
                logger.debug("%s " + format, self.address_string(), *args)

            def __getattr__(self, name: str) -> Any:
                # http.server answers a method without a do_<METHOD> with an HTML 501; API Gateway
                # answers TRACE, PROPFIND, ... on its routes with its JSON 403, so every method is dispatched.
                if name.startswith("do_"):
                    return self._dispatch
                raise AttributeError(name)

            def handle_expect_100(self) -> bool:
                # An oversized upload is refused before the client sends it, not after a 100 Continue.
                try:
                    too_long = (declared_length(self.headers) or 0) > MAX_PAYLOAD_BYTES
                except UnreadableBody:
                    too_long = False  # the dispatcher refuses the header itself
                if too_long:
                    self.close_connection = True
                    self._respond(shop.gateway.too_large())
                    return False
                return super().handle_expect_100()

            def _respond(self, response: HttpResponse) -> None:
                self.send_response(response.status)
                for name, value in response.headers:
                    if name.lower() not in ("content-length", "connection", "transfer-encoding"):
                        self.send_header(name, value)
                if self.close_connection:
                    self.send_header("Connection", "close")
                self.send_header("Content-Length", str(len(response.body)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(response.body)

            def _read_body(self) -> bytes | HttpResponse:
                """The body, or the answer refusing it (the connection then closes: the rest of the body
                may still be on the wire)."""
                self.connection.settimeout(shop.body_timeout_seconds)
                try:
                    return read_body(self.rfile, self.headers, limit=MAX_PAYLOAD_BYTES)
                except UnreadableBody as refusal:
                    self.close_connection = True
                    if refusal.status == HTTPStatus.REQUEST_ENTITY_TOO_LARGE:
                        return shop.gateway.too_large()
                    return gateway_error(refusal.status, refusal.message)
                finally:
                    self.connection.settimeout(self.timeout)

            def _dispatch(self) -> None:
                body = self._read_body()
                if isinstance(body, HttpResponse):
                    self._respond(body)
                    return
                try:
                    response = self._answer(body)
                except Exception:
                    # Whatever failed, the client gets an answer and the server keeps serving.
                    logger.exception("local runner: %s %s failed", self.command, self.path)
                    self.close_connection = True
                    response = gateway_error(500, "Internal server error")
                self._respond(response)

            def _answer(self, body: bytes) -> HttpResponse:
                split = urlsplit(self.path)
                path = split.path
                if path == API_PREFIX or path.startswith(API_PREFIX + "/"):
                    request = HttpRequest(
                        method=self.command,
                        path=path[len(API_PREFIX) :] or "/",
                        query=split.query,
                        headers=list(self.headers.items()),
                        body=body,
                        source_ip=self.client_address[0],
                    )
                    return shop.gateway.handle(request)
                base = f"http://{self.headers.get('Host') or shop.url.removeprefix('http://')}"
                if path == "/config.json":
                    payload = json.dumps(shop._config(base), indent=2).encode()
                    return HttpResponse(200, [("Content-Type", "application/json")], payload)
                if path == EMAILS_PATH and shop.aws_endpoint_url and self.command in ("GET", "HEAD"):
                    return emails_page(sent_emails(shop.aws_endpoint_url))
                if path == "/_local/cache":
                    if self.command == "DELETE":
                        shop.gateway.cache.flush()
                    payload = json.dumps(shop.gateway.cache.stats(), indent=2).encode()
                    return HttpResponse(200, [("Content-Type", "application/json")], payload)
                if path.startswith(API_GATEWAY_CONTROL_PREFIX):
                    return shop.control_plane(self.command, path[len(API_GATEWAY_CONTROL_PREFIX) :])
                if path.startswith(STRIPE_PREFIX + "/"):
                    return shop.forward_to_stripe(
                        self.command, path[len(STRIPE_PREFIX) :], split.query, self.headers, body
                    )
                if path.startswith(SCHEDULES_PREFIX) and self.command == "POST":
                    return shop.fire_schedule(path[len(SCHEDULES_PREFIX) :])
                if (
                    self.command in ("GET", "HEAD")
                    and shop.product_images is not None
                    and shop.product_images.serves(path)
                ):
                    return shop.product_images.get(path)
                if path == SITEMAP_PATH and self.command in ("GET", "HEAD"):
                    # As CloudFront does (constructs_lib/static_site.py): the route of the API that serves it.
                    sitemap = HttpRequest(
                        method=self.command,
                        path=SITEMAP_PATH,
                        query="",
                        headers=list(self.headers.items()),
                        body=b"",
                        source_ip=self.client_address[0],
                    )
                    return shop.gateway.handle(sitemap)
                if self.command in ("GET", "HEAD"):
                    return shop.static(path, base)
                return HttpResponse(405, [("Content-Type", "text/plain")], b"Method not allowed")

            # http.server looks handlers up as do_<METHOD>; one dispatcher serves them all (__getattr__
            # covers the methods not named here).
            do_GET = do_HEAD = do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = _dispatch  # noqa: N815

        return Handler
