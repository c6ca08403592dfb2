"""The signed open pixel and click-through links of marketing emails: what a token covers, and that a
click goes to the shop's own pages only."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import pytest

from shop.contracts import environment
from shop.email import engagement
from shop.platform import signed_links
from shop.platform.process_state import reset_process_state

SITE = "https://shop.example.com"
API = "https://api.example.com/v1"
MESSAGE = "mq_" + "a" * 32
OTHER = "mq_" + "b" * 32


@pytest.fixture(autouse=True)
def stage(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv(environment.SITE_URL, SITE)
    monkeypatch.setenv(environment.API_URL, API)
    monkeypatch.setattr(signed_links, "_key", lambda: b"unit-test-link-key")
    reset_process_state()
    yield
    reset_process_state()


def token_of(url: str) -> str:
    return parse_qs(urlsplit(url).query)["t"][0]


def test_the_pixel_token_covers_the_email_only() -> None:
    url = engagement.open_pixel_url(MESSAGE)
    assert url.startswith(f"{API}/m/open/{MESSAGE}?t=")
    token = token_of(url)
    assert len(token) == 43
    assert engagement.is_open_token(MESSAGE, token)
    assert not engagement.is_open_token(OTHER, token)
    assert not engagement.is_open_token(MESSAGE, token[:-1] + ("A" if token[-1] != "A" else "B"))
    assert not engagement.is_open_token(MESSAGE, "")
    # Not an id the shop makes: refused before any hashing is compared.
    assert not engagement.is_open_token("mq_../../x", token)


def test_the_click_token_covers_the_email_and_the_exact_page() -> None:
    page = f"{SITE}/product.html?id=prod_1"
    url = engagement.click_url(MESSAGE, page)
    query = parse_qs(urlsplit(url).query)
    assert url.startswith(f"{API}/m/click/{MESSAGE}?")
    assert query["u"] == [page]
    token = query["t"][0]
    assert engagement.is_click_token(MESSAGE, page, token)
    assert not engagement.is_click_token(OTHER, page, token)
    assert not engagement.is_click_token(MESSAGE, f"{SITE}/product.html?id=prod_2", token)
    assert not engagement.is_click_token(MESSAGE, page, token_of(engagement.open_pixel_url(MESSAGE)))
    # An open token is no click token, nor the other way round: each purpose has its own string.
    assert signed_links.EMAIL_OPEN != signed_links.EMAIL_CLICK
    assert not engagement.is_open_token(MESSAGE, token)


@pytest.mark.parametrize(
    "target",
    [
        f"{SITE}/",
        f"{SITE}/product.html?id=prod_1",
        f"{SITE}/shop.html?category=books#top",
        "https://SHOP.example.com/cart.html",
    ],
)
def test_pages_of_the_site_are_the_shops(target: str) -> None:
    assert engagement.is_shop_url(target)


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "https://shop.example.com.evil.example/",
        "https://shop.example.com@evil.example/",
        "https://evil.example/?u=https://shop.example.com/",
        "http://shop.example.com/",  # another scheme
        "//evil.example/",
        "/product.html",
        "javascript:alert(1)",
        "https://shop.example.com:8443/",
        "https://shop.example.com\\@evil.example/",
        "https://shop.example.com/\r\nLocation: https://evil.example/",
        f"{SITE}/" + "a" * engagement.MAX_TARGET_LENGTH,
    ],
)
def test_no_other_page_is_the_shops_and_none_gets_a_link(target: str) -> None:
    assert not engagement.is_shop_url(target)
    with pytest.raises(ValueError, match="shop's own pages"):
        engagement.click_url(MESSAGE, target)
    # Even a token made for it with the key does not make it a destination.
    forged = signed_links.link_token(signed_links.EMAIL_CLICK, f"{MESSAGE}\n{target}")
    assert not engagement.is_click_token(MESSAGE, target, forged)


def test_a_site_under_a_path_keeps_its_links_under_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(environment.SITE_URL, "https://example.com/shop")
    reset_process_state()
    assert engagement.is_shop_url("https://example.com/shop/product.html?id=1")
    assert engagement.is_shop_url("https://example.com/shop")
    assert not engagement.is_shop_url("https://example.com/shopping/")
    assert not engagement.is_shop_url("https://example.com/")


def test_a_recorded_click_lands_with_the_campaign_id_and_an_unrecorded_one_without() -> None:
    page = f"{SITE}/product.html?id=prod_1&mc=mq_{'c' * 32}#reviews"
    assert engagement.landing_url(page, MESSAGE) == f"{SITE}/product.html?id=prod_1&mc={MESSAGE}#reviews"
    assert engagement.landing_url(page, None) == page
