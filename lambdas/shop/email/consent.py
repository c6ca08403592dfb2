"""Who may receive which marketing email, decided from a user's stored preferences."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from shop.contracts.email_messages import MARKETING_CONSENT_FIELD, EmailTemplate


@dataclass(frozen=True)
class Recipient:
    user_id: str
    email: str | None
    unsubscribe_token: str | None


def consenting_recipient(preferences: dict[str, Any] | None, template: EmailTemplate) -> Recipient | None:
    """The recipient when the user has opted in to this kind of mail, else None.

    No preferences item means no consent: new accounts start opted out, and marketing mail needs
    an explicit yes. `unsubscribed` overrides every individual flag.
    """
    if preferences is None or preferences.get("unsubscribed") is True:
        return None
    if preferences.get(MARKETING_CONSENT_FIELD[template]) is not True:
        return None
    email = preferences.get("email")
    return Recipient(
        user_id=str(preferences["user_id"]),
        email=str(email) if email else None,
        unsubscribe_token=preferences.get("unsubscribe_token"),
    )
