"""Bad email addresses are named where they were typed (checkout, sign-up), and the admin's order list
shows an address SES refused for good (issue #19, item 9)."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from cdk_app.local.runner import LocalShop
from tests.browser.conftest import admin_token, catalog, place_order, shopper_token, site_url
from tests.browser.test_admin_page import admin_key, admin_rate_limit_cleared, open_admin  # noqa: F401 - autouse
from tests.browser.test_checkout_page import add_to_cart, fill_address, go_to_review, orders_of

SCRIPT_ADDRESS = "u<script>alert(1)</script>@example.com"


def test_checkout_names_a_bad_address_next_to_the_email_field_and_orders_nothing(
    page: Page, local_shop: LocalShop, console_errors: list[str]
) -> None:
    add_to_cart(page, local_shop, "Grace Hoodie")
    page.goto(site_url(local_shop, "/checkout.html"))
    fill_address(page, SCRIPT_ADDRESS)
    go_to_review(page)
    page.get_by_role("button", name="Place order").click()

    # The shopper's words for the API's refusal, next to the field.
    expect(page.locator("#error-email")).to_have_text(
        "Enter a valid email address, such as name@example.com."
    )
    expect(page.locator("#email")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#step-address")).to_be_visible()
    expect(page.locator("#confirmation")).to_be_hidden()
    assert orders_of(local_shop, SCRIPT_ADDRESS.lower()) == []
    assert all("422" in error for error in console_errors), console_errors


def test_sign_up_names_an_address_cognito_refuses_next_to_the_email_field(
    page: Page, local_shop: LocalShop
) -> None:
    page.goto(site_url(local_shop, "/signup.html"))
    page.locator("#signup-name").fill("Ada Lovelace")
    # The browser's own type="email" check lets it through; the user pool does not.
    page.locator("#signup-email").fill("ada@localhost")
    page.locator("#signup-password").fill("Shop-Test-Pass-1")
    page.locator("#signup-form button[type=submit]").click()

    expect(page.locator("#error-signup-email")).to_have_text("Please enter a valid email address.")
    expect(page.locator("#signup-email")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#signup-email")).to_be_focused()
    expect(page.locator("#step-confirm")).to_be_hidden()


def test_the_admins_order_list_shows_an_address_ses_refused(page: Page, local_shop: LocalShop) -> None:
    product_id = catalog(local_shop)["Study Bible"]["product_id"]
    page.goto(site_url(local_shop, "/index.html"))
    placed = place_order(page, shopper_token(local_shop), product_id)
    # What email_sender records when SES refuses the address for good (tests/integration/
    # test_undeliverable_email.py drives that part); this test is about the page.
    assert local_shop.aws is not None
    dynamodb = local_shop.aws.client("dynamodb")
    table = next(name for name in dynamodb.list_tables()["TableNames"] if "Orders" in name)
    [key] = dynamodb.query(
        TableName=table,
        KeyConditionExpression="order_id = :id",
        ExpressionAttributeValues={":id": {"S": placed["order_id"]}},
        ProjectionExpression="order_id, user_id",
    )["Items"]
    dynamodb.update_item(
        TableName=table,
        Key=key,
        UpdateExpression="SET email_status = :status, email_problem = :problem",
        ExpressionAttributeValues={
            ":status": {"S": "undeliverable"},
            ":problem": {
                "M": {
                    "template": {"S": "order_confirmation"},
                    "reason": {"S": "InvalidParameterValue: Missing domain"},
                    "at": {"S": "2026-12-06T12:00:00.000Z"},
                }
            },
        },
    )

    open_admin(page, local_shop, token=admin_token(local_shop), key=admin_key(local_shop))
    row = page.locator("#order-rows tr", has=page.get_by_role("rowheader", name=placed["order_number"]))
    note = row.locator(".email .email-undeliverable")
    expect(row).to_be_visible(timeout=15_000)  # the orders load after the products
    expect(note).to_contain_text("Email undeliverable since Dec 6, 2026")
    expect(note).to_contain_text("InvalidParameterValue: Missing domain")
