"""Order history: the shopper's own orders plus the guest orders placed with their verified email."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from tests.integration.conftest import LambdaContext
from tests.integration.events import api_event, shopper_claims
from tests.integration.order_events import OrderWorld, call_order_api, new_product, order_world_in, place


@pytest.fixture
def world(
    shop_env: dict[str, str], monkeypatch: pytest.MonkeyPatch, lambda_context: LambdaContext
) -> Iterator[OrderWorld]:
    yield from order_world_in(monkeypatch, lambda_context)


def _history(claims: dict[str, str], cursor: str | None = None, limit: int = 2) -> dict[str, object]:
    query = {"limit": str(limit), **({"cursor": cursor} if cursor else {})}
    reply = call_order_api(api_event("GET", "/orders", query=query, claims=claims))
    assert reply.status == 200, reply.body
    return reply.body  # type: ignore[no-any-return]


def _all_pages(claims: dict[str, str]) -> list[str]:
    numbers: list[str] = []
    cursor = None
    while True:
        page = _history(claims, cursor)
        numbers += [order["order_id"] for order in page["orders"]]  # type: ignore[index, union-attr]
        cursor = page["next_cursor"]  # type: ignore[assignment]
        if not cursor:
            return numbers


def test_guest_orders_with_the_verified_email_join_the_history_newest_first(world: OrderWorld) -> None:
    product = new_product(stock=20)
    placed = []
    for who in ("bob", None, "bob", None, "bob"):  # None: a guest checkout with bob's email
        reply = (
            place(product, user_id=who, email="bob@example.com")
            if who is None
            else place(product, user_id=who)
        )
        placed.append(reply.body["order_id"])
        time.sleep(0.01)  # distinct order dates
    place(product, user_id=None, email="someone-else@example.com")

    history = _all_pages(shopper_claims("bob", email="bob@example.com"))

    assert history == list(reversed(placed))  # five orders, newest first, across three pages of two


def test_an_unverified_email_does_not_claim_guest_orders(world: OrderWorld) -> None:
    product = new_product(stock=5)
    own = place(product, user_id="carol").body["order_id"]
    place(product, user_id=None, email="carol@example.com")
    claims = {**shopper_claims("carol", email="carol@example.com"), "email_verified": "false"}

    assert _all_pages(claims) == [own]


def test_a_cursor_from_another_shopper_is_refused(world: OrderWorld) -> None:
    product = new_product(stock=5)
    for _ in range(3):
        place(product, user_id="dave")
    cursor = _history(shopper_claims("dave"))["next_cursor"]
    reply = call_order_api(
        api_event("GET", "/orders", query={"cursor": str(cursor)}, claims=shopper_claims("erin"))
    )
    assert reply.status == 400
    assert reply.body["field"] == "cursor"


def test_signed_in_orders_get_an_access_token_too_so_their_owners_can_pay(world: OrderWorld) -> None:
    # The payment routes are public (guests pay too): the token is how a payer proves the order is theirs.
    reply = place(new_product(stock=3), user_id="frank")
    assert reply.body["access_token"]
