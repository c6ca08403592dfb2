"""Email bodies from the jinja2 templates in shop/email/templates: a subject, a text and an HTML part.

HTML templates are autoescaped (a product name or an address is data, never markup); the text part
and the subject are not HTML and are left as they are. jinja2 is imported on first render only, so
the functions that merely queue emails do not pay for it at cold start.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from shop.contracts.email_messages import EmailRequest, EmailTemplate
from shop.email.engagement import click_url, home_page, open_pixel_url
from shop.platform.process_state import per_process
from shop.platform.settings import MissingSetting, get_settings
from shop.platform.signed_links import ORDER_LINK, link_token
from shop.platform.stage_brand import stage_brand

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
MARKETING_TEMPLATE = "marketing"

SUBJECTS: dict[EmailTemplate, str] = {
    EmailTemplate.ORDER_CONFIRMATION: "Order {{ order_number }} received",
    EmailTemplate.PAYMENT_RECEIVED: "Payment received for order {{ order_number }}",
    EmailTemplate.ORDER_SHIPPED: "Order {{ order_number }} has shipped",
    EmailTemplate.ORDER_CANCELLED: "Order {{ order_number }} cancelled",
    EmailTemplate.ORDER_REFUNDED: "Refund for order {{ order_number }}",
    EmailTemplate.ORDER_FAILED: "We could not complete order {{ order_number }}",
    EmailTemplate.LOW_STOCK_ALERT: "Low stock: {{ name }} ({{ stock_quantity }} left)",
    EmailTemplate.ABANDONED_CART: "You left something in your cart",
    EmailTemplate.BROWSE_ABANDONMENT: "Still thinking it over?",
    EmailTemplate.PRICE_DROP: "A product you watch is cheaper now",
    EmailTemplate.BACK_IN_STOCK: "Back in stock",
    EmailTemplate.RECOMMENDATIONS: "Picked for you",
    EmailTemplate.NEWSLETTER: "News from {{ brand.shop_name }}",
}


# The emails about one order: each links to it (`order_url`).
ORDER_TEMPLATES = frozenset(
    {
        EmailTemplate.ORDER_CONFIRMATION,
        EmailTemplate.PAYMENT_RECEIVED,
        EmailTemplate.ORDER_SHIPPED,
        EmailTemplate.ORDER_CANCELLED,
        EmailTemplate.ORDER_REFUNDED,
        EmailTemplate.ORDER_FAILED,
    }
)
ORDERS_PAGE = "orders.html"


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    text: str
    html: str


def money(cents: Any, currency: str = "USD") -> str:
    """Integer cents as "12.34 USD" (every amount in the shop is in minor units)."""
    try:
        value = int(cents)
    except (TypeError, ValueError):
        return ""
    sign = "-" if value < 0 else ""
    return f"{sign}{abs(value) // 100}.{abs(value) % 100:02d} {currency}"


def address_lines(address: Any) -> list[str]:
    """An address as the lines of a label: every field it has, none left out, empty ones skipped."""
    if not isinstance(address, Mapping):
        return []
    region_and_code = " ".join(str(address[key]) for key in ("region", "postal_code") if address.get(key))
    place = ", ".join(part for part in (str(address.get("city") or ""), region_and_code) if part)
    fields = (address.get("name"), address.get("line1"), address.get("line2"), place, address.get("country"))
    lines = [str(value) for value in fields if value]
    if address.get("phone"):
        lines.append(f"Phone: {address['phone']}")
    return lines


def site_url() -> str:
    """The web site's URL without a trailing slash (SITE_URL: the stage's `site_url`)."""
    url = get_settings().site_url
    if not url:
        raise MissingSetting("SITE_URL is not in this function's environment")
    return url.rstrip("/")


def order_url(order_id: str, *, guest: bool, fragment: dict[str, str] | None = None) -> str:
    """The order's page. A guest's link carries the order's link token (they have no account to sign
    in to) in the fragment, which browsers send to no server and put in no Referer; the page hands it
    to the API in a header. An account's link asks them to sign in, so a forwarded email opens nothing."""
    url = f"{site_url()}/{ORDERS_PAGE}?{urlencode({'id': order_id})}"
    if not guest:
        return url
    return f"{url}#{urlencode({'token': link_token(ORDER_LINK, order_id), **(fragment or {})})}"


def download_url(order_id: str, product_id: str, file_id: str | None = None) -> str:
    """A guest's link to one file of a paid digital line: the order's page, told in the fragment which
    file to download; the page starts it (counted against the line's limit) with a link of minutes."""
    wanted = {"download": product_id, **({"file": file_id} if file_id else {})}
    return order_url(order_id, guest=True, fragment=wanted)


def download_links(order_id: str, entitlements: Any) -> list[dict[str, str]]:
    """One link per file of each entitlement (a line without named files: one link to its first)."""
    links: list[dict[str, str]] = []
    for entitlement in entitlements if isinstance(entitlements, list) else []:
        product_id, name = str(entitlement["product_id"]), str(entitlement["name"])
        files = entitlement.get("files") or [{}]
        for file in files:
            links.append(
                {
                    "name": name,
                    "file_name": str(file.get("file_name") or name),
                    "url": download_url(
                        order_id, product_id, file.get("file_id") if len(files) > 1 else None
                    ),
                }
            )
    return links


@per_process
def _environment() -> Any:
    import jinja2

    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES_DIR)),
        autoescape=jinja2.select_autoescape(enabled_extensions=("html",), default_for_string=False),
        undefined=jinja2.ChainableUndefined,
        trim_blocks=False,
        keep_trailing_newline=True,
    )
    environment.filters["money"] = money
    environment.filters["address_lines"] = address_lines
    return environment


def _file_stem(template: EmailTemplate) -> str:
    """A template's own file when it has one (the weekly recommendations), else the shared marketing one."""
    if template not in _MARKETING or (TEMPLATES_DIR / f"{template.value}.html").exists():
        return template.value
    return MARKETING_TEMPLATE


_MARKETING = frozenset(
    {
        EmailTemplate.ABANDONED_CART,
        EmailTemplate.BROWSE_ABANDONMENT,
        EmailTemplate.PRICE_DROP,
        EmailTemplate.BACK_IN_STOCK,
        EmailTemplate.RECOMMENDATIONS,
        EmailTemplate.NEWSLETTER,
    }
)


def engagement_links(message_id: str, items: Any) -> dict[str, Any]:
    """A marketing email's signed pixel and click-through links (shop.email.engagement): to the shop's
    home page and to each item's product page."""
    shown = []
    for item in items if isinstance(items, list) else []:
        product_id = item.get("product_id") if isinstance(item, Mapping) else None
        target = f"{site_url()}/product.html?{urlencode({'id': product_id})}" if product_id else None
        shown.append({**item, "url": click_url(message_id, target)} if target else item)
    return {
        "open_pixel_url": open_pixel_url(message_id),
        "shop_url": click_url(message_id, home_page()),
        "items": shown,
    }


def render(request: EmailRequest) -> RenderedEmail:
    environment = _environment()
    settings = get_settings()
    context: dict[str, Any] = {
        "items": [],
        "currency": "USD",
        **request.data,
        "to": request.to,
        "sender": settings.sender_email,
        # The stage's brand (cdk.json `brand`): the header, colours and footer of every email.
        "brand": stage_brand().model_dump(mode="json"),
    }
    subject = environment.from_string(SUBJECTS[request.template]).render(context)
    context["headline"] = subject
    token = context.get("unsubscribe_token")
    if token:
        # WEB_ORIGIN is the API's CORS origin ("*" in every stage): the site's own URL when it is known.
        origin = settings.site_url or settings.web_origin
        context["unsubscribe_url"] = f"{origin.rstrip('/')}/preferences.html?unsubscribe={token}"
    message_id = request.data.get("message_id")
    if request.template in _MARKETING and message_id:
        context.update(engagement_links(str(message_id), context.get("items")))
    order_id = request.data.get("order_id")
    if request.template in ORDER_TEMPLATES and order_id:
        guest = bool(request.data.get("guest"))
        context["order_url"] = order_url(str(order_id), guest=guest)
        if guest and request.template is EmailTemplate.PAYMENT_RECEIVED:
            # Guests download from the email; an account's buyer from the orders page, signed in.
            context["download_links"] = download_links(str(order_id), request.data.get("digital_downloads"))
    stem = _file_stem(request.template)
    return RenderedEmail(
        # A subject is one header line: no data may smuggle a line break (header injection) into it.
        subject=" ".join(subject.split()),
        text=environment.get_template(f"{stem}.txt").render(context),
        html=environment.get_template(f"{stem}.html").render(context),
    )
