"""Which Stripe the local shop uses: localstripe unless test-mode keys are in the environment; never
live keys; PayPal only with both of its credentials."""

from __future__ import annotations

import json

import pytest

from cdk_app.local.local_stripe import LocalStripeError, start_payments

WEBHOOK = "http://127.0.0.1:9/api/payment/webhook/stripe"


def test_stripe_test_mode_keys_use_stripe_itself_and_its_own_scripts() -> None:
    payments = start_payments(
        WEBHOOK,
        {"STRIPE_SECRET_KEY": "sk_test_abc", "STRIPE_PUBLISHABLE_KEY": "pk_test_abc"},
    )
    assert not payments.uses_localstripe
    assert payments.function_environment() == {}  # the SDK's default: api.stripe.com
    config = payments.scripts("http://127.0.0.1:8000").site_config()
    assert config["stripeJsUrl"] == "https://js.stripe.com/v3/"
    assert config["stripePublishableKey"] == "pk_test_abc"
    secret = json.loads(payments.secret_value())
    assert secret["stripe_secret_key"] == "sk_test_abc"
    assert secret["stripe_webhook_secret"].startswith("whsec_")
    assert "paypal_client_id" not in secret


@pytest.mark.parametrize(
    "keys",
    [
        {"STRIPE_SECRET_KEY": "sk_live_abc", "STRIPE_PUBLISHABLE_KEY": "pk_live_abc"},
        {"STRIPE_SECRET_KEY": "sk_live_abc", "STRIPE_PUBLISHABLE_KEY": "pk_test_abc"},
    ],
)
def test_live_keys_are_refused(keys: dict[str, str]) -> None:
    with pytest.raises(LocalStripeError, match="test-mode"):
        start_payments(WEBHOOK, keys)


def test_paypal_needs_both_credentials() -> None:
    stripe = {"STRIPE_SECRET_KEY": "sk_test_abc", "STRIPE_PUBLISHABLE_KEY": "pk_test_abc"}
    half = start_payments(WEBHOOK, {**stripe, "PAYPAL_CLIENT_ID": "AZ-client"})
    assert half.scripts("http://127.0.0.1:8000").site_config()["paypalClientId"] == ""
    whole = start_payments(WEBHOOK, {**stripe, "PAYPAL_CLIENT_ID": "AZ-client", "PAYPAL_CLIENT_SECRET": "s3"})
    assert whole.scripts("http://127.0.0.1:8000").site_config()["paypalClientId"] == "AZ-client"
    assert json.loads(whole.secret_value())["paypal_client_secret"] == "s3"


def test_without_keys_a_localstripe_starts_behind_the_site() -> None:
    payments = start_payments(WEBHOOK, {})
    try:
        assert payments.uses_localstripe
        assert payments.api_base is not None
        assert payments.function_environment() == {"STRIPE_API_BASE": payments.api_base}
        config = payments.scripts("http://127.0.0.1:8000").site_config()
        assert config["stripeJsUrl"] == "http://127.0.0.1:8000/_local/stripe/js.stripe.com/v3/"
        policy = payments.scripts("http://127.0.0.1:8000").content_security_policy()
        assert "script-src 'self' http://127.0.0.1:8000 https://www.paypal.com;" in policy
    finally:
        payments.stop()
    assert payments.process is None
