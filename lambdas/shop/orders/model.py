"""The order as stored in the Orders table, the requests that create and change one, and the
messages the order pipeline passes between its queues."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from shop.cart.model import GUEST_PREFIX, MAX_LINE_QUANTITY
from shop.contracts.admin_limits import MAX_PRICE_CENTS
from shop.contracts.countries import CountryCode
from shop.contracts.email_engagement import MESSAGE_ID_PATTERN
from shop.orders.state import OrderStatus, PaymentStatus, admin_actions, next_statuses
from shop.platform.email_addresses import EmailAddress

# One DynamoDB transaction holds at most 100 items: placing an order puts the order and updates one
# item per product.
MAX_ORDER_LINES = 50
_REQUEST = ConfigDict(
    extra="forbid", validate_by_name=True, validate_by_alias=True, str_strip_whitespace=True
)

Text = Annotated[str, Field(min_length=1, max_length=200)]


class Address(BaseModel):
    """A postal address as an order stores it; `country` is an ISO 3166 alpha-2 code. The field names
    are those of a saved address (shop.accounts.model.AddressFields), so one fills the other."""

    model_config = _REQUEST

    name: Text
    line1: Text
    line2: str | None = Field(default=None, max_length=200)
    city: Text
    region: str | None = Field(default=None, max_length=100, description="state, province or region")
    postal_code: str = Field(min_length=1, max_length=20)
    country: str = Field(pattern=r"^[A-Za-z]{2}$")
    phone: str | None = Field(default=None, max_length=40)

    @field_validator("country")
    @classmethod
    def _upper(cls, value: str) -> str:
        return value.upper()


class AddressRequest(Address):
    """An address a shopper sends: the country must be an assigned ISO code. Stored orders are read
    back as `Address`, so an order placed before this check still loads."""

    country: CountryCode


class BillingAddress(Address):
    """Whom the bill is for: a name and a country at least (a digital-only order asks for no more);
    the street, city and postal code when the shopper gives them."""

    line1: str | None = Field(default=None, min_length=1, max_length=200)  # type: ignore[assignment]
    city: str | None = Field(default=None, min_length=1, max_length=200)  # type: ignore[assignment]
    postal_code: str | None = Field(default=None, min_length=1, max_length=20)  # type: ignore[assignment]


class BillingAddressRequest(BillingAddress):
    country: CountryCode


class OrderLineRequest(BaseModel):
    """One product (variant) and quantity; the price is always re-read from the catalog."""

    model_config = _REQUEST

    product_id: str = Field(min_length=1, max_length=64)
    variant_sku: str | None = Field(default=None, alias="sku", min_length=1, max_length=64)
    quantity: int = Field(ge=1, le=MAX_LINE_QUANTITY)


class CreateOrderRequest(BaseModel):
    """POST /orders/create: explicit `items`, or (without them) the caller's cart. An order with
    goods to ship needs `shipping_address`; a digital-only order needs none, only `billing_address`."""

    model_config = _REQUEST

    shipping_address: AddressRequest | None = Field(
        default=None, description="required when a line ships; ignored by a digital-only order"
    )
    billing_address: BillingAddressRequest | None = Field(
        default=None, description="defaults to the shipping address; name and country at least"
    )
    items: list[OrderLineRequest] | None = Field(default=None, min_length=1, max_length=MAX_ORDER_LINES)
    email: EmailAddress | None = None
    discount_code: str | None = Field(default=None, max_length=40)
    # The marketing email whose link the shopper followed (the site keeps its `mc` parameter): the
    # order is attributed to it when paid within the stage's attribution window (docs/marketing.md).
    campaign_message_id: str | None = Field(default=None, pattern=MESSAGE_ID_PATTERN)
    payment_method: Literal["stripe", "paypal"] | None = None
    notes: str | None = Field(default=None, max_length=1000)


class StatusChangeRequest(BaseModel):
    model_config = _REQUEST

    status: OrderStatus
    note: str | None = Field(default=None, max_length=500)


class TrackingRequest(BaseModel):
    model_config = _REQUEST

    carrier: str = Field(min_length=1, max_length=64)
    tracking_number: str = Field(min_length=1, max_length=64)


class RefundRequest(BaseModel):
    model_config = _REQUEST

    amount: int | None = Field(
        default=None, ge=1, le=MAX_PRICE_CENTS, description="cents; the whole total when absent"
    )
    reason: str | None = Field(default=None, max_length=500)


class OrderedFile(BaseModel):
    """One file of a digital line: its catalog id (the download resolves its current version) and name."""

    file_id: str
    file_name: str


class OrderLine(BaseModel):
    """A line as ordered: the catalog's name and price at the time of the order."""

    product_id: str
    variant_sku: str | None = None
    sku: str
    name: str
    unit_price: int = Field(ge=0)
    currency: str
    quantity: int = Field(ge=1)
    requires_shipping: bool = True
    line_total: int = Field(ge=0)
    # A digital line's files as they were named when it was ordered (what its downloads offer).
    digital_files: list[OrderedFile] = Field(default_factory=list)


class DownloadEntitlement(BaseModel):
    """A paid digital line, downloadable by its buyer `download_limit` times until `expires_at`.
    Granted when the order is paid (shop.orders.downloads); counted by conditional writes, so the
    count never passes the limit; an order refunded or cancelled later downloads nothing."""

    product_id: str
    name: str
    files: list[OrderedFile] = Field(default_factory=list)
    download_limit: int = Field(ge=1)
    downloads_used: int = Field(default=0, ge=0)
    granted_at: str
    expires_at: str
    last_download_at: str | None = None

    @property
    def downloads_left(self) -> int:
        return max(0, self.download_limit - self.downloads_used)


class HistoryEntry(BaseModel):
    """One status change: from where, to where, when and by whom."""

    status: str
    previous_status: str | None = None
    at: str
    actor: str
    note: str | None = None


class PaymentAttempt(BaseModel):
    """A payment started with a provider for an order (a Stripe PaymentIntent, a PayPal order): what
    the payment-hold sweep asks the provider to cancel when the order expires unpaid."""

    provider: str
    payment_id: str


class EmailProblem(BaseModel):
    """Why the order's email could not be delivered: SES refused the address itself, for good."""

    template: str
    reason: str = Field(description="SES's words")
    at: str


class Order(BaseModel):
    """An item of the Orders table (seed 001's attributes plus the pipeline's bookkeeping)."""

    model_config = ConfigDict(extra="ignore")

    order_id: str
    user_id: str = Field(description="the Cognito sub, or guest#<normalized email>")
    order_number: str
    user_email: str
    guest: bool = False
    items: list[OrderLine]
    subtotal: int
    discount: int = 0
    discount_code: str | None = None
    campaign_message_id: str | None = None
    tax: int
    shipping: int
    total: int
    currency: str
    payment_method: str | None = None
    payment_id: str | None = None
    payment_status: PaymentStatus = PaymentStatus.UNPAID
    payment_attempts: list[PaymentAttempt] = Field(default_factory=list)
    shipping_address: Address | None = Field(default=None, description="absent on digital-only orders")
    billing_address: BillingAddress
    order_status: OrderStatus
    order_date: str
    updated_at: str
    carrier: str | None = None
    tracking_number: str | None = None
    shipped_date: str | None = None
    delivered_date: str | None = None
    cancelled_date: str | None = None
    notes: str | None = None
    digital_downloads: list[DownloadEntitlement] = Field(default_factory=list)
    processing_queue_id: str | None = None
    history: list[HistoryEntry] = Field(default_factory=list)
    # Set with the order's creation (its stock is taken in the same transaction), cleared when a
    # cancelled, refunded or failed order gives the stock back (then `stock_restored`).
    stock_reserved: bool = False
    stock_restored: bool = False
    # The order redeemed `discount_code` (a promotion's counters) in the transaction that stored it; the
    # redemption is given back with the stock.
    promotion_redeemed: bool = False
    confirmation_requested: bool = False
    failure_reason: str | None = None
    refund_requested: bool = False
    refund_amount: int | None = None
    refund_reason: str | None = None
    # Set once, with the per-year counter, in one transaction (shop.orders.invoicing): the invoice when
    # the order is paid, the credit note when its refund completes.
    invoice_number: str | None = None
    invoice_date: str | None = None
    credit_note_number: str | None = None
    credit_note_date: str | None = None
    credit_note_amount: int | None = None
    access_token_hash: str | None = None
    request_fingerprint: str | None = None
    # Set by email_sender when SES refuses the order's address for good (never retried); the admin's
    # order view shows it, so someone can reach the shopper another way.
    email_status: Literal["undeliverable"] | None = None
    email_problem: EmailProblem | None = None

    def public_view(self) -> dict[str, Any]:
        """The JSON a customer or an administrator receives (never the token hash)."""
        return self.model_dump(mode="json", exclude={"access_token_hash", "request_fingerprint"})

    def admin_view(self) -> dict[str, Any]:
        """public_view plus what the admin page may offer now: `allowed_actions` and the
        `next_statuses` of a status change (shop.orders.state decides both)."""
        return {
            **self.public_view(),
            "allowed_actions": [
                action.value for action in admin_actions(self.order_status, self.payment_status)
            ],
            "next_statuses": [status.value for status in next_statuses(self.order_status)],
        }

    def summary(self) -> dict[str, Any]:
        return {
            "order_id": self.order_id,
            "order_number": self.order_number,
            "order_status": self.order_status.value,
            "payment_status": self.payment_status.value,
            "order_date": self.order_date,
            "total": self.total,
            "currency": self.currency,
            "item_count": sum(line.quantity for line in self.items),
            # The orders page offers the invoice and credit note PDFs of the orders that have them.
            "invoice_number": self.invoice_number,
            "credit_note_number": self.credit_note_number,
        }


@dataclass(frozen=True)
class DocumentSeries:
    """A gapless number series of the order's documents: one counter per series and calendar year
    (UTC), numbers like INV-2026-000123. `requires` names a field the order must have first."""

    prefix: str
    number_field: str
    date_field: str
    requires: str | None = None

    def number(self, year: str, sequence: int) -> str:
        return f"{self.prefix}-{year}-{sequence:06d}"


INVOICES = DocumentSeries("INV", "invoice_number", "invoice_date")
# A credit note cancels (part of) an invoice: only an invoiced order gets one.
CREDIT_NOTES = DocumentSeries("CN", "credit_note_number", "credit_note_date", requires="invoice_number")


# -- the pipeline's messages -------------------------------------------------------------------


class OrderMessage(BaseModel):
    """On order-processing. `order_placed`: validate and confirm (the stock is already held);
    `order_closed`: the order was cancelled, refunded or failed, give its stock back."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: Literal["order_placed", "order_closed"]
    order_id: str = Field(min_length=1)
    user_id: str = Field(min_length=1)


class InventoryMessage(BaseModel):
    """On inventory-update: give back (increment) the stock a closed order holds. Taking stock has no
    message: order_api takes it in the transaction that stores the order."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: Literal["restore"]
    order_id: str = Field(min_length=1)
    user_id: str = Field(min_length=1)


class RefundMessage(BaseModel):
    """On payment-processing, for the payment processor (a later issue) to execute."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: Literal["refund_requested"] = "refund_requested"
    order_id: str
    user_id: str
    amount: int
    currency: str
    reason: str | None = None
    payment_id: str | None = None
    payment_method: str | None = None
    requested_by: str
    requested_at: str


class CancelPaymentsMessage(BaseModel):
    """On payment-processing: the order expired unpaid, so payment_processor cancels every payment
    started for it (`Order.payment_attempts`) that the shopper could still complete."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: Literal["cancel_payments"] = "cancel_payments"
    order_id: str = Field(min_length=1)
    user_id: str = Field(min_length=1)


# -- identifiers ---------------------------------------------------------------------------------


def normalize_email(email: str) -> str:
    return email.strip().lower()


def guest_user_id(email: str) -> str:
    """Guest orders are keyed by the normalized email, so a verified account can claim them later."""
    return f"{GUEST_PREFIX}{normalize_email(email)}"


def new_order_id() -> str:
    return f"ord_{secrets.token_hex(12)}"


def order_id_for_key(owner: str, idempotency_key: str) -> str:
    """The same (caller, Idempotency-Key) always names the same order: a retry cannot make a second one."""
    digest = hashlib.sha256(f"{owner}\x00{idempotency_key}".encode()).hexdigest()
    return f"ord_{digest[:24]}"


def order_number_for(order_id: str, order_date: str) -> str:
    """A short number people can read out on the phone: date plus 8 characters of the id."""
    return f"SO-{order_date[:10].replace('-', '')}-{order_id[4:12].upper()}"


def new_access_token() -> str:
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
