"""A guest buys the seeded e-book in the local shop: the checkout asks for no shipping address and
charges no shipping, the card is paid through localstripe's Stripe.js, and the buyer downloads the
real file from the payment-received email's link and from the orders page (each a 302 from the API to
a presigned GET of the private bucket, counted against the download limit)."""

from __future__ import annotations

import html
import json
import re
import uuid
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from cdk_app.local.api_gateway import HttpRequest
from cdk_app.local.runner import LocalShop
from cdk_app.local.sample_catalog import SAMPLE_PRODUCTS, sample_file, sample_pdf
from tests.browser.conftest import admin_token, screenshot, site_url
from tests.browser.test_admin_page import (
    admin_key,
    admin_rate_limit_cleared,
    filter_products,
    open_admin,
    product_row,
    unique_word,
)
from tests.browser.test_checkout_page import add_to_cart, fill_card, orders_of
from tests.browser.test_orders_page import email_about

EBOOK = next(product for product in SAMPLE_PRODUCTS if product.sku == "DD-EBOOK-HOPE")
PAID = "Thank you! Your order is paid"
# A guest's download link opens the orders page, the token and the file wanted in the fragment.
DOWNLOAD_LINK = re.compile(r'href="([^"]*/orders\.html\?[^"]*#[^"]*download=[^"]*)"')
ORDER_LINK = re.compile(r'href="([^"]*/orders\.html\?[^"#]*#token=[^"&]*)"')


def _download(page: Page, click: object) -> tuple[str, bytes]:
    """What the browser saves when `click()` follows a download link: (file name, bytes)."""
    with page.expect_download() as saved:
        click()  # type: ignore[operator]
    return saved.value.suggested_filename, Path(saved.value.path()).read_bytes()


def test_a_guest_buys_the_ebook_and_downloads_it_from_the_email_and_the_orders_page(
    page: Page, local_shop: LocalShop, console_errors: list[str]
) -> None:
    email = f"ebook-{uuid.uuid4().hex[:8]}@example.com"
    expected = sample_file(EBOOK)
    add_to_cart(page, local_shop, EBOOK.name)
    page.goto(site_url(local_shop, "/checkout.html"))
    # Nothing ships: no shipping fee, and the address step asks only whom to bill.
    expect(page.locator("#shipping")).to_have_text("Free")
    expect(page.locator("#total")).to_have_text("$10.79")  # 9.99 + 0.80 tax
    expect(page.locator("#address-title")).to_have_text("Your details")
    expect(page.locator("#line1")).to_be_hidden()
    expect(page.locator("#billing-same")).to_be_hidden()
    page.locator("#email").fill(email)
    # Only whom to bill is missing (no street, city or postal code is asked for).
    page.get_by_role("button", name="Continue to shipping").click()
    expect(page.locator("#error-billing-name")).to_have_text("Enter the name on the bill.")
    expect(page.locator("#error-billing-line1")).to_have_text("")
    page.locator("#billing-name").fill("Dora Download")
    page.locator("#billing-country").select_option("GB")
    page.get_by_role("button", name="Continue to shipping").click()
    expect(page.locator("#digital-delivery")).to_be_visible()
    page.get_by_role("button", name="Continue to payment").click()
    fill_card(page)
    page.get_by_role("button", name="Review your order").click()
    expect(page.locator("#review")).to_contain_text("Nothing to ship")
    page.locator("#terms").check()
    screenshot(page, "checkout-digital-review")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.get_by_role("button", name="Place order").click()
    expect(page.locator("#confirmation-title")).to_have_text(PAID, timeout=30_000)

    (order,) = orders_of(local_shop, email)
    assert "shipping_address" not in order
    assert order["shipping"] == {"N": "0"}
    assert order["billing_address"]["M"]["country"] == {"S": "GB"}  # type: ignore[index]
    number = str(order["order_number"]["S"])  # type: ignore[index]

    # The payment-received email's link opens the orders page, which starts that download: the API
    # counts it and redirects to the file. The token stays in the fragment, out of every URL sent.
    paid_email = email_about(local_shop, email, "Payment received")
    [link] = {html.unescape(found) for found in DOWNLOAD_LINK.findall(paid_email.html_body)}
    assert link.startswith(site_url(local_shop, f"/orders.html?id={order['order_id']['S']}#token="))  # type: ignore[index]
    sent_urls: list[str] = []
    page.on("request", lambda request: sent_urls.append(request.url))
    name, body = _download(page, lambda: page.goto(link))
    assert (name, body) == (expected.file_name, expected.body)
    assert body.startswith(b"%PDF-")
    assert "download=" not in page.url  # a reload does not download again
    token = link.split("#token=")[1].split("&")[0]
    assert not [url for url in sent_urls if token in url]

    # The orders page (the email's order link opens it): "Download digital products".
    order_link = ORDER_LINK.search(paid_email.html_body)
    assert order_link is not None
    page.goto(html.unescape(order_link.group(1)))
    row = page.locator(".order-row", has_text=number)
    expect(row.locator(".status-badge")).to_have_text("paid")
    row.get_by_role("button", name=f"Details and invoice of {number}").click()
    section = page.locator("#details .downloads")
    expect(section.get_by_role("heading", name="Download digital products")).to_be_visible()
    expect(section).to_contain_text("4 of 5 downloads left")
    expect(page.locator("#details .invoice-address.ship-to")).to_have_count(0)  # nothing shipped
    screenshot(page, "orders-digital-downloads")
    page.set_viewport_size({"width": 1280, "height": 900})
    name, body = _download(
        page, section.get_by_role("link", name=f"Download {expected.file_name} ({EBOOK.name})").click
    )
    assert (name, body) == (expected.file_name, expected.body)
    (after,) = orders_of(local_shop, email)
    [entitlement] = after["digital_downloads"]["L"]  # type: ignore[index]
    assert entitlement["M"]["downloads_used"] == {"N": "2"}
    assert console_errors == []


def _stored_files(shop: LocalShop, name: str, word: str) -> list[dict[str, str]]:
    """The product's `digital_files` as GET /admin/products answers them to the administrator."""
    assert shop.gateway is not None
    headers = (("Authorization", admin_token(shop)), ("X-Api-Key", admin_key(shop)))
    answer = shop.gateway.handle(
        HttpRequest(method="GET", path="/admin/products", query=f"q={word}&status=all", headers=headers)
    )
    assert answer.status == 200, answer.body[:300]
    product = next(item for item in json.loads(answer.body)["items"] if item["name"] == name)
    files: list[dict[str, str]] = product["digital_files"]
    return files


def _files_bucket(shop: LocalShop) -> str:
    assert shop.model is not None
    [bucket] = [b for b in shop.model.buckets if b.address.logical_id.startswith("DigitalFiles")]
    return bucket.name


@pytest.mark.usefixtures(admin_rate_limit_cleared.__name__)
def test_an_admin_uploads_a_products_file_then_replaces_it(
    page: Page, local_shop: LocalShop, console_errors: list[str], tmp_path: Path
) -> None:
    assert local_shop.aws is not None
    word = unique_word()
    name = f"Sermon Outlines {word}"
    first, second = tmp_path / "outlines.pdf", tmp_path / "outlines v2.pdf"
    first.write_bytes(sample_pdf(name, ("First edition",)))
    second.write_bytes(sample_pdf(name, ("Second edition, corrected",)))
    open_admin(page, local_shop, token=admin_token(local_shop), key=admin_key(local_shop))
    expect(page.locator("#product-rows tr").first).to_be_visible()
    page.get_by_role("button", name="Add product").click()
    dialog = page.locator("#product-dialog")
    dialog.get_by_label("Name").fill(name)
    dialog.get_by_label("SKU").fill(f"MT-{word.upper()}")
    dialog.get_by_label("Category", exact=True).select_option("Ministry Tools")
    dialog.get_by_label("Price").fill("29.00")
    dialog.get_by_label("Status").select_option("draft")  # kept out of other tests' shop listings
    dialog.get_by_label("Digital download").check()
    dialog.get_by_role("button", name="Save product").click()
    expect(page.locator("#form-status")).to_contain_text("A digital download needs a file")

    dialog.locator("#f-file").set_input_files(str(first))
    expect(page.locator("#file-status")).to_have_text("Uploaded “outlines.pdf”. Save the product to keep it.")
    expect(page.locator("#file-list li")).to_have_count(1)
    screenshot(page, "admin-product-files")
    page.set_viewport_size({"width": 1280, "height": 900})
    dialog.get_by_role("button", name="Save product").click()
    expect(dialog).to_be_hidden()

    [stored] = _stored_files(local_shop, name, word)
    s3 = local_shop.aws.client("s3")
    bucket = _files_bucket(local_shop)
    assert s3.get_object(Bucket=bucket, Key=stored["key"])["Body"].read() == first.read_bytes()

    # Replace: the same file id (buyers' links keep naming it), a new object with the new bytes.
    filter_products(page, q=word)
    product_row(page, name).get_by_role("button", name=f"Edit {name}").click()
    with page.expect_file_chooser() as chooser:
        dialog.get_by_role("button", name="Replace outlines.pdf").click()
    chooser.value.set_files(str(second))
    expect(page.locator("#file-status")).to_have_text(
        "Uploaded “outlines v2.pdf” as the new version. Save the product to keep it."
    )
    dialog.get_by_role("button", name="Save product").click()
    expect(dialog).to_be_hidden()
    [replaced] = _stored_files(local_shop, name, word)
    assert replaced["file_id"] == stored["file_id"]
    assert replaced["key"] != stored["key"]
    assert replaced["file_name"] == "outlines v2.pdf"
    assert s3.get_object(Bucket=bucket, Key=replaced["key"])["Body"].read() == second.read_bytes()
    assert console_errors == []
