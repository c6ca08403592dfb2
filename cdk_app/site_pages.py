"""The web site's pages, rendered with the stage's brand: one renderer for `cdk deploy` and `make run`.

Every top-level `web/*.html` is a jinja2 template that extends `web/_layout/page.html` (head with the
meta description, Open Graph tags and canonical URL; header with the logo and the shop's name; footer with
the policy pages, the seller's address and the social links). The policy pages' text lives in
`web/_content/*.md`, Markdown with the brand's values (`{{ brand.shop_name }}`) that a shop owner edits;
`css/brand.css` carries the brand's colours (the site's CSP forbids inline styles).

- `build_site(brand, pricing, parent, site_url=...)` renders a stage's site into a directory for the Web
  stack's deployment.
- `SitePages.render(name, site_url=...)` renders one page per request for the local shop, so an edit to
  web/ shows on the next reload.
Files and folders whose names start with `_` are sources, never served.
"""

from __future__ import annotations

import datetime
import hashlib
import shutil
import tempfile
from collections.abc import Mapping
from functools import cached_property
from pathlib import Path
from typing import Any

# Plain mappings, not shop.contracts' models: the local runner reads them from the synthesized functions'
# environment (BRAND_SETTINGS, PRICING_RULES) and imports nothing from lambdas/. The CDK app hands over
# the stage's validated `brand`, every field present (cdk_app.config normalizes it).
Brand = Mapping[str, Any]
Pricing = Mapping[str, Any]

WEB_DIR = Path(__file__).resolve().parents[1] / "web"
BRAND_CSS = "css/brand.css"
NOT_FOUND_PAGE = "404.html"
# Served by the API (shop_api) so it follows the catalog; CloudFront and the local server route it there.
SITEMAP_PATH = "/sitemap.xml"
CONTENT_DIR = "_content"
# The pages a shopper finds in every footer, with their link text; each is web/<page> + _content/<stem>.md.
POLICY_PAGES: tuple[tuple[str, str], ...] = (
    ("terms.html", "Terms of sale"),
    ("privacy.html", "Privacy"),
    ("shipping.html", "Shipping"),
    ("returns.html", "Returns"),
    ("contact.html", "Contact us"),
)


def is_source(relative: Path) -> bool:
    """Layouts, partials and Markdown sources: rendered into pages, never served as they are."""
    return any(part.startswith("_") for part in relative.parts)


def page_names(web_dir: Path = WEB_DIR) -> list[str]:
    """The site's pages: every top-level .html that is not a source."""
    return sorted(path.name for path in web_dir.glob("*.html") if not is_source(Path(path.name)))


def site_brand_config(brand: Brand, pricing: Pricing) -> dict[str, Any]:
    """What config.json tells the pages' scripts about the shop (its brand and the money rules they show:
    the free-shipping threshold of the cart's progress bar; null: no free shipping)."""
    return {
        "brand": {
            "shopName": brand["shop_name"],
            "tagline": brand["tagline"],
            "logo": brand["logo"],
            "contactEmail": brand["contact_email"],
        },
        "pricing": {
            "currency": pricing.get("currency", "USD"),
            "freeShippingThresholdCents": pricing.get("free_shipping_threshold_cents"),
            "flatShippingCents": pricing.get("flat_shipping_cents"),
            "taxRateBps": pricing.get("tax_rate_bps"),
        },
    }


class SitePages:
    """Renders web/'s page templates for one brand."""

    def __init__(self, brand: Brand, pricing: Pricing, web_dir: Path = WEB_DIR) -> None:
        self.brand = brand
        self.pricing = pricing
        self.web_dir = web_dir

    @cached_property
    def _environment(self) -> Any:
        import jinja2
        import markdown
        import markupsafe

        environment = jinja2.Environment(
            loader=jinja2.FileSystemLoader(str(self.web_dir)),
            autoescape=True,
            undefined=jinja2.StrictUndefined,  # a misspelt variable fails the build, not the page
            keep_trailing_newline=True,
        )

        def content(stem: str) -> Any:
            # A policy page's Markdown, itself a template of the brand's values, as HTML. Owners write
            # plain Markdown; the HTML it yields is trusted as the pages' own markup is.
            source = environment.get_template(f"{CONTENT_DIR}/{stem}.md").render(self._context(None, ""))
            return markupsafe.Markup(markdown.markdown(source, extensions=["tables"]))  # noqa: S704 - web/_content is ours

        environment.globals["content"] = content
        environment.filters["money"] = lambda cents: f"${cents / 100:,.2f}".removesuffix(".00")
        return environment

    def _context(self, site_url: str | None, page: str) -> dict[str, Any]:
        base = site_url.rstrip("/") if site_url else None
        path = "" if page == "index.html" else page
        return {
            "brand": self.brand,
            "pricing": self.pricing,
            "site_url": base,
            "page": page,
            # None where the public URL is not known at build time (a stage without a custom domain):
            # the pages then set it from their own address (js/seo.js).
            "canonical": f"{base}/{path}" if base else None,
            "policy_pages": POLICY_PAGES,
            "year": datetime.date.today().year,
        }

    def render(self, page: str, *, site_url: str | None) -> str:
        """One page. `site_url`: the site's public origin when known (canonical and og:url)."""
        template = self._environment.get_template(page)
        html: str = template.render(self._context(site_url, page))
        return html

    def brand_css(self) -> str:
        """The brand's colours as the custom properties css/shop.css uses."""
        colours = self.brand["colours"]
        properties = "".join(
            f"  --brand-{name}: {colours[name]};\n" for name in ("primary", "accent", "ink", "surface")
        )
        return (
            "/* From the stage's `brand` in cdk.json (cdk_app/site_pages.py); not edited by hand. */\n"
            f":root {{\n{properties}}}\n"
        )


def build_site(
    brand: Brand,
    pricing: Pricing,
    parent: Path,
    *,
    site_url: str | None,
    web_dir: Path = WEB_DIR,
) -> Path:
    """web/ rendered for a stage: pages, brand.css and every other file as is, in `parent/<hash>/`.

    Named by its content, like the functions' code in .build/code/: a synth that runs while another one
    (a test, a local shop) builds the same site never sees a half-written directory, and an unchanged site
    keeps its asset hash."""
    pages = SitePages(brand, pricing, web_dir)
    files: dict[Path, bytes] = {Path(BRAND_CSS): pages.brand_css().encode()}
    for source in sorted(web_dir.rglob("*")):
        relative = source.relative_to(web_dir)
        if source.is_dir() or is_source(relative) or "__pycache__" in relative.parts:
            continue
        if relative.suffix == ".html" and len(relative.parts) == 1:
            files[relative] = pages.render(relative.name, site_url=site_url).encode()
        else:
            files[relative] = source.read_bytes()
    digest = hashlib.sha256()
    for relative, body in sorted(files.items()):
        digest.update(str(relative).encode() + b"\0" + hashlib.sha256(body).digest())
    out_dir = parent / digest.hexdigest()[:24]
    if out_dir.is_dir():
        return out_dir
    parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=parent))
    for relative, body in files.items():
        target = staging / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(body)
    try:
        staging.rename(out_dir)
    except OSError:  # built meanwhile by another process: the same content
        shutil.rmtree(staging, ignore_errors=True)
    return out_dir
