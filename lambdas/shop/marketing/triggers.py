"""Why a marketing email is sent: each trigger's template, discount and code prefix."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from enum import StrEnum
from typing import Any

from shop.contracts.email_messages import EmailTemplate


class Trigger(StrEnum):
    """The `trigger_type` of a MarketingQueue item (the same values as the email templates)."""

    ABANDONED_CART = EmailTemplate.ABANDONED_CART.value
    BROWSE_ABANDONMENT = EmailTemplate.BROWSE_ABANDONMENT.value
    PRICE_DROP = EmailTemplate.PRICE_DROP.value
    BACK_IN_STOCK = EmailTemplate.BACK_IN_STOCK.value
    RECOMMENDATIONS = EmailTemplate.RECOMMENDATIONS.value

    @property
    def template(self) -> EmailTemplate:
        return EmailTemplate(self.value)

    @property
    def discount_percent(self) -> int | None:
        """Seed 001: 10 % to win back an abandoned cart, 5 % after browse abandonment, none for alerts."""
        return _DISCOUNT_PERCENT.get(self)

    @property
    def code_prefix(self) -> str:
        return _CODE_PREFIX[self]


_DISCOUNT_PERCENT = {Trigger.ABANDONED_CART: 10, Trigger.BROWSE_ABANDONMENT: 5}
_CODE_PREFIX = {
    Trigger.ABANDONED_CART: "CART10",
    Trigger.BROWSE_ABANDONMENT: "LOOK5",
    Trigger.PRICE_DROP: "DROP",
    Trigger.BACK_IN_STOCK: "BACK",
    Trigger.RECOMMENDATIONS: "PICKS",
}


@dataclass
class ScanSummary:
    """What one scan did; `candidates` = queued + every kind of skip."""

    trigger_type: str
    candidates: int = 0
    queued: int = 0
    skipped_no_consent: int = 0
    skipped_no_address: int = 0
    skipped_duplicate: int = 0
    # Items an earlier run wrote but could not hand to the email queue, sent by this run.
    resent: int = 0

    def body(self) -> dict[str, Any]:
        return asdict(self)
