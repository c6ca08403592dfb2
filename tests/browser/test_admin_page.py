"""admin-shop.html: the seeded administrator manages products (form, image upload, edit, archive,
low stock, CSV) and orders (status, shipping, refund; test_admin_orders.py has the rest); shoppers
and strangers get no admin UI.

Products are created through the API wherever the form is not what is being tested.
"""

from __future__ import annotations

import csv
import io
import random
import string
import struct
import zlib
from pathlib import Path

import pytest
from playwright.sync_api import Dialog, Locator, Page, expect

from cdk_app.local.runner import LocalShop
from tests.browser.conftest import (
    admin_request,
    admin_token,
    catalog,
    place_order,
    screenshot,
    serve_with_production_csp,
    shopper_token,
    site_url,
)

KEY_STORAGE = "shop.adminApiKey"


@pytest.fixture(autouse=True)
def admin_rate_limit_cleared(local_shop: LocalShop) -> None:
    """Admin routes allow 50 requests a minute per administrator, and the seed's product writes (same
    admin, same minute) plus these tests' calls would exceed it: each test starts with the admin
    counters dropped, as a new minute would."""
    assert local_shop.aws is not None
    dynamodb = local_shop.aws.client("dynamodb")
    table = next(name for name in dynamodb.list_tables()["TableNames"] if "RateLimits" in name)
    for item in dynamodb.scan(TableName=table)["Items"]:
        if item["limit_key"]["S"].startswith("admin#"):
            dynamodb.delete_item(TableName=table, Key={"limit_key": item["limit_key"]})


def admin_key(shop: LocalShop) -> str:
    return next(value for name, value in shop.api_keys.items() if name.endswith("-admin"))


def unique_word() -> str:
    # Letters only: the catalog search matches whole words, and a shop.html?q=... finds just this one.
    return "".join(random.choices(string.ascii_lowercase, k=10))


def png_file(directory: Path) -> Path:
    """A real 2x2 PNG (the browser must decode it for naturalWidth > 0)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    pixels = b"".join(b"\x00" + b"\xd0\x30\x30" * 2 for _ in range(2))
    body = (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(pixels))
        + chunk(b"IEND", b"")
    )
    path = directory / "product.png"
    path.write_bytes(body)
    return path


def create_product(shop: LocalShop, name: str, *, stock: int = 20, price: int = 1500) -> dict[str, object]:
    sku = "ADM-" + unique_word().upper()
    return admin_request(
        shop,
        "POST",
        "/products",
        {"name": name, "category": "Merchandise", "price": price, "sku": sku, "stock_quantity": stock},
    )


def open_admin(page: Page, shop: LocalShop, *, token: str | None = None, key: str | None = None) -> None:
    """Puts the sign-in (and the admin key) in sessionStorage as signin.html would, then opens the page."""
    page.goto(site_url(shop, "/index.html"))
    page.evaluate(
        """([token, key, keyName]) => {
          if (token) sessionStorage.setItem("shop.idToken", token);
          if (key) sessionStorage.setItem(keyName, key);
        }""",
        [token, key, KEY_STORAGE],
    )
    page.goto(site_url(shop, "/admin-shop.html"))


@pytest.fixture
def admin_page(page: Page, local_shop: LocalShop) -> Page:
    open_admin(page, local_shop, token=admin_token(local_shop), key=admin_key(local_shop))
    # The first admin page of a run waits for the functions' cold starts.
    expect(page.locator("#product-rows tr").first).to_be_visible(timeout=30_000)
    expect(page.locator("#products-status")).to_have_text("")
    return page


def product_row(page: Page, name: str) -> Locator:
    return page.locator("#product-rows tr", has=page.get_by_role("rowheader", name=name, exact=True))


def filter_products(page: Page, **fields: str) -> None:
    for field, value in fields.items():
        page.locator(f"#product-{field}").fill(value)
    page.locator("#product-filters").get_by_role("button", name="Filter").click()
    expect(page.locator("#products-status")).not_to_have_text("Loading products…")


def test_an_admin_adds_a_product_with_an_uploaded_image_edits_and_archives_it(
    admin_page: Page, local_shop: LocalShop, console_errors: list[str], tmp_path: Path
) -> None:
    page = admin_page
    word = unique_word()
    name = f"Admin Mug {word}"
    page.get_by_role("button", name="Add product").click()
    dialog = page.locator("#product-dialog")
    expect(dialog).to_be_visible()
    dialog.get_by_label("Name").fill(name)
    dialog.get_by_label("Description").fill("A mug made by the admin test.")
    dialog.get_by_label("SKU").fill(f"ADM-{word.upper()}")
    dialog.get_by_label("Category", exact=True).select_option("Merchandise")
    dialog.get_by_label("Price").fill("12.50")
    dialog.get_by_label("Stock").fill("30")
    dialog.get_by_label("Tags").fill("mug, admin test")
    dialog.locator("#f-image").set_input_files(str(png_file(tmp_path)))
    expect(page.locator("#upload-status")).to_have_text(
        "Uploaded “product.png”. Save the product to keep it."
    )
    expect(page.locator("#image-list li")).to_have_count(1)
    screenshot(page, "admin-product-form")
    dialog.get_by_role("button", name="Save product").click()
    expect(dialog).to_be_hidden()
    expect(page.locator("#products-status")).to_have_text(f"Saved “{name}”.")
    expect(product_row(page, name)).to_contain_text("$12.50")

    stored = catalog(local_shop)[name]
    assert stored["price"] == 1250
    assert stored["tags"] == ["mug", "admin test"]
    images = stored["images"]
    assert isinstance(images, list)
    assert len(images) == 1
    # Served by the site itself (CloudFront's product-images/ behaviour; locally the runner).
    assert str(images[0]).startswith(site_url(local_shop, "/product-images/products/"))
    assert str(images[0]).endswith(".png")

    # The shopper's catalog shows it, with the uploaded image decoded by the browser.
    page.goto(site_url(local_shop, f"/shop.html?q={word}"))
    card = page.locator(".product-card", has_text=name)
    expect(card).to_be_visible()
    image = card.locator("img")
    expect(image).to_have_attribute("src", str(images[0]))
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=image.element_handle())

    # Edit the price; the product page shows the new one.
    page.goto(site_url(local_shop, "/admin-shop.html"))
    filter_products(page, q=word)
    product_row(page, name).get_by_role("button", name=f"Edit {name}").click()
    dialog.get_by_label("Price").fill("9.75")
    dialog.get_by_role("button", name="Save product").click()
    expect(product_row(page, name)).to_contain_text("$9.75")
    catalog(local_shop)  # flushes the stage cache the product page reads through
    page.goto(site_url(local_shop, f"/product.html?id={stored['product_id']}"))
    expect(page.locator("#price")).to_have_text("$9.75")

    # Archive (after the confirm): gone for shoppers, listed as archived for the admin.
    page.goto(site_url(local_shop, "/admin-shop.html"))
    filter_products(page, q=word)
    page.once("dialog", lambda confirm: confirm.accept())
    product_row(page, name).get_by_role("button", name=f"Archive {name}").click()
    expect(product_row(page, name).locator(".status-badge")).to_have_text("archived")
    assert name not in catalog(local_shop)
    page.locator("#product-state").select_option("archived")
    filter_products(page)
    expect(product_row(page, name).locator(".status-badge")).to_have_text("archived")
    expect(product_row(page, name).get_by_role("button", name=f"Restore {name}")).to_be_visible()
    page.goto(site_url(local_shop, f"/shop.html?q={word}"))
    expect(page.locator(".product-card", has_text=name)).to_have_count(0)
    assert console_errors == []


def test_a_variants_picture_is_kept_and_can_be_set_in_the_product_form(
    admin_page: Page, local_shop: LocalShop, console_errors: list[str]
) -> None:
    word = unique_word()
    name = f"Admin Tee {word}"
    navy, sand = (site_url(local_shop, f"/img/products/AP-TEE-CROSS{suffix}.svg") for suffix in ("", "-back"))
    admin_request(
        local_shop,
        "POST",
        "/products",
        {
            "name": name,
            "category": "Merchandise",
            "price": 2000,
            "sku": f"ADM-{word.upper()}",
            "images": [navy, sand],
            "variants": [
                {"sku": f"ADM-{word.upper()}-NAVY", "colour": "Navy", "stock_quantity": 3, "image_url": navy},
                {"sku": f"ADM-{word.upper()}-SAND", "colour": "Sand", "stock_quantity": 3},
            ],
        },
    )
    page = admin_page
    filter_products(page, q=word)
    product_row(page, name).get_by_role("button", name=f"Edit {name}").click()
    dialog = page.locator("#product-dialog")
    expect(dialog.get_by_label("Variant 1 image URL (optional)")).to_have_value(navy)
    # The product's own images are offered; a picture that is no address is refused before sending.
    expect(page.locator("#variant-image-choices option")).to_have_count(2)
    second = dialog.get_by_label("Variant 2 image URL (optional)")
    second.fill("sand.svg")
    dialog.get_by_role("button", name="Save product").click()
    expect(page.locator("#form-status")).to_have_text(
        "Enter the variant picture's full address (https://...), or leave it empty."
    )
    second.fill(sand)
    dialog.get_by_role("button", name="Save product").click()
    expect(dialog).to_be_hidden()
    variants = catalog(local_shop)[name]["variants"]
    assert isinstance(variants, list)
    assert [variant["image_url"] for variant in variants] == [navy, sand]
    assert console_errors == []


def test_low_stock_products_are_flagged_in_words_and_can_be_filtered(
    page: Page, local_shop: LocalShop, console_errors: list[str]
) -> None:
    word = unique_word()
    low = f"Low Stock Pin {word}"
    create_product(local_shop, low, stock=2)
    open_admin(page, local_shop, token=admin_token(local_shop), key=admin_key(local_shop))
    row = product_row(page, low)
    expect(row).to_have_class("low-stock")
    expect(row.locator(".low-stock-label")).to_have_text("Low stock")
    # A seeded product with plenty of stock carries no flag.
    expect(product_row(page, "Study Bible")).not_to_have_class("low-stock")
    expect(product_row(page, "Study Bible").locator(".low-stock-label")).to_have_count(0)
    page.locator("#low-stock").check()
    filter_products(page)
    expect(product_row(page, low)).to_be_visible()
    expect(product_row(page, "Study Bible")).to_have_count(0)
    expect(page.locator("#product-count")).to_contain_text("low stock means 5 or fewer")
    screenshot(page, "admin-low-stock")
    assert console_errors == []


def test_an_admin_moves_and_refunds_an_order_and_sees_the_apis_refusals(
    page: Page, local_shop: LocalShop, console_errors: list[str]
) -> None:
    shopper = shopper_token(local_shop)
    product = create_product(local_shop, f"Order Test Tote {unique_word()}", stock=10, price=2000)
    page.goto(site_url(local_shop, "/index.html"))
    paid = place_order(page, shopper, product["product_id"])
    stale = place_order(page, shopper, product["product_id"])
    for order in (paid, stale):
        admin_request(local_shop, "PUT", f"/orders/{order['order_id']}/status", {"status": "paid"})

    open_admin(page, local_shop, token=admin_token(local_shop), key=admin_key(local_shop))
    orders = page.locator("#order-rows")
    stale_row = orders.locator("tr", has=page.get_by_role("rowheader", name=stale["order_number"]))
    paid_row = orders.locator("tr", has=page.get_by_role("rowheader", name=paid["order_number"]))
    expect(paid_row.locator(".order-status")).to_have_text("Paid")

    # Cancelled elsewhere after the page loaded: shipping it gets the API's own words.
    admin_request(local_shop, "PUT", f"/orders/{stale['order_id']}/status", {"status": "cancelled"})
    stale_row.get_by_role("button", name=f"Ship {stale['order_number']}").click()
    tracking = page.locator("#tracking-dialog")
    tracking.get_by_label("Carrier").fill("UPS")
    tracking.get_by_label("Tracking number").fill("1Z999AA10123456780")
    tracking.get_by_role("button", name="Ship order").click()
    expect(page.locator("#tracking-status")).to_contain_text("an order cannot move from cancelled to shipped")
    page.locator("#tracking-cancel").click()

    paid_row.get_by_label(f"New status of {paid['order_number']}").select_option("processing")
    paid_row.get_by_role("button", name=f"Change status of {paid['order_number']}").click()
    expect(paid_row.locator(".order-status")).to_have_text("Processing")

    paid_row.get_by_role("button", name=f"Ship {paid['order_number']}").click()
    tracking.get_by_label("Carrier").fill("UPS")
    tracking.get_by_label("Tracking number").fill("1Z999AA10123456784")
    tracking.get_by_role("button", name="Ship order").click()
    expect(tracking).to_be_hidden()
    expect(paid_row.locator(".order-status")).to_have_text("Shipped")
    expect(paid_row.locator(".tracking")).to_have_text("UPS 1Z999AA10123456784")
    # Sales figures count the paid (not yet refunded) order.
    expect(page.locator("#sales-paid")).not_to_have_text("0")
    expect(page.locator("#sales-revenue")).not_to_have_text("$0.00")
    expect(page.locator("#top-rows")).not_to_contain_text("No paid orders listed.")

    paid_row.get_by_role("button", name=f"Refund {paid['order_number']}").click()
    refund = page.locator("#refund-dialog")
    expect(refund.locator("#refund-summary")).to_contain_text("Order total")
    refund.get_by_label("Reason").fill("Damaged in transit")
    refund.get_by_role("button", name="Refund $").click()
    expect(refund).to_be_hidden()
    expect(page.locator("#orders-status")).to_have_text(f"Refund requested for {paid['order_number']}.")
    expect(paid_row.locator(".payment")).to_contain_text("Refund")
    # A refund was asked for: the row no longer offers one.
    expect(paid_row.get_by_role("button", name=f"Refund {paid['order_number']}")).to_have_count(0)
    expect(page.locator("#sales-orders")).not_to_have_text("\N{EN DASH}")
    screenshot(page, "admin-orders")

    stored = page.evaluate(
        """async ([token, orderId]) =>
          (await fetch(`/api/orders/${orderId}`, {headers: {Authorization: token}})).json()""",
        [shopper, paid["order_id"]],
    )
    assert stored["carrier"] == "UPS"
    assert stored["tracking_number"] == "1Z999AA10123456784"
    assert stored["refund_requested"] is True
    assert stored["payment_status"] in ("refund_requested", "refunded")
    # The only console errors are the browser's notes on the refused (409) shipment.
    assert [error for error in console_errors if "409" not in error] == []


def test_csv_exports_escape_values_and_neutralise_formulas(
    admin_page: Page, local_shop: LocalShop, console_errors: list[str]
) -> None:
    word = unique_word()
    formula = f'=HYPERLINK("http://evil.example","{word}")'
    plain = f"Export Check, with comma {word}"
    create_product(local_shop, formula)
    create_product(local_shop, plain)
    page = admin_page
    filter_products(page, q=word)
    expect(page.locator("#product-rows tr")).to_have_count(2)
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Export products (CSV)").click()
    download = download_info.value
    assert download.suggested_filename.startswith("products-")
    rows = list(csv.DictReader(io.StringIO(Path(download.path()).read_text(encoding="utf-8"))))
    names = {row["name"] for row in rows}
    # The spreadsheet sees text, not a formula; the comma survives as one quoted cell.
    assert "'" + formula in names
    assert formula not in names
    assert plain in names
    assert {row["price"] for row in rows} == {"15.00"}

    # Bulk: select both, export only those.
    page.get_by_label("Select all listed products").check()
    expect(page.locator("#selected-count")).to_have_text("2 selected")
    with page.expect_download() as selected_info:
        page.get_by_role("button", name="Export selected (CSV)").click()
    selected_rows = list(
        csv.reader(io.StringIO(Path(selected_info.value.path()).read_text(encoding="utf-8")))
    )
    assert len(selected_rows) == 3

    with page.expect_download() as orders_info:
        page.get_by_role("button", name="Export orders (CSV)").click()
    header = Path(orders_info.value.path()).read_text(encoding="utf-8").splitlines()[0]
    assert header.startswith("order_number,order_id,order_date,customer_email")
    assert console_errors == []


def test_a_product_name_with_markup_is_text_under_the_production_csp(
    page: Page, local_shop: LocalShop, console_errors: list[str]
) -> None:
    word = unique_word()
    name = f"<img src=x onerror=alert(1)> {word}"
    create_product(local_shop, name)
    alerts: list[str] = []

    def on_dialog(dialog: Dialog) -> None:
        alerts.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)

    serve_with_production_csp(page)
    open_admin(page, local_shop, token=admin_token(local_shop), key=admin_key(local_shop))
    expect(page.locator("#product-rows tr").first).to_be_visible()
    filter_products(page, q=word)
    expect(product_row(page, name)).to_be_visible()
    expect(page.locator("#product-rows img")).to_have_count(0)
    product_row(page, name).get_by_role("button", name=f"Edit {name}").click()
    expect(page.locator("#product-form-title")).to_have_text(f"Edit {name}")
    expect(page.locator("#f-name")).to_have_value(name)
    assert alerts == []
    assert console_errors == []


def test_the_page_asks_for_the_admin_key_once_and_explains_where_it_is(
    page: Page, local_shop: LocalShop
) -> None:
    open_admin(page, local_shop, token=admin_token(local_shop))
    form = page.locator("#key-form")
    expect(form).to_be_visible()
    expect(form).to_contain_text("make run")
    expect(form).to_contain_text("<stage>-shop-api-admin")
    expect(page.locator("#admin")).to_be_hidden()

    # A wrong key: API Gateway refuses it and the page asks again, saying so.
    form.get_by_label("Admin API key").fill("not-the-admin-key-0000000000")
    form.get_by_role("button", name="Use this key").click()
    expect(page.locator("#key-status")).to_have_text(
        "That key was not accepted. Check it and enter it again."
    )

    form.get_by_label("Admin API key").fill(admin_key(local_shop))
    form.get_by_role("button", name="Use this key").click()
    expect(page.locator("#product-rows tr").first).to_be_visible()
    assert page.evaluate(f"sessionStorage.getItem('{KEY_STORAGE}')") == admin_key(local_shop)
    page.reload()
    expect(page.locator("#key-form")).to_be_hidden()
    expect(page.locator("#product-rows tr").first).to_be_visible()


def test_shoppers_and_strangers_get_no_admin_ui(
    page: Page, local_shop: LocalShop, console_errors: list[str]
) -> None:
    open_admin(page, local_shop)
    expect(page.get_by_role("link", name="Sign in as an administrator")).to_have_attribute(
        "href", "signin.html?next=admin-shop.html"
    )
    expect(page.locator("#product-table")).to_be_hidden()

    open_admin(page, local_shop, token=shopper_token(local_shop), key=admin_key(local_shop))
    expect(page.locator("#status")).to_contain_text("This page is for administrators")
    expect(page.locator("#product-table")).to_be_hidden()
    expect(page.locator("#key-form")).to_be_hidden()
    screenshot(page, "admin-not-admin")
    assert console_errors == []
