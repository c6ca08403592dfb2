"""Email bodies from the jinja2 templates in shop/email/templates: a subject, a text and an HTML part.

HTML templates are autoescaped (a product name or an address is data, never markup); the text part
and the subject are not HTML and are left as they are. jinja2 is imported on first render only, so
the functions that merely queue emails do not pay for it at cold start.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from shop.contracts.email_messages import EmailRequest, EmailTemplate
from shop.platform.process_state import per_process
from shop.platform.settings import get_settings

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
    EmailTemplate.NEWSLETTER: "News from the shop",
}


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
    return environment


def _file_stem(template: EmailTemplate) -> str:
    return template.value if template not in _MARKETING else MARKETING_TEMPLATE


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


def render(request: EmailRequest) -> RenderedEmail:
    environment = _environment()
    settings = get_settings()
    context: dict[str, Any] = {
        "items": [],
        "currency": "USD",
        **request.data,
        "to": request.to,
        "sender": settings.sender_email,
    }
    subject = environment.from_string(SUBJECTS[request.template]).render(context)
    context["headline"] = subject
    token = context.get("unsubscribe_token")
    if token:
        context["unsubscribe_url"] = f"{settings.web_origin.rstrip('/')}/preferences.html?unsubscribe={token}"
    stem = _file_stem(request.template)
    return RenderedEmail(
        # A subject is one header line: no data may smuggle a line break (header injection) into it.
        subject=" ".join(subject.split()),
        text=environment.get_template(f"{stem}.txt").render(context),
        html=environment.get_template(f"{stem}.html").render(context),
    )
