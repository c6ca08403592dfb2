"""Single-recipient discount codes for marketing mail, stored as personal promotions (shop.promotions)."""

from __future__ import annotations

import secrets
from datetime import datetime

from shop.marketing.triggers import Trigger
from shop.platform.settings import get_settings
from shop.promotions.service import shared_promotions

# Crockford's base32 without I, L, O, U: codes are typed by hand from an email.
_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_RANDOM_CHARACTERS = 10  # 50 random bits: collisions are negligible and codes cannot be guessed


def new_discount_code(prefix: str) -> str:
    """A fresh code such as CART10-7KQ2M9XD4F; random, so every email gets its own."""
    return f"{prefix}-" + "".join(secrets.choice(_ALPHABET) for _ in range(_RANDOM_CHARACTERS))


def personal_discount_code(trigger: Trigger, email: str, *, now: datetime) -> str | None:
    """The trigger's discount as a code only `email` may use, once, for the stage's
    `personal_code_days`; None for triggers without a discount (alerts)."""
    percent = trigger.discount_percent
    if not percent:
        return None
    promotion = shared_promotions().issue_personal(
        new_discount_code(trigger.code_prefix),
        percent=percent,
        email=email,
        valid_days=get_settings().personal_code_days,
        now=now,
    )
    return promotion.code
