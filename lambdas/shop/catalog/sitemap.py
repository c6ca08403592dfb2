"""sitemap.xml: the pages of the shop a search engine should know, kept current with the catalog.

The home and shop pages, one shop listing per category, every active product's page (with the date it
last changed) and the policy pages. Rendered from (product id, updated_at) pairs that the catalog reads
with one Query of the active products and caches per catalog generation (shop.catalog.service).
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlencode
from xml.sax.saxutils import escape

from shop.catalog.model import Category

POLICY_PAGES = ("terms.html", "privacy.html", "shipping.html", "returns.html", "contact.html")
SITEMAP_CONTENT_TYPE = "application/xml"
# The sitemap protocol's limit per file (50,000 URLs); far above this catalog's size.
MAX_URLS = 50_000


def _url(location: str, lastmod: str | None = None) -> str:
    modified = f"<lastmod>{escape(lastmod)}</lastmod>" if lastmod else ""
    return f"<url><loc>{escape(location)}</loc>{modified}</url>"


def sitemap_xml(site: str, products: Iterable[tuple[str, str]]) -> str:
    """The sitemap of the site at origin `site` (no trailing slash) for (product_id, updated_at) pairs;
    `lastmod` is the product's day of last change (W3C date)."""
    base = site.rstrip("/")
    locations = [
        _url(f"{base}/"),
        _url(f"{base}/shop.html"),
        *(_url(f"{base}/shop.html?{urlencode({'category': category.value})}") for category in Category),
        *(
            _url(f"{base}/product.html?{urlencode({'id': product_id})}", updated_at[:10] or None)
            for product_id, updated_at in products
        ),
        *(_url(f"{base}/{page}") for page in POLICY_PAGES),
    ]
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
        + "\n".join(locations[:MAX_URLS])
        + "\n</urlset>\n"
    )
