"""The catalog's product model: prices in integer cents with a currency, seed 001's fields.

`ProductDraft` is what an administrator sends to create a product, `ProductChanges` what an update
may change, and `Product` what the catalog stores and serves.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, HttpUrl, model_validator

Currency = Annotated[str, Field(pattern=r"^[A-Z]{3}$", description="ISO 4217 code")]
Cents = Annotated[int, Field(ge=0, le=100_000_000, description="an amount in the currency's minor unit")]
Tag = Annotated[str, Field(min_length=1, max_length=40, pattern=r"^[\w\- ]+$")]
Sku = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._\-]+$")]
DEFAULT_CURRENCY = "USD"


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


class Dimensions(BaseModel):
    """Package dimensions for shipping."""

    model_config = ConfigDict(extra="forbid")

    length: float = Field(gt=0, le=10_000)
    width: float = Field(gt=0, le=10_000)
    height: float = Field(gt=0, le=10_000)
    unit: Literal["in", "cm"] = "in"


class Variant(BaseModel):
    """A purchasable variation of a product (size and/or colour) with its own SKU and stock."""

    model_config = ConfigDict(extra="forbid")

    sku: Sku
    size: str | None = Field(default=None, max_length=20)
    colour: str | None = Field(default=None, max_length=30)
    price: Cents | None = Field(default=None, description="overrides the product price when set")
    stock_quantity: int = Field(default=0, ge=0)


class _ProductFields(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=10_000)
    category: Category
    subcategory: str | None = Field(default=None, max_length=60)
    price: Cents
    currency: Currency = DEFAULT_CURRENCY
    sku: Sku
    stock_quantity: int = Field(default=0, ge=0)
    image_url: HttpUrl | None = None
    images: list[HttpUrl] = Field(default_factory=list, max_length=20)
    weight: float | None = Field(default=None, ge=0, le=100_000, description="pounds")
    dimensions: Dimensions | None = None
    featured: bool = False
    tags: list[Tag] = Field(default_factory=list, max_length=30)
    digital_download: bool = False
    download_url: HttpUrl | None = None
    variants: list[Variant] = Field(default_factory=list, max_length=50)

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.digital_download and self.download_url is None:
            raise ValueError("download_url is required when digital_download is true")
        skus = [variant.sku for variant in self.variants]
        if len(skus) != len(set(skus)):
            raise ValueError("variants must have distinct SKUs")
        return self


class ProductDraft(_ProductFields):
    """A new product as an administrator submits it."""

    status: Literal["active", "draft"] = "active"


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
    stock_quantity: int | None = Field(default=None, ge=0)
    image_url: HttpUrl | None = None
    images: list[HttpUrl] | None = Field(default=None, max_length=20)
    weight: float | None = Field(default=None, ge=0, le=100_000)
    dimensions: Dimensions | None = None
    featured: bool | None = None
    status: ProductStatus | None = None
    tags: list[Tag] | None = Field(default=None, max_length=30)
    digital_download: bool | None = None
    download_url: HttpUrl | None = None
    variants: list[Variant] | None = Field(default=None, max_length=50)


class Product(_ProductFields):
    """A stored product; `rating` is derived from the atomically maintained rating_total/review_count."""

    model_config = ConfigDict(extra="ignore")

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

    def public_view(self, *, for_admin: bool = False) -> dict[str, object]:
        """The JSON a caller receives; the download URL is for administrators (buyers get it by order)."""
        hidden = {"rating_total"} if for_admin else {"rating_total", "download_url"}
        document = self.model_dump(mode="json", exclude=hidden)
        document["rating"] = self.rating
        return document

    def variant(self, sku: str) -> Variant | None:
        return next((variant for variant in self.variants if variant.sku == sku), None)


class ProductView(_ProductFields):
    """The product JSON of the API (for the OpenAPI document; `Product.public_view` produces it).

    `download_url` is present for administrators only.
    """

    product_id: str
    status: ProductStatus
    created_at: str
    updated_at: str
    sales_count: int
    review_count: int
    rating: float
    cache_version: int


class ProductPageView(BaseModel):
    """One page of GET /products."""

    items: list[ProductView]
    count: int
    total: int = Field(description="products matching the query, on all pages")
    next_cursor: str | None = Field(description="pass as `cursor` for the next page; null on the last")
