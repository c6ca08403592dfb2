"""Submitting, reading and voting on reviews: the rules around the review repository."""

from __future__ import annotations

import re
from dataclasses import dataclass

from shop.catalog.service import Catalog, shared_catalog
from shop.orders.repository import OrderRepository
from shop.platform.clock import now_iso
from shop.platform.errors import BadRequest, Conflict, NotFound
from shop.platform.pagination import decode_cursor, encode_cursor
from shop.platform.process_state import per_process
from shop.reviews.model import Review, ReviewSubmission, review_id_for
from shop.reviews.repository import (
    DuplicateReviewError,
    DuplicateVoteError,
    ReviewMissingError,
    ReviewRepository,
)

DEFAULT_REVIEW_PAGE = 20
MAX_REVIEW_PAGE = 100
_CURSOR_KEYS = {"review_id", "product_id", "created_at"}
# Shown when nothing name-like is known of the reviewer: the token's email must never be published.
ANONYMOUS_REVIEWER = "Shopper"
_NAME_PARTS = re.compile(r"[A-Za-z]{2,}")
_MAX_SHOWN_NAME = 60


def reviewer_name(*, profile_name: str | None, token_name: str | None, email: str | None) -> str:
    """The name a review shows when the reviewer typed none: the account's display name (the profile's,
    which the shopper edits on the account page, else the name given at sign-up, the token's `name`
    claim), else the first name-like word of the address's local part ("ruth.miller42@…" → "Ruth"),
    else "Shopper". Never the address itself, nor its domain."""
    for name in (profile_name, token_name):
        if name and name.strip():
            return " ".join(name.split())[:_MAX_SHOWN_NAME]
    if email and "@" in email:
        local_part = email.split("@", 1)[0]
        word = _NAME_PARTS.search(local_part)
        if word:
            return word.group(0).capitalize()
    return ANONYMOUS_REVIEWER


@dataclass(frozen=True)
class ReviewPage:
    reviews: list[Review]
    next_cursor: str | None


class ProductReviews:
    """One review per shopper and product, counted exactly on the product; votes once per shopper."""

    def __init__(self, catalog: Catalog, repository: ReviewRepository) -> None:
        self.catalog = catalog
        self.repository = repository

    def submit(
        self, submission: ReviewSubmission, *, user_id: str, display_name: str = ANONYMOUS_REVIEWER
    ) -> Review:
        """Publish the shopper's review under the name they typed, else their `display_name`
        (reviewer_name); "Verified purchase" when one of their orders of the product was paid for."""
        self.catalog.product(submission.product_id)
        review = Review(
            review_id=review_id_for(submission.product_id, user_id),
            product_id=submission.product_id,
            user_id=user_id,
            user_name=submission.user_name or display_name,
            rating=submission.rating,
            title=submission.title,
            review_text=submission.review_text,
            verified_purchase=OrderRepository().has_bought(user_id, submission.product_id),
            created_at=now_iso(),
        )
        try:
            self.repository.add(review)
        except DuplicateReviewError:
            raise Conflict(
                "you have already reviewed this product", field="product_id", review_id=review.review_id
            ) from None
        except ReviewMissingError:
            raise NotFound(f"no product {submission.product_id}", field="product_id") from None
        # The transaction bumped the product's cache_version: cache the new rating for every view.
        product = self.catalog.repository.get(submission.product_id, consistent=True)
        if product is not None:
            self.catalog.remember([product])
        return review

    def page(self, product_id: str, *, limit: int, cursor: str | None) -> ReviewPage:
        """Published reviews of an active product, newest first."""
        self.catalog.product(product_id)
        start_key = None
        if cursor:
            state = decode_cursor(cursor)
            if set(state) != _CURSOR_KEYS or state.get("product_id") != product_id:
                raise BadRequest("cursor belongs to a different listing", field="cursor")
            if not all(isinstance(value, str) for value in state.values()):
                raise BadRequest("cursor is not one this API issued", field="cursor")
            start_key = state
        reviews, last_key = self.repository.for_product(product_id, limit=limit, start_key=start_key)
        return ReviewPage(reviews=reviews, next_cursor=encode_cursor(dict(last_key)) if last_key else None)

    def vote(self, *, product_id: str, review_id: str, user_id: str, helpful: bool) -> Review:
        try:
            return self.repository.vote(
                review_id=review_id, product_id=product_id, user_id=user_id, helpful=helpful
            )
        except ReviewMissingError:
            raise NotFound(f"no review {review_id} for product {product_id}", field="review_id") from None
        except DuplicateVoteError:
            raise Conflict("you have already voted on this review", field="review_id") from None


@per_process
def shared_reviews() -> ProductReviews:
    return ProductReviews(shared_catalog(), ReviewRepository())
