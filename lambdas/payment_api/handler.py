"""payment_api: Stripe and PayPal payments and their webhooks.

The amount of a payment is always the stored order's total: a request cannot name it. Confirmations
and webhooks only queue work for payment_processor (answer 202): the order becomes `paid` once the
processor has verified the payment with the provider.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any, Literal

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel, ConfigDict, Field

import shop.platform.snapstart  # noqa: F401 - registers the SnapStart hooks (shop/platform/snapstart.py)
from shop.api.documented_responses import answers, json_object, request_body
from shop.api.http import build_resolver, json_response
from shop.api.public_route_caller import public_route_caller
from shop.api.rate_limits import limit_payment
from shop.payments.service import (
    StartedPayment,
    confirm_payment,
    receive_paypal_webhook,
    receive_stripe_webhook,
    start_card_payment,
    start_paypal_payment,
)
from shop.platform.identity import Caller
from shop.platform.observability import logger, metrics, tracer

app = build_resolver()


class IntentRequest(BaseModel):
    """Which order to pay; guests prove ownership with the order's access token."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    order_id: str = Field(min_length=1, max_length=64)
    access_token: str | None = Field(default=None, max_length=200)


class CardIntentRequest(IntentRequest):
    """`card_token`: the Stripe.js token of the shopper's card (`tok_...`); the card itself never
    reaches the shop. With it the intent is confirmed at once; without it the page confirms."""

    card_token: str | None = Field(default=None, pattern=r"^tok_[A-Za-z0-9_]{1,120}$")


class ConfirmRequest(IntentRequest):
    """The payment to confirm: a Stripe PaymentIntent id, or an approved PayPal order id (the route
    table's contract calls both `payment_id`)."""

    payment_id: str = Field(min_length=1, max_length=128)


# Guests pay with the order's access token; a signed-in shopper's page also sends their ID token
# (verified here: a bad one is a 401).
GUEST_OR_SHOPPER: list[dict[str, list[str]]] = [{}, {"cognitoIdToken": []}]
# A webhook the shop acts on is queued (202); one it has no use for is acknowledged (200).
WEBHOOK_ANSWERS = {
    **answers(202, "The event is queued for payment_processor", 400, content=json_object()),
    **answers(200, "An event the shop does not act on", content=json_object()),
}
# The provider's event, read only after its signature header is checked.
WEBHOOK_BODY = {
    "requestBody": {"required": True, "content": {"application/json": {"schema": {"type": "object"}}}}
}


def _limited_caller(request: IntentRequest) -> Caller:
    # The routes are public (guests pay); a signed-in shopper's token is verified here, so the limit
    # counts per user across all their orders, and their own orders open without an access token.
    caller = public_route_caller(app)
    limit_payment(caller, app, order_id=request.order_id)
    return caller


def _started(payment: StartedPayment, **provider_fields: str | None) -> Response[str]:
    session = payment.session
    return json_response(
        HTTPStatus.CREATED,
        {
            "order_id": payment.order_id,
            "provider": payment.provider,
            "payment_id": session.payment_id,
            "amount": session.amount,
            "currency": session.currency,
            **provider_fields,
        },
    )


@app.post(
    "/payment/stripe/intent",
    responses=answers(
        201,
        "The PaymentIntent: its id, client_secret and status",
        401,
        402,
        404,
        409,
        429,
        502,
        503,
        content=json_object(),
    ),
    openapi_extensions=request_body(CardIntentRequest),
    security=GUEST_OR_SHOPPER,
)
def stripe_intent() -> Response[str]:
    # Extra fields such as "amount" are ignored on purpose: the amount comes from the stored order only.
    request = CardIntentRequest.model_validate(app.current_event.json_body or {})
    payment = start_card_payment(
        request.order_id, _limited_caller(request), request.access_token, card_token=request.card_token
    )
    session = payment.session
    # `status` requires_action: the page runs 3-D Secure with Stripe.js and the client secret.
    return _started(
        payment,
        payment_intent_id=session.payment_id,
        client_secret=session.client_secret,
        status=session.status,
    )


@app.post(
    "/payment/stripe/confirm",
    responses=answers(202, "The confirmation is queued", 401, 404, 409, 429, content=json_object()),
    openapi_extensions=request_body(ConfirmRequest),
    security=GUEST_OR_SHOPPER,
)
def stripe_confirm() -> Response[str]:
    # The browser confirmed with Stripe.js; the processor retrieves the intent to verify it.
    return _confirm(provider="stripe", event_kind="confirm")


@app.post(
    "/payment/paypal/create",
    responses=answers(
        201, "The PayPal order and its approve_url", 401, 404, 409, 429, 502, 503, content=json_object()
    ),
    openapi_extensions=request_body(IntentRequest),
    security=GUEST_OR_SHOPPER,
)
def paypal_create() -> Response[str]:
    # As for Stripe, the amount is the stored order's total only.
    request = IntentRequest.model_validate(app.current_event.json_body or {})
    payment = start_paypal_payment(request.order_id, _limited_caller(request), request.access_token)
    return _started(
        payment, paypal_order_id=payment.session.payment_id, approve_url=payment.session.approve_url
    )


@app.post(
    "/payment/paypal/capture",
    responses=answers(202, "The capture is queued", 401, 404, 409, 429, content=json_object()),
    openapi_extensions=request_body(ConfirmRequest),
    security=GUEST_OR_SHOPPER,
)
def paypal_capture() -> Response[str]:
    """The buyer approved the PayPal order; payment_processor captures it (idempotently) and settles."""
    return _confirm(provider="paypal", event_kind="capture")


def _confirm(*, provider: Literal["stripe", "paypal"], event_kind: str) -> Response[str]:
    request = ConfirmRequest.model_validate(app.current_event.json_body or {})
    order = confirm_payment(
        request.order_id,
        _limited_caller(request),
        request.access_token,
        provider=provider,
        event_kind=event_kind,
        payment_id=request.payment_id,
    )
    return json_response(
        HTTPStatus.ACCEPTED,
        {"order_id": order.order_id, "status": "confirming", "message": "the payment is being confirmed"},
    )


# Webhooks are not rate limited per caller: Stripe sends every event from a few addresses, and a 429
# would only delay the shop's own payments. The signature check is the gate.
@app.post("/payment/webhook/stripe", responses=WEBHOOK_ANSWERS, openapi_extensions=WEBHOOK_BODY)
def stripe_webhook() -> Response[str]:
    message = receive_stripe_webhook(app.current_event.raw_event)
    return json_response(HTTPStatus.ACCEPTED if message else HTTPStatus.OK, {"received": True})


@app.post("/payment/webhook/paypal", responses=WEBHOOK_ANSWERS, openapi_extensions=WEBHOOK_BODY)
def paypal_webhook() -> Response[str]:
    message = receive_paypal_webhook(app.current_event.raw_event)
    return json_response(HTTPStatus.ACCEPTED if message else HTTPStatus.OK, {"received": True})


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
