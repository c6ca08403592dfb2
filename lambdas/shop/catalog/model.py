"""The catalog's product model: prices in integer cents with a currency, seed 001's fields.

`ProductDraft` is what an administrator sends to create a product, `ProductChanges` what an update
may change, and `Product` what the catalog stores and serves. A digital product lists its files
(`digital_files`): objects of the private DigitalFiles bucket that buyers download through their
orders (shop.orders.downloads), never shown to shoppers.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Literal, Self

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    HttpUrl,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import InitErrorDetails, PydanticCustomError

from shop.contracts.admin_limits import MAX_DIMENSION, MAX_PRICE_CENTS, MAX_STOCK, MAX_WEIGHT
from shop.contracts.digital_files import CONTENT_TYPES, FILE_ID_PATTERN, KEY_PATTERN, MAX_FILE_BYTES

Currency = Annotated[str, Field(pattern=r"^[A-Z]{3}$", description="ISO 4217 code")]
Cents = Annotated[int, Field(ge=0, le=MAX_PRICE_CENTS, description="an amount in the currency's minor unit")]
Stock = Annotated[int, Field(ge=0, le=MAX_STOCK, description="units on hand")]
Weight = Annotated[float, Field(ge=0, le=MAX_WEIGHT, description="pounds")]
Side = Annotated[float, Field(gt=0, le=MAX_DIMENSION)]
Tag = Annotated[str, Field(min_length=1, max_length=40, pattern=r"^[\w\- ]+$")]
Sku = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._\-]+$")]
DEFAULT_CURRENCY = "USD"
# Shown to buyers and sent as the download's file name: no path separators, quotes or control bytes.
FileName = Annotated[str, Field(min_length=1, max_length=200, pattern=r'^[^\\/:*?"<>|\x00-\x1f\x7f]+$')]
MAX_DIGITAL_FILES = 10
# Shoppers see "Only 3 left" from this many units down; above it just "In stock". Exact stock and
# sales figures stay with administrators (competitors and scrapers read the public catalog too).
LOW_STOCK_SHOWN_AT = 5
ADMIN_ONLY_FIGURES = frozenset({"stock_quantity", "sales_count"})


class Category(StrEnum):
    """The six categories of seed 001."""

    BOOKS = "Books"
    APPAREL = "Apparel"
    RESOURCES = "Resources"
    DIGITAL_DOWNLOADS = "Digital Downloads"
    MERCHANDISE = "Merchandise"
    MINISTRY_TOOLS = "Ministry Tools"


class ProductStatus(StrEnum):
    """Only `active` products are shown to shoppers; `archived` is the soft delete."""

    ACTIVE = "active"
    DRAFT = "draft"
    ARCHIVED = "archived"


class Availability(StrEnum):
    """What shoppers see instead of the stock figure."""

    IN_STOCK = "in_stock"
    LOW_STOCK = "low_stock"  # with `low_stock_quantity`, at most LOW_STOCK_SHOWN_AT
    SOLD_OUT = "sold_out"


def availability(stock: int, *, digital: bool = False) -> dict[str, object]:
    """The public availability fields for `stock` units: a download never runs out."""
    if digital:
        return {"availability": Availability.IN_STOCK.value}
    if stock <= 0:
        return {"availability": Availability.SOLD_OUT.value}
    if stock <= LOW_STOCK_SHOWN_AT:
        return {"availability": Availability.LOW_STOCK.value, "low_stock_quantity": stock}
    return {"availability": Availability.IN_STOCK.value}


class Dimensions(BaseModel):
    """Package dimensions for shipping."""

    model_config = ConfigDict(extra="forbid")

    length: Side
    width: Side
    height: Side
    unit: Literal["in", "cm"] = "in"


class Variant(BaseModel):
    """A purchasable variation of a product (size and/or colour) with its own SKU and stock."""

    model_config = ConfigDict(extra="forbid")

    sku: Sku
    size: str | None = Field(default=None, max_length=20)
    colour: str | None = Field(default=None, max_length=30)
    price: Cents | None = Field(default=None, description="overrides the product price when set")
    stock_quantity: Stock = 0
    image_url: HttpUrl | None = Field(default=None, description="the picture of this variant (its colour)")


class DigitalFile(BaseModel):
    """One file that buyers of a digital product download. `file_id` stays when the file is replaced
    (buyers' links keep working); `key` is the object of its current version."""

    model_config = ConfigDict(extra="forbid")

    file_id: str = Field(pattern=FILE_ID_PATTERN)
    key: str = Field(pattern=KEY_PATTERN, description="its object in the private DigitalFiles bucket")
    file_name: FileName
    content_type: str
    size_bytes: int | None = Field(default=None, ge=1, le=MAX_FILE_BYTES)

    @field_validator("content_type")
    @classmethod
    def _uploadable(cls, value: str) -> str:
        if value not in CONTENT_TYPES:
            raise ValueError(f"must be one of {', '.join(CONTENT_TYPES)}")
        return value

    @model_validator(mode="after")
    def _key_of_this_file(self) -> Self:
        if not self.key.startswith(f"files/{self.file_id}/"):
            raise ValueError("key must be a version of this file_id (files/<file_id>/<version>)")
        return self


class _ProductFields(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=10_000)
    category: Category
    subcategory: str | None = Field(default=None, max_length=60)
    price: Cents
    currency: Currency = DEFAULT_CURRENCY
    sku: Sku
    stock_quantity: Stock = 0
    image_url: HttpUrl | None = None
    images: list[HttpUrl] = Field(default_factory=list, max_length=20)
    weight: Weight | None = None
    dimensions: Dimensions | None = None
    featured: bool = False
    tags: list[Tag] = Field(default_factory=list, max_length=30)
    digital_download: bool = False
    digital_files: list[DigitalFile] = Field(default_factory=list, max_length=MAX_DIGITAL_FILES)
    variants: list[Variant] = Field(default_factory=list, max_length=50)

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        skus = [variant.sku for variant in self.variants]
        if len(skus) != len(set(skus)):
            raise ValueError("variants must have distinct SKUs")
        file_ids = [file.file_id for file in self.digital_files]
        if len(file_ids) != len(set(file_ids)):
            raise ValueError("digital_files must have distinct file_ids")
        return self


NO_FILES = "upload at least one file when digital_download is true"


def missing_files(product: _ProductFields) -> bool:
    """A digital product that buyers could not download: none of its files is uploaded. Checked on
    what administrators send, not on stored items (those of the old `download_url` still load)."""
    return product.digital_download and not product.digital_files


def require_files(product: _ProductFields) -> None:
    """The check ProductDraft makes, for a product as an update would leave it: a validation error
    naming `digital_files`."""
    if missing_files(product):
        error = InitErrorDetails(
            type=PydanticCustomError("value_error", NO_FILES), loc=("digital_files",), input=[]
        )
        raise ValidationError.from_exception_data(type(product).__name__, [error])


class ProductDraft(_ProductFields):
    """A new product as an administrator submits it."""

    status: Literal["active", "draft"] = "active"
    # Validated when absent too, so a digital product without files is refused naming this field.
    digital_files: list[DigitalFile] = Field(
        default_factory=list, max_length=MAX_DIGITAL_FILES, validate_default=True
    )

    @field_validator("digital_files")
    @classmethod
    def _downloadable(cls, files: list[DigitalFile], info: ValidationInfo) -> list[DigitalFile]:
        if info.data.get("digital_download") and not files:
            raise ValueError(NO_FILES)
        return files


class ProductChanges(BaseModel):
    """An update: only the fields present are changed; the rest keep their stored values."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=10_000)
    category: Category | None = None
    subcategory: str | None = Field(default=None, max_length=60)
    price: Cents | None = None
    currency: Currency | None = None
    sku: Sku | None = None
    stock_quantity: Stock | None = None
    image_url: HttpUrl | None = None
    images: list[HttpUrl] | None = Field(default=None, max_length=20)
    weight: Weight | None = None
    dimensions: Dimensions | None = None
    featured: bool | None = None
    status: ProductStatus | None = None
    tags: list[Tag] | None = Field(default=None, max_length=30)
    digital_download: bool | None = None
    digital_files: list[DigitalFile] | None = Field(default=None, max_length=MAX_DIGITAL_FILES)
    variants: list[Variant] | None = Field(default=None, max_length=50)


class StoredVariant(Variant):
    """A variant as stored: items written before the admin bounds existed still load."""

    stock_quantity: int = Field(default=0, ge=0)


class Product(_ProductFields):
    """A stored product; `rating` is derived from the atomically maintained rating_total/review_count.

    Stock and weight are bounded where administrators enter them (ProductDraft, ProductChanges), not
    here: an item stored before those bounds must stay readable rather than fail every listing.
    """

    model_config = ConfigDict(extra="ignore")

    stock_quantity: int = Field(default=0, ge=0)
    weight: float | None = Field(default=None, ge=0)
    variants: list[StoredVariant] = Field(default_factory=list, max_length=50)  # type: ignore[assignment]

    product_id: str
    status: ProductStatus = ProductStatus.ACTIVE
    created_at: str
    updated_at: str
    sales_count: int = 0
    rating_total: int = 0
    review_count: int = 0
    cache_version: int = 1

    @property
    def rating(self) -> float:
        return round(self.rating_total / self.review_count, 2) if self.review_count else 0.0

    @property
    def units_for_sale(self) -> int:
        """A product with variants sells its variants' stock, otherwise its own."""
        if self.variants:
            return sum(variant.stock_quantity for variant in self.variants)
        return self.stock_quantity

    def public_view(self, *, for_admin: bool = False) -> dict[str, object]:
        """The JSON a caller receives. Shoppers and partners get availability; administrators also get
        the stock and sales figures and the files (buyers download those through their orders)."""
        hidden = {"rating_total"} if for_admin else {"rating_total", "digital_files", *ADMIN_ONLY_FIGURES}
        document = self.model_dump(mode="json", exclude=hidden)
        document["rating"] = self.rating
        document |= availability(self.units_for_sale, digital=self.digital_download)
        if not for_admin:
            document["variants"] = [
                variant.model_dump(mode="json", exclude={"stock_quantity"})
                | availability(variant.stock_quantity, digital=self.digital_download)
                for variant in self.variants
            ]
        return document

    def variant(self, sku: str) -> Variant | None:
        return next((variant for variant in self.variants if variant.sku == sku), None)


class VariantView(Variant):
    """A variant in the product JSON (`Product.public_view`): administrators get its stock, shoppers
    and partners its availability instead."""

    stock_quantity: int | None = Field(default=None, description="administrators only")  # type: ignore[assignment]
    availability: Availability | None = Field(default=None, description="everyone but administrators")
    low_stock_quantity: int | None = Field(
        default=None, ge=1, le=LOW_STOCK_SHOWN_AT, description="units left, when few (low_stock only)"
    )


class ProductView(_ProductFields):
    """The product JSON of the API (for the OpenAPI document; `Product.public_view` produces it).

    `digital_files`, `stock_quantity` and `sales_count` (here and on variants) are present for
    administrators only; everyone gets `availability`, and `low_stock_quantity` when it is low.
    """

    stock_quantity: int | None = Field(default=None, description="administrators only")  # type: ignore[assignment]
    variants: list[VariantView] = Field(default_factory=list, max_length=50)  # type: ignore[assignment]
    product_id: str
    status: ProductStatus
    created_at: str
    updated_at: str
    sales_count: int | None = Field(default=None, description="administrators only")
    review_count: int
    rating: float
    cache_version: int
    availability: Availability
    low_stock_quantity: int | None = Field(
        default=None, ge=1, le=LOW_STOCK_SHOWN_AT, description="units left, when few (low_stock only)"
    )


class ProductPageView(BaseModel):
    """One page of GET /products."""

    items: list[ProductView]
    count: int
    total: int = Field(description="products matching the query, on all pages")
    next_cursor: str | None = Field(description="pass as `cursor` for the next page; null on the last")
