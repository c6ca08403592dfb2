"""The message every producer puts on the email-notification queue, and email_sender consumes."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class EmailTemplate(StrEnum):
    ORDER_CONFIRMATION = "order_confirmation"
    PAYMENT_RECEIVED = "payment_received"
    ORDER_SHIPPED = "order_shipped"
    ORDER_CANCELLED = "order_cancelled"
    ORDER_REFUNDED = "order_refunded"
    ORDER_FAILED = "order_failed"
    LOW_STOCK_ALERT = "low_stock_alert"
    ABANDONED_CART = "abandoned_cart"
    BROWSE_ABANDONMENT = "browse_abandonment"
    PRICE_DROP = "price_drop"
    BACK_IN_STOCK = "back_in_stock"
    RECOMMENDATIONS = "recommendations"
    NEWSLETTER = "newsletter"


class EmailCategory(StrEnum):
    TRANSACTIONAL = "transactional"  # always sent
    MARKETING = "marketing"  # sent only with consent in EmailPreferences


# Which EmailPreferences flag governs each marketing template (seed 001's preference fields).
MARKETING_CONSENT_FIELD: dict[EmailTemplate, str] = {
    EmailTemplate.ABANDONED_CART: "abandoned_cart_emails",
    EmailTemplate.BROWSE_ABANDONMENT: "marketing_emails",
    EmailTemplate.PRICE_DROP: "price_drop_alerts",
    EmailTemplate.BACK_IN_STOCK: "back_in_stock_alerts",
    EmailTemplate.RECOMMENDATIONS: "product_recommendations",
    EmailTemplate.NEWSLETTER: "newsletter",
}


class EmailRequest(BaseModel):
    """One email to send. `dedupe_key` identifies the send: a second message with it sends nothing."""

    model_config = ConfigDict(frozen=True)

    template: EmailTemplate
    to: str = Field(min_length=3, max_length=254, pattern=r"^[^@\s]+@[^@\s]+$")
    category: EmailCategory
    dedupe_key: str = Field(min_length=1, max_length=256)
    user_id: str | None = None
    data: dict[str, Any] = Field(default_factory=dict)
