"""Addresses that arrive and order links that open: a saved address (line 2, region, phone, a billing
address) reaches the order and its emails whole; every order email links to the order, a guest's with a
token that order_api accepts for that one order; a country that is not an ISO code is refused by name."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from shop.orders.model import Address
from tests.integration.account_events import account_api_caller, address_payload
from tests.integration.conftest import Call, LambdaContext
from tests.integration.events import admin_claims, api_event, shopper_claims
from tests.integration.order_events import (
    ADDRESS,
    SITE_URL,
    OrderWorld,
    call_order_api,
    create_order_event,
    new_product,
    order_action_event,
    order_body,
    order_world_in,
    place,
    run_pipeline,
    run_queue,
    sent_emails,
    stored_order,
)

POSTAL_FIELDS = tuple(Address.model_fields)
LINK = re.compile(r'href="([^"]*/orders\.html\?[^"]*)"')


@pytest.fixture
def order_world(
    shop_env: dict[str, str], monkeypatch: pytest.MonkeyPatch, lambda_context: LambdaContext
) -> Iterator[OrderWorld]:
    yield from order_world_in(monkeypatch, lambda_context)


@pytest.fixture
def account_api(order_world: OrderWorld) -> Call:
    return account_api_caller(order_world.context)


def emails_to(address: str) -> list[Any]:
    return [mail for mail in sent_emails() if mail.destinations["ToAddresses"] == [address]]


def order_link(mail: Any) -> str:
    """The link to the order in an email (moto keeps the HTML part as the body)."""
    links = LINK.findall(mail.body)
    assert len(links) == 1, mail.body
    return html.unescape(links[0])


def guest_get(order_id: str, token: str) -> Any:
    return call_order_api(
        api_event(
            "GET", "/guest/orders/{id}", path_parameters={"id": order_id}, headers={"X-Order-Token": token}
        )
    )


def test_a_saved_address_reaches_the_order_and_its_confirmation_email_whole(
    order_world: OrderWorld, account_api: Call
) -> None:
    claims = shopper_claims("ada", email="ada@example.com")
    saved_shipping = account_api(api_event("POST", "/me/addresses", claims=claims, body=address_payload()))
    billing_fields = address_payload(
        kind="billing", name="Ada King", line1="1 Counting House Lane", line2="Floor 2", phone=None
    )
    saved_billing = account_api(api_event("POST", "/me/addresses", claims=claims, body=billing_fields))
    assert (saved_shipping.status, saved_billing.status) == (201, 201), saved_billing.body
    profile = account_api(api_event("GET", "/me", claims=claims)).body
    shipping, billing = (
        next(item for item in profile["addresses"] if item["kind"] == kind)
        for kind in ("shipping", "billing")
    )

    # What the checkout sends: every field of the saved addresses, under the order's (same) names.
    def as_order_address(saved: dict[str, Any]) -> dict[str, Any]:
        return {name: saved[name] for name in POSTAL_FIELDS if saved.get(name)}

    product_id = new_product()
    reply = place(
        product_id,
        user_id="ada",
        shipping_address=as_order_address(shipping),
        billing_address=as_order_address(billing),
    )
    order = stored_order(reply.body["order_id"])
    assert order.shipping_address.model_dump(exclude_none=True) == as_order_address(shipping)
    assert (order.shipping_address.line2, order.shipping_address.region, order.shipping_address.phone) == (
        "Flat 3",
        "Greater London",
        "+44 20 7946 0000",
    )
    assert order.billing_address.model_dump(exclude_none=True) == as_order_address(billing)

    run_pipeline(order_world)
    [confirmation] = emails_to(order.user_email)
    assert confirmation.subject == f"Order {order.order_number} received"
    for shown in ("Ada Lovelace", "12 Analytical Row", "Flat 3", "London, Greater London NW1 6XE", "GB"):
        assert shown in confirmation.body
    assert "+44 20 7946 0000" in confirmation.body
    for shown in ("Ada King", "1 Counting House Lane", "Floor 2"):  # the bill goes elsewhere: shown too
        assert shown in confirmation.body
    # An account's email links to its orders page, without a token: it opens after signing in.
    assert order_link(confirmation) == f"{SITE_URL}/orders.html?id={order.order_id}"


def test_a_guests_emails_link_to_the_order_with_a_token_that_opens_it(order_world: OrderWorld) -> None:
    product_id = new_product()
    reply = place(product_id, user_id=None, email="guest.link@example.com")
    order_id = reply.body["order_id"]
    other = place(product_id, user_id=None, email="someone.else@example.com").body["order_id"]
    run_pipeline(order_world)

    [confirmation] = emails_to("guest.link@example.com")
    link = urlsplit(order_link(confirmation))
    assert f"{link.scheme}://{link.netloc}{link.path}" == f"{SITE_URL}/orders.html"
    # The token rides in the fragment (sent to no server, in no Referer); the query names the order only.
    assert parse_qs(link.query) == {"id": [order_id]}
    [token] = parse_qs(link.fragment)["token"]
    assert token != reply.body["access_token"]  # a link token: the raw access token is never stored

    opened = guest_get(order_id, token)
    assert opened.status == 200, opened.body
    assert opened.body["order_id"] == order_id
    assert guest_get(other, token).status == 404  # one order's link opens that order only
    assert guest_get(order_id, token[:-1] + ("A" if token[-1] != "A" else "B")).status == 404

    # A later email (here: cancelled by the shop) carries a link that works just the same.
    cancelled = call_order_api(
        order_action_event(
            "PUT", "/orders/{id}/status", order_id, admin_claims(), body={"status": "cancelled"}
        )
    )
    assert cancelled.status == 200, cancelled.body
    run_queue(order_world, "email-notification")
    later = next(mail for mail in emails_to("guest.link@example.com") if "cancelled" in mail.subject)
    later_token = parse_qs(urlsplit(order_link(later)).fragment)["token"][0]
    assert guest_get(order_id, later_token).status == 200


def test_an_accounts_order_does_not_open_with_a_link_token(order_world: OrderWorld) -> None:
    from shop.platform.signed_links import ORDER_LINK, link_token

    order_id = place(new_product(), user_id="ada").body["order_id"]
    assert guest_get(order_id, link_token(ORDER_LINK, order_id)).status == 404


@pytest.mark.parametrize(
    ("body_change", "field"),
    [
        ({"shipping_address": {**ADDRESS, "country": "ZZ"}}, "shipping_address.country"),
        ({"shipping_address": {**ADDRESS, "country": "USA"}}, "shipping_address.country"),
        ({"billing_address": {**ADDRESS, "country": "XX"}}, "billing_address.country"),
    ],
)
def test_an_order_with_a_country_that_is_no_iso_code_is_refused_naming_country(
    order_world: OrderWorld, body_change: dict[str, Any], field: str
) -> None:
    body = {**order_body(new_product()), **body_change}
    refused = call_order_api(create_order_event(body, user_id=None))
    assert refused.status == 422, refused.body
    assert refused.body["field"] == field
    assert "country" in refused.body["message"]
    # Lower case is a real code too, stored upper case.
    lower_case = {**order_body(new_product(), email="lower@example.com"), "shipping_address": {**ADDRESS}}
    lower_case["shipping_address"]["country"] = "de"
    accepted = call_order_api(create_order_event(lower_case, user_id=None))
    assert accepted.status == 202, accepted.body
    assert stored_order(accepted.body["order_id"]).shipping_address.country == "DE"


def test_a_saved_address_with_a_country_that_is_no_iso_code_is_refused_naming_country(
    account_api: Call,
) -> None:
    claims = shopper_claims("ada", email="ada@example.com")
    refused = account_api(
        api_event("POST", "/me/addresses", claims=claims, body=address_payload(country="UK"))
    )
    assert (refused.status, refused.body["field"]) == (422, "country")
