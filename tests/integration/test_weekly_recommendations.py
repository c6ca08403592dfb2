"""The weekly recommendation email through marketing_automation_api: who gets it (consent, recent
browsing), what it shows (recommended, in stock, never bought) and that it goes once a week."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest

from cdk_app.api_routes import MARKETING_WEEKLY_JOB
from shop.contracts.email_messages import EmailCategory, EmailRequest, EmailTemplate
from shop.marketing.recommendations import WEEKLY_RECOMMENDATIONS_JOB, scan_weekly_recommendations, week_token
from shop.tracking.model import TrackingEvent, TrackingEventType
from shop.tracking.repository import ProductViewRepository
from tests.integration.tracking_events import (
    Answer,
    api_request,
    calling,
    create_queues,
    drain,
    reset_tracking_state,
    seed_product,
    shopper,
)

Call = Callable[[dict[str, Any]], Answer]
ADMIN = shopper("admin-1", admin=True)
ROUTE = "/marketing/scan-weekly-recommendations"


@pytest.fixture
def queues(shop_env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, str]]:
    yield create_queues(monkeypatch)
    reset_tracking_state()


@pytest.fixture
def marketing(queues: dict[str, str], lambda_context: Any) -> Call:
    from marketing_automation_api.handler import handler

    return calling(handler, lambda_context)


def iso(moment: datetime) -> str:
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def ago(**delta: float) -> str:
    return iso(datetime.now(UTC) - timedelta(**delta))


def preferences(user_id: str, *, recommendations: bool = True, unsubscribed: bool = False) -> None:
    boto3.resource("dynamodb").Table("test-EmailPreferences").put_item(
        Item={
            "user_id": user_id,
            "email": f"{user_id}@example.com",
            "marketing_emails": True,
            "product_recommendations": recommendations,
            "unsubscribed": unsubscribed,
            "unsubscribe_token": f"token-of-{user_id}",
        }
    )


def track(user_id: str, product_id: str, when: str, kind: TrackingEventType = TrackingEventType.VIEW) -> None:
    event = TrackingEvent(
        event_type=kind, product_id=product_id, session_id="s", user_id=user_id, occurred_at=when
    )
    ProductViewRepository().record(event, message_id=f"{user_id}|{product_id}|{when}|{kind}")


def emails(queues: dict[str, str]) -> list[EmailRequest]:
    return [
        EmailRequest.model_validate_json(message["Body"]) for message in drain(queues["email-notification"])
    ]


def run(marketing: Call) -> dict[str, Any]:
    answer = marketing(api_request("POST", ROUTE, claims=ADMIN))
    assert answer.status == 200, answer.body
    body: dict[str, Any] = answer.body
    return body


@pytest.fixture
def catalog(queues: dict[str, str]) -> dict[str, str]:
    """One product the shoppers browsed and four others of its category."""
    return {
        "browsed": seed_product(name="Browsed Bible"),
        "bestseller": seed_product(name="Bestseller", sales_count=50),
        "newer": seed_product(name="Newer", sales_count=3),
        "sold_out": seed_product(name="Sold out", stock_quantity=0, sales_count=80),
        "bought": seed_product(name="Bought before", sales_count=60),
    }


def test_consenting_recent_browsers_get_in_stock_unbought_recommendations(
    marketing: Call, queues: dict[str, str], catalog: dict[str, str]
) -> None:
    preferences("u-1")
    track("u-1", catalog["browsed"], ago(days=2))
    track("u-1", catalog["bought"], ago(days=60), TrackingEventType.PURCHASE)
    preferences("u-2", recommendations=False)  # no consent to this kind of mail
    track("u-2", catalog["browsed"], ago(days=1))
    preferences("u-3", unsubscribed=True)
    track("u-3", catalog["browsed"], ago(days=1))
    preferences("u-4")
    track("u-4", catalog["browsed"], ago(days=12))  # browsed, but not in the last 7 days
    track("guest-only", catalog["browsed"], ago(days=1))  # no preferences at all: opted out

    summary = run(marketing)

    assert (summary["trigger_type"], summary["queued"], summary["skipped_no_consent"]) == (
        "recommendations",
        1,
        3,
    )
    [email] = emails(queues)
    assert (email.template, email.category, email.to) == (
        EmailTemplate.RECOMMENDATIONS,
        EmailCategory.MARKETING,
        "u-1@example.com",
    )
    assert [item["name"] for item in email.data["items"]] == ["Bestseller", "Newer"]
    assert email.data["unsubscribe_token"] == "token-of-u-1"
    assert email.data["discount_code"] is None


def test_one_email_per_shopper_per_week(
    marketing: Call, queues: dict[str, str], catalog: dict[str, str]
) -> None:
    preferences("u-1")
    track("u-1", catalog["browsed"], ago(days=1))
    last_week = datetime.now(UTC) - timedelta(days=7)

    assert scan_weekly_recommendations(now=last_week).queued == 1
    assert run(marketing)["queued"] == 1
    again = run(marketing)

    assert (again["queued"], again["skipped_duplicate"]) == (0, 1)
    assert len(emails(queues)) == 2
    items = boto3.resource("dynamodb").Table("test-MarketingQueue").scan()["Items"]
    assert sorted(item["trigger_data"]["tokens"][0] for item in items) == sorted(
        [week_token(last_week), week_token(datetime.now(UTC))]
    )


def test_a_shopper_with_nothing_to_recommend_gets_nothing(
    marketing: Call, queues: dict[str, str], catalog: dict[str, str]
) -> None:
    preferences("u-1")
    for name in ("browsed", "bestseller", "newer", "bought"):
        track("u-1", catalog[name], ago(days=1))

    summary = run(marketing)

    assert (summary["candidates"], summary["queued"]) == (0, 0)
    assert emails(queues) == []


def test_the_weekly_schedule_runs_the_scan(
    marketing: Call, queues: dict[str, str], catalog: dict[str, str], lambda_context: Any
) -> None:
    from marketing_automation_api.handler import handler

    preferences("u-1")
    track("u-1", catalog["browsed"], ago(days=1))

    result = handler({"job": MARKETING_WEEKLY_JOB}, lambda_context)

    assert (result["job"], result["queued"]) == (WEEKLY_RECOMMENDATIONS_JOB, 1)
    assert [email.template for email in emails(queues)] == [EmailTemplate.RECOMMENDATIONS]


def test_the_weekly_schedule_payload_matches_the_stack() -> None:
    assert WEEKLY_RECOMMENDATIONS_JOB == MARKETING_WEEKLY_JOB


def test_the_email_has_its_own_template_with_the_products_and_an_unsubscribe_link(
    marketing: Call, queues: dict[str, str], catalog: dict[str, str]
) -> None:
    from shop.email.rendering import render

    preferences("u-1")
    track("u-1", catalog["browsed"], ago(days=1))
    run(marketing)
    [email] = emails(queues)
    # The engagement links (message_id) need the signing key; this test is about the template.
    data = {key: value for key, value in email.data.items() if key != "message_id"}

    rendered = render(email.model_copy(update={"data": data}))

    assert rendered.subject == "Picked for you"
    for part in (rendered.html, rendered.text):
        assert "you may like these" in part
        assert "Bestseller" in part
        assert "20.00 USD" in part
        assert "preferences.html?unsubscribe=token-of-u-1" in part
