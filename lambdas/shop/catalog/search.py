"""Catalog search as it is today: filters, a case-insensitive term match and sorting, in memory.

The candidates come from one GSI query (see Catalog.list_products); this module decides which of
them match and in what order. docs/search.md explains the limits and the later search index.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, model_validator

from shop.catalog.model import Category, Product

MAX_QUERY_TERMS = 10
_WORD = re.compile(r"[\w\-']+")


class ProductSort(StrEnum):
    NEWEST = "newest"
    PRICE_ASC = "price_asc"
    PRICE_DESC = "price_desc"
    RATING = "rating"
    BEST_SELLING = "best_selling"


class ProductFilters(BaseModel):
    """What a shopper narrowed the listing to; every filter given must match."""

    model_config = ConfigDict(frozen=True)

    category: Category | None = None
    min_price: int | None = Field(default=None, ge=0)
    max_price: int | None = Field(default=None, ge=0)
    tags: tuple[str, ...] = ()
    q: str | None = Field(default=None, max_length=100)
    sort: ProductSort = ProductSort.NEWEST

    @model_validator(mode="after")
    def _price_range(self) -> ProductFilters:
        if self.min_price is not None and self.max_price is not None and self.min_price > self.max_price:
            raise ValueError("min_price must not exceed max_price")
        return self

    def terms(self) -> list[str]:
        return search_terms(self.q or "")

    def cache_parameters(self) -> dict[str, object]:
        return {
            "category": self.category.value if self.category else None,
            "min_price": self.min_price,
            "max_price": self.max_price,
            "tags": sorted(tag.lower() for tag in self.tags) or None,
            "q": " ".join(self.terms()) or None,
            "sort": self.sort.value,
        }


def search_terms(text: str) -> list[str]:
    """Lower-cased words of a search box entry, de-duplicated, at most MAX_QUERY_TERMS."""
    return list(dict.fromkeys(word.lower() for word in _WORD.findall(text)))[:MAX_QUERY_TERMS]


def matches(product: Product, filters: ProductFilters) -> bool:
    if filters.category is not None and product.category != filters.category:
        return False
    if filters.min_price is not None and product.price < filters.min_price:
        return False
    if filters.max_price is not None and product.price > filters.max_price:
        return False
    product_tags = {tag.lower() for tag in product.tags}
    if any(tag.lower() not in product_tags for tag in filters.tags):
        return False
    terms = filters.terms()
    if terms:
        haystack = " ".join((product.name, product.description, *product.tags)).lower()
        return all(term in haystack for term in terms)
    return True


def sort_products(products: Iterable[Product], sort: ProductSort) -> list[Product]:
    """Products in the requested order; ties fall back to newest first, then id, so pages are stable."""
    by_newest = sorted(products, key=lambda product: (product.created_at, product.product_id), reverse=True)
    if sort is ProductSort.PRICE_ASC:
        return sorted(by_newest, key=lambda product: product.price)
    if sort is ProductSort.PRICE_DESC:
        return sorted(by_newest, key=lambda product: -product.price)
    if sort is ProductSort.RATING:
        return sorted(by_newest, key=lambda product: (-product.rating, -product.review_count))
    if sort is ProductSort.BEST_SELLING:
        return sorted(by_newest, key=lambda product: -product.sales_count)
    return by_newest
