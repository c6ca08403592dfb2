"""GET /me/export holds every kind of record; DELETE /me leaves no personal data in any table."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import boto3
import pytest

from shop.accounts.privacy import DELETED_USER_NAME, anonymous_id
from shop.contracts import environment
from shop.contracts.tables import ALL_TABLES
from shop.platform.settings import get_settings
from tests.integration.account_events import account_api_caller, address_payload
from tests.integration.conftest import Call, LambdaContext
from tests.integration.events import api_event, shopper_claims

USER_ID = "7f3c9a52-1d4e-4b8a-9c61-0e2f5a7b3d19"
EMAIL = "ada.lovelace@example.com"
NAME = "Ada Lovelace"
PHONE = "+44 20 7946 0001"
STREET = "12 Analytical Row"
POSTCODE = "NW1 6XE"
PERSONAL = (USER_ID, EMAIL, NAME, PHONE, STREET, POSTCODE)
OTHER_USER = "bob-0000"
CreateProduct = Callable[..., dict[str, Any]]


@pytest.fixture
def account_api(shop_env: dict[str, str], lambda_context: LambdaContext) -> Call:
    return account_api_caller(lambda_context)


@pytest.fixture
def cognito_user(shop_env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """A user pool (as the Auth stack builds it: email as the username) holding the shopper."""
    cognito = boto3.client("cognito-idp")
    pool_id = cognito.create_user_pool(PoolName="test-shop-users", UsernameAttributes=["email"])["UserPool"][
        "Id"
    ]
    created = cognito.admin_create_user(
        UserPoolId=pool_id,
        Username=EMAIL,
        UserAttributes=[{"Name": "email", "Value": EMAIL}, {"Name": "email_verified", "Value": "true"}],
        MessageAction="SUPPRESS",
    )
    monkeypatch.setenv(environment.USER_POOL_ID, pool_id)
    get_settings.cache_clear()
    return {"pool_id": pool_id, "username": created["User"]["Username"]}


def claims(cognito_user: dict[str, str] | None = None) -> dict[str, str]:
    granted = shopper_claims(USER_ID, email=EMAIL)
    if cognito_user:
        granted["cognito:username"] = cognito_user["username"]
    return granted


def put(shop_env: dict[str, str], logical_name: str, item: dict[str, Any]) -> None:
    spec = next(spec for spec in ALL_TABLES if spec.logical_name == logical_name)
    boto3.resource("dynamodb").Table(shop_env[spec.env_var]).put_item(Item=item)


def scan(shop_env: dict[str, str], logical_name: str) -> list[dict[str, Any]]:
    spec = next(spec for spec in ALL_TABLES if spec.logical_name == logical_name)
    items: list[dict[str, Any]] = boto3.resource("dynamodb").Table(shop_env[spec.env_var]).scan()["Items"]
    return items


def order(order_id: str, user_id: str, email: str, *, mine: bool = True) -> dict[str, Any]:
    address = {
        "name": NAME if mine else "Bob Builder",
        "line1": STREET if mine else "1 Yard Lane",
        "city": "London",
        "region": "Greater London",
        "postal_code": POSTCODE if mine else "E1 1AA",
        "country": "GB",
        "phone": PHONE if mine else "+44 20 7946 0999",
    }
    return {
        "order_id": order_id,
        "user_id": user_id,
        "user_email": email,
        "order_number": f"SO-{order_id}",
        "order_date": "2026-11-01T10:00:00.000Z",
        "items": [{"product_id": "p-1", "product_name": "Study Bible", "quantity": 1, "price": 2999}],
        "total": 3246,
        "shipping_address": address,
        "billing_address": address,
        "order_status": "delivered",
        "payment_status": "captured",
        "notes": f"Leave with {address['name']}",
    }


@pytest.fixture
def shopper_data(
    account_api: Call, shop_api: Call, cart_api: Call, create_product: CreateProduct, shop_env: dict[str, str]
) -> dict[str, Any]:
    """One of every kind of record the shop keeps about the shopper, through the APIs where they exist."""
    product_id = create_product()["product_id"]
    assert (
        account_api(api_event("PUT", "/me", body={"name": NAME, "phone": PHONE}, claims=claims())).status
        == 200
    )
    address = address_payload(name=NAME, line1=STREET, postal_code=POSTCODE, phone=PHONE)
    assert account_api(api_event("POST", "/me/addresses", body=address, claims=claims())).status == 201
    assert (
        account_api(api_event("PUT", "/me/preferences", body={"newsletter": True}, claims=claims())).status
        == 200
    )
    add = {"product_id": product_id, "quantity": 1}
    assert cart_api(api_event("POST", "/cart/add", body=add, claims=claims())).status == 200
    review = {"product_id": product_id, "rating": 5, "title": "Lovely", "user_name": NAME}
    assert shop_api(api_event("POST", "/reviews", body=review, claims=claims())).status == 201
    others = shop_api(
        api_event(
            "POST",
            "/reviews",
            body={"product_id": product_id, "rating": 3},
            claims=shopper_claims(OTHER_USER),
        )
    ).body
    vote = api_event(
        "POST",
        "/reviews/{product_id}/{review_id}/vote",
        path_parameters={"product_id": product_id, "review_id": others["review_id"]},
        body={"helpful": True},
        claims=claims(),
    )
    assert shop_api(vote).status == 200
    put(shop_env, "Orders", order("o-own", USER_ID, EMAIL))
    put(shop_env, "Orders", order("o-guest", f"guest#{EMAIL}", EMAIL.upper()))
    put(shop_env, "Orders", order("o-bob", OTHER_USER, "bob@example.com", mine=False))
    put(shop_env, "WatchList", {"user_id": USER_ID, "product_id": product_id, "target_price": 1999})
    put(
        shop_env,
        "ProductViews",
        {
            "view_id": "v-1",
            "timestamp": "2026-11-01T09:00:00.000Z",
            "user_id": USER_ID,
            "session_id": "s-1",
            "product_id": product_id,
        },
    )
    put(
        shop_env,
        "MarketingQueue",
        {"queue_id": "q-1", "user_id": USER_ID, "user_email": EMAIL, "trigger_type": "abandoned_cart"},
    )
    return {"product_id": product_id, "other_review_id": others["review_id"]}


def test_export_contains_every_kind_of_record(account_api: Call, shopper_data: dict[str, Any]) -> None:
    response = account_api(api_event("GET", "/me/export", claims=claims()))

    assert response.status == 200
    assert "attachment" in response.headers["Content-Disposition"]
    document = response.body
    assert document["user_id"] == USER_ID
    assert (document["profile"]["name"], document["profile"]["phone"]) == (NAME, PHONE)
    assert document["profile"]["addresses"][0]["line1"] == STREET
    assert document["preferences"]["newsletter"] is True
    assert sorted(o["order_id"] for o in document["orders"]) == ["o-guest", "o-own"]
    assert [r["user_name"] for r in document["reviews"]] == [NAME]
    assert [v["helpful"] for v in document["review_votes"]] == [True]
    assert [w["product_id"] for w in document["watchlist"]] == [shopper_data["product_id"]]
    assert document["cart"]["items"][0]["product_id"] == shopper_data["product_id"]
    assert [v["view_id"] for v in document["product_views"]] == ["v-1"]
    assert [m["queue_id"] for m in document["marketing_messages"]] == ["q-1"]
    assert document["admin_actions"] == []


def test_guest_orders_are_exported_only_with_a_verified_email(
    account_api: Call, shopper_data: dict[str, Any]
) -> None:
    unverified = {**claims(), "email_verified": "false"}
    document = account_api(api_event("GET", "/me/export", claims=unverified)).body
    assert [o["order_id"] for o in document["orders"]] == ["o-own"]


def test_delete_leaves_no_personal_data_behind(
    account_api: Call,
    shop_api: Call,
    shopper_data: dict[str, Any],
    cognito_user: dict[str, str],
    shop_env: dict[str, str],
) -> None:
    response = account_api(api_event("DELETE", "/me", claims=claims(cognito_user)))

    assert response.status == 200, response.body
    assert response.body["deleted"] is True
    assert (response.body["orders_anonymized"], response.body["reviews_anonymized"]) == (2, 1)
    for spec in ALL_TABLES:
        for item in scan(shop_env, spec.logical_name):
            text = repr(item)
            leaked = [value for value in PERSONAL if value in text or value.lower() in text.lower()]
            assert leaked == [], f"{spec.logical_name} still holds {leaked}: {item}"

    # Kept for accounting and for the product's rating, under the anonymous id.
    anonymous = anonymous_id(USER_ID)
    orders = {item["order_id"]: item for item in scan(shop_env, "Orders")}
    assert set(orders) == {"o-own", "o-guest", "o-bob"}
    assert orders["o-own"]["user_id"] == orders["o-guest"]["user_id"] == anonymous
    assert orders["o-own"]["total"] == 3246
    assert orders["o-own"]["shipping_address"] == {"country": "GB", "region": "Greater London"}
    assert orders["o-bob"]["user_email"] == "bob@example.com"
    reviews = shop_api(
        api_event("GET", "/reviews/{product_id}", path_parameters={"product_id": shopper_data["product_id"]})
    ).body["reviews"]
    names = [review["user_name"] for review in reviews]
    assert len(names) == 2
    assert DELETED_USER_NAME in names
    assert NAME not in names
    product = shop_api(
        api_event("GET", "/products/{id}", path_parameters={"id": shopper_data["product_id"]})
    ).body
    assert product["review_count"] == 2
    votes = [item for item in scan(shop_env, "Reviews") if str(item["review_id"]).startswith("VOTE#")]
    assert [vote["voter_id"] for vote in votes] == [anonymous]
    assert scan(shop_env, "Users") == []
    assert scan(shop_env, "EmailPreferences") == []
    assert scan(shop_env, "WatchList") == []
    assert scan(shop_env, "ProductViews") == []
    assert scan(shop_env, "MarketingQueue") == []
    assert scan(shop_env, "Cart") == []

    cognito = boto3.client("cognito-idp")
    with pytest.raises(cognito.exceptions.UserNotFoundException):
        cognito.admin_get_user(UserPoolId=cognito_user["pool_id"], Username=EMAIL)

    # A retried deletion (e.g. after a timeout) finishes without error and changes nothing.
    again = account_api(api_event("DELETE", "/me", claims=claims(cognito_user)))
    assert again.status == 200
    assert {item["order_id"] for item in scan(shop_env, "Orders")} == {"o-own", "o-guest", "o-bob"}


def test_guest_orders_of_a_verified_email_join_the_order_history(shopper_data: dict[str, Any]) -> None:
    from shop.orders.guest_orders import guest_orders_for

    verified = guest_orders_for({"sub": USER_ID, "email": EMAIL.upper(), "email_verified": "true"})
    assert [order["order_id"] for order in verified] == ["o-guest"]
    assert guest_orders_for({"sub": USER_ID, "email": EMAIL, "email_verified": "false"}) == []
    assert guest_orders_for({"sub": USER_ID, "email_verified": True}) == []
