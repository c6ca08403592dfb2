"""orders.html: a signed-in shopper checks out, then sees the paid order with its badge, opens its
details and downloads the invoice PDF; a guest opens their one order with the order's token."""

from __future__ import annotations

import html
import re
import time
import uuid
from urllib.parse import quote

from playwright.sync_api import Page, expect

from cdk_app.local.runner import LocalShop
from cdk_app.local.sent_emails import SentEmail, sent_emails
from tests.browser.conftest import admin_request, catalog, place_order, screenshot, shopper_token, site_url
from tests.browser.test_checkout_page import add_to_cart, go_to_review
from tests.browser.test_invoice_downloads import download_pdf, pdf_text


def test_a_signed_in_shopper_sees_the_paid_order_and_its_invoice(
    page: Page, local_shop: LocalShop, console_errors: list[str]
) -> None:
    # The payment routes cannot tell a signed-in owner yet (404, see the report): the order is placed
    # through the API and recorded as paid by the administrator, as docs/orders.md allows.
    token = shopper_token(local_shop)
    beanie = catalog(local_shop)["Knit Beanie"]["product_id"]
    page.goto(site_url(local_shop, "/index.html"))
    page.evaluate("token => sessionStorage.setItem('shop.idToken', token)", token)
    placed = place_order(page, token, beanie)
    number = placed["order_number"]
    admin_request(local_shop, "PUT", f"/orders/{placed['order_id']}/status", {"status": "paid"})

    page.goto(site_url(local_shop, "/orders.html"))
    row = page.locator(".order-row", has_text=number)
    expect(row.locator(".status-badge")).to_have_text("paid")
    row.get_by_role("button", name=f"Details and invoice of {number}").click()
    expect(page.locator("#details")).to_be_visible()
    expect(page.locator("#details-title")).to_have_text(f"Order {number}")
    expect(page.locator("#invoice-total")).to_have_text("$23.27")
    expect(page.locator("#details .review-link")).to_have_attribute(
        "href", re.compile(r"^product\.html\?id=")
    )
    # The invoice is the PDF, numbered when the order was paid; the dialog offers it too.
    file_name, body = download_pdf(
        page, page.locator("#details").get_by_role("button", name="Download invoice (PDF)")
    )
    assert re.fullmatch(r"INV-\d{4}-\d{6}\.pdf", file_name)
    assert number in pdf_text(body)
    screenshot(page, "orders-invoice")
    assert console_errors == []


def test_a_guest_opens_their_order_with_its_token(page: Page, local_shop: LocalShop) -> None:
    add_to_cart(page, local_shop, "Sticker Pack")
    page.goto(site_url(local_shop, "/checkout.html"))
    page.locator("#email").fill("guest.orders@example.com")
    for field, value in {"name": "G", "line1": "1 A St", "city": "Town", "postal_code": "12345"}.items():
        page.locator(f"#{field}").fill(value)
    page.locator("#country").select_option("US")
    go_to_review(page)
    page.get_by_role("button", name="Place order").click()
    expect(page.locator("#confirmation-title")).to_have_text("Thank you! Your order is paid", timeout=30_000)
    page.locator("#order-link").click()
    expect(page.locator(".order-row .status-badge")).to_have_text("paid")


# -- the links of the order emails -----------------------------------------------------------------------

ORDER_LINK = re.compile(r'href="([^"]*/orders\.html\?[^"]*)"')


def email_about(shop: LocalShop, to: str, subject_part: str, timeout_seconds: float = 30) -> SentEmail:
    """The email the local shop sent to `to` (its queue pumps run the pipeline in the background)."""
    assert shop.aws is not None
    deadline = time.monotonic() + timeout_seconds
    while True:
        found = [
            mail
            for mail in sent_emails(shop.aws.endpoint_url)
            if to in mail.to and subject_part in mail.subject
        ]
        if found:
            return found[0]
        assert time.monotonic() < deadline, f"no email to {to} about {subject_part!r}"
        time.sleep(0.5)


def sticker_pack(shop: LocalShop) -> object:
    """A seeded product with stock to spare (300): unpaid orders hold their stock, so the Knit Beanie's
    4 run out over a session. A product created here would show in the shop page's full listing."""
    return catalog(shop)["Sticker Pack"]["product_id"]


def place_guest_order(page: Page, product_id: object, email: str) -> dict[str, str]:
    """A guest's order through the API, with every address field and a separate billing address."""
    placed: dict[str, str] = page.evaluate(
        """async ([productId, email]) => {
          const response = await fetch("/api/guest/orders/create", {
            method: "POST",
            headers: {"Content-Type": "application/json", "Idempotency-Key": crypto.randomUUID()},
            body: JSON.stringify({
              email,
              items: [{product_id: productId, quantity: 1}],
              shipping_address: {name: "Gil Guest", line1: "5 Chapel Lane", line2: "Apt 4B", city: "Portland",
                                 region: "OR", postal_code: "97201", country: "US", phone: "+1 503 555 0100"},
              billing_address: {name: "Gil Guest", line1: "1 Bank Street", city: "Vancouver", region: "BC",
                                postal_code: "V6B 1A1", country: "CA"},
            }),
          });
          return response.json();
        }""",
        [product_id, email],
    )
    return placed


def test_a_guest_opens_their_order_from_the_link_in_its_confirmation_email(
    page: Page, local_shop: LocalShop, console_errors: list[str]
) -> None:
    email = f"guest-link-{uuid.uuid4().hex[:8]}@example.com"
    page.goto(site_url(local_shop, "/index.html"))
    placed = place_guest_order(page, sticker_pack(local_shop), email)
    number = placed["order_number"]
    confirmation = email_about(local_shop, email, number)
    links = ORDER_LINK.findall(confirmation.html_body)
    assert len(links) == 1, confirmation.html_body
    link = html.unescape(links[0])
    # The local shop's own URL, the order and, in the fragment (sent to no server), a token of the
    # link (not the checkout's access token).
    assert link.startswith(site_url(local_shop, f"/orders.html?id={placed['order_id']}#token="))
    assert placed["access_token"] not in link
    assert "Apt 4B" in confirmation.html_body
    assert "1 Bank Street" in confirmation.html_body

    page.goto(link)
    row = page.locator(".order-row", has_text=number)
    expect(row).to_be_visible()
    row.get_by_role("button", name=f"Details and invoice of {number}").click()
    ship_to = page.locator("#details .ship-to")
    for shown in (
        "Gil Guest",
        "5 Chapel Lane",
        "Apt 4B",
        "Portland, OR 97201",
        "United States",
        "+1 503 555 0100",
    ):
        expect(ship_to).to_contain_text(shown)
    bill_to = page.locator("#details .bill-to")
    expect(bill_to).to_contain_text("1 Bank Street")
    expect(bill_to).to_contain_text("Canada")
    screenshot(page, "orders-guest-link")
    assert console_errors == []


def test_an_account_orders_link_opens_its_details_once_signed_in(page: Page, local_shop: LocalShop) -> None:
    token = shopper_token(local_shop)
    page.goto(site_url(local_shop, "/index.html"))
    page.evaluate("token => sessionStorage.setItem('shop.idToken', token)", token)
    placed = place_order(page, token, sticker_pack(local_shop))
    link = f"orders.html?id={placed['order_id']}"

    page.goto(site_url(local_shop, f"/{link}"))
    expect(page.locator("#details")).to_be_visible()
    expect(page.locator("#details-title")).to_have_text(f"Order {placed['order_number']}")
    expect(page.locator("#details .ship-to")).to_contain_text("5 Elm Road")

    page.evaluate("sessionStorage.clear()")
    page.goto(site_url(local_shop, f"/{link}"))
    expect(page.locator("#status a")).to_have_attribute("href", f"signin.html?next={quote(link, safe='')}")
    expect(page.locator("#details")).to_be_hidden()
