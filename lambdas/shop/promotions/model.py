"""A promotion and its rules: who may use it, when, how often, and what it takes off.

Pure rules with no I/O: the cart previews them, the order applies them, and the unit tests check the
arithmetic. Every amount is in integer cents; a percent is a whole percent of the eligible lines.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from shop.contracts.admin_limits import MAX_PER_CUSTOMER, MAX_PERCENT, MAX_PRICE_CENTS, MAX_REDEMPTIONS

CODE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_-]{2,39}$"


class PromotionKind(StrEnum):
    PERCENT = "percent"  # value: whole percent of the eligible lines (1-100)
    FIXED = "fixed"  # value: cents off the eligible lines
    FREE_SHIPPING = "free_shipping"  # value unused: the order ships free


class PromotionRefused(ValueError):
    """A code this cart or order may not use, with a message fit for the shopper."""

    def __init__(self, message: str, *, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


def normalize_code(code: str) -> str:
    """Codes are matched case-insensitively and stored upper case."""
    return code.strip().upper()


def money(cents: int) -> str:
    return f"${cents // 100:,}.{cents % 100:02d}"


class PromotionTerms(BaseModel):
    """What an administrator sets (POST /admin/promotions); personal codes fill in `email`."""

    model_config = ConfigDict(extra="forbid")

    code: str = Field(pattern=CODE_PATTERN)
    kind: PromotionKind
    value: int = Field(default=0, ge=0, le=MAX_PRICE_CENTS, description="percent (1-100) or cents")
    description: str | None = Field(default=None, max_length=200)
    min_subtotal: int = Field(default=0, ge=0, le=MAX_PRICE_CENTS)
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    max_redemptions: int | None = Field(default=None, ge=1, le=MAX_REDEMPTIONS)
    per_customer_limit: int | None = Field(default=None, ge=1, le=MAX_PER_CUSTOMER)
    product_ids: list[str] = Field(default_factory=list, max_length=100)
    categories: list[str] = Field(default_factory=list, max_length=20)
    email: str | None = Field(default=None, max_length=254)
    active: bool = True

    @field_validator("code")
    @classmethod
    def _upper(cls, code: str) -> str:
        return normalize_code(code)

    @field_validator("starts_at", "ends_at")
    @classmethod
    def _aware(cls, moment: datetime | None) -> datetime | None:
        if moment is not None and moment.tzinfo is None:
            return moment.replace(tzinfo=UTC)
        return moment

    @field_validator("email")
    @classmethod
    def _lower(cls, email: str | None) -> str | None:
        return email.strip().lower() if email else None

    @model_validator(mode="after")
    def _consistent(self) -> PromotionTerms:
        if self.kind is PromotionKind.PERCENT and not 1 <= self.value <= MAX_PERCENT:
            raise ValueError(f"a percent promotion needs a value from 1 to {MAX_PERCENT}")
        if self.kind is PromotionKind.FIXED and self.value < 1:
            raise ValueError("a fixed promotion needs a value in cents above 0")
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValueError("ends_at must be after starts_at")
        return self


class PromotionChanges(BaseModel):
    """The fields an administrator may change later (PUT /admin/promotions/{code}); the code and kind stay."""

    model_config = ConfigDict(extra="forbid")

    active: bool | None = None
    description: str | None = Field(default=None, max_length=200)
    ends_at: datetime | None = None
    max_redemptions: int | None = Field(default=None, ge=1, le=MAX_REDEMPTIONS)
    per_customer_limit: int | None = Field(default=None, ge=1, le=MAX_PER_CUSTOMER)

    def fields(self) -> dict[str, Any]:
        return self.model_dump(mode="json", exclude_unset=True)


class Promotion(PromotionTerms):
    """A stored promotion with its redemption count."""

    model_config = ConfigDict(extra="ignore")

    redemptions: int = 0
    created_at: str = ""
    updated_at: str = ""

    @property
    def personal(self) -> bool:
        return self.email is not None

    @property
    def scoped(self) -> bool:
        return bool(self.product_ids or self.categories)

    def in_scope(self, product_id: str, category: str | None) -> bool:
        if not self.scoped:
            return True
        return product_id in self.product_ids or (category is not None and category in self.categories)

    def admin_view(self) -> dict[str, Any]:
        return self.model_dump(mode="json")


@dataclass(frozen=True)
class ScopedLine:
    """What a promotion needs to know about one line: which product, its category, its amount."""

    product_id: str
    category: str | None
    amount: int


@dataclass(frozen=True)
class Reduction:
    """What a promotion does to a cart: cents off the merchandise, and whether shipping is waived."""

    amount: int
    free_shipping: bool = False


def check_usable(promotion: Promotion, *, now: datetime, email: str | None) -> None:
    """PromotionRefused naming the problem unless the code may be used now by `email` (None: not known
    yet, as in a guest's cart; the order checks it)."""
    code = promotion.code
    if not promotion.active:
        raise PromotionRefused(f"code {code} is no longer active", reason="inactive")
    if promotion.starts_at is not None and now < promotion.starts_at:
        raise PromotionRefused(
            f"code {code} is valid from {promotion.starts_at.date().isoformat()}", reason="not_started"
        )
    if promotion.ends_at is not None and now >= promotion.ends_at:
        raise PromotionRefused(f"code {code} has expired", reason="expired")
    if promotion.max_redemptions is not None and promotion.redemptions >= promotion.max_redemptions:
        raise PromotionRefused(f"code {code} has been used up", reason="used_up")
    if promotion.email is not None and email is not None and promotion.email != email.strip().lower():
        raise PromotionRefused("this code is for another email address", reason="other_email")


def reduction(promotion: Promotion, lines: Sequence[ScopedLine]) -> Reduction:
    """What the promotion takes off these lines; PromotionRefused below its minimum subtotal or when
    no line is in its scope. Never negative, never more than the eligible lines."""
    subtotal = sum(line.amount for line in lines)
    if subtotal < promotion.min_subtotal:
        raise PromotionRefused(
            f"minimum subtotal {money(promotion.min_subtotal)} for code {promotion.code}",
            reason="below_minimum",
        )
    eligible = sum(line.amount for line in lines if promotion.in_scope(line.product_id, line.category))
    if promotion.scoped and eligible == 0:
        raise PromotionRefused(f"code {promotion.code} does not apply to these items", reason="out_of_scope")
    if promotion.kind is PromotionKind.FREE_SHIPPING:
        return Reduction(0, free_shipping=True)
    if promotion.kind is PromotionKind.PERCENT:
        return Reduction(eligible * promotion.value // 100)
    return Reduction(min(promotion.value, eligible))
