"""account_api through its real handler: profile, addresses, email preferences, unsubscribe, audit log."""

from __future__ import annotations

from typing import Any

import boto3
import pytest

from shop.contracts.email_messages import MARKETING_CONSENT_FIELD, EmailTemplate
from shop.email.consent import consenting_recipient
from shop.email.preferences import MARKETING_FLAGS
from shop.email.repository import EmailPreferencesRepository
from tests.integration.account_events import account_api_caller, address_payload
from tests.integration.conftest import Call, LambdaContext, product_payload
from tests.integration.events import admin_claims, api_event, shopper_claims


@pytest.fixture
def account_api(shop_env: dict[str, str], lambda_context: LambdaContext) -> Call:
    return account_api_caller(lambda_context)


def me(account_api: Call, method: str, resource: str, user: str = "ada", **arguments: Any) -> Any:
    claims = shopper_claims(user, email=f"{user}@example.com")
    return account_api(api_event(method, resource, claims=claims, **arguments))


def stored_preferences(shop_env: dict[str, str], user_id: str) -> dict[str, Any] | None:
    item: dict[str, Any] | None = (
        boto3.resource("dynamodb")
        .Table(shop_env["EMAIL_PREFERENCES_TABLE"])
        .get_item(Key={"user_id": user_id})
        .get("Item")
    )
    return item


# -- profile and addresses ----------------------------------------------------------------------------------


def test_first_get_me_creates_the_profile_with_the_tokens_email(account_api: Call) -> None:
    first = me(account_api, "GET", "/me")

    assert first.status == 200
    assert first.body["user_id"] == "ada"
    assert first.body["email"] == "ada@example.com"
    assert first.body["addresses"] == []
    assert me(account_api, "GET", "/me").body["created_at"] == first.body["created_at"]


def test_profile_round_trip_and_the_email_is_not_writable(account_api: Call) -> None:
    updated = me(account_api, "PUT", "/me", body={"name": "Ada Lovelace", "phone": "+44 20 7946 0001"})
    assert updated.status == 200
    assert (updated.body["name"], updated.body["phone"]) == ("Ada Lovelace", "+44 20 7946 0001")
    fetched = me(account_api, "GET", "/me").body
    assert (fetched["name"], fetched["phone"], fetched["email"]) == (
        "Ada Lovelace",
        "+44 20 7946 0001",
        "ada@example.com",
    )

    refused = me(account_api, "PUT", "/me", body={"email": "someone@else.example"})
    assert refused.status == 422
    assert refused.body["field"] == "email"
    assert me(account_api, "PUT", "/me", body={"phone": "call me"}).body["field"] == "phone"
    # Cognito owns the email: when the token's changes, the profile follows it.
    claims = shopper_claims("ada", email="ada@new.example")
    assert account_api(api_event("GET", "/me", claims=claims)).body["email"] == "ada@new.example"


def test_signed_out_callers_get_401(account_api: Call) -> None:
    for method, resource in (
        ("GET", "/me"),
        ("GET", "/me/preferences"),
        ("GET", "/me/export"),
        ("DELETE", "/me"),
    ):
        assert account_api(api_event(method, resource)).status == 401


def test_addresses_round_trip_with_one_default_per_kind(account_api: Call) -> None:
    first = me(account_api, "POST", "/me/addresses", body=address_payload())
    assert first.status == 201
    home = first.body["address"]
    assert home["country"] == "GB"
    assert home["is_default"] is True  # the first of its kind
    assert home["id"].startswith("addr_")

    office = me(
        account_api, "POST", "/me/addresses", body=address_payload(line1="1 Office Park", line2=None)
    ).body["address"]
    billing = me(account_api, "POST", "/me/addresses", body=address_payload(kind="billing")).body["address"]
    assert office["is_default"] is False
    assert billing["is_default"] is True

    made = me(
        account_api,
        "POST",
        "/me/addresses/{address_id}/default",
        path_parameters={"address_id": office["id"]},
    )
    assert made.status == 200
    defaults = {(a["kind"], a["id"]) for a in made.body["addresses"] if a["is_default"]}
    assert defaults == {("shipping", office["id"]), ("billing", billing["id"])}

    replaced = me(
        account_api,
        "PUT",
        "/me/addresses/{address_id}",
        path_parameters={"address_id": home["id"]},
        body=address_payload(city="Cambridge", postal_code="CB2 1TN"),
    )
    assert replaced.status == 200
    assert (replaced.body["address"]["city"], replaced.body["address"]["id"]) == ("Cambridge", home["id"])

    deleted = me(
        account_api, "DELETE", "/me/addresses/{address_id}", path_parameters={"address_id": office["id"]}
    )
    assert deleted.status == 200
    remaining = {a["id"]: a for a in deleted.body["addresses"]}
    assert set(remaining) == {home["id"], billing["id"]}
    assert remaining[home["id"]]["is_default"] is True  # the kind keeps a default

    stored = me(account_api, "GET", "/me").body["addresses"]
    assert {a["id"]: a["city"] for a in stored} == {home["id"]: "Cambridge", billing["id"]: "London"}


def test_address_errors(account_api: Call) -> None:
    missing = {"address_id": "addr_0000000000000000"}
    assert me(account_api, "DELETE", "/me/addresses/{address_id}", path_parameters=missing).status == 404
    assert (
        me(account_api, "DELETE", "/me/addresses/{address_id}", path_parameters={"address_id": "x"}).status
        == 422
    )
    bad_country = me(account_api, "POST", "/me/addresses", body=address_payload(country="GBR"))
    assert (bad_country.status, bad_country.body["field"]) == (422, "country")
    assert me(account_api, "POST", "/me/addresses", body=address_payload(kind="holiday")).status == 422
    # Another shopper's address id is simply not theirs.
    theirs = me(account_api, "POST", "/me/addresses", body=address_payload()).body["address"]["id"]
    assert (
        me(
            account_api,
            "DELETE",
            "/me/addresses/{address_id}",
            user="eve",
            path_parameters={"address_id": theirs},
        ).status
        == 404
    )


# -- email preferences ---------------------------------------------------------------------------------------


def test_new_accounts_start_opted_out_of_all_marketing(account_api: Call, shop_env: dict[str, str]) -> None:
    me(account_api, "GET", "/me")

    stored = stored_preferences(shop_env, "ada")
    assert stored is not None
    assert {flag: stored[flag] for flag in MARKETING_FLAGS} == dict.fromkeys(MARKETING_FLAGS, False)
    assert stored["unsubscribed"] is False
    assert stored["email"] == "ada@example.com"
    assert len(stored["unsubscribe_token"]) == 43
    # The marketing scans read the same item and must see no consent for any template.
    preferences = EmailPreferencesRepository().get("ada")
    assert all(consenting_recipient(preferences, template) is None for template in MARKETING_CONSENT_FIELD)


def test_preferences_round_trip(account_api: Call, shop_env: dict[str, str]) -> None:
    initial = me(account_api, "GET", "/me/preferences")
    assert initial.status == 200
    assert initial.body == {
        **dict.fromkeys(MARKETING_FLAGS, False),
        "unsubscribed": False,
        "email": "ada@example.com",
        "updated_at": initial.body["updated_at"],
    }
    assert "unsubscribe_token" not in initial.body

    changed = me(account_api, "PUT", "/me/preferences", body={"newsletter": True, "price_drop_alerts": True})
    assert changed.status == 200
    assert (
        changed.body["newsletter"],
        changed.body["price_drop_alerts"],
        changed.body["marketing_emails"],
    ) == (
        True,
        True,
        False,
    )
    assert me(account_api, "GET", "/me/preferences").body == changed.body
    preferences = EmailPreferencesRepository().get("ada")
    assert consenting_recipient(preferences, EmailTemplate.NEWSLETTER) is not None
    assert consenting_recipient(preferences, EmailTemplate.ABANDONED_CART) is None

    unsubscribed = me(account_api, "PUT", "/me/preferences", body={"unsubscribed": True})
    assert unsubscribed.body == {
        **dict.fromkeys(MARKETING_FLAGS, False),
        "unsubscribed": True,
        "email": "ada@example.com",
        "updated_at": unsubscribed.body["updated_at"],
    }
    resubscribed = me(account_api, "PUT", "/me/preferences", body={"newsletter": True})
    assert (resubscribed.body["unsubscribed"], resubscribed.body["newsletter"]) == (False, True)
    assert me(account_api, "PUT", "/me/preferences", body={"sms": True}).status == 422


def test_the_unsubscribe_link_works_signed_out_and_forged_tokens_are_404(
    account_api: Call, shop_env: dict[str, str]
) -> None:
    me(account_api, "PUT", "/me/preferences", body=dict.fromkeys(MARKETING_FLAGS, True))
    me(account_api, "GET", "/me", user="bob")
    stored = stored_preferences(shop_env, "ada")
    assert stored is not None
    token = stored["unsubscribe_token"]

    clicked = account_api(api_event("GET", "/unsubscribe", query={"token": token}))  # no claims

    assert clicked.status == 200
    assert clicked.body["unsubscribed"] is True
    after = stored_preferences(shop_env, "ada")
    assert after is not None
    assert after["unsubscribed"] is True
    assert {flag: after[flag] for flag in MARKETING_FLAGS} == dict.fromkeys(MARKETING_FLAGS, False)
    assert consenting_recipient(EmailPreferencesRepository().get("ada"), EmailTemplate.NEWSLETTER) is None
    # Clicking twice is fine; bob is untouched.
    assert account_api(api_event("GET", "/unsubscribe", query={"token": token})).status == 200
    bob = stored_preferences(shop_env, "bob")
    assert bob is not None
    assert bob["unsubscribed"] is False

    forged = token[:-1] + ("A" if token[-1] != "A" else "B")
    for guess in (forged, "not-a-token", "x" * 43):
        response = account_api(api_event("GET", "/unsubscribe", query={"token": guess}))
        assert response.status == 404, guess
        assert response.body["error"] == "not_found"
    assert account_api(api_event("GET", "/unsubscribe")).status == 422


# -- audit log ---------------------------------------------------------------------------------------


def test_admin_product_changes_are_in_the_audit_log(account_api: Call, shop_api: Call) -> None:
    created = shop_api(api_event("POST", "/products", body=product_payload(), claims=admin_claims("admin-1")))
    product_id = created.body["product_id"]
    path = {"product_id": product_id}
    shop_api(
        api_event(
            "PUT",
            "/products/{product_id}",
            path_parameters=path,
            body={"price": 1999},
            claims=admin_claims("admin-2"),
        )
    )
    shop_api(
        api_event("DELETE", "/products/{product_id}", path_parameters=path, claims=admin_claims("admin-1"))
    )

    log = account_api(
        api_event(
            "GET",
            "/admin/audit-log",
            query={"entity": f"product#{product_id}"},
            claims=admin_claims("admin-3"),
        )
    )

    assert log.status == 200
    entries = log.body["entries"]
    assert [(e["action"], e["actor"]) for e in entries] == [
        ("product.archive", "admin-1"),
        ("product.update", "admin-2"),
        ("product.create", "admin-1"),
    ]
    update = entries[1]
    assert (update["before"]["price"], update["after"]["price"]) == (2999, 1999)
    assert entries[0]["after"]["status"] == "archived"
    assert "before" not in entries[2]
    assert entries[0]["occurred_at"] >= entries[1]["occurred_at"] >= entries[2]["occurred_at"]

    by_actor = account_api(
        api_event("GET", "/admin/audit-log", query={"actor": "admin-1"}, claims=admin_claims())
    )
    assert [e["action"] for e in by_actor.body["entries"]] == ["product.archive", "product.create"]
    everything = account_api(
        api_event("GET", "/admin/audit-log", query={"limit": "2"}, claims=admin_claims())
    )
    assert [e["action"] for e in everything.body["entries"]] == ["product.archive", "product.update"]
    rest = account_api(
        api_event(
            "GET", "/admin/audit-log", query={"cursor": everything.body["next_cursor"]}, claims=admin_claims()
        )
    )
    assert [e["action"] for e in rest.body["entries"]] == ["product.create"]
    assert rest.body["next_cursor"] is None


def test_the_audit_log_is_for_admins_only(account_api: Call) -> None:
    assert account_api(api_event("GET", "/admin/audit-log", claims=shopper_claims("ada"))).status == 403
    assert account_api(api_event("GET", "/admin/audit-log")).status == 401
    assert account_api(api_event("GET", "/admin/audit-log", claims=admin_claims())).status == 200
    tampered = account_api(
        api_event(
            "GET", "/admin/audit-log", query={"actor": "a", "cursor": "eyJ4IjoxfQ"}, claims=admin_claims()
        )
    )
    assert (tampered.status, tampered.body["field"]) == (400, "cursor")
