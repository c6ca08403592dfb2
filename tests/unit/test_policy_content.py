"""The policy pages' text (web/_content/*.md) follows the stage's brand and pricing: a rebrand or a new
shipping rule changes terms, privacy, shipping, returns and contact without editing them."""

from __future__ import annotations

import re
from typing import Any

import pytest

from cdk_app.config import load_stage_config
from cdk_app.site_pages import POLICY_PAGES, WEB_DIR, SitePages
from cdk_app.synth import cdk_context
from shop.contracts.tables import PRODUCT_VIEWS_TTL_DAYS


def local() -> tuple[dict[str, Any], dict[str, Any]]:
    config = load_stage_config(cdk_context("local"), "local")
    return config.brand, config.pricing


def rebranded() -> tuple[dict[str, Any], dict[str, Any]]:
    brand, pricing = local()
    brand = {
        **brand,
        "shop_name": "Lantern Books",
        "seller_name": "Lantern Books Inc.",
        "contact_email": "hello@lantern.example",
        "phone": "+1 207 555 0199",
        "address_lines": ["12 Harbor Street", "Portland, ME 04101", "United States"],
    }
    return brand, {**pricing, "flat_shipping_cents": 799, "free_shipping_threshold_cents": None}


def main_of(html: str) -> str:
    return html[html.index("<main") : html.index("</main>")]


@pytest.mark.parametrize(("page", "label"), POLICY_PAGES)
def test_a_policy_page_renders_its_content_with_the_brand(page: str, label: str) -> None:
    assert (WEB_DIR / "_content" / f"{page.removesuffix('.html')}.md").is_file()
    brand, pricing = rebranded()
    main = main_of(SitePages(brand, pricing).render(page, site_url=None))
    assert main.count("<h1") == 1, "one h1: the Markdown's sections are h2s"
    assert main.count("<h2") >= 2
    assert 'href="mailto:hello@lantern.example"' in main
    assert "Christian Conservatives" not in main
    assert "Shop Example" not in main
    assert "help@shop.local" not in main
    assert not re.search(r"{{|{%|\bNone\b", main), "template syntax or an empty value leaked"


def test_a_rebrand_and_new_shipping_rules_change_the_texts() -> None:
    brand, pricing = rebranded()
    pages = SitePages(brand, pricing)
    shipping = main_of(pages.render("shipping.html", site_url=None))
    assert "$7.99" in shipping
    # No free-shipping row without a threshold.
    assert "Free</td>" not in shipping.split("Digital downloads only")[0]
    terms = main_of(pages.render("terms.html", site_url=None))
    assert "Lantern Books" in terms
    assert "$7.99" in terms
    assert "free on orders" not in terms
    contact = main_of(pages.render("contact.html", site_url=None))
    assert "12 Harbor Street" in contact
    assert 'href="tel:+12075550199"' in contact
    returns = main_of(pages.render("returns.html", site_url=None))
    assert "Lantern Books Inc., Returns" in returns
    assert "Portland, ME 04101" in returns

    # The stage's own rules: free shipping from its threshold.
    local_brand, local_pricing = local()
    local_shipping = main_of(SitePages(local_brand, local_pricing).render("shipping.html", site_url=None))
    threshold = f"${local_pricing['free_shipping_threshold_cents'] // 100}"
    assert f"{threshold} or more (after discounts)</td>\n<td>Free" in local_shipping


def test_the_privacy_page_offers_the_tracking_choice() -> None:
    brand, pricing = local()
    main = main_of(SitePages(brand, pricing).render("privacy.html", site_url=None))
    assert 'id="tracking-choice"' in main
    assert 'data-consent-choice="granted"' in main
    assert 'data-consent-choice="denied"' in main
    assert f"{PRODUCT_VIEWS_TTL_DAYS} days" in main  # what it says about keeping the events is true
