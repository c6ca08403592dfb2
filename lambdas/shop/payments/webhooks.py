"""Provider webhooks: verified before anything else, then put on payment-processing.

Stripe's (and localstripe's, which signs the same way) are verified with
`stripe.Webhook.construct_event` on the exact raw body and a timestamp tolerance. A signature seen
before is a replay and refused too; a genuine redelivery by Stripe carries a fresh timestamp and
signature, passes, and the processor acts once per event id. Every refusal is a 400, logged and
counted (`WebhookRejected`, dimension `provider`), and queues nothing.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Callable
from typing import Any

from shop.contracts.alarm_metric_names import PROVIDER_DIMENSION
from shop.contracts.queues import PAYMENT_PROCESSING
from shop.orders.notifications import send
from shop.payments.breakers import guarded
from shop.payments.model import PaymentMessage, ProviderName
from shop.platform import idempotency
from shop.platform.errors import BadRequest
from shop.platform.observability import count_metric, logger

WEBHOOK_REJECTED = "WebhookRejected"
# Stripe's own default: a signature older than five minutes is refused.
SIGNATURE_TOLERANCE_SECONDS = 300
SEEN_SIGNATURE_PREFIX = "webhook_signature#"
# Events that settle a payment; any other type is acknowledged and ignored.
SETTLING_EVENTS = frozenset({"payment_intent.succeeded", "payment_intent.payment_failed"})
PAYPAL_ORDER_EVENTS = frozenset({"CHECKOUT.ORDER.APPROVED"})
PAYPAL_CAPTURE_EVENTS = frozenset({"PAYMENT.CAPTURE.COMPLETED", "PAYMENT.CAPTURE.DENIED"})


class WebhookRejected(BadRequest):
    code = "webhook_rejected"


def raw_body(event: dict[str, Any]) -> str:
    """The body exactly as the provider sent it: the signature covers these bytes, so never re-serialize."""
    body = event.get("body") or ""
    if event.get("isBase64Encoded"):
        return base64.b64decode(body).decode("utf-8")
    return str(body)


def header(event: dict[str, Any], name: str) -> str | None:
    wanted = name.lower()
    for key, value in (event.get("headers") or {}).items():
        if key.lower() == wanted:
            return str(value)
    return None


def reject(provider: str, reason: str) -> WebhookRejected:
    """Log and count a refused webhook; the caller raises what this returns."""
    count_metric(WEBHOOK_REJECTED, {PROVIDER_DIMENSION: provider})
    logger.warning("webhook rejected", extra={"provider": provider, "reason": reason})
    return WebhookRejected(f"webhook rejected: {reason}")


def _remember_signature(provider: str, signature: str) -> bool:
    """Record the signature; False when it was already recorded (a replayed request)."""
    digest = hashlib.sha256(signature.encode()).hexdigest()
    # Older signatures fail the timestamp check anyway; keep the record a little longer.
    return idempotency.record_once(
        f"{SEEN_SIGNATURE_PREFIX}{provider}#{digest}", ttl_seconds=2 * SIGNATURE_TOLERANCE_SECONDS
    )


def accept_stripe_webhook(body: str, signature: str | None, *, secret: str) -> PaymentMessage | None:
    """Verify a Stripe-signed webhook and queue its payment for the processor; None for an event type
    that settles nothing. WebhookRejected for a bad, expired or replayed signature."""
    import stripe

    provider: ProviderName = "stripe"
    if not signature:
        raise reject(provider, "no signature header")
    try:
        stripe.Webhook.construct_event(body, signature, secret, tolerance=SIGNATURE_TOLERANCE_SECONDS)
    except stripe.SignatureVerificationError as error:
        raise reject(provider, f"signature: {error.user_message or error}") from None
    except ValueError:
        raise reject(provider, "malformed payload") from None
    if not _remember_signature(provider, signature):
        raise reject(provider, "replayed signature")
    event = json.loads(body)
    if event.get("type") not in SETTLING_EVENTS:
        logger.info("webhook ignored", extra={"provider": provider, "type": event.get("type")})
        return None
    payment = event["data"]["object"]
    metadata = payment.get("metadata") or {}
    if not metadata.get("order_id") or not metadata.get("user_id"):
        # A payment this shop did not create (another integration on the same account).
        logger.info("webhook for a payment without an order", extra={"event_id": event.get("id")})
        return None
    message = PaymentMessage(
        provider=provider,
        event_id=str(event["id"]),
        payment_id=str(payment["id"]),
        order_id=str(metadata["order_id"]),
        user_id=str(metadata["user_id"]),
    )
    send(PAYMENT_PROCESSING.logical_name, message)
    logger.info(
        "webhook queued",
        extra={"provider": provider, "event_id": message.event_id, "order_id": message.order_id},
    )
    return message


def accept_paypal_webhook(
    body: str, headers: dict[str, str], *, verify: Callable[[dict[str, str], str], bool]
) -> PaymentMessage | None:
    """Verify a PayPal webhook with PayPal's API (`verify`, through the circuit breaker) and queue the
    PayPal order it concerns; None for an event that settles nothing. WebhookRejected when refused."""
    transmission = header({"headers": headers}, "PayPal-Transmission-Sig")
    if not transmission:
        raise reject("paypal", "no transmission signature")
    if not guarded("paypal", lambda: verify(headers, body)):
        raise reject("paypal", "signature not verified by PayPal")
    if not _remember_signature("paypal", transmission):
        raise reject("paypal", "replayed signature")
    event = json.loads(body)
    resource = event.get("resource") or {}
    kind = event.get("event_type")
    if kind in PAYPAL_ORDER_EVENTS:
        paypal_order_id = resource.get("id")
        order_id = ((resource.get("purchase_units") or [{}])[0]).get("custom_id")
    elif kind in PAYPAL_CAPTURE_EVENTS:
        related = (resource.get("supplementary_data") or {}).get("related_ids") or {}
        paypal_order_id, order_id = related.get("order_id"), resource.get("custom_id")
    else:
        logger.info("webhook ignored", extra={"provider": "paypal", "type": kind})
        return None
    if not paypal_order_id or not order_id:
        logger.info("webhook for a payment without an order", extra={"event_id": event.get("id")})
        return None
    message = PaymentMessage(
        provider="paypal", event_id=str(event["id"]), payment_id=str(paypal_order_id), order_id=str(order_id)
    )
    send(PAYMENT_PROCESSING.logical_name, message)
    logger.info("webhook queued", extra={"provider": "paypal", "event_id": message.event_id})
    return message
