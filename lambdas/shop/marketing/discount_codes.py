"""Single-recipient discount codes for marketing mail."""

from __future__ import annotations

import secrets

# Crockford's base32 without I, L, O, U: codes are typed by hand from an email.
_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_RANDOM_CHARACTERS = 10  # 50 random bits: collisions are negligible and codes cannot be guessed


def new_discount_code(prefix: str) -> str:
    """A fresh code such as CART10-7KQ2M9XD4F; random, so every email gets its own."""
    return f"{prefix}-" + "".join(secrets.choice(_ALPHABET) for _ in range(_RANDOM_CHARACTERS))
