"""The policy pages (terms, privacy, shipping, returns, contact) as shoppers get them from the local shop:
each one renders its web/_content Markdown with the stage's brand, has one h1, works under the
production Content-Security-Policy and is linked from every page's footer."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from cdk_app.local.runner import LocalShop
from cdk_app.site_pages import POLICY_PAGES
from tests.browser.conftest import screenshot, serve_with_production_csp, site_url


def test_each_policy_page_shows_the_brand_and_is_in_the_footer(
    page: Page, local_shop: LocalShop, console_errors: list[str]
) -> None:
    assert local_shop.server is not None
    assert local_shop.server.pages is not None
    brand = local_shop.server.pages.brand
    serve_with_production_csp(page, local_shop)
    for path, _label in POLICY_PAGES:
        response = page.goto(site_url(local_shop, f"/{path}"))
        assert response is not None
        assert response.status == 200, path
        expect(page.locator("h1")).to_have_count(1)
        expect(page).to_have_title(f"{page.locator('h1').inner_text()} - {brand['shop_name']}")
        main = page.locator("main")
        expect(main.locator(f'a[href="mailto:{brand["contact_email"]}"]').first).to_be_visible()
        text = main.inner_text()
        assert "{{" not in text, path
        assert "{%" not in text, path
        expect(main.locator("h2").first).to_be_visible()  # the Markdown's sections became headings
        # Every policy page is one click away from any page's footer, this one included.
        footer = page.locator("footer")
        for other, label in POLICY_PAGES:
            expect(footer.get_by_role("link", name=label, exact=True)).to_have_attribute("href", f"/{other}")
    # The last page, contact, gives the postal address.
    expect(page.locator("main")).to_contain_text(brand["address_lines"][0])
    screenshot(page, "contact")
    page.goto(site_url(local_shop, "/shipping.html"))
    expect(page.locator("main table")).to_contain_text("$5.99")  # the stage's flat shipping (cdk.json)
    screenshot(page, "shipping")
    assert console_errors == []
