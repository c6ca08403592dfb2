"""The local stage's payment provider: no network, no money, the same webhook path as Stripe.

Its payments are items of the Idempotency table (both payment functions may write it), so the
payment processor in another process can verify them. Confirming one signs a
`payment_intent.succeeded` event exactly as Stripe signs webhooks and hands it to the Stripe
webhook's verify-then-enqueue function, so the local shop exercises the real verification.
Selected only by PAYMENT_PROVIDER_MODE=sandbox; refused in prod (shop.payments.providers.check_provider_mode).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
from typing import Any

from shop.contracts.tables import IDEMPOTENCY
from shop.orders.model import Order
from shop.payments.model import (
    PaymentSession,
    PaymentState,
    ProviderName,
    ProviderRejected,
    idempotency_key,
)
from shop.payments.webhooks import accept_stripe_webhook
from shop.platform.dynamodb import attr, errors, from_item, table

# Not a secret: the sandbox only exists where no money moves, and both ends are this code base.
SANDBOX_WEBHOOK_SECRET = "whsec_sandbox_local_only"  # noqa: S105
RECORD_PREFIX = "sandbox_payment#"
RECORD_SECONDS = 7 * 24 * 3600


def stripe_signature(payload: str, secret: str, timestamp: int | None = None) -> str:
    """A `Stripe-Signature` header: `t=<unix time>,v1=HMAC-SHA256(secret, "<t>.<payload>")`."""
    t = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(secret.encode(), f"{t}.{payload}".encode(), hashlib.sha256).hexdigest()
    return f"t={t},v1={digest}"


class SandboxProvider:
    """Implements PaymentProvider; payments succeed when confirmed."""

    name: ProviderName = "sandbox"

    def _record(self, payment_id: str) -> dict[str, Any]:
        item = (
            table(IDEMPOTENCY.logical_name)
            .get_item(Key={"id": RECORD_PREFIX + payment_id}, ConsistentRead=True)
            .get("Item")
        )
        if item is None:
            raise ProviderRejected(f"no sandbox payment {payment_id}")
        record: dict[str, Any] = from_item(item)
        return record

    def create_payment(self, order: Order) -> PaymentSession:
        # Derived from the order like an idempotency key: asking twice returns the same payment.
        payment_id = (
            "sbx_pi_" + hashlib.sha256(idempotency_key("intent", order.order_id).encode()).hexdigest()[:24]
        )
        try:
            table(IDEMPOTENCY.logical_name).put_item(
                Item={
                    "id": RECORD_PREFIX + payment_id,
                    "status": "requires_confirmation",
                    "amount": order.total,
                    "currency": order.currency.lower(),
                    "order_id": order.order_id,
                    "user_id": order.user_id,
                    "client_secret": f"{payment_id}_secret_{secrets.token_urlsafe(12)}",
                    "expiration": int(time.time()) + RECORD_SECONDS,
                },
                ConditionExpression=attr("id").not_exists(),
            )
        except errors().ConditionalCheckFailedException:
            pass
        record = self._record(payment_id)
        return PaymentSession(
            payment_id=payment_id,
            client_secret=str(record["client_secret"]),
            amount=int(record["amount"]),
            currency=str(record["currency"]),
        )

    def retrieve(self, payment_id: str) -> PaymentState:
        record = self._record(payment_id)
        return PaymentState(
            payment_id=payment_id,
            status="succeeded" if record["status"] == "succeeded" else "pending",
            amount=int(record["amount"]),
            currency=str(record["currency"]),
            order_id=str(record["order_id"]),
        )

    def confirm(self, payment_id: str) -> None:
        """Mark the payment succeeded and deliver its signed webhook through the real webhook path."""
        record = self._record(payment_id)
        table(IDEMPOTENCY.logical_name).update_item(
            Key={"id": RECORD_PREFIX + payment_id},
            UpdateExpression="SET #status = :succeeded",
            ExpressionAttributeNames={"#status": "status"},
            ExpressionAttributeValues={":succeeded": "succeeded"},
        )
        event = {
            "id": "evt_sbx_" + secrets.token_hex(12),
            "object": "event",
            "type": "payment_intent.succeeded",
            "created": int(time.time()),
            "livemode": False,
            "data": {
                "object": {
                    "id": payment_id,
                    "object": "payment_intent",
                    "amount": int(record["amount"]),
                    "amount_received": int(record["amount"]),
                    "currency": str(record["currency"]),
                    "status": "succeeded",
                    "metadata": {"order_id": str(record["order_id"]), "user_id": str(record["user_id"])},
                }
            },
        }
        payload = json.dumps(event)
        accept_stripe_webhook(
            payload,
            stripe_signature(payload, SANDBOX_WEBHOOK_SECRET),
            secret=SANDBOX_WEBHOOK_SECRET,
            provider="sandbox",
        )

    def refund(self, payment_id: str, amount: int, *, idempotency_key: str) -> str:
        record = self._record(payment_id)
        if record["status"] != "succeeded":
            raise ProviderRejected(f"sandbox payment {payment_id} was not captured")
        refund_id = "sbx_re_" + hashlib.sha256(idempotency_key.encode()).hexdigest()[:24]
        table(IDEMPOTENCY.logical_name).update_item(
            Key={"id": RECORD_PREFIX + payment_id},
            UpdateExpression="SET refund_id = if_not_exists(refund_id, :refund), refunded = :amount",
            ExpressionAttributeValues={":refund": refund_id, ":amount": amount},
        )
        return refund_id
