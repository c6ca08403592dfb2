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

from shop.api.http import build_resolver, caller_of, json_response
from shop.api.rate_limits import limit_payment
from shop.contracts.queues import PAYMENT_PROCESSING
from shop.orders.model import Order
from shop.orders.notifications import send
from shop.orders.state import OrderStatus, PaymentStatus
from shop.payments.providers import (
    PaymentMessage,
    ProviderName,
    card_provider,
    check_provider_mode,
    guarded_for_api,
    payable_order,
    paypal_provider,
    sandbox_mode,
)
from shop.payments.webhooks import accept_paypal_webhook, accept_stripe_webhook, header, raw_body, reject
from shop.platform.errors import Conflict
from shop.platform.observability import logger, metrics, tracer
from shop.platform.settings import get_settings

app = build_resolver()

# Refuse to start a prod function configured with the sandbox (it would mark orders paid for free).
check_provider_mode(get_settings())


class IntentRequest(BaseModel):
    """Which order to pay; guests prove ownership with the order's access token."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    order_id: str = Field(min_length=1, max_length=64)
    access_token: str | None = Field(default=None, max_length=200)


class ConfirmRequest(IntentRequest):
    """The payment to confirm: a Stripe PaymentIntent id, or an approved PayPal order id (the route
    table's contract calls both `payment_id`)."""

    payment_id: str = Field(min_length=1, max_length=128)


def _order_to_pay(request: IntentRequest) -> Order:
    caller = caller_of(app)
    limit_payment(caller, app, order_id=request.order_id)
    order = payable_order(request.order_id, caller, request.access_token)
    if order.order_status is not OrderStatus.PENDING or order.payment_status is not PaymentStatus.UNPAID:
        raise Conflict(
            f"the order is {order.order_status.value} and {order.payment_status.value}; it cannot be paid",
            field="order_id",
        )
    return order


@app.post("/payment/stripe/intent")
def stripe_intent() -> Response[str]:
    # Extra fields such as "amount" are ignored on purpose: the amount comes from the stored order only.
    order = _order_to_pay(IntentRequest.model_validate(app.current_event.json_body or {}))
    provider = card_provider()
    session = guarded_for_api(provider.name, lambda: provider.create_payment(order))
    return json_response(
        HTTPStatus.CREATED,
        {
            "order_id": order.order_id,
            "provider": provider.name,
            "payment_id": session.payment_id,
            "payment_intent_id": session.payment_id,
            "client_secret": session.client_secret,
            "amount": session.amount,
            "currency": session.currency,
        },
    )


@app.post("/payment/stripe/confirm")
def stripe_confirm() -> Response[str]:
    # The browser confirmed with Stripe.js; the processor retrieves the intent to verify it.
    return _confirm(provider="stripe", event_kind="confirm")


@app.post("/payment/paypal/create")
def paypal_create() -> Response[str]:
    # As for Stripe, the amount is the stored order's total only.
    order = _order_to_pay(IntentRequest.model_validate(app.current_event.json_body or {}))
    provider = card_provider() if sandbox_mode() else paypal_provider()
    session = guarded_for_api(provider.name, lambda: provider.create_payment(order))
    return json_response(
        HTTPStatus.CREATED,
        {
            "order_id": order.order_id,
            "provider": provider.name,
            "payment_id": session.payment_id,
            "paypal_order_id": session.payment_id,
            "approve_url": session.approve_url,
            "amount": session.amount,
            "currency": session.currency,
        },
    )


@app.post("/payment/paypal/capture")
def paypal_capture() -> Response[str]:
    """The buyer approved the PayPal order; payment_processor captures it (idempotently) and settles."""
    return _confirm(provider="paypal", event_kind="capture")


def _confirm(*, provider: Literal["stripe", "paypal"], event_kind: str) -> Response[str]:
    """Hand a confirmed payment to payment_processor (through the queue, or the sandbox's own signed
    webhook locally) and tell the client the order is being confirmed."""
    request = ConfirmRequest.model_validate(app.current_event.json_body or {})
    order = _order_to_pay(request)
    if sandbox_mode():
        from shop.payments.sandbox_provider import SandboxProvider

        sandbox = SandboxProvider()
        guarded_for_api(sandbox.name, lambda: sandbox.confirm(request.payment_id))
    else:
        send(
            PAYMENT_PROCESSING.logical_name,
            PaymentMessage(
                provider=provider,
                event_id=f"{event_kind}:{request.payment_id}",
                payment_id=request.payment_id,
                order_id=order.order_id,
                user_id=order.user_id,
            ),
        )
    return json_response(
        HTTPStatus.ACCEPTED,
        {"order_id": order.order_id, "status": "confirming", "message": "the payment is being confirmed"},
    )


def _stripe_webhook_secret() -> str:
    if sandbox_mode():
        from shop.payments.sandbox_provider import SANDBOX_WEBHOOK_SECRET

        return SANDBOX_WEBHOOK_SECRET
    from shop.payments.secrets import payment_secrets

    return payment_secrets().stripe_webhook_secret.get_secret_value()


# Webhooks are not rate limited per caller: Stripe sends every event from a few addresses, and a 429
# would only delay the shop's own payments. The signature check is the gate.
@app.post("/payment/webhook/stripe")
def stripe_webhook() -> Response[str]:
    event = app.current_event.raw_event
    provider: ProviderName = "sandbox" if sandbox_mode() else "stripe"
    if not header(event, "Stripe-Signature"):
        # Refused before the secret is even read: an unsigned request costs no Secrets Manager call.
        raise reject(provider, "no signature header")
    message = accept_stripe_webhook(
        raw_body(event),
        header(event, "Stripe-Signature"),
        secret=_stripe_webhook_secret(),
        provider=provider,
    )
    return json_response(HTTPStatus.ACCEPTED if message else HTTPStatus.OK, {"received": True})


@app.post("/payment/webhook/paypal")
def paypal_webhook() -> Response[str]:
    from shop.payments.secrets import payment_secrets

    event = app.current_event.raw_event
    if sandbox_mode():
        raise reject("paypal", "PayPal webhooks are not accepted in sandbox mode")
    if not header(event, "PayPal-Transmission-Sig"):
        raise reject("paypal", "no transmission signature")
    webhook_id = payment_secrets().paypal_webhook_id
    if webhook_id is None:
        raise reject("paypal", "no PayPal webhook id is configured")
    provider = paypal_provider()
    message = accept_paypal_webhook(
        raw_body(event),
        {str(name): str(value) for name, value in (event.get("headers") or {}).items()},
        verify=lambda headers, body: provider.verify_webhook(headers, body, webhook_id.get_secret_value()),
    )
    return json_response(HTTPStatus.ACCEPTED if message else HTTPStatus.OK, {"received": True})


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
