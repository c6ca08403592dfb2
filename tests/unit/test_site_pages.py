"""The site's pages rendered with a stage's brand (cdk_app/site_pages.py): what every page carries, a
rebrand reaching every page, the built directory the Web stack deploys, and brands refused at synth."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from cdk_app.config import ConfigError, load_stage_config
from cdk_app.site_pages import (
    BRAND_CSS,
    POLICY_PAGES,
    SitePages,
    build_site,
    page_names,
    site_brand_config,
)
from cdk_app.synth import cdk_context

SITE = "https://shop.example.org"


class _Head(HTMLParser):
    """The tags the checks read: titles, meta tags, canonical links, footer links, h1s."""

    def __init__(self) -> None:
        super().__init__()
        self.meta: dict[str, str] = {}
        self.canonical: list[str] = []
        self.links: list[str] = []
        self.titles = 0
        self.h1 = 0
        self.title = ""
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "meta" and ("name" in values or "property" in values):
            self.meta[values.get("name") or values["property"]] = values.get("content", "")
        elif tag == "link" and values.get("rel") == "canonical":
            self.canonical.append(values["href"])
        elif tag == "a":
            self.links.append(values.get("href", ""))
        elif tag == "title":
            self.titles += 1
            self._in_title = True
        elif tag == "h1":
            self.h1 += 1

    def handle_endtag(self, tag: str) -> None:
        self._in_title = self._in_title and tag != "title"

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data


def parsed(html: str) -> _Head:
    head = _Head()
    head.feed(html)
    return head


def stage(name: str) -> tuple[dict[str, Any], dict[str, Any]]:
    config = load_stage_config(cdk_context(name), name)
    return config.brand, config.pricing


def rebranded() -> dict[str, Any]:
    brand, _ = stage("local")
    return {
        **brand,
        "shop_name": "Lantern Books",
        "tagline": "Good books for curious minds",
        "colours": {"primary": "#0b5d1e", "accent": "#7a1f5c", "ink": "#202020", "surface": "#ffffff"},
        "contact_email": "hello@lantern.example",
        "social": [{"network": "youtube", "url": "https://www.youtube.com/@lantern"}],
    }


@pytest.mark.parametrize("stage_name", ["local", "dev", "prod"])
def test_every_page_carries_the_stage_brand_and_what_search_engines_read(stage_name: str) -> None:
    brand, pricing = stage(stage_name)
    pages = SitePages(brand, pricing)
    assert {"index.html", "shop.html", "product.html", "cart.html", "checkout.html", "404.html"} <= set(
        page_names()
    )
    for name in page_names():
        html = pages.render(name, site_url=SITE)
        head = parsed(html)
        assert head.titles == 1, name
        assert brand["shop_name"] in head.title, name
        assert head.h1 >= 1, f"{name}: a page has a heading"
        assert 50 <= len(head.meta["description"]) <= 160, name
        for tag in ("og:title", "og:description", "og:site_name", "og:url", "og:image", "theme-color"):
            assert head.meta[tag], (name, tag)
        expected = f"{SITE}/" if name == "index.html" else f"{SITE}/{name}"
        assert head.canonical == [expected], name
        assert head.meta["og:url"] == expected, name
        assert head.meta["theme-color"] == brand["colours"]["primary"]
        for policy, _label in POLICY_PAGES:
            assert f"/{policy}" in head.links, (name, policy)
        assert f"mailto:{brand['contact_email']}" in head.links, name
        assert ">Shop</a>" not in html, f"{name} still names the shop 'Shop'"


def test_a_rebrand_reaches_every_page_and_the_colours() -> None:
    _, pricing = stage("local")
    brand = rebranded()
    pages = SitePages(brand, pricing)
    for name in page_names():
        html = pages.render(name, site_url=None)
        assert "Lantern Books" in html, name
        assert "Christian Conservatives" not in html, name
        assert "https://www.youtube.com/@lantern" in html, name
        assert parsed(html).canonical == [], f"{name}: no canonical URL without a known site URL"
    assert "--brand-primary: #0b5d1e;" in pages.brand_css()
    config = site_brand_config(brand, pricing)
    assert config["brand"]["shopName"] == "Lantern Books"
    assert config["pricing"]["freeShippingThresholdCents"] == pricing["free_shipping_threshold_cents"]


def test_brand_text_is_escaped_in_the_pages() -> None:
    # The model refuses < and >; an ampersand is legal and must still be escaped in attributes.
    _, pricing = stage("local")
    brand = {**rebranded(), "shop_name": 'Books & "Bibles"'}
    html = SitePages(brand, pricing).render("index.html", site_url=SITE)
    assert 'content="Books &amp; &#34;Bibles&#34;"' in html


def test_the_built_site_is_rendered_named_by_content_and_without_sources(tmp_path: Path) -> None:
    brand, pricing = stage("dev")
    built = build_site(brand, pricing, tmp_path, site_url=None)
    assert built.parent == tmp_path
    assert (built / "index.html").read_text().count(brand["shop_name"]) >= 2
    assert "{%" not in (built / "cart.html").read_text()
    assert (built / BRAND_CSS).read_text().count("--brand-") == 4
    assert (built / "js" / "header.js").is_file()
    assert (built / "img" / "brand" / "logo.svg").is_file()
    assert not list(built.rglob("_layout"))
    assert not list(built.rglob("_content"))
    # The same content builds the same directory; another brand another one.
    assert build_site(brand, pricing, tmp_path, site_url=None) == built
    other = build_site(rebranded(), pricing, tmp_path, site_url=None)
    assert other != built
    assert "Lantern Books" in (other / "index.html").read_text()
    assert sorted(path.name for path in tmp_path.iterdir()) == sorted([built.name, other.name])


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"colours": {"primary": "#f0c040", "accent": "#9b2335"}}, "white text on primary has contrast"),
        ({"colours": {"primary": "#1d3a5f", "accent": "#9b2335", "ink": "#aaaaaa"}}, "ink on surface"),
        ({"shop_name": "<script>x</script>"}, "plain text"),
        ({"description": "Too short"}, "description"),
        ({"social": [{"network": "facebook", "url": "http://insecure.example"}]}, "social"),
    ],
)
def test_a_brand_that_would_ship_broken_pages_is_refused_at_synth(
    change: dict[str, Any], message: str
) -> None:
    context = cdk_context("dev")
    stages = json.loads(json.dumps(context["shop:stages"]))
    stages["dev"]["brand"].update(change)
    with pytest.raises(ConfigError, match=re.escape(message)):
        load_stage_config({**context, "shop:stages": stages}, "dev")
