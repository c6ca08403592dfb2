"""The cart and payment rate limits as the API functions apply them: who the subject of a request is.

A signed-in shopper is limited per user; a guest per cart id or order, else per client IP.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response
from aws_lambda_powertools.event_handler.middlewares import NextMiddleware

from shop.api.http import caller_of
from shop.contracts.cart_ids import CART_ID_HEADER, valid_cart_id
from shop.platform.identity import Caller
from shop.platform.rate_limiter import CART_LIMIT, PAYMENT_LIMIT, shared_rate_limiter


def source_ip(app: APIGatewayRestResolver) -> str:
    identity = app.current_event.request_context.identity
    return str(identity.source_ip or "unknown")


def limit_cart(app: APIGatewayRestResolver) -> None:
    """100/min per shopper; a guest per cart id, or per client IP before they have a cart."""
    caller = caller_of(app)
    cart_id = app.current_event.headers.get(CART_ID_HEADER)
    if caller.user_id:
        subject = f"user#{caller.user_id}"
    elif cart_id and valid_cart_id(cart_id):
        subject = f"cart#{cart_id}"
    else:
        subject = f"ip#{source_ip(app)}"
    shared_rate_limiter().hit(CART_LIMIT, subject)


def limit_payment(caller: Caller, app: APIGatewayRestResolver, *, order_id: str | None = None) -> None:
    """10/min per signed-in user, else per order (guests pay too), else per client IP."""
    if caller.user_id:
        subject = f"user#{caller.user_id}"
    elif order_id:
        subject = f"order#{order_id}"
    else:
        subject = f"ip#{source_ip(app)}"
    shared_rate_limiter().hit(PAYMENT_LIMIT, subject)


def cart_rate_limit_middleware(app: APIGatewayRestResolver, next_middleware: NextMiddleware) -> Response[Any]:
    """Powertools middleware: every route of the resolver counts against the cart limit."""
    limit_cart(app)
    return next_middleware(app)
