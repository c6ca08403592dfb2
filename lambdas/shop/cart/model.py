"""The shopping cart as stored (one item per owner in the Cart table) and the requests that change it."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from shop.contracts.cart_ids import SIGNED_CART_ID_PATTERN

MAX_LINE_QUANTITY = 99
MAX_CART_LINES = 100
CART_TTL_DAYS = 30
GUEST_PREFIX = "guest#"

CartId = Annotated[
    str, Field(pattern=SIGNED_CART_ID_PATTERN, description="the guest cart id this shop issued (X-Cart-Id)")
]
ProductId = Annotated[str, Field(min_length=1, max_length=64)]
# Requests call the chosen variant's SKU `sku` (the API's request schema); `variant_sku` is accepted too.
VariantSku = Annotated[
    str | None, Field(alias="sku", min_length=1, max_length=64, description="the variant's SKU")
]
_REQUEST_CONFIG = ConfigDict(extra="forbid", validate_by_name=True, validate_by_alias=True)


class CartLine(BaseModel):
    """One product (or product variant) in a cart, priced from the catalog at its last change."""

    product_id: str
    variant_sku: str | None = None
    name: str
    unit_price: int = Field(ge=0)
    currency: str
    quantity: int = Field(ge=1, le=MAX_LINE_QUANTITY)
    requires_shipping: bool = True
    image_url: str | None = None
    # The variant as a shopper chose it ("M / Navy"), for the cart, the drawer and checkout's summary.
    variant_label: str | None = None

    @property
    def line_key(self) -> tuple[str, str | None]:
        return (self.product_id, self.variant_sku)


class StoredCart(BaseModel):
    """A cart item of the Cart table; `revision` guards concurrent changes (optimistic locking)."""

    model_config = ConfigDict(extra="ignore")

    user_id: str = Field(description="the owner key: the Cognito sub, or guest#<cart_id>")
    items: list[CartLine] = Field(default_factory=list)
    created_at: str
    updated_at: str
    expires_at: int = Field(description="epoch seconds; DynamoDB's TTL removes the cart after it")
    cache_key: str
    revision: int = 0


class AddToCart(BaseModel):
    """Add a quantity of a product (and variant) to the cart."""

    model_config = _REQUEST_CONFIG

    product_id: ProductId
    variant_sku: VariantSku = None
    quantity: int = Field(default=1, ge=1, le=MAX_LINE_QUANTITY)


class UpdateCartLine(BaseModel):
    """Set a line's quantity; 0 removes it."""

    model_config = _REQUEST_CONFIG

    product_id: ProductId
    variant_sku: VariantSku = None
    quantity: int = Field(ge=0, le=MAX_LINE_QUANTITY)


class RemoveFromCart(BaseModel):
    """Remove a line (the product, and the variant when the line has one)."""

    model_config = _REQUEST_CONFIG

    product_id: ProductId
    variant_sku: VariantSku = None


class MergeCarts(BaseModel):
    """Move a guest cart into the signed-in shopper's cart."""

    model_config = ConfigDict(extra="forbid")

    cart_id: CartId
