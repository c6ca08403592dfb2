"""Reviews and votes in DynamoDB, written in transactions with the counters they move.

A review and the product's `ADD rating_total, review_count` commit together, as do a vote and the
review's helpful/unhelpful count, so counts stay exact under concurrency with no read-modify-write.
"""

from __future__ import annotations

import random
import time
from typing import Any

from shop.catalog.repository import ProductRepository
from shop.contracts.tables import REVIEWS
from shop.platform.clock import now_iso
from shop.platform.dynamodb import (
    attr,
    cancellation_codes,
    dynamodb_resource,
    every_item,
    from_item,
    key,
    table,
    transaction_conflict,
)
from shop.reviews.model import PUBLISHED, Review, vote_id_for

PRODUCT_REVIEWS_INDEX = REVIEWS.index("product_id-created_at-index").name
TRANSACTION_ATTEMPTS = 6
CONDITION_FAILED = "ConditionalCheckFailed"


class DuplicateReviewError(Exception):
    """The user has already reviewed this product."""


class DuplicateVoteError(Exception):
    """The user has already voted on this review."""


class ReviewMissingError(LookupError):
    """The review (or product) a write refers to does not exist."""


def _transact(items: list[dict[str, Any]]) -> list[str] | None:
    """Run a transaction, retrying concurrent-transaction conflicts; the cancellation codes on failure."""
    # The resource's client takes and returns plain Python values (boto3 registers its serializer on it).
    client = dynamodb_resource().meta.client
    for attempt in range(TRANSACTION_ATTEMPTS):
        try:
            client.transact_write_items(TransactItems=items)
            return None
        except client.exceptions.TransactionCanceledException as error:
            if not transaction_conflict(error) or attempt == TRANSACTION_ATTEMPTS - 1:
                return cancellation_codes(error)
            # Several shoppers reviewing one product contend on its counters: back off with jitter.
            time.sleep(random.uniform(0, 0.02 * 2**attempt))  # noqa: S311 - jitter, not cryptography
    raise AssertionError("unreachable")


class ReviewRepository:
    """Reads and writes of the Reviews table (and the counters on Products that reviews move)."""

    def add(self, review: Review) -> None:
        """Store a review and count it on its product (raises DuplicateReviewError, ReviewMissingError)."""
        item = {key: value for key, value in review.model_dump(mode="json").items() if value is not None}
        codes = _transact(
            [
                {
                    "Put": {
                        "TableName": table(REVIEWS.logical_name).name,
                        "Item": item,
                        "ConditionExpression": "attribute_not_exists(review_id)",
                    }
                },
                ProductRepository().rating_added(review.product_id, review.rating),
            ]
        )
        if codes is None:
            return
        if codes[0] == CONDITION_FAILED:
            raise DuplicateReviewError(review.review_id)
        if codes[1] == CONDITION_FAILED:
            raise ReviewMissingError(review.product_id)
        raise RuntimeError(f"review transaction cancelled: {codes}")

    def vote(self, *, review_id: str, product_id: str, user_id: str, helpful: bool) -> Review:
        """Record one vote and count it on the review (raises DuplicateVoteError, ReviewMissingError)."""
        counter = "helpful_count" if helpful else "unhelpful_count"
        codes = _transact(
            [
                {
                    "Put": {
                        "TableName": table(REVIEWS.logical_name).name,
                        # No created_at/user_id attributes: votes stay out of both review GSIs.
                        "Item": {
                            "review_id": vote_id_for(review_id, user_id),
                            "product_id": product_id,
                            "voter_id": user_id,
                            "helpful": helpful,
                            "voted_at": now_iso(),
                        },
                        "ConditionExpression": "attribute_not_exists(review_id)",
                    }
                },
                {
                    "Update": {
                        "TableName": table(REVIEWS.logical_name).name,
                        "Key": {"review_id": review_id, "product_id": product_id},
                        "UpdateExpression": f"ADD {counter} :one",
                        "ConditionExpression": "attribute_exists(review_id)",
                        "ExpressionAttributeValues": {":one": 1},
                    }
                },
            ]
        )
        if codes is not None:
            if codes[1] == CONDITION_FAILED:
                raise ReviewMissingError(review_id)
            if codes[0] == CONDITION_FAILED:
                raise DuplicateVoteError(review_id)
            raise RuntimeError(f"vote transaction cancelled: {codes}")
        review = self.get(review_id, product_id)
        if review is None:
            raise ReviewMissingError(review_id)
        return review

    def get(self, review_id: str, product_id: str) -> Review | None:
        response = table(REVIEWS.logical_name).get_item(
            Key={"review_id": review_id, "product_id": product_id}, ConsistentRead=True
        )
        item = response.get("Item")
        return Review.model_validate(from_item(item)) if item else None

    def for_product(
        self, product_id: str, *, limit: int, start_key: dict[str, str] | None
    ) -> tuple[list[Review], dict[str, str] | None]:
        """Published reviews newest first, and the key to continue from (None when there are no more)."""
        reviews: list[Review] = []
        arguments: dict[str, Any] = {
            "IndexName": PRODUCT_REVIEWS_INDEX,
            "KeyConditionExpression": key("product_id").eq(product_id),
            "FilterExpression": attr("status").eq(PUBLISHED),
            "ScanIndexForward": False,
        }
        if start_key:
            arguments["ExclusiveStartKey"] = start_key
        last_key: dict[str, str] | None = None
        while len(reviews) < limit:
            # Asking for exactly the number still missing keeps LastEvaluatedKey on the last item returned.
            response = table(REVIEWS.logical_name).query(**arguments, Limit=limit - len(reviews))
            reviews.extend(Review.model_validate(from_item(item)) for item in response.get("Items", []))
            last_key = response.get("LastEvaluatedKey")
            if not last_key:
                break
            arguments["ExclusiveStartKey"] = last_key
        return reviews, last_key

    def reviews_of_user(self, user_id: str) -> list[dict[str, Any]]:
        """Every review the user wrote, as stored, any status (user_id-created_at-index, all pages)."""
        arguments: dict[str, Any] = {
            "IndexName": REVIEWS.index("user_id-created_at-index").name,
            "KeyConditionExpression": key("user_id").eq(user_id),
        }
        return self._every_page("query", arguments)

    def votes_of_user(self, user_id: str) -> list[dict[str, Any]]:
        """Every vote the user cast, as stored."""
        # Votes carry no indexed user attribute (they must stay out of the review GSIs): deletion is rare
        # enough that a filtered scan is cheaper than an index every vote would pay for.
        return self._every_page("scan", {"FilterExpression": attr("voter_id").eq(user_id)})

    def reattribute_review(self, review: dict[str, Any], *, user_id: str, user_name: str) -> None:
        """Show a review under another user id and name; its rating, text and counts stay."""
        table(REVIEWS.logical_name).update_item(
            Key={"review_id": review["review_id"], "product_id": review["product_id"]},
            UpdateExpression="SET user_id = :anonymous, user_name = :name",
            ExpressionAttributeValues={":anonymous": user_id, ":name": user_name},
        )

    def reattribute_vote(self, vote: dict[str, Any], *, voter_id: str) -> None:
        """Give a vote another voter, then delete the original: the key embeds the voter, and the
        rewritten key keeps "one vote per voter" true."""
        rewritten = {
            **vote,
            "review_id": vote_id_for(str(vote["review_id"]).split("#")[1], voter_id),
            "voter_id": voter_id,
        }
        table(REVIEWS.logical_name).put_item(Item=rewritten)
        table(REVIEWS.logical_name).delete_item(
            Key={"review_id": vote["review_id"], "product_id": vote["product_id"]}
        )

    def _every_page(self, operation: str, arguments: dict[str, Any]) -> list[dict[str, Any]]:
        """The items of every page of a Query or Scan."""
        return list(every_item(getattr(table(REVIEWS.logical_name), operation), **arguments))
