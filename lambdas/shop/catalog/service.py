"""The catalog: product reads through the Redis cache, listings, and administrator writes.

Reads try Redis first and fall back to DynamoDB (a miss or an outage look the same to callers).
Writes go to DynamoDB, then write the new version through to Redis and advance the catalog
generation so every cached listing that might contain the product is retired.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from aws_lambda_powertools import Logger
from pydantic import ValidationError

from shop.catalog.cache_keys import (
    GENERATION_KEY,
    PRODUCT_TTL_SECONDS,
    QUERY_TTL_SECONDS,
    MalformedCacheEntryError,
    decode_versioned,
    product_key,
    query_fingerprint,
    query_key,
)
from shop.catalog.model import (
    Category,
    Product,
    ProductChanges,
    ProductDraft,
    ProductStatus,
    require_files,
)
from shop.catalog.repository import ProductMissingError, ProductRepository
from shop.catalog.search import ProductFilters, ProductSort, matches, sort_products
from shop.contracts.metric_names import CATALOG_CACHE
from shop.platform.cache import ResilientCache, shared_redis_client, shared_redis_outage
from shop.platform.errors import BadRequest, NotFound
from shop.platform.pagination import decode_cursor, encode_cursor
from shop.platform.process_state import per_process

logger = Logger(child=True)

DEFAULT_PAGE_SIZE = 24
MAX_PAGE_SIZE = 100
FEATURED_LIMIT = 12
BESTSELLER_LIMIT = 10
MAX_SHOWCASE = 50


@dataclass(frozen=True)
class ProductPage:
    """One page of a listing and the cursor of the next page (None on the last)."""

    products: list[Product]
    next_cursor: str | None
    total: int


@dataclass(frozen=True)
class CategoryCount:
    name: str
    product_count: int


class Catalog:
    """Product reads and writes; `cache` may be down at any moment without failing a request."""

    def __init__(self, repository: ProductRepository, cache: ResilientCache) -> None:
        self.repository = repository
        self.cache = cache

    # -- single products ------------------------------------------------------------------------

    def product(self, product_id: str, *, include_unlisted: bool = False) -> Product:
        """A product by id; NotFound when unknown, or (for shoppers) not active."""
        product = self.products_by_id([product_id]).get(product_id)
        if product is None or (product.status is not ProductStatus.ACTIVE and not include_unlisted):
            raise NotFound(f"no product {product_id}", field="product_id", product_id=product_id)
        return product

    def products_by_id(self, product_ids: Sequence[str]) -> dict[str, Product]:
        """Products from the cache, the misses from DynamoDB (and then cached)."""
        found: dict[str, Product] = {}
        missing: list[str] = []
        for product_id, raw in zip(
            product_ids, self.cache.get_many([product_key(pid) for pid in product_ids]), strict=True
        ):
            cached = _decode_product(raw) if raw is not None else None
            if cached is None:
                missing.append(product_id)
            else:
                found[product_id] = cached
        if missing:
            loaded = self.repository.get_many(missing)
            self.remember(loaded.values())
            found.update(loaded)
        return found

    def remember(self, products: Iterable[Product]) -> None:
        """Cache products under their version (never replacing a newer cached version)."""
        self.cache.set_if_newer(
            [(product_key(p.product_id), p.cache_version, p.model_dump_json()) for p in products],
            PRODUCT_TTL_SECONDS,
        )

    # -- listings -------------------------------------------------------------------------------

    def list_products(self, filters: ProductFilters, *, limit: int, cursor: str | None) -> ProductPage:
        """Active products matching the filters, in the requested order, one page at a time."""
        fingerprint = query_fingerprint("products", filters.cache_parameters())
        offset, generation = 0, None
        if cursor:
            state = decode_cursor(cursor)
            if state.get("f") != fingerprint or not isinstance(state.get("o"), int) or state["o"] < 0:
                raise BadRequest("cursor belongs to a different query", field="cursor")
            offset, generation = state["o"], state.get("g")
        if not isinstance(generation, int):
            generation = self.cache.read_counter(GENERATION_KEY)

        def load() -> list[str]:
            candidates = (
                self.repository.active_in_category(filters.category)
                if filters.category is not None
                else self.repository.active_by_sales()
            )
            ordered = sort_products((p for p in candidates if matches(p, filters)), filters.sort)
            window = ordered[offset : offset + limit]
            # The query returned whole items (the GSIs project everything): cache the page just read.
            self.remember(window)
            return [p.product_id for p in ordered]

        product_ids = self._cached_ids(generation, fingerprint, load)
        page_ids = product_ids[offset : offset + limit]
        products = self.products_by_id(page_ids)
        page = [
            products[pid]
            for pid in page_ids
            if pid in products and products[pid].status is ProductStatus.ACTIVE
        ]
        next_offset = offset + limit
        next_cursor = (
            encode_cursor({"f": fingerprint, "o": next_offset, "g": generation})
            if next_offset < len(product_ids)
            else None
        )
        return ProductPage(products=page, next_cursor=next_cursor, total=len(product_ids))

    def featured(self, limit: int = FEATURED_LIMIT) -> list[Product]:
        return self._cached_view("featured", {"limit": limit}, lambda: self.repository.featured(limit))

    def bestsellers(self, limit: int = BESTSELLER_LIMIT) -> list[Product]:
        return self._cached_view(
            "bestsellers", {"limit": limit}, lambda: self.repository.active_by_sales(limit)
        )

    def categories(self) -> list[CategoryCount]:
        """The six categories with their active product counts."""
        generation = self.cache.read_counter(GENERATION_KEY)
        key = query_key(generation, query_fingerprint("categories", {})) if generation is not None else None
        cached = self.cache.get(key) if key else None
        if cached is not None:
            counts: dict[str, int] = json.loads(cached)
        else:
            counts = {
                category.value: self.repository.count_active_in_category(category) for category in Category
            }
            if key:
                self.cache.set(key, json.dumps(counts), QUERY_TTL_SECONDS)
        return [
            CategoryCount(name=category.value, product_count=counts.get(category.value, 0))
            for category in Category
        ]

    def sitemap_entries(self) -> list[tuple[str, str]]:
        """(product_id, updated_at) of every active product, cached under the catalog generation like
        the listings (any product write retires it); DynamoDB only on a miss or while Redis is down."""
        generation = self.cache.read_counter(GENERATION_KEY)
        key = query_key(generation, query_fingerprint("sitemap", {})) if generation is not None else None
        raw = self.cache.get(key) if key else None
        if raw is not None:
            try:
                cached = json.loads(raw)
                if isinstance(cached, list) and all(
                    isinstance(pair, list) and len(pair) == 2 and all(isinstance(part, str) for part in pair)
                    for pair in cached
                ):
                    return [(pair[0], pair[1]) for pair in cached]
            except ValueError:
                pass
            logger.warning("ignoring malformed sitemap cache entry", extra={"key": key})
        entries = self.repository.active_product_dates()
        if key:
            self.cache.set(key, json.dumps(entries), QUERY_TTL_SECONDS)
        return entries

    def _cached_view(
        self, view: str, parameters: dict[str, Any], load: Callable[[], list[Product]]
    ) -> list[Product]:
        generation = self.cache.read_counter(GENERATION_KEY)
        loaded: list[Product] = []

        def load_ids() -> list[str]:
            loaded.extend(load())
            self.remember(loaded)
            return [p.product_id for p in loaded]

        product_ids = self._cached_ids(generation, query_fingerprint(view, parameters), load_ids)
        if loaded:
            return loaded
        products = self.products_by_id(product_ids)
        return [
            products[pid]
            for pid in product_ids
            if pid in products and products[pid].status is ProductStatus.ACTIVE
        ]

    def _cached_ids(
        self, generation: int | None, fingerprint: str, load: Callable[[], list[str]]
    ) -> list[str]:
        """The ids of a query from its generation's cache entry, else from `load` (and then cached)."""
        key = query_key(generation, fingerprint) if generation is not None else None
        raw = self.cache.get(key) if key else None
        if raw is not None:
            try:
                ids = json.loads(raw)
                if isinstance(ids, list) and all(isinstance(pid, str) for pid in ids):
                    return ids
            except ValueError:
                logger.warning("ignoring malformed query cache entry", extra={"key": key})
        ids = load()
        if key:
            self.cache.set(key, json.dumps(ids), QUERY_TTL_SECONDS)
        return ids

    # -- administrator writes -------------------------------------------------------------------

    def create(self, draft: ProductDraft) -> Product:
        product = self.repository.create(draft)
        self.product_changed(product)
        return product

    def update(self, product_id: str, changes: ProductChanges) -> Product:
        """Apply the fields present in `changes`; the merged product must still be valid (else 422)."""
        current = self.product(product_id, include_unlisted=True)
        requested = changes.model_dump(mode="json", exclude_unset=True)
        if not requested:
            raise BadRequest("send at least one field to change", field="body")
        # Validate the product as it will be after the change, so a partial update cannot leave an
        # invalid item behind (e.g. a digital download without files, or a null name).
        merged = Product.model_validate({**current.model_dump(mode="json"), **requested})
        if {"digital_download", "digital_files"} & requested.keys():
            require_files(merged)  # 422 naming digital_files, as on create
        return self._write(product_id, requested)

    def archive(self, product_id: str) -> Product:
        """Soft delete: the product stays for orders and reviews but leaves every shopper view."""
        self.product(product_id, include_unlisted=True)
        return self._write(product_id, {"status": ProductStatus.ARCHIVED.value})

    def _write(self, product_id: str, changes: dict[str, Any]) -> Product:
        try:
            product = self.repository.update(product_id, changes)
        except ProductMissingError:
            raise NotFound(f"no product {product_id}", field="product_id", product_id=product_id) from None
        self.product_changed(product)
        return product

    def product_changed(self, product: Product) -> None:
        """Make every cached view reflect `product` (for any writer of Products, e.g. stock updates)."""
        self.remember([product])
        if self.cache.increment(GENERATION_KEY) is None:
            logger.warning(
                "catalog listings may stay stale until their TTL: the cache was unreachable during a write",
                extra={"product_id": product.product_id, "cache_version": product.cache_version},
            )


def _decode_product(raw: bytes) -> Product | None:
    try:
        _version, document = decode_versioned(raw)
        return Product.model_validate_json(document)
    except (MalformedCacheEntryError, ValidationError):
        logger.warning("ignoring malformed product cache entry")
        return None


@per_process
def catalog_cache() -> ResilientCache:
    return ResilientCache(CATALOG_CACHE, shared_redis_client, outage=shared_redis_outage)


def catalog_cache_state() -> str:
    """ "up" when Redis answers a generation read, else "down" (the API keeps serving from DynamoDB)."""
    return "up" if catalog_cache().read_counter(GENERATION_KEY) is not None else "down"


@per_process
def shared_catalog() -> Catalog:
    """The process-wide catalog (built on first use, so importing it creates no clients)."""
    return Catalog(ProductRepository(), catalog_cache())


__all__ = ["Catalog", "CategoryCount", "ProductFilters", "ProductPage", "ProductSort", "shared_catalog"]
