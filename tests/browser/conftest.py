"""The pages in headless Chromium (Debian's /usr/bin/chromium) against the local shop."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from cdk_app.local.redis_server import free_port
from cdk_app.local.runner import LocalShop, LocalShopOptions
from cdk_app.local.synth import synthesize_local_templates

CHROMIUM = os.environ.get("SHOP_CHROMIUM", "/usr/bin/chromium")
# Without the background-networking flags Chromium keeps calling Google's hosts, which this
# machine's closed network refuses.
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "browser"


@pytest.fixture(scope="session")
def local_shop() -> Iterator[LocalShop]:
    shop = LocalShop(
        LocalShopOptions(port=free_port(), templates=synthesize_local_templates(), run_schedules=False)
    ).start()
    try:
        yield shop
    finally:
        shop.stop()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: apt-get install chromium (.ci/run does)")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS, headless=True)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    opened = context.new_page()
    try:
        yield opened
    finally:
        context.close()


def site_url(shop: LocalShop, path: str = "/") -> str:
    assert shop.server is not None
    return f"{shop.server.url}{path}"


def screenshot(page: Page, name: str) -> None:
    """Saved as a test artifact (git-ignored), at desktop and phone width."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}-desktop.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=str(ARTIFACTS / f"{name}-phone.png"), full_page=True)
