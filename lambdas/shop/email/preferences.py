"""A shopper's email preferences: the marketing flags, the changes a shopper may send, the page's view.

New accounts start opted out of every marketing email: shop.email.consent sends marketing mail
only on an explicit `true`, and `unsubscribed` overrides every flag. The unsubscribe token is
per user, unguessable (256 bits), and found through unsubscribe_token-index (shop.email.repository),
so the link in an email works signed out and reveals nothing about the account.
"""

from __future__ import annotations

import re
import secrets
from typing import Any, Final, Literal

from pydantic import BaseModel, ConfigDict

from shop.contracts.email_messages import MARKETING_CONSENT_FIELD

# Seed 001's preference fields, in its order (each governs a kind of marketing mail).
MARKETING_FLAGS: Final[tuple[str, ...]] = (
    "marketing_emails",
    "abandoned_cart_emails",
    "price_drop_alerts",
    "back_in_stock_alerts",
    "product_recommendations",
    "newsletter",
)
assert set(MARKETING_CONSENT_FIELD.values()) <= set(MARKETING_FLAGS)
# secrets.token_urlsafe(32): 43 URL-safe characters. Anything else cannot be a token we issued.
UNSUBSCRIBE_TOKEN = re.compile(r"^[A-Za-z0-9_-]{43}$")


def new_unsubscribe_token() -> str:
    return secrets.token_urlsafe(32)


# Where a shopper said yes to marketing mail: the sign-up form's opt-in or the preferences page.
ConsentSource = Literal["signup", "preferences"]


class PreferenceChanges(BaseModel):
    """PUT /me/preferences: any of the six flags and `unsubscribed`; fields not sent stay as they are.
    `consent_source` says where a yes was given (default: the preferences page); it is stored with
    the time of the yes (`marketing_consent_at`, `marketing_consent_source`)."""

    model_config = ConfigDict(extra="forbid")

    marketing_emails: bool | None = None
    abandoned_cart_emails: bool | None = None
    price_drop_alerts: bool | None = None
    back_in_stock_alerts: bool | None = None
    product_recommendations: bool | None = None
    newsletter: bool | None = None
    unsubscribed: bool | None = None
    consent_source: ConsentSource | None = None


assert set(PreferenceChanges.model_fields) == {*MARKETING_FLAGS, "unsubscribed", "consent_source"}


def public_view(item: dict[str, Any]) -> dict[str, Any]:
    """What the preferences page shows: the flags, `unsubscribed` and the address mail goes to."""
    view: dict[str, Any] = {flag: bool(item.get(flag, False)) for flag in (*MARKETING_FLAGS, "unsubscribed")}
    view["email"] = item.get("email")
    view["updated_at"] = item.get("updated_at")
    return view
