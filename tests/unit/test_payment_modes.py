"""The sandbox provider can never run in prod, and it signs webhooks exactly as Stripe does."""

from __future__ import annotations

import time

import pytest
import stripe

from shop.payments.model import SandboxInProduction, idempotency_key
from shop.payments.providers import check_provider_mode
from shop.payments.sandbox_provider import stripe_signature
from shop.platform.settings import settings_from


def test_prod_refuses_the_sandbox_at_cold_start() -> None:
    with pytest.raises(SandboxInProduction):
        check_provider_mode(settings_from({"SHOP_STAGE": "prod", "PAYMENT_PROVIDER_MODE": "sandbox"}))


@pytest.mark.parametrize(("stage", "mode"), [("prod", "live"), ("local", "sandbox"), ("dev", "live")])
def test_other_combinations_start(stage: str, mode: str) -> None:
    check_provider_mode(settings_from({"SHOP_STAGE": stage, "PAYMENT_PROVIDER_MODE": mode}))


def test_the_sandbox_signature_passes_stripes_own_verification() -> None:
    payload = '{"id": "evt_1", "object": "event"}'
    header = stripe_signature(payload, "whsec_x", timestamp=int(time.time()))
    assert stripe.WebhookSignature.verify_header(payload, header, "whsec_x", tolerance=300)
    with pytest.raises(stripe.SignatureVerificationError):
        stripe.WebhookSignature.verify_header(payload + " ", header, "whsec_x", tolerance=300)


def test_idempotency_keys_are_per_order_and_action() -> None:
    assert idempotency_key("intent", "ord_1") == idempotency_key("intent", "ord_1")
    assert idempotency_key("intent", "ord_1") != idempotency_key("refund", "ord_1")
    assert idempotency_key("intent", "ord_1") != idempotency_key("intent", "ord_2")
