"""What the shop does with promotions: check a code for a cart or an order, administer the codes, and
mint the personal codes of marketing mail."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from shop.contracts.starting_promotions import STARTING_PROMOTIONS as STARTING_TERMS
from shop.platform.clock import now_iso, utc_now
from shop.platform.errors import Conflict, NotFound
from shop.platform.process_state import per_process
from shop.promotions.model import (
    Promotion,
    PromotionChanges,
    PromotionKind,
    PromotionRefused,
    PromotionTerms,
    Reduction,
    ScopedLine,
    check_usable,
    normalize_code,
    reduction,
)
from shop.promotions.repository import PromotionExistsError, PromotionMissingError, PromotionRepository


@dataclass(frozen=True)
class AppliedPromotion:
    """A code that may be used on these lines, and what it takes off."""

    promotion: Promotion
    reduction: Reduction


class Promotions:
    """Checks codes for carts and orders; the admin operations; personal codes."""

    def __init__(self, repository: PromotionRepository | None = None) -> None:
        self.repository = repository or PromotionRepository()

    def apply(
        self,
        code: str,
        lines: Sequence[ScopedLine],
        *,
        email: str | None,
        consistent: bool = False,
        now: datetime | None = None,
    ) -> AppliedPromotion:
        """The promotion behind `code` and its reduction of `lines`; PromotionRefused naming the problem
        (unknown, inactive, not started, expired, used up, another shopper's, below its minimum, ...)."""
        promotion = self.usable(code, email=email, consistent=consistent, now=now)
        return AppliedPromotion(promotion, reduction(promotion, lines))

    def usable(
        self, code: str, *, email: str | None, consistent: bool = True, now: datetime | None = None
    ) -> Promotion:
        """The promotion if `email` may use it now, whatever the cart; PromotionRefused otherwise."""
        wanted = normalize_code(code)
        promotion = self.repository.get(wanted, consistent=consistent) if wanted else None
        if promotion is None:
            raise PromotionRefused(f"unknown discount code {code.strip()!r}", reason="unknown")
        check_usable(promotion, now=now or utc_now(), email=email)
        limit = promotion.per_customer_limit
        if (
            email is not None
            and limit is not None
            and self.repository.uses_by(promotion.code, email) >= limit
        ):
            raise PromotionRefused(f"you have already used code {promotion.code}", reason="used_by_you")
        return promotion

    def redemption_items(self, promotion: Promotion, email: str) -> list[dict[str, Any]]:
        """The writes that redeem `promotion` for `email` inside the order's transaction."""
        return self.repository.redemption(promotion, email)

    def release_items(self, code: str, email: str) -> list[dict[str, Any]]:
        """The writes that give one redemption back inside the transaction that closes the order."""
        return self.repository.release(normalize_code(code), email)

    # -- administration --------------------------------------------------------------------------

    def create(self, terms: PromotionTerms) -> Promotion:
        timestamp = now_iso()
        promotion = Promotion.model_validate(
            {**terms.model_dump(), "redemptions": 0, "created_at": timestamp, "updated_at": timestamp}
        )
        try:
            self.repository.create(promotion)
        except PromotionExistsError:
            raise Conflict(f"a promotion with code {promotion.code} exists already", field="code") from None
        return promotion

    def get(self, code: str) -> Promotion:
        promotion = self.repository.get(normalize_code(code), consistent=True)
        if promotion is None:
            raise NotFound(f"no promotion {normalize_code(code)}", field="code")
        return promotion

    def update(self, code: str, changes: PromotionChanges) -> Promotion:
        try:
            return self.repository.update(normalize_code(code), changes.fields())
        except PromotionMissingError:
            raise NotFound(f"no promotion {normalize_code(code)}", field="code") from None

    def shared(self) -> list[Promotion]:
        """Every shared promotion with its redemption count, newest first. The first listing of a stage
        with none stores the starting codes (docs/decisions.md, "Promotions in a table")."""
        listed = list(self.repository.shared())
        if not listed and self.seed(STARTING_PROMOTIONS):
            listed = list(self.repository.shared())
        return listed

    def seed(self, terms: Sequence[PromotionTerms]) -> list[str]:
        """Create the promotions not stored yet (the stage's starting codes); the codes created."""
        created = []
        for each in terms:
            if self.repository.get(each.code, consistent=True) is None:
                try:
                    self.create(each)
                except Conflict:
                    continue
                created.append(each.code)
        return created

    # -- personal codes --------------------------------------------------------------------------

    def issue_personal(
        self, code: str, *, percent: int, email: str, valid_days: int, now: datetime
    ) -> Promotion:
        """A single-use percent code for one email address, valid for `valid_days` from `now`."""
        terms = PromotionTerms(
            code=code,
            kind=PromotionKind.PERCENT,
            value=percent,
            description=f"personal {percent} % code",
            starts_at=now,
            ends_at=now + timedelta(days=valid_days),
            max_redemptions=1,
            per_customer_limit=1,
            email=email,
        )
        return self.create(terms)


# Today's two codes, once fixed in cdk.json: every stage starts with them (docs/decisions.md).
STARTING_PROMOTIONS = tuple(PromotionTerms.model_validate(terms) for terms in STARTING_TERMS)


@per_process
def shared_promotions() -> Promotions:
    """The process-wide promotion service."""
    return Promotions()
