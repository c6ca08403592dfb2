"""cart_api: the cart of a signed-in shopper (Cognito sub) or of a guest (X-Cart-Id header: the signed
cart id this function issued on the guest's first add; a made-up or tampered one is refused).

Guests reach the same routes as /guest/cart/... (API Gateway cannot make one method's authorization
optional); build_resolver strips that prefix, and the claims tell a shopper from a guest.
"""

from __future__ import annotations

from typing import Annotated, Any

from aws_lambda_powertools.event_handler.openapi.params import Body, Query
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

import shop.platform.snapstart  # noqa: F401 - registers the SnapStart hooks (shop/platform/snapstart.py)
from shop.api.documented_responses import answers
from shop.api.http import build_resolver, caller_of
from shop.api.rate_limits import cart_rate_limit_middleware
from shop.cart.model import AddToCart, MergeCarts, ProductId, RemoveFromCart, UpdateCartLine
from shop.cart.service import CartOwner, resolve_owner, shared_carts
from shop.contracts.cart_ids import CART_ID_HEADER
from shop.platform.cache_metrics import cache_counters
from shop.platform.errors import BadRequest, NotFound
from shop.platform.observability import logger, metrics, tracer

app = build_resolver()
# Seed 001: 100 requests/min per shopper (guests per cart id or IP), counted before each route runs.
app.use(middlewares=[cart_rate_limit_middleware])
# A guest sends the cart id it was given; a signed-in shopper's cart is found by their token. An id
# this shop did not issue is a 400 (malformed) or 403 (signature does not match) on every route.
GUEST_CART: list[dict[str, list[str]]] = [{}, {"guestCartId": []}]


def _owner(*, create: bool) -> CartOwner | None:
    header = app.current_event.headers.get(CART_ID_HEADER)
    return resolve_owner(caller_of(app).user_id, header, create=create)


def _existing_owner() -> CartOwner:
    owner = _owner(create=False)
    if owner is None:
        raise NotFound("no cart: send the X-Cart-Id header or sign in", field=CART_ID_HEADER)
    return owner


@app.get(
    "/cart",
    summary="The cart with its totals",
    tags=["cart"],
    responses=answers(200, "The cart (empty without one) with its totals", 400, 403),
    security=GUEST_CART,
)
def get_cart(
    discount_code: Annotated[
        str | None, Query(min_length=1, max_length=40, description="preview a code")
    ] = None,
) -> dict[str, Any]:
    email = caller_of(app).email
    return shared_carts().view(_owner(create=False), discount_code=discount_code, email=email).body()


@app.post(
    "/cart/add",
    summary="Add a product; a guest's first add returns a new, signed cart_id",
    tags=["cart"],
    responses=answers(200, "The cart with its totals", 400, 403, 404, 409),
    security=GUEST_CART,
)
def add_to_cart(request: AddToCart) -> dict[str, Any]:
    owner = _owner(create=True)
    assert owner is not None  # create=True always yields an owner
    return shared_carts().add(owner, request).body()


@app.put(
    "/cart/update",
    summary="Set a line's quantity (0 removes it)",
    tags=["cart"],
    responses=answers(200, "The cart with its totals", 400, 403, 404, 409),
    security=GUEST_CART,
)
def update_cart(request: UpdateCartLine) -> dict[str, Any]:
    return shared_carts().update(_existing_owner(), request).body()


@app.delete(
    "/cart/remove",
    summary="Remove a line",
    tags=["cart"],
    responses=answers(200, "The cart with its totals", 400, 403, 404, 409),
    security=GUEST_CART,
)
def remove_from_cart(
    request: Annotated[RemoveFromCart | None, Body()] = None,
    product_id: Annotated[ProductId | None, Query(description="when no body is sent")] = None,
    sku: Annotated[str | None, Query(min_length=1, max_length=64, description="the variant's SKU")] = None,
) -> dict[str, Any]:
    # The API's schema sends a JSON body; query parameters serve clients that drop DELETE bodies.
    line = request or (
        RemoveFromCart.model_validate({"product_id": product_id, "sku": sku}) if product_id else None
    )
    if line is None:
        raise BadRequest("name the product to remove", field="product_id")
    return shared_carts().remove(_existing_owner(), line.product_id, line.variant_sku).body()


@app.delete(
    "/cart/clear",
    summary="Empty the cart",
    tags=["cart"],
    responses=answers(200, "The emptied cart", 400, 403, 409),
    security=GUEST_CART,
)
def clear_cart() -> dict[str, Any]:
    owner = _owner(create=False)
    carts = shared_carts()
    return (carts.clear(owner) if owner is not None else carts.view(None)).body()


@app.post(
    "/cart/merge",
    summary="Merge a guest cart into the signed-in shopper's cart",
    tags=["cart"],
    responses=answers(200, "The signed-in cart with the guest's lines", 400, 403, 404, 409),
)
def merge_carts(request: MergeCarts) -> dict[str, Any]:
    user_id = caller_of(app).require_signed_in()
    view = shared_carts().merge(CartOwner.shopper(user_id), request.cart_id)
    logger.info("guest cart merged", extra={"items": len(view.lines)})
    return view.body()


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """The Lambda entry point."""
    try:
        return app.resolve(event, context)
    finally:
        cache_counters.publish()
