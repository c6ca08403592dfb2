"""Product reviews and helpfulness votes as shoppers submit and read them."""

from __future__ import annotations

import hashlib
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

ReviewId = Annotated[str, Field(pattern=r"^rev_[0-9a-f]{24}$")]
PUBLISHED = "published"


def review_id_for(product_id: str, user_id: str) -> str:
    """One review per user and product: the id is derived from both, so a second put collides."""
    digest = hashlib.sha256(f"{product_id}\n{user_id}".encode()).hexdigest()
    return f"rev_{digest[:24]}"


def vote_id_for(review_id: str, user_id: str) -> str:
    """A vote's key in the Reviews table (sort key: the product id): one item per user and review.

    Vote items carry neither `created_at` nor `user_id`, so neither review GSI ever lists them.
    """
    return f"VOTE#{review_id}#{user_id}"


class ReviewSubmission(BaseModel):
    """A review as a signed-in shopper submits it."""

    model_config = ConfigDict(extra="forbid")

    product_id: str = Field(min_length=1, max_length=64)
    rating: int = Field(ge=1, le=5)
    title: str = Field(default="", max_length=120)
    review_text: str = Field(default="", max_length=5000)
    user_name: str | None = Field(default=None, min_length=1, max_length=60)


class VoteSubmission(BaseModel):
    """Whether the voter found a review helpful."""

    model_config = ConfigDict(extra="forbid")

    helpful: bool


class Review(BaseModel):
    """A stored review."""

    model_config = ConfigDict(extra="ignore")

    review_id: str
    product_id: str
    user_id: str
    user_name: str
    rating: int
    title: str = ""
    review_text: str = ""
    verified_purchase: bool = False
    helpful_count: int = 0
    unhelpful_count: int = 0
    created_at: str
    status: str = PUBLISHED

    def public_view(self) -> dict[str, object]:
        """The JSON shoppers read (the reviewer's user id stays private)."""
        return self.model_dump(mode="json", exclude={"user_id"})
