"""What tests/browser/test_page_quality.py and bench/lighthouse.py share: the pinned Node tools
(Lighthouse 12.2.3 and axe-core from package.json), the shop's pages under test, a guest cart for the
cart and checkout pages, and one Lighthouse run over a list of pages (bench/lighthouse_pages.mjs)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.error import HTTPError
from urllib.request import Request, urlopen

ROOT = Path(__file__).resolve().parents[1]
NODE_MODULES = ROOT / "node_modules"
AXE_JS = NODE_MODULES / "axe-core" / "axe.min.js"
LIGHTHOUSE_PACKAGE = NODE_MODULES / "lighthouse" / "package.json"
LIGHTHOUSE_PAGES = Path(__file__).resolve().parent / "lighthouse_pages.mjs"
CHROME_PATH = os.environ.get("CHROME_PATH", "/usr/bin/chromium")
LIGHTHOUSE_VERSION = "12.2.3"
INSTALL_HINT = "run `make setup` (npm ci from package-lock.json) in the repository root"

# The guest cart's id as api.js keeps it (localStorage, key CART_KEY).
CART_STORAGE_KEY = "shop.cartId"
# The five pages of the Lighthouse run (#16, "Tests"), as paths of the site.
LIGHTHOUSE_PAGES_NAMED = ("home", "shop", "product", "cart", "checkout")


class NodeToolsMissing(RuntimeError):
    """node_modules lacks Lighthouse or axe-core, or there is no node: says how to install them."""


def node_tools_problem() -> str:
    """Empty when node, Lighthouse 12.2.3 and axe-core are installed; otherwise what is missing and how
    to install it."""
    if shutil.which("node") is None:
        return "node is not on PATH: install Node.js 20 (npm comes with it), then " + INSTALL_HINT
    if not AXE_JS.is_file():
        return f"{AXE_JS.relative_to(ROOT)} is missing: {INSTALL_HINT}"
    if not LIGHTHOUSE_PACKAGE.is_file():
        return f"node_modules/lighthouse is missing: {INSTALL_HINT}"
    installed = json.loads(LIGHTHOUSE_PACKAGE.read_text())["version"]
    if installed != LIGHTHOUSE_VERSION:
        return (
            f"node_modules has lighthouse {installed}, package.json pins {LIGHTHOUSE_VERSION}: {INSTALL_HINT}"
        )
    if not Path(CHROME_PATH).exists():
        return f"Chromium not found at {CHROME_PATH} (CHROME_PATH): apt-get install chromium (.ci/run does)"
    return ""


def _json(
    url: str, *, method: str = "GET", body: object = None, headers: dict[str, str] | None = None
) -> Any:
    data = None if body is None else json.dumps(body).encode()
    sent = {"Accept": "application/json", **(headers or {})}
    if data is not None:
        sent["Content-Type"] = "application/json"
    with urlopen(Request(url, data=data, method=method, headers=sent), timeout=30) as response:
        return json.loads(response.read() or b"{}")


def products(base_url: str) -> list[dict[str, Any]]:
    """Every active product of the shop, through its public API."""
    found: list[dict[str, Any]] = []
    cursor = ""
    while True:
        query = "limit=50" + (f"&cursor={cursor}" if cursor else "")
        page = _json(f"{base_url}/api/products?{query}")
        found.extend(page["items"])
        if not page.get("next_cursor"):
            return found
        from urllib.parse import quote

        cursor = quote(page["next_cursor"])


def richest_product(items: list[dict[str, Any]]) -> dict[str, Any]:
    """The product page with the most on it: in stock and shipped, then the most variants, reviews and
    images."""

    def richness(product: dict[str, Any]) -> tuple[int, int, int, int]:
        in_stock = product.get("availability") not in ("out_of_stock", "sold_out")
        return (
            int(in_stock and not product.get("digital_download")),  # the cart needs one to add
            len(product.get("variants") or []),
            int(product.get("review_count") or 0),
            len(product.get("images") or []),
        )

    return max(items, key=richness)


def add_review(base_url: str, product_id: str, id_token: str) -> None:
    """A review of the product by the signed-in shopper, unless that shopper has reviewed it already."""
    try:
        _json(
            f"{base_url}/api/reviews",
            method="POST",
            body={
                "product_id": product_id,
                "rating": 5,
                "title": "Just as pictured",
                "review_text": "Arrived quickly and well packed; the quality is better than I expected.",
                "user_name": "Sam S.",
            },
            headers={"Authorization": id_token},
        )
    except HTTPError as error:
        if error.code != 409:  # one review per shopper and product
            raise


def guest_cart(base_url: str, product: dict[str, Any]) -> str:
    """A new guest cart holding one of `product` (its first variant in stock if it has variants): the
    id the API signed, which the pages read from localStorage."""
    body: dict[str, Any] = {"product_id": product["product_id"], "quantity": 1}
    variants = [v for v in product.get("variants") or [] if v.get("availability") != "sold_out"]
    if variants:
        body["sku"] = variants[0]["sku"]
    cart_id: str = _json(f"{base_url}/api/guest/cart/add", method="POST", body=body)["cart_id"]
    return cart_id


@dataclass(frozen=True)
class ShopPages:
    """The pages under test of one shop, by name → path, and the guest cart the cart pages show."""

    base_url: str
    product: dict[str, Any]
    cart_id: str

    def path(self, name: str) -> str:
        return {
            "home": "/",
            "shop": "/shop.html",
            "product": f"/product.html?id={self.product['product_id']}",
            "cart": "/cart.html",
            "checkout": "/checkout.html",
        }[name]

    def url(self, name: str) -> str:
        return f"{self.base_url}{self.path(name)}"

    def expected_text(self, name: str) -> str:
        """Text the page must show to be the page meant: the cart pages show the item in the cart (a
        page judged with an empty cart would pass without its line items ever being checked)."""
        return str(self.product["name"]) if name in ("product", "cart", "checkout") else ""


def lighthouse(
    pages: ShopPages,
    names: tuple[str, ...] = LIGHTHOUSE_PAGES_NAMED,
    *,
    categories: tuple[str, ...] = ("performance", "accessibility", "best-practices", "seo"),
    runs: int = 1,
    timeout: float = 600,
) -> list[dict[str, Any]]:
    """Lighthouse (mobile defaults, simulated throttling) on each named page `runs` times, in one
    headless Chromium that holds the guest cart; one summary per page and run (lighthouse_pages.mjs)."""
    problem = node_tools_problem()
    if problem:
        raise NodeToolsMissing(problem)
    job = {
        "origin": pages.base_url,
        "pages": [
            {"name": name, "url": pages.url(name), "expect_text": pages.expected_text(name)} for name in names
        ],
        "localStorage": {CART_STORAGE_KEY: pages.cart_id},
        "categories": list(categories),
        "runs": runs,
    }
    result = subprocess.run(
        ["node", str(LIGHTHOUSE_PAGES)],
        input=json.dumps(job),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        cwd=ROOT,
        env={**os.environ, "CHROME_PATH": CHROME_PATH},
    )
    if result.returncode != 0:
        raise RuntimeError(f"lighthouse_pages.mjs failed ({result.returncode}): {result.stderr[-3000:]}")
    output = json.loads(result.stdout)
    if output["lighthouse"] != LIGHTHOUSE_VERSION:
        raise NodeToolsMissing(
            f"ran lighthouse {output['lighthouse']}, not {LIGHTHOUSE_VERSION}: {INSTALL_HINT}"
        )
    summaries: list[dict[str, Any]] = output["results"]
    return summaries


def describe_failing(summary: dict[str, Any], categories: tuple[str, ...]) -> str:
    """The audits of `categories` that lost points on one page, each with the elements Lighthouse names."""
    lines = []
    for audit in summary["failing"]:
        if audit["category"] not in categories:
            continue
        shown = f" ({audit['display']})" if audit["display"] else ""
        lines.append(f"  [{audit['category']}] {audit['id']}: {audit['title']}{shown}")
        for element in audit["elements"][:5]:
            explanation = element["explanation"].replace("\n", " ")[:160]
            lines.append(f"      {element['selector']} {element['snippet'][:160]} {explanation}".rstrip())
    return "\n".join(lines)
