"""Promotions (issue 18): an administrator creates a promotion in admin-shop.html, a guest redeems it at
checkout, the admin page counts the redemption, and a deactivated code is refused in the cart."""

from __future__ import annotations

import random
import string

import pytest
from playwright.sync_api import Page, expect

from cdk_app.local.runner import LocalShop
from tests.browser.conftest import admin_token, site_url
from tests.browser.test_admin_page import (
    admin_key,
    admin_rate_limit_cleared,
    create_product,
    open_admin,
    unique_word,
)
from tests.browser.test_checkout_page import fill_address, go_to_review, orders_of

__all__ = ["admin_rate_limit_cleared"]  # the admin page's autouse fixture, used here too


def add_to_cart(page: Page, shop: LocalShop, product_id: object) -> None:
    page.goto(site_url(shop, f"/product.html?id={product_id}"))
    page.locator("#add").click()
    expect(page.locator("#add-status")).to_contain_text("Added 1 to your cart")


@pytest.fixture
def code() -> str:
    return "SPRING" + "".join(random.choices(string.ascii_uppercase, k=6))


def test_an_admin_creates_a_promotion_and_a_shopper_redeems_it_at_checkout(
    page: Page, local_shop: LocalShop, code: str, console_errors: list[str]
) -> None:
    # A product of its own: the other pages' tests count the sample products' stock.
    product_id = create_product(local_shop, f"Promo {unique_word()}", price=1600)["product_id"]
    open_admin(page, local_shop, token=admin_token(local_shop), key=admin_key(local_shop))
    rows = page.locator("#promotion-rows tr")
    # the seeded codes are listed (the first admin page of a run waits for the functions' cold starts)
    expect(rows.filter(has_text="WELCOME10")).to_have_count(1, timeout=30_000)
    page.locator("#promotion-code").fill(code.lower())
    page.locator("#promotion-kind").select_option("fixed")
    page.locator("#promotion-value").fill("3.00")
    page.locator("#promotion-limit").fill("10")
    page.get_by_role("button", name="Create promotion").click()
    expect(page.locator("#promotion-form-status")).to_have_text(f"Promotion {code} created.")
    row = rows.filter(has=page.get_by_role("rowheader", name=code, exact=True))
    expect(row).to_contain_text("$3.00 off")
    expect(row).to_contain_text("0 of 10")

    email = f"{code.lower()}@example.com"
    page.evaluate("sessionStorage.clear()")  # the shopper is a guest, not the administrator
    add_to_cart(page, local_shop, product_id)  # $16.00
    page.goto(site_url(local_shop, "/cart.html"))
    page.locator("#discount-code").fill(code.lower())
    page.locator("#discount-form button").click()
    expect(page.locator("#discount-status")).to_have_text(f"Code {code} applied.")
    expect(page.locator("#discount")).to_have_text("\u2212$3.00")
    page.goto(site_url(local_shop, "/checkout.html"))
    expect(page.locator("#discount-label")).to_have_text(f"Discount ({code})")
    expect(page.locator("#total")).to_have_text("$20.03")  # 13.00 + 1.04 tax + 5.99 shipping
    fill_address(page, email)
    go_to_review(page)
    page.get_by_role("button", name="Place order").click()
    expect(page.locator("#confirmation")).to_be_visible(timeout=20_000)
    [order] = orders_of(local_shop, email)
    assert order["discount_code"]["S"] == code
    assert order["discount"]["N"] == "300"

    open_admin(page, local_shop, token=admin_token(local_shop), key=admin_key(local_shop))
    expect(row).to_contain_text("1 of 10")
    row.get_by_role("button", name=f"Deactivate {code}").click()
    # The first PUT of a run waits for the admin function's cold start (slow on a loaded machine).
    expect(page.locator("#promotions-status")).to_have_text(f"{code} is inactive.", timeout=20_000)
    expect(row).to_contain_text("Inactive")

    assert console_errors == []  # the refusal below is a 400, which the console reports

    page.evaluate("sessionStorage.clear()")
    add_to_cart(page, local_shop, product_id)
    page.goto(site_url(local_shop, "/cart.html"))
    page.locator("#discount-code").fill(code)
    page.locator("#discount-form button").click()
    expect(page.locator("#discount-status")).to_contain_text(f"code {code} is no longer active")
