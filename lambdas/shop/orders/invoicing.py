"""Invoices and credit notes: their numbers, issued once per order, and what each document says.

An order gets its invoice number when it is paid (payment_processor settling a payment, or an
administrator recording a payment taken elsewhere) and a credit note number when its refund completes,
each from a gapless series per calendar year (`OrderRepository.assign_number`). The documents are
rendered on request from the stored order and the stage's seller settings; the PDF code
(`shop.orders.invoice_pdf`, fpdf2) is imported only then, so no other route pays for it at cold start.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from shop.contracts.brand import Brand
from shop.orders.model import CREDIT_NOTES, INVOICES, Address, Order
from shop.orders.repository import OrderRepository
from shop.orders.state import PaymentStatus
from shop.platform.clock import now_iso
from shop.platform.errors import Conflict
from shop.platform.observability import logger
from shop.platform.stage_brand import stage_brand

PAYMENT_METHODS = {"stripe": "Card (Stripe)", "paypal": "PayPal"}
DIGITAL_ONLY = "Nothing to ship: digital delivery"


class DocumentKind(StrEnum):
    """The documents of an order, named as their routes name them (`/orders/{id}/<kind>`)."""

    INVOICE = "invoice"
    CREDIT_NOTE = "credit-note"


class DocumentNotIssued(Conflict):
    """409: the order has no such document (yet): it is unpaid, or was never refunded."""

    code = "document_not_issued"


def issue_invoice(order: Order, *, actor: str, repository: OrderRepository | None = None) -> Order:
    """Give a paid order its invoice number, once; an order that has one is returned unchanged."""
    if order.invoice_number:
        return order
    invoiced = (repository or OrderRepository()).assign_number(order, INVOICES, issued_at=now_iso())
    _log_issued(invoiced, invoiced.invoice_number, actor)
    return invoiced


def issue_credit_note(order: Order, *, actor: str, repository: OrderRepository | None = None) -> Order:
    """Give a refunded order its credit note, once, for the amount refunded (the whole total when none
    was named). An order never invoiced (its payment was returned before it was paid) gets none."""
    if order.credit_note_number or not order.invoice_number:
        return order
    amount = order.refund_amount if order.refund_amount is not None else order.total
    credited = (repository or OrderRepository()).assign_number(
        order, CREDIT_NOTES, issued_at=now_iso(), changes={"credit_note_amount": amount}
    )
    _log_issued(credited, credited.credit_note_number, actor)
    return credited


def _log_issued(order: Order, number: str | None, actor: str) -> None:
    logger.info("document issued", extra={"order_id": order.order_id, "number": number, "actor": actor})


def seller_brand() -> Brand:
    """The seller printed on the documents (BRAND_SETTINGS: the stage's `brand`)."""
    return stage_brand()


# -- what a document says ------------------------------------------------------------------------


@dataclass(frozen=True)
class DocumentLine:
    description: str
    sku: str
    quantity: int
    unit_price: str
    total: str


@dataclass(frozen=True)
class Document:
    """An invoice or a credit note as printed: every amount already formatted with its currency."""

    kind: DocumentKind
    title: str
    number: str
    date: str
    file_name: str
    seller: Brand
    references: tuple[tuple[str, str], ...]  # (label, value): order number and date, invoice credited
    buyer: tuple[str, ...]
    billing_address: tuple[str, ...]
    shipping_address: tuple[str, ...]
    lines: tuple[DocumentLine, ...]
    totals: tuple[tuple[str, str], ...]  # (label, amount); the last is the total
    payment: tuple[tuple[str, str], ...]
    note: str


def money(cents: int, currency: str) -> str:
    """Integer cents as "12.34 USD" (as the order emails print amounts)."""
    sign = "-" if cents < 0 else ""
    return f"{sign}{abs(cents) // 100:,}.{abs(cents) % 100:02d} {currency}"


def address_lines(address: Address) -> tuple[str, ...]:
    """Every field of the address, as the lines of a label; empty ones are skipped."""
    place = ", ".join(
        part
        for part in (address.city, " ".join(p for p in (address.region, address.postal_code) if p))
        if part
    )
    lines = [address.name, address.line1, address.line2, place, address.country]
    if address.phone:
        lines.append(f"Phone: {address.phone}")
    return tuple(line for line in lines if line)


def _day(timestamp: str | None) -> str:
    return (timestamp or "")[:10]


def _payment(order: Order) -> tuple[tuple[str, str], ...]:
    method = PAYMENT_METHODS.get(order.payment_method or "", order.payment_method or "recorded by the shop")
    return (("Payment method", method), ("Payment reference", order.payment_id or "none"))


def _common(order: Order) -> dict[str, tuple[str, ...]]:
    return {
        "buyer": (order.billing_address.name, order.user_email),
        "billing_address": address_lines(order.billing_address),
        # A digital-only order ships nothing and has no shipping address.
        "shipping_address": (
            address_lines(order.shipping_address) if order.shipping_address else (DIGITAL_ONLY,)
        ),
    }


def invoice_document(order: Order, seller: Brand) -> Document:
    """The invoice of a paid order; DocumentNotIssued (409) when it has none."""
    if not order.invoice_number:
        raise DocumentNotIssued(
            f"order {order.order_number} has no invoice: an invoice is issued when the order is paid, "
            f"and its payment status is {order.payment_status.value}",
            field="order_id",
            payment_status=order.payment_status.value,
        )
    currency = order.currency
    discount_label = f"Discount ({order.discount_code})" if order.discount_code else "Discount"
    return Document(
        kind=DocumentKind.INVOICE,
        title="Invoice",
        number=order.invoice_number,
        date=_day(order.invoice_date),
        file_name=f"{order.invoice_number}.pdf",
        seller=seller,
        references=(("Order", order.order_number), ("Order date", _day(order.order_date))),
        lines=tuple(
            DocumentLine(
                description=line.name,
                sku=line.sku,
                quantity=line.quantity,
                unit_price=money(line.unit_price, currency),
                total=money(line.line_total, currency),
            )
            for line in order.items
        ),
        totals=(
            ("Subtotal", money(order.subtotal, currency)),
            (discount_label, money(-order.discount, currency)),
            ("Shipping", money(order.shipping, currency)),
            ("Tax", money(order.tax, currency)),
            ("Total", money(order.total, currency)),
        ),
        payment=_payment(order),
        note=f"Amounts in {currency}. Paid in full.",
        **_common(order),
    )


def credit_note_document(order: Order, seller: Brand) -> Document:
    """The credit note of a refunded order; DocumentNotIssued (409) when it has none."""
    if not order.credit_note_number or not order.invoice_number:
        refund = (
            "its refund is not complete yet"
            if order.payment_status is PaymentStatus.REFUND_REQUESTED
            else f"its payment status is {order.payment_status.value}"
        )
        raise DocumentNotIssued(
            f"order {order.order_number} has no credit note: one is issued when a refund of an invoiced "
            f"order completes, and {refund}",
            field="order_id",
            payment_status=order.payment_status.value,
        )
    currency = order.currency
    credited = order.credit_note_amount if order.credit_note_amount is not None else order.total
    # The tax share of the amount credited, in proportion to the invoice (all of it for a full refund).
    tax = round(credited * order.tax / order.total) if order.total else 0
    kind = "Full refund" if credited == order.total else "Partial refund"
    return Document(
        kind=DocumentKind.CREDIT_NOTE,
        title="Credit note",
        number=order.credit_note_number,
        date=_day(order.credit_note_date),
        file_name=f"{order.credit_note_number}.pdf",
        seller=seller,
        references=(
            ("Credits invoice", f"{order.invoice_number} of {_day(order.invoice_date)}"),
            ("Order", order.order_number),
            ("Order date", _day(order.order_date)),
        ),
        lines=(
            DocumentLine(
                description=f"{kind} of invoice {order.invoice_number}"
                + (f": {order.refund_reason}" if order.refund_reason else ""),
                sku="",
                quantity=1,
                unit_price=money(-credited, currency),
                total=money(-credited, currency),
            ),
        ),
        totals=(
            ("Invoice total", money(order.total, currency)),
            ("Tax included in the credit", money(-tax, currency)),
            ("Total credited", money(-credited, currency)),
        ),
        payment=(*_payment(order), ("Refunded to", "the original payment")),
        note=f"Amounts in {currency}. This credit note reduces invoice {order.invoice_number}.",
        **_common(order),
    )


def document_of(order: Order, kind: DocumentKind, seller: Brand) -> Document:
    return (
        invoice_document(order, seller)
        if kind is DocumentKind.INVOICE
        else credit_note_document(order, seller)
    )


def render_pdf(document: Document) -> bytes:
    """The document as a PDF. fpdf2 is imported here, on the invoice path only."""
    from shop.orders.invoice_pdf import render

    return render(document)
