"""order_api: placing, reading, cancelling and administering orders.

`/guest/...` reaches the same routes without a Cognito token (the resolver strips the prefix): a guest
places an order with an email address and reads it back with the access token it was given, sent in
the X-Order-Token header.
"""

from __future__ import annotations

import base64
from http import HTTPStatus
from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Header, Query
from aws_lambda_powertools.utilities.typing import LambdaContext

import shop.platform.snapstart  # noqa: F401 - registers the SnapStart hooks (shop/platform/snapstart.py)
from shop.api.documented_responses import REDIRECT_HEADERS, answers, json_object
from shop.api.http import build_resolver, caller_of, json_response
from shop.contracts.cart_ids import CART_ID_HEADER
from shop.contracts.digital_files import FILE_ID_PATTERN
from shop.contracts.order_tokens import ORDER_TOKEN_HEADER
from shop.orders.access import refuse_token_in_query
from shop.orders.downloads import Downloads
from shop.orders.invoicing import DocumentKind
from shop.orders.model import CreateOrderRequest, RefundRequest, StatusChangeRequest, TrackingRequest
from shop.orders.processing import register_lambda_context
from shop.orders.service import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, OrderService
from shop.platform import audit_log
from shop.platform.observability import logger, metrics, tracer
from shop.platform.process_state import per_process
from shop.platform.rate_limiter import limit_admin
from shop.platform.runtime_flags import orders_inline
from shop.promotions.model import PromotionChanges, PromotionTerms
from shop.promotions.service import shared_promotions

app = build_resolver()


IDEMPOTENCY_HEADER = "Idempotency-Key"
PDF = "application/pdf"  # one of the RestApi's binary media types (cdk_app.api_routes)
PageSize = Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)]
# A guest's order token: the access token of its placement or the link token of its emails. A header,
# never the query: URLs are logged and leak through Referer (docs/decisions.md).
OrderToken = Annotated[
    str | None,
    Header(
        alias=ORDER_TOKEN_HEADER,
        max_length=128,
        description="a guest's order token: the order's access token, or its emails' link token",
    ),
]
# A guest orders from the cart the X-Cart-Id header names (or from `items`); a shopper from theirs.
GUEST_CART: list[dict[str, list[str]]] = [{}, {"guestCartId": []}]
IDEMPOTENCY_NOTE = (
    "Send an `Idempotency-Key` header (any string up to 128 characters): a retry with the same key "
    "answers with the order the first attempt stored (`replayed`: true) instead of placing another."
)
PDF_CONTENT = {PDF: {"schema": {"type": "string", "format": "binary"}}}
ORDERS_LISTING = {**json_object(), "text/csv": {"schema": {"type": "string"}}}


@per_process
def orders() -> OrderService:
    return OrderService()


def _order_token(sent: str | None) -> str | None:
    """The X-Order-Token header's value; an order token sent in the URL query instead is a 400."""
    refuse_token_in_query(app.current_event.query_string_parameters)
    return sent or None


@per_process
def downloads() -> Downloads:
    return Downloads()


@app.post(
    "/orders/create",
    summary="Place an order from the cart or an item list",
    tags=["orders"],
    responses=answers(
        202,
        "The order, stored `pending` with its stock held, and `replayed`",
        400,
        404,
        409,
        503,
        content=json_object(),
    ),
    security=GUEST_CART,
    description=IDEMPOTENCY_NOTE,
)
def create_order(request: CreateOrderRequest) -> Response[str]:
    event = app.current_event
    placed = orders().place(
        request,
        caller_of(app),
        cart_id=event.headers.get(CART_ID_HEADER),
        idempotency_key=event.headers.get(IDEMPOTENCY_HEADER),
    )
    return json_response(HTTPStatus.ACCEPTED, {**placed.body(), "replayed": placed.replayed})


@app.get(
    "/orders",
    summary="The caller's orders, newest first",
    tags=["orders"],
    responses=answers(200, "`orders` of one page and the `next_cursor`", 400),
)
def list_orders(
    limit: PageSize = DEFAULT_PAGE_SIZE, cursor: Annotated[str | None, Query()] = None
) -> dict[str, Any]:
    return orders().list_for(caller_of(app), limit=limit, cursor=cursor)


@app.get(
    "/orders/admin/list",
    summary="All orders, filtered or searched (q), each with its allowed_actions; CSV export",
    tags=["orders"],
    responses=answers(
        200, "One page of orders, or every match as CSV", 400, 403, 429, content=ORDERS_LISTING
    ),
)
def list_all_orders(
    status: Annotated[str | None, Query()] = None,
    payment_status: Annotated[str | None, Query()] = None,
    date_from: Annotated[str | None, Query(alias="from")] = None,
    date_to: Annotated[str | None, Query(alias="to")] = None,
    limit: PageSize = DEFAULT_PAGE_SIZE,
    cursor: Annotated[str | None, Query()] = None,
    format: Annotated[str, Query(pattern="^(json|csv)$")] = "json",
    q: Annotated[
        str | None,
        Query(
            max_length=254,
            description="an order id, an order number (SO-…) or a customer's email; exact, any case",
        ),
    ] = None,
) -> Response[str]:
    limit_admin(caller_of(app))  # seed 001: 50 admin requests/min per administrator
    if format == "csv":
        body = orders().export_csv(
            status=status, payment_status=payment_status, date_from=date_from, date_to=date_to, q=q
        )
        return Response(
            status_code=HTTPStatus.OK,
            content_type="text/csv",
            body=body,
            headers={"Content-Disposition": 'attachment; filename="orders.csv"'},
        )
    page, next_cursor = orders().admin_list(
        status=status,
        payment_status=payment_status,
        date_from=date_from,
        date_to=date_to,
        limit=limit,
        cursor=cursor,
        q=q,
    )
    return json_response(
        HTTPStatus.OK,
        {"orders": [order.admin_view() for order in page], "count": len(page), "next_cursor": next_cursor},
    )


@app.get(
    "/orders/admin/sales",
    summary="Sales per day (orders, revenue, average order value) and top products of up to 92 days",
    tags=["orders"],
    responses=answers(200, "Sales per day and top products", 400, 403, 429),
)
def sales_report(
    date_from: Annotated[str | None, Query(alias="from")] = None,
    date_to: Annotated[str | None, Query(alias="to")] = None,
) -> dict[str, Any]:
    limit_admin(caller_of(app))
    return orders().sales(date_from=date_from, date_to=date_to)


@app.get(
    "/orders/<order_id>",
    summary="One order: its owner, an admin, or a guest with its token",
    tags=["orders"],
    responses=answers(200, "The order", 400, 404),
)
def get_order(order_id: str, order_token: OrderToken = None) -> dict[str, Any]:
    return orders().view_for(order_id, caller_of(app), token=_order_token(order_token))


@app.get(
    "/orders/<order_id>/downloads/<product_id>",
    summary="Download a paid digital line: 302 to its file, counted against the download limit",
    tags=["orders"],
    responses=answers(
        302,
        "Redirect to the file for a few minutes; the body names the same `url`",
        400,
        403,
        404,
        409,
        410,
        content=json_object(),
        headers=REDIRECT_HEADERS,
    ),
)
def download(
    order_id: str,
    product_id: str,
    order_token: OrderToken = None,
    download_token: Annotated[
        str | None, Query(max_length=80, description="the line's short-lived token from the order's JSON")
    ] = None,
    file: Annotated[str | None, Query(pattern=FILE_ID_PATTERN)] = None,
) -> Response[str]:
    # A browser follows this link itself and sends no header: the orders page's links carry a
    # download token of minutes instead of the order token (docs/decisions.md).
    link = downloads().open(
        order_id,
        product_id,
        caller_of(app),
        token=_order_token(order_token),
        download_token=download_token,
        file_id=file,
    )
    # The URL is the file for a few minutes: no cache keeps it, no page it leads to learns it.
    return json_response(
        HTTPStatus.FOUND,
        link.body(),
        headers={"Location": link.url, "Cache-Control": "no-store", "Referrer-Policy": "no-referrer"},
    )


def _document(order_id: str, kind: DocumentKind, token: str | None) -> Response[str]:
    """A PDF as API Gateway wants binary from Lambda: base64 text flagged `isBase64Encoded`, which it
    hands to a client whose first Accept type is application/pdf as bytes. Encoded here rather than
    by Powertools (which encodes a bytes body) because the route's response validation would first
    try to read the bytes as UTF-8 text. Never stored by a cache: it is one buyer's."""
    file_name, pdf = orders().document_pdf(order_id, kind, caller_of(app), token=token)
    response = Response(
        status_code=HTTPStatus.OK,
        content_type=PDF,
        body=base64.b64encode(pdf).decode(),
        headers={
            "Content-Disposition": f'attachment; filename="{file_name}"',
            "Cache-Control": "private, no-store",
        },
    )
    response.base64_encoded = True
    return response


@app.get(
    "/orders/<order_id>/invoice",
    summary="The order's invoice as a PDF",
    tags=["orders"],
    responses=answers(200, "The invoice", 400, 404, 409, content=PDF_CONTENT),
)
def get_invoice(order_id: str, order_token: OrderToken = None) -> Response[str]:
    return _document(order_id, DocumentKind.INVOICE, _order_token(order_token))


@app.get(
    "/orders/<order_id>/credit-note",
    summary="The credit note of a refund, as a PDF",
    tags=["orders"],
    responses=answers(200, "The credit note", 400, 404, 409, content=PDF_CONTENT),
)
def get_credit_note(order_id: str, order_token: OrderToken = None) -> Response[str]:
    return _document(order_id, DocumentKind.CREDIT_NOTE, _order_token(order_token))


@app.put(
    "/orders/<order_id>/status",
    summary="Move an order to another status (admin)",
    tags=["orders"],
    responses=answers(200, "The order in its new status", 400, 403, 404, 409, 429),
)
def update_status(order_id: str, request: StatusChangeRequest) -> dict[str, Any]:
    caller = caller_of(app)
    limit_admin(caller)
    return orders().change_status(order_id, request.status, caller, request.note).admin_view()


@app.post(
    "/orders/<order_id>/cancel",
    summary="Cancel an order before it ships",
    tags=["orders"],
    responses=answers(200, "The cancelled order", 404, 409, 503),
)
def cancel_order(order_id: str) -> dict[str, Any]:
    caller = caller_of(app)
    caller.require_signed_in()
    return orders().cancel(order_id, caller).public_view()


@app.post(
    "/orders/<order_id>/refund",
    summary="Request a refund through the payment queue (admin)",
    tags=["orders"],
    responses=answers(
        202, "The order with its refund requested", 400, 403, 404, 409, 429, 503, content=json_object()
    ),
)
def refund_order(order_id: str, request: RefundRequest) -> Response[str]:
    caller = caller_of(app)
    limit_admin(caller)
    order = orders().refund(order_id, request, caller)
    return json_response(HTTPStatus.ACCEPTED, order.admin_view())


@app.get(
    "/admin/promotions",
    summary="Every shared promotion with its redemptions (admin)",
    tags=["admin"],
    responses=answers(200, "`promotions` and their `count`", 403, 429),
)
def list_promotions() -> dict[str, Any]:
    limit_admin(caller_of(app))
    listed = shared_promotions().shared()
    return {"promotions": [promotion.admin_view() for promotion in listed], "count": len(listed)}


@app.post(
    "/admin/promotions",
    summary="Create a promotion (admin)",
    tags=["admin"],
    responses=answers(201, "The new promotion", 400, 403, 409, 429, content=json_object()),
)
def create_promotion(request: PromotionTerms) -> Response[str]:
    actor = limit_admin(caller_of(app))
    view = shared_promotions().create(request).admin_view()
    audit_log.record(actor, "promotion.create", f"promotion#{request.code}", None, view)
    return json_response(HTTPStatus.CREATED, view)


@app.get(
    "/admin/promotions/<code>",
    summary="One promotion and its redemptions (admin)",
    tags=["admin"],
    responses=answers(200, "The promotion", 403, 404, 429),
)
def get_promotion(code: str) -> dict[str, Any]:
    limit_admin(caller_of(app))
    return shared_promotions().get(code).admin_view()


@app.put(
    "/admin/promotions/<code>",
    summary="Change, activate or deactivate a promotion (admin)",
    tags=["admin"],
    responses=answers(200, "The promotion as changed", 400, 403, 404, 429),
)
def update_promotion(code: str, request: PromotionChanges) -> dict[str, Any]:
    actor = limit_admin(caller_of(app))
    promotions = shared_promotions()
    before = promotions.get(code).admin_view()
    after = promotions.update(code, request).admin_view()
    audit_log.record(actor, "promotion.update", f"promotion#{after['code']}", before, after)
    return after


@app.put(
    "/orders/<order_id>/tracking",
    summary="Add tracking and mark shipped (admin)",
    tags=["orders"],
    responses=answers(200, "The shipped order", 400, 403, 404, 409, 429),
)
def add_tracking(order_id: str, request: TrackingRequest) -> dict[str, Any]:
    caller = caller_of(app)
    limit_admin(caller)
    return orders().add_tracking(order_id, request.carrier, request.tracking_number, caller).admin_view()


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    if orders_inline():
        # The kill switch runs order_processor's idempotent step in this request: its in-progress
        # record must expire with this invocation, as it does in order_processor.
        register_lambda_context(context)
    return app.resolve(event, context)
