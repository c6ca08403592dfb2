"""The payment secret (Data stack): provider keys read from Secrets Manager, cached, never logged."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, SecretStr

from shop.platform.process_state import on_reset
from shop.platform.settings import MissingSetting, get_settings

# Keys rotate rarely; five minutes bounds how long a rotated key keeps being used.
SECRET_MAX_AGE_SECONDS = 300


class PaymentSecrets(BaseModel):
    """The JSON of the payment secret. SecretStr keeps the values out of reprs and logs."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    stripe_secret_key: SecretStr
    stripe_webhook_secret: SecretStr
    paypal_client_id: SecretStr | None = None
    paypal_client_secret: SecretStr | None = None
    paypal_webhook_id: SecretStr | None = None


def payment_secrets() -> PaymentSecrets:
    """Read through Powertools' cached `get_secret`: one Secrets Manager call per five minutes."""
    from aws_lambda_powertools.utilities.parameters import get_secret

    arn = get_settings().payment_secrets_arn
    if not arn:
        raise MissingSetting("PAYMENT_SECRETS_ARN is not in this function's environment")
    raw: Any = get_secret(arn, transform="json", max_age=SECRET_MAX_AGE_SECONDS)
    return PaymentSecrets.model_validate(raw)


def _forget_cached_secrets() -> None:
    from aws_lambda_powertools.utilities.parameters import clear_caches

    clear_caches()  # type: ignore[no-untyped-call]


# The tests and the local runner start several shops in one process, each with its own secret.
on_reset(_forget_cached_secrets)
