"""Opens and clicks of marketing emails, recorded on their MarketingQueue items from the signed pixel
and links (shop.email.engagement).

A forged or tampered token records nothing. Nor does an email whose recipient has since unsubscribed
or withdrawn the consent it was sent under: their later opens and clicks are not tracked (the click
still takes them to the page).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from shop.contracts.email_messages import EmailTemplate
from shop.email.consent import consenting_recipient
from shop.email.engagement import is_click_token, is_open_token, landing_url
from shop.email.repository import EmailPreferencesRepository
from shop.marketing.repository import MarketingQueueRepository
from shop.marketing.triggers import Trigger
from shop.platform.errors import Forbidden
from shop.platform.observability import logger


class ForgedLinkError(Forbidden):
    """403: the click's token was not made for this email and this page (or the page is not the shop's)."""

    code = "forged_link"


class EmailEngagement:
    def __init__(
        self,
        queue: MarketingQueueRepository | None = None,
        preferences: EmailPreferencesRepository | None = None,
    ) -> None:
        self.queue = queue or MarketingQueueRepository()
        self.preferences = preferences or EmailPreferencesRepository()

    def record_open(self, message_id: str, token: str, *, now: datetime) -> bool:
        """Record an open when the token is the email's; whether one was recorded."""
        if not is_open_token(message_id, token):
            logger.info("open pixel with a token that is not the email's", extra={"message_id": message_id})
            return False
        return self._record(message_id, lambda: self.queue.record_open(message_id, now=now))

    def follow_click(self, message_id: str, target: str, token: str, *, now: datetime) -> str:
        """Record the click and return where it lands; ForgedLinkError when the token is not this email's
        and this page's (nothing recorded, no redirect: the route is no open redirect)."""
        if not is_click_token(message_id, target, token):
            logger.info("click with a token that is not the email's", extra={"message_id": message_id})
            raise ForgedLinkError("this link is not valid")
        recorded = self._record(message_id, lambda: self.queue.record_click(message_id, now=now))
        return landing_url(target, message_id if recorded else None)

    def _record(self, message_id: str, record: Callable[[], bool]) -> bool:
        item = self.queue.get(message_id)
        if item is None:  # erased with its recipient's data, or expired 30 days after sending
            return False
        template = _template_of(item.get("trigger_type"))
        preferences = self.preferences.get(str(item.get("user_id")))
        if template is None or consenting_recipient(preferences, template) is None:
            return False
        return record()


def _template_of(trigger_type: object) -> EmailTemplate | None:
    try:
        return Trigger(str(trigger_type)).template
    except ValueError:
        return None
