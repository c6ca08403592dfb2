"""The administrators' product listing: every status, straight from DynamoDB (never the cache).

Reads the status-sales_count-index one status partition after another (all = active, draft,
archived), best-selling first within each, and filters category, text and low stock in memory like
the shop's own search. The cursor is the index key of the last product returned, so a page ends
exactly where the caller stopped however selective the filters are.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field

from shop.catalog.cache_keys import query_fingerprint
from shop.catalog.model import Category, Product, ProductStatus, ProductView
from shop.catalog.repository import ProductRepository
from shop.catalog.search import search_terms
from shop.platform.errors import BadRequest
from shop.platform.pagination import decode_cursor, encode_cursor

DEFAULT_ADMIN_PAGE_SIZE = 50
MAX_ADMIN_PAGE_SIZE = 100
_MAX_PRODUCT_ID_LENGTH = 128


class AdminStatusFilter(StrEnum):
    ACTIVE = "active"
    ARCHIVED = "archived"
    ALL = "all"


_PARTITIONS: dict[AdminStatusFilter, tuple[ProductStatus, ...]] = {
    AdminStatusFilter.ACTIVE: (ProductStatus.ACTIVE,),
    AdminStatusFilter.ARCHIVED: (ProductStatus.ARCHIVED,),
    AdminStatusFilter.ALL: (ProductStatus.ACTIVE, ProductStatus.DRAFT, ProductStatus.ARCHIVED),
}


@dataclass(frozen=True)
class AdminProductFilters:
    status: AdminStatusFilter = AdminStatusFilter.ALL
    category: Category | None = None
    q: str | None = None
    low_stock_threshold: int | None = None  # set: only stock_quantity <= it

    @property
    def partitions(self) -> tuple[ProductStatus, ...]:
        return _PARTITIONS[self.status]

    def fingerprint(self) -> str:
        return query_fingerprint(
            "admin-products",
            {
                "status": self.status.value,
                "category": self.category.value if self.category else None,
                "q": " ".join(search_terms(self.q or "")) or None,
                "low_stock": self.low_stock_threshold,
            },
        )

    def accepts(self, product: Product) -> bool:
        if self.category is not None and product.category != self.category:
            return False
        if self.low_stock_threshold is not None and (
            product.digital_download or product.stock_quantity > self.low_stock_threshold
        ):
            return False  # a download never runs out, whatever its stock_quantity says
        terms = search_terms(self.q or "")
        if terms:
            haystack = " ".join((product.name, product.description, *product.tags)).lower()
            return all(term in haystack for term in terms)
        return True


@dataclass(frozen=True)
class AdminProductPage:
    products: list[Product]
    next_cursor: str | None


class AdminProductPageView(BaseModel):
    """One page of GET /admin/products."""

    items: list[ProductView]
    next_cursor: str | None = Field(description="pass as `cursor` for the next page; null on the last")
    low_stock_threshold: int = Field(description="`low_stock=true` lists stock_quantity <= this")


def _resume_point(filters: AdminProductFilters, cursor: str) -> tuple[int, dict[str, Any]]:
    """(partition position, index key to start after) from a cursor issued for the same filters."""
    state = decode_cursor(cursor)
    if state.get("f") != filters.fingerprint():
        raise BadRequest("cursor belongs to a different query", field="cursor")
    position, after = state.get("p"), state.get("k")
    if not (
        isinstance(position, int)
        and 0 <= position < len(filters.partitions)
        and isinstance(after, dict)
        and set(after) == {"product_id", "sales_count"}
        and isinstance(after["product_id"], str)
        and 0 < len(after["product_id"]) <= _MAX_PRODUCT_ID_LENGTH
        and isinstance(after["sales_count"], int)
    ):
        # A malformed ExclusiveStartKey would otherwise reach DynamoDB and come back as a 500.
        raise BadRequest("cursor is not one this API issued", field="cursor")
    return position, after


def admin_product_page(
    repository: ProductRepository, filters: AdminProductFilters, *, limit: int, cursor: str | None
) -> AdminProductPage:
    """Up to `limit` matching products and, when more match, the cursor of the next page."""
    position, after = _resume_point(filters, cursor) if cursor else (0, None)

    def candidates() -> Iterator[tuple[int, Product]]:
        start = after
        for index in range(position, len(filters.partitions)):
            # One more than a page, so the look-ahead below usually costs no extra request.
            for product in repository.by_status(
                filters.partitions[index], start_after=start, page_size=limit + 1
            ):
                if filters.accepts(product):
                    yield index, product
            start = None

    matching = candidates()
    page: list[tuple[int, Product]] = []
    for found in matching:
        page.append(found)
        if len(page) == limit:
            break
    # Only promise a next page when one more product matches: no empty last page.
    more = len(page) == limit and next(matching, None) is not None
    next_cursor = None
    if more:
        last_position, last = page[-1]
        next_cursor = encode_cursor(
            {
                "f": filters.fingerprint(),
                "p": last_position,
                "k": {"product_id": last.product_id, "sales_count": last.sales_count},
            }
        )
    return AdminProductPage(products=[product for _, product in page], next_cursor=next_cursor)
