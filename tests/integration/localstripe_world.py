"""A real localstripe process for the payment tests, the cards Stripe.js would tokenize, and an inbox for
the signed webhooks localstripe sends (to be handed to payment_api as API Gateway would)."""

from __future__ import annotations

import json
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from cdk_app.local.local_stripe import LocalPayments, start_localstripe
from shop.contracts import environment
from shop.platform.process_state import reset_process_state

# Stripe's test cards (https://docs.stripe.com/testing), which localstripe honours too.
CARD_OK = "4242424242424242"
CARD_DECLINED = "4000000000000002"
CARD_3DS = "4000002500003155"


@dataclass
class WebhookInbox:
    """Collects localstripe's webhook deliveries: (raw body, Stripe-Signature)."""

    deliveries: list[tuple[str, str]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def wait_for(self, event_type: str, payment_id: str, timeout: float = 10.0) -> tuple[str, str]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                for body, signature in self.deliveries:
                    event = json.loads(body)
                    if event["type"] == event_type and event["data"]["object"]["id"] == payment_id:
                        return body, signature
            time.sleep(0.05)
        raise AssertionError(f"no {event_type} webhook for {payment_id} within {timeout} s")


@dataclass
class LocalStripe:
    payments: LocalPayments
    inbox: WebhookInbox

    @property
    def api_base(self) -> str:
        assert self.payments.api_base is not None
        return self.payments.api_base

    def card_token(self, number: str) -> str:
        """What Stripe.js's createToken does in the page: the card to localstripe with the publishable key."""
        fields = {
            "card[number]": number,
            "card[exp_month]": "12",
            "card[exp_year]": "2034",
            "card[cvc]": "123",
            "key": self.payments.stripe_publishable_key,
        }
        token = self._post("/v1/tokens", fields)
        return str(token["id"])

    def authenticate(self, client_secret: str, *, success: bool) -> dict[str, Any]:
        """What Stripe.js's 3-D Secure prompt does when the shopper completes or fails it."""
        intent_id = client_secret.split("_secret_")[0]
        return self._post(
            f"/v1/payment_intents/{intent_id}/_authenticate?success={'true' if success else 'false'}",
            {"key": self.payments.stripe_publishable_key, "client_secret": client_secret},
        )

    def get(self, path: str) -> dict[str, Any]:
        request = urllib.request.Request(
            self.api_base + path, headers={"Authorization": f"Bearer {self.payments.stripe_secret_key}"}
        )
        with urllib.request.urlopen(request, timeout=5) as response:
            parsed: dict[str, Any] = json.loads(response.read())
            return parsed

    def _post(self, path: str, fields: dict[str, str]) -> dict[str, Any]:
        request = urllib.request.Request(
            self.api_base + path, data=urllib.parse.urlencode(fields).encode(), method="POST"
        )
        with urllib.request.urlopen(request, timeout=5) as response:
            parsed: dict[str, Any] = json.loads(response.read())
            return parsed


def _inbox_server(inbox: WebhookInbox) -> ThreadingHTTPServer:
    class Receiver(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
            with inbox.lock:
                inbox.deliveries.append((body, self.headers.get("Stripe-Signature") or ""))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *_args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def localstripe_in(monkeypatch: pytest.MonkeyPatch, stripe: LocalStripe) -> None:
    """The payment secret (moto's Secrets Manager) holds localstripe's keys; the provider calls it."""
    import boto3

    arn = boto3.client("secretsmanager", region_name="us-east-1").create_secret(
        Name="test/payments-localstripe", SecretString=stripe.payments.secret_value()
    )["ARN"]
    monkeypatch.setenv(environment.PAYMENT_SECRETS_ARN, arn)
    monkeypatch.setenv(environment.STRIPE_API_BASE, stripe.api_base)
    reset_process_state()


def running_localstripe() -> Iterator[LocalStripe]:
    """A localstripe whose webhooks land in the inbox; stopped when the generator closes."""
    inbox = WebhookInbox()
    server = _inbox_server(inbox)
    payments = start_localstripe(f"http://127.0.0.1:{server.server_address[1]}/webhook")
    try:
        yield LocalStripe(payments, inbox)
    finally:
        payments.stop()
        server.shutdown()
