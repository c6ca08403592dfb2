"""Set-up for the payment tests: payment_api calls, Stripe-signed webhook events, payment_processor runs."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from shop.contracts import environment
from shop.platform.process_state import reset_process_state
from tests.integration.conftest import LambdaContext
from tests.integration.events import api_event, shopper_claims
from tests.integration.order_events import (
    OrderWorld,
    Reply,
    new_product,
    order_world_in,
    place,
    sqs_event_from,
)

PAYMENT_QUEUE = "payment-processing"


def payment_world_in(monkeypatch: pytest.MonkeyPatch, lambda_context: LambdaContext) -> Iterator[OrderWorld]:
    """order_world_in for the payment functions (the tests then choose where Stripe answers from)."""
    yield from order_world_in(monkeypatch, lambda_context)


def call_payment_api(event: dict[str, Any], context: LambdaContext | None = None) -> Reply:
    from payment_api.handler import handler

    response = handler(event, context or LambdaContext())
    raw = response.get("body")
    headers = {**(response.get("headers") or {})}
    for name, values in (response.get("multiValueHeaders") or {}).items():
        headers.setdefault(name, values[-1])
    body = json.loads(raw) if raw and "json" in headers.get("Content-Type", "") else raw
    return Reply(response["statusCode"], body, headers)


def payment_request(path: str, body: dict[str, Any], *, user_id: str | None = None) -> dict[str, Any]:
    """A public payment route's event; a signed-in owner's claims when `user_id` is given."""
    return api_event("POST", path, body=body, claims=shopper_claims(user_id) if user_id else None)


def guest_order(price: int = 2000, quantity: int = 1) -> tuple[str, str]:
    """A pending guest order: (order id, access token)."""
    reply = place(new_product(price=price), quantity, user_id=None, email="guest@example.com")
    return reply.body["order_id"], reply.body["access_token"]


def stripe_webhook_event(
    payload: str, signature: str | None, *, base64_encoded: bool = False
) -> dict[str, Any]:
    """POST /payment/webhook/stripe as API Gateway passes it: the raw body untouched (or base64)."""
    event = api_event("POST", "/payment/webhook/stripe", body="{}")
    event["body"] = base64.b64encode(payload.encode()).decode() if base64_encoded else payload
    event["isBase64Encoded"] = base64_encoded
    if signature is not None:
        event["headers"]["Stripe-Signature"] = signature
        event["multiValueHeaders"]["Stripe-Signature"] = [signature]
    return event


def stripe_signature(payload: str, secret: str, timestamp: int | None = None) -> str:
    """A `Stripe-Signature` header as Stripe computes it (`t=<unix time>,v1=HMAC-SHA256(secret,
    "<t>.<payload>")`), for webhooks the tests forge, tamper with or let expire."""
    t = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(secret.encode(), f"{t}.{payload}".encode(), hashlib.sha256).hexdigest()
    return f"t={t},v1={digest}"


def run_payment_processor(world: OrderWorld) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Deliver everything on payment-processing to payment_processor; (messages, response)."""
    from payment_processor.handler import handler

    messages = world.drain(PAYMENT_QUEUE)
    response: dict[str, Any] = {"batchItemFailures": []}
    if messages:
        response = handler(sqs_event_from(messages, PAYMENT_QUEUE), world.context)
    return messages, response


def reset_payments() -> None:
    reset_process_state()


# -- Stripe with recorded responses ----------------------------------------------------------------

STRIPE_FIXTURES = Path(__file__).parent / "fixtures" / "stripe"
STRIPE_SECRETS = {
    "stripe_secret_key": "sk_test_recorded",
    "stripe_webhook_secret": "whsec_test_recorded",
    "paypal_client_id": "paypal-client",
    "paypal_client_secret": "paypal-secret",
    "paypal_webhook_id": "WH-TEST",
}


@dataclass
class SentRequest:
    method: str
    path: str
    headers: dict[str, str]
    form: dict[str, list[str]]


def recorded_stripe_client(values: dict[str, Any]) -> Any:
    """A `stripe.HTTPClient` serving the JSON fixtures, with `{{name}}` filled from `values`, and
    keeping every request it got (headers included) in `.sent`."""
    import stripe

    class RecordedStripe(stripe.HTTPClient):
        name = "recorded"

        def __init__(self) -> None:
            super().__init__()
            self.sent: list[SentRequest] = []
            self.fail_with: int | None = None

        def request(
            self,
            method: str,
            url: str,
            headers: Mapping[str, str] | None,
            post_data: Any = None,
            *,
            _usage: list[str] | None = None,
        ) -> tuple[str, int, Mapping[str, str]]:
            parsed = urlsplit(url)
            form = parse_qs(post_data or parsed.query or "")
            self.sent.append(SentRequest(method.upper(), parsed.path, dict(headers or {}), form))
            if self.fail_with is not None:
                return (STRIPE_FIXTURES / "api_error.json").read_text(), self.fail_with, {}
            if method == "post" and parsed.path == "/v1/payment_intents":
                fixture = "payment_intent_created.json"
            elif method == "get" and parsed.path.startswith("/v1/payment_intents/"):
                fixture = "payment_intent_succeeded.json"
            elif method == "post" and parsed.path == "/v1/refunds":
                fixture = "refund_created.json"
            else:
                return json.dumps({"error": {"type": "invalid_request_error"}}), 404, {}
            body = (STRIPE_FIXTURES / fixture).read_text()
            for name, value in values.items():
                rendered = json.dumps(value)
                body = body.replace(f'"{{{{{name}}}}}"', rendered).replace(f"{{{{{name}}}}}", str(value))
            return body, 200, {"Request-Id": "req_recorded"}

        def request_stream(self, *args: Any, **kwargs: Any) -> tuple[Any, int, Mapping[str, str]]:
            raise NotImplementedError("the shop does not stream from Stripe")

        def close(self) -> None:
            pass

    return RecordedStripe()


def use_payment_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    """The payment secret in (moto's) Secrets Manager."""
    import boto3

    arn = boto3.client("secretsmanager", region_name="us-east-1").create_secret(
        Name="test/payments", SecretString=json.dumps(STRIPE_SECRETS)
    )["ARN"]
    monkeypatch.setenv(environment.PAYMENT_SECRETS_ARN, arn)
    reset_process_state()


def use_stripe(monkeypatch: pytest.MonkeyPatch, client: Any) -> None:
    """Stripe answering from `client`."""
    import stripe

    use_payment_secret(monkeypatch)
    monkeypatch.setattr(stripe, "RequestsClient", lambda **_options: client)
