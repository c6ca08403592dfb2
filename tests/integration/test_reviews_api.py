"""Reviews and votes through shop_api's real handler; exact counters under concurrency."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import boto3
import pytest
from botocore.client import BaseClient

from shop.catalog.repository import ProductRepository
from shop.reviews.model import ReviewSubmission
from shop.reviews.service import shared_reviews
from tests.integration.conftest import Call
from tests.integration.events import api_event, shopper_claims

CreateProduct = Callable[..., dict[str, Any]]


def submit(shop_api: Call, user: str | None, body: Any) -> Any:
    return shop_api(api_event("POST", "/reviews", body=body, claims=shopper_claims(user) if user else None))


def product_of(shop_api: Call, product_id: str) -> dict[str, Any]:
    body: dict[str, Any] = shop_api(
        api_event("GET", "/products/{id}", path_parameters={"id": product_id})
    ).body
    return body


def vote(shop_api: Call, user: str | None, product_id: str, review_id: str, helpful: Any) -> Any:
    return shop_api(
        api_event(
            "POST",
            "/reviews/{product_id}/{review_id}/vote",
            path_parameters={"product_id": product_id, "review_id": review_id},
            body={"helpful": helpful},
            claims=shopper_claims(user) if user else None,
        )
    )


def test_review_updates_rating_and_a_second_review_by_the_same_user_is_409(
    shop_api: Call, create_product: CreateProduct
) -> None:
    product_id = create_product()["product_id"]
    product_of(shop_api, product_id)  # cache the product before the reviews arrive

    first = submit(
        shop_api, "u1", {"product_id": product_id, "rating": 4, "title": "Good", "review_text": "Solid"}
    )
    second = submit(shop_api, "u2", {"product_id": product_id, "rating": 5})
    again = submit(shop_api, "u1", {"product_id": product_id, "rating": 1})

    assert first.status == second.status == 201
    assert first.body["rating"] == 4
    assert first.body["verified_purchase"] is False
    assert "user_id" not in first.body
    assert first.body["user_name"] == "Shopper"
    assert again.status == 409
    product = product_of(shop_api, product_id)
    assert (product["review_count"], product["rating"]) == (2, 4.5)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"rating": 6}, "rating"),
        ({"rating": 0}, "rating"),
        ({"rating": "five"}, "rating"),
        ({"rating": 3, "title": "x" * 121}, "title"),
    ],
)
def test_invalid_review_is_rejected_and_not_counted(
    shop_api: Call, create_product: CreateProduct, body: dict[str, Any], field: str
) -> None:
    product_id = create_product()["product_id"]
    response = submit(shop_api, "u1", {"product_id": product_id, **body})
    assert response.status == 422
    assert field in response.body["field"]
    assert product_of(shop_api, product_id)["review_count"] == 0


def test_reviews_need_a_signed_in_caller_and_a_known_product(
    shop_api: Call, create_product: CreateProduct
) -> None:
    product_id = create_product()["product_id"]
    assert submit(shop_api, None, {"product_id": product_id, "rating": 5}).status == 401
    assert submit(shop_api, "u1", {"product_id": "prod_unknown", "rating": 5}).status == 404
    assert product_of(shop_api, product_id)["review_count"] == 0


def test_verified_purchase_means_a_paid_order_of_the_product_not_given_back(
    shop_api: Call, create_product: CreateProduct, shop_env: dict[str, str]
) -> None:
    product_id = create_product()["product_id"]
    other_product = create_product()["product_id"]
    orders = boto3.resource("dynamodb").Table(shop_env["ORDERS_TABLE"])
    statuses = {
        "paid": True,
        "processing": True,
        "shipped": True,
        "delivered": True,
        "pending": False,
        "refunded": False,
        "cancelled": False,
        "failed": False,
    }
    for number, status in enumerate(statuses):
        orders.put_item(
            Item={
                "order_id": f"o-{number}",
                "user_id": f"buyer-{status}",
                "order_date": f"2026-10-{number + 1:02d}T10:00:00Z",
                "order_status": status,
                "items": [{"product_id": product_id, "quantity": 1}],
            }
        )
    # A paid order of another product verifies nothing about this one.
    orders.put_item(
        Item={
            "order_id": "o-other",
            "user_id": "buyer-other",
            "order_date": "2026-10-20T10:00:00Z",
            "order_status": "delivered",
            "items": [{"product_id": other_product, "quantity": 1}],
        }
    )

    verified = {
        status: submit(shop_api, f"buyer-{status}", {"product_id": product_id, "rating": 5}).body[
            "verified_purchase"
        ]
        for status in statuses
    }

    assert verified == statuses
    assert (
        submit(shop_api, "buyer-other", {"product_id": product_id, "rating": 4}).body["verified_purchase"]
        is False
    )


def test_the_shown_name_is_the_accounts_display_name_never_the_email(
    shop_api: Call, create_product: CreateProduct, shop_env: dict[str, str]
) -> None:
    product_id = create_product()["product_id"]
    users = boto3.resource("dynamodb").Table(shop_env["USERS_TABLE"])
    users.put_item(
        Item={
            "user_id": "profiled",
            "email": "p.q@example.com",
            "name": "Ruth  Miller",
            "created_at": "2026-10-01T10:00:00.000Z",
            "updated_at": "2026-10-01T10:00:00.000Z",
            "revision": 1,
        }
    )

    def shown(user_id: str, email: str, *, token_name: str | None = None, **body: Any) -> str:
        claims = shopper_claims(user_id, email=email)
        if token_name:
            claims["name"] = token_name
        answer = shop_api(
            api_event("POST", "/reviews", body={"product_id": product_id, "rating": 4, **body}, claims=claims)
        )
        assert answer.status == 201, answer.body
        name: str = answer.body["user_name"]
        return name

    # The profile's name (the account page) comes before the sign-up name in the token.
    assert shown("profiled", "p.q@example.com", token_name="Signup Name") == "Ruth Miller"
    assert shown("signed-up", "x@example.com", token_name="Naomi Ward") == "Naomi Ward"
    # Nothing else known: the first name-like word of the address, never the address.
    assert shown("no-name", "boaz.smith42@example.com") == "Boaz"
    assert shown("no-word", "x7@example.com") == "Shopper"
    assert shown("typed", "typed@example.com", token_name="Token Name", user_name="T. R.") == "T. R."
    listed = shop_api(
        api_event("GET", "/reviews/{product_id}", path_parameters={"product_id": product_id})
    ).body["reviews"]
    assert not any("@" in review["user_name"] for review in listed)


@pytest.fixture
def atomic_requests(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make each AWS request atomic, as DynamoDB's are; moto's in-process backend is not thread-safe.

    Requests of different threads still interleave, so a read-modify-write across two requests would
    still lose updates here: only the exactness of single atomic requests is borrowed from DynamoDB.
    """
    lock = threading.Lock()
    original = BaseClient._make_api_call

    def atomic(self: BaseClient, operation_name: str, api_params: dict[str, Any]) -> Any:
        with lock:
            return original(self, operation_name, api_params)

    monkeypatch.setattr(BaseClient, "_make_api_call", atomic)


def test_concurrent_reviews_keep_exact_counts(
    shop_api: Call, create_product: CreateProduct, atomic_requests: None
) -> None:
    product_id = create_product()["product_id"]
    ratings = [(n % 5) + 1 for n in range(40)]
    reviews = shared_reviews()

    # The resolver keeps the current event on the app object, so threads call the domain service
    # (what every concurrent Lambda invocation runs) rather than one shared handler instance.
    def review(position: int) -> None:
        reviews.submit(
            ReviewSubmission(product_id=product_id, rating=ratings[position]), user_id=f"user-{position}"
        )

    with ThreadPoolExecutor(max_workers=12) as pool:
        list(pool.map(review, range(len(ratings))))

    stored = ProductRepository().get(product_id, consistent=True)
    assert stored is not None
    assert (stored.review_count, stored.rating_total) == (40, sum(ratings))
    served = product_of(shop_api, product_id)
    assert (served["review_count"], served["rating"]) == (40, round(sum(ratings) / 40, 2))


def test_reviews_are_listed_newest_first_across_pages(shop_api: Call, create_product: CreateProduct) -> None:
    product_id = create_product()["product_id"]
    for n in range(5):
        assert (
            submit(shop_api, f"u{n}", {"product_id": product_id, "rating": 3, "title": f"review {n}"}).status
            == 201
        )
    titles: list[str] = []
    cursor = None
    pages = 0
    while True:
        query = {"limit": "2"} | ({"cursor": cursor} if cursor else {})
        page = shop_api(
            api_event("GET", "/reviews/{product_id}", path_parameters={"product_id": product_id}, query=query)
        )
        assert page.status == 200
        titles.extend(review["title"] for review in page.body["reviews"])
        pages += 1
        cursor = page.body["next_cursor"]
        if not cursor:
            break
    assert titles == [f"review {n}" for n in reversed(range(5))]
    assert pages >= 3


def test_votes_are_counted_once_per_user(shop_api: Call, create_product: CreateProduct) -> None:
    product_id = create_product()["product_id"]
    review_id = submit(shop_api, "author", {"product_id": product_id, "rating": 5}).body["review_id"]

    first = vote(shop_api, "v1", product_id, review_id, True)
    repeated = vote(shop_api, "v1", product_id, review_id, False)
    other = vote(shop_api, "v2", product_id, review_id, False)
    anonymous = vote(shop_api, None, product_id, review_id, True)
    unknown = vote(shop_api, "v3", product_id, "rev_" + "0" * 24, True)
    malformed = vote(shop_api, "v3", product_id, review_id, "maybe")

    assert (first.status, first.body["helpful_count"], first.body["unhelpful_count"]) == (200, 1, 0)
    assert repeated.status == 409
    assert (other.body["helpful_count"], other.body["unhelpful_count"]) == (1, 1)
    assert anonymous.status == 401
    assert unknown.status == 404
    assert malformed.status == 422
    listed = shop_api(
        api_event("GET", "/reviews/{product_id}", path_parameters={"product_id": product_id})
    ).body
    # Vote items share the table but never appear as reviews.
    assert [(r["review_id"], r["helpful_count"], r["unhelpful_count"]) for r in listed["reviews"]] == [
        (review_id, 1, 1)
    ]
