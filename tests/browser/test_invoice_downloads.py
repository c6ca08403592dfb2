"""Invoices from the pages: a guest pays by card through localstripe's Stripe.js and downloads the
invoice PDF from the orders page (the link of the confirmation); the administrator downloads it from
the admin orders view. Each download is a real PDF (application/pdf, `%PDF-`, pypdf reads its number)."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect
from pypdf import PdfReader

from cdk_app.local.runner import LocalShop
from tests.browser.conftest import admin_token, screenshot, site_url
from tests.browser.test_admin_page import admin_key, admin_rate_limit_cleared, open_admin
from tests.browser.test_checkout_page import add_to_cart, fill_address, go_to_review, orders_of

PAID = "Thank you! Your order is paid"
INVOICE_FILE = re.compile(r"^INV-\d{4}-\d{6}\.pdf$")


def download_pdf(page: Page, button: Locator) -> tuple[str, bytes]:
    """Clicks `button` and returns the downloaded file's (name, bytes), checking that the API answered
    application/pdf and that the browser saved a whole PDF."""
    with (
        page.expect_response(
            re.compile(r".*/api/(guest/)?orders/[^/]+/(invoice|credit-note)(\?.*)?$")
        ) as answer,
        page.expect_download() as saved,
    ):
        button.click()
    response = answer.value
    assert response.status == 200, response.text()[:300]
    assert response.headers["content-type"] == "application/pdf"
    body = Path(saved.value.path()).read_bytes()
    assert body.startswith(b"%PDF-")
    assert body.rstrip().endswith(b"%%EOF")  # the whole file, as bytes (not the base64 text)
    return saved.value.suggested_filename, body


def pdf_text(body: bytes) -> str:
    return " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages).split())


def test_a_guest_pays_by_card_and_downloads_the_invoice_from_the_orders_page(
    page: Page, local_shop: LocalShop, console_errors: list[str]
) -> None:
    email = "invoice.guest@example.com"
    add_to_cart(page, local_shop, "Sticker Pack")
    page.goto(site_url(local_shop, "/checkout.html"))
    fill_address(page, email, line1="8 Receipt Road")
    go_to_review(page)
    page.get_by_role("button", name="Place order").click()
    expect(page.locator("#confirmation-title")).to_have_text(PAID, timeout=30_000)
    (order,) = orders_of(local_shop, email)
    number = str(order["order_number"]["S"])  # type: ignore[index]
    page.locator("#order-link").click()

    row = page.locator(".order-row", has_text=number)
    expect(row.locator(".status-badge")).to_have_text("paid")
    button = row.get_by_role("button", name=f"Download invoice (PDF) of {number}")
    file_name, body = download_pdf(page, button)
    assert INVOICE_FILE.match(file_name), file_name
    text = pdf_text(body)
    assert f"Invoice number: {file_name.removesuffix('.pdf')}" in text
    assert "8 Receipt Road" in text
    assert email in text
    assert "Payment method: Card (Stripe)" in text
    expect(page.locator("#status")).to_have_text(f"The invoice {file_name} was downloaded.")
    # No credit note before a refund: no button offers one.
    expect(row.get_by_role("button", name=re.compile("credit note"))).to_have_count(0)
    screenshot(page, "orders-invoice-download")
    assert console_errors == []


@pytest.mark.usefixtures(admin_rate_limit_cleared.__name__)
def test_the_administrator_downloads_an_orders_invoice_from_the_admin_orders_view(
    page: Page, local_shop: LocalShop, console_errors: list[str]
) -> None:
    email = "invoice.admin.view@example.com"
    add_to_cart(page, local_shop, "Sticker Pack")
    page.goto(site_url(local_shop, "/checkout.html"))
    fill_address(page, email)
    go_to_review(page)
    page.get_by_role("button", name="Place order").click()
    expect(page.locator("#confirmation-title")).to_have_text(PAID, timeout=30_000)
    (order,) = orders_of(local_shop, email)
    number = str(order["order_number"]["S"])  # type: ignore[index]
    invoice_number = str(order["invoice_number"]["S"])  # type: ignore[index]

    open_admin(page, local_shop, token=admin_token(local_shop), key=admin_key(local_shop))
    row = page.locator("#order-rows tr", has=page.get_by_role("rowheader", name=number))
    file_name, body = download_pdf(
        page, row.get_by_role("button", name=f"Download invoice (PDF) of {number}")
    )
    assert file_name == f"{invoice_number}.pdf"
    assert f"Invoice number: {invoice_number}" in pdf_text(body)
    expect(page.locator("#orders-status")).to_have_text(
        f"The invoice {file_name} of {number} was downloaded."
    )
    assert console_errors == []
