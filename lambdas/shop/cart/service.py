"""Cart rules: who owns a cart, stock and price checks on every change, totals, and the cart cache.

Reads come from Redis (30 min TTL) when they can. A change starts from the cart as Redis holds it and
the products as the catalog cache holds them (issue 20: a cart change is two DynamoDB calls, the rate
limit and the write), writes the cart with an optimistic revision check, and writes the result
through to Redis. The revision check is what makes the cached cart safe to start from: a cart Redis
holds stale (another instance's write-through failed, the cart was cleared or merged meanwhile) fails
the check, and the next attempt reads DynamoDB, strongly consistent. The products' stock and prices are
the catalog's, as the product page showed them; the order is what takes the stock, checked in its
transaction, and prices the lines again from DynamoDB.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools import Logger
from pydantic import ValidationError

from shop.cart.guest_ids import issue_guest_cart_id, verified_cart_key
from shop.cart.model import (
    CART_TTL_DAYS,
    GUEST_PREFIX,
    MAX_CART_LINES,
    MAX_LINE_QUANTITY,
    AddToCart,
    CartLine,
    StoredCart,
    UpdateCartLine,
)
from shop.cart.pricing import PricedLine, Totals, price, priced_lines, pricing_rules, scoped_lines
from shop.cart.repository import CartChangedError, CartRepository
from shop.catalog.model import Product, ProductStatus
from shop.catalog.repository import ProductRepository
from shop.contracts.cart_ids import CART_ID_HEADER
from shop.contracts.metric_names import CART_CACHE
from shop.contracts.pricing_rules import PricingRules
from shop.platform.cache import ResilientCache, shared_redis_client, shared_redis_outage
from shop.platform.clock import now_iso
from shop.platform.errors import BadRequest, Conflict, NotFound, Unauthorized
from shop.platform.process_state import per_process
from shop.promotions.model import PromotionRefused
from shop.promotions.service import Promotions, shared_promotions

if TYPE_CHECKING:
    from shop.catalog.service import Catalog

logger = Logger(child=True)

CART_CACHE_TTL_SECONDS = 30 * 60
CART_CACHE_PREFIX = "shop:cart"
CHANGE_ATTEMPTS = 4
# Cached for an owner who has no stored cart (a cart is JSON, never this): the cart page's read
# remembers it, and the first add then writes without reading. Stale (a cart was stored meanwhile and
# its write-through failed), it shows an empty cart until the entry's TTL, and a change starting from
# it fails its "no cart yet" condition and reads DynamoDB.
NO_CART = b"none"


def cart_cache_key(owner_key: str) -> str:
    return f"{CART_CACHE_PREFIX}:{owner_key}"


@dataclass(frozen=True)
class CartOwner:
    """Whose cart: a signed-in shopper (Cognito sub) or a guest (the signed cart id this shop issued)."""

    key: str
    guest_cart_id: str | None = None  # as the guest holds it, signature included
    # A guest cart id minted for this request: no cart can be stored under it yet, so none is read.
    new: bool = False

    @classmethod
    def shopper(cls, user_id: str) -> CartOwner:
        return cls(key=user_id)

    @classmethod
    def guest(cls, cart_id: str, *, field: str = CART_ID_HEADER) -> CartOwner:
        """The guest holding `cart_id`; refused (4xx naming `field`) unless this shop signed it."""
        return cls(key=f"{GUEST_PREFIX}{verified_cart_key(cart_id, field=field)}", guest_cart_id=cart_id)

    @classmethod
    def new_guest(cls) -> CartOwner:
        """A guest with a cart id minted here (their first add)."""
        cart_id = issue_guest_cart_id()
        return cls(key=f"{GUEST_PREFIX}{verified_cart_key(cart_id)}", guest_cart_id=cart_id, new=True)


def resolve_owner(user_id: str | None, cart_id_header: str | None, *, create: bool) -> CartOwner | None:
    """The signed-in shopper wins over a cart id header; a guest without one gets a new id if `create`."""
    if user_id:
        return CartOwner.shopper(user_id)
    if cart_id_header:
        return CartOwner.guest(cart_id_header)
    return CartOwner.new_guest() if create else None


@dataclass
class CartView:
    """A cart as the API returns it."""

    owner: CartOwner | None
    lines: list[CartLine]
    totals: Totals
    updated_at: str | None
    notices: list[dict[str, Any]] = field(default_factory=list)

    def body(self) -> dict[str, Any]:
        document: dict[str, Any] = {
            "items": [
                {**line.model_dump(mode="json"), "line_total": line.unit_price * line.quantity}
                for line in self.lines
            ],
            "item_count": sum(line.quantity for line in self.lines),
            "totals": self.totals.model_dump(mode="json"),
            "updated_at": self.updated_at,
        }
        if self.owner is not None and self.owner.guest_cart_id:
            document["cart_id"] = self.owner.guest_cart_id
        if self.notices:
            document["notices"] = self.notices
        return document


def available_quantity(product: Product, variant_sku: str | None) -> int:
    """How many of a product (variant) one cart line may hold: its stock, at most MAX_LINE_QUANTITY."""
    if product.digital_download:
        return MAX_LINE_QUANTITY
    variant = product.variant(variant_sku) if variant_sku else None
    stock = variant.stock_quantity if variant is not None else product.stock_quantity
    return min(stock, MAX_LINE_QUANTITY)


class ShoppingCarts:
    """The cart operations of cart_api."""

    def __init__(
        self,
        repository: CartRepository,
        products: ProductRepository,
        cache: ResilientCache,
        rules: PricingRules,
        promotions: Promotions | None = None,
        catalog: Catalog | None = None,
    ) -> None:
        self.repository = repository
        self.products = products
        self.cache = cache
        self.rules = rules
        self.promotions = promotions or shared_promotions()
        if catalog is None:
            # Imported here: the catalog service (listings, search) is not part of cart_api's cold start.
            from shop.catalog.service import shared_catalog

            catalog = shared_catalog()
        self.catalog = catalog

    # -- reads ----------------------------------------------------------------------------------

    def view(
        self, owner: CartOwner | None, *, discount_code: str | None = None, email: str | None = None
    ) -> CartView:
        """The cart and its totals; with a code, as that promotion would price it for `email` (a guest's
        email is not known yet: a personal code is then checked at checkout)."""
        stored = self._cached_cart(owner) if owner is not None else None
        lines = stored.items if stored else []
        return CartView(
            owner=owner,
            lines=lines,
            totals=self._totals(lines, discount_code, email),
            updated_at=stored.updated_at if stored else None,
        )

    def _cached_cart(self, owner: CartOwner, *, write_through: bool = True) -> StoredCart | None:
        raw = self.cache.get(cart_cache_key(owner.key))
        if raw == NO_CART:
            return None
        if raw is not None:
            try:
                return StoredCart.model_validate_json(raw)
            except ValidationError:
                logger.warning("ignoring malformed cart cache entry")
        stored = self.repository.get(owner.key)
        if write_through:
            if stored is not None:
                self._write_through(stored)
            else:
                # Remembered too, so the shopper's first change needs no read (see NO_CART).
                self.cache.set(cart_cache_key(owner.key), NO_CART, CART_CACHE_TTL_SECONDS)
        return stored

    def _cart_to_change(self, owner: CartOwner, attempt: int) -> StoredCart | None:
        """The cart a change starts from: Redis's first (a stale one fails the revision check), then
        DynamoDB's, strongly consistent; none for a guest cart id minted in this request."""
        if attempt == 0:
            # The change writes the cart through itself: a miss is not written back first.
            return None if owner.new else self._cached_cart(owner, write_through=False)
        return self.repository.get(owner.key)

    def _totals(self, lines: list[CartLine], discount_code: str | None, email: str | None = None) -> Totals:
        if not discount_code:
            return price(
                [PricedLine(line.unit_price, line.quantity, line.requires_shipping) for line in lines],
                self.rules,
            )
        # A promotion may be scoped to categories, which only the catalog knows.
        products = self.products.get_many([line.product_id for line in lines])
        priced = priced_lines(lines, {pid: str(product.category) for pid, product in products.items()})
        try:
            applied = self.promotions.apply(discount_code, scoped_lines(priced), email=email)
        except PromotionRefused as refused:
            raise BadRequest(str(refused), field="discount_code", reason=refused.reason) from None
        return price(priced, self.rules, applied)

    # -- changes --------------------------------------------------------------------------------

    def add(self, owner: CartOwner, request: AddToCart) -> CartView:
        def change(lines: dict[tuple[str, str | None], CartLine], products: dict[str, Product]) -> None:
            product = self._sellable(products, request.product_id, request.variant_sku)
            key = (request.product_id, request.variant_sku)
            in_cart = lines[key].quantity if key in lines else 0
            wanted = in_cart + request.quantity
            self._check_stock(product, request.variant_sku, wanted, in_cart=in_cart)
            if key not in lines and len(lines) >= MAX_CART_LINES:
                raise Conflict(f"a cart holds at most {MAX_CART_LINES} lines", field="product_id")
            lines[key] = _line_for(product, request.variant_sku, wanted)

        return self._change(owner, change, extra_product_ids=[request.product_id])

    def update(self, owner: CartOwner, request: UpdateCartLine) -> CartView:
        def change(lines: dict[tuple[str, str | None], CartLine], products: dict[str, Product]) -> None:
            key = (request.product_id, request.variant_sku)
            if key not in lines:
                raise NotFound("that product is not in the cart", field="product_id")
            if request.quantity == 0:
                del lines[key]
                return
            product = self._sellable(products, request.product_id, request.variant_sku)
            self._check_stock(product, request.variant_sku, request.quantity, in_cart=lines[key].quantity)
            lines[key] = _line_for(product, request.variant_sku, request.quantity)

        return self._change(owner, change, extra_product_ids=[request.product_id])

    def remove(self, owner: CartOwner, product_id: str, variant_sku: str | None) -> CartView:
        def change(lines: dict[tuple[str, str | None], CartLine], _products: dict[str, Product]) -> None:
            if lines.pop((product_id, variant_sku), None) is None:
                raise NotFound("that product is not in the cart", field="product_id")

        return self._change(owner, change, extra_product_ids=[])

    def clear(self, owner: CartOwner) -> CartView:
        self.repository.delete(owner.key)
        if not self.cache.delete(cart_cache_key(owner.key)):
            logger.warning(
                "cleared cart may be served from the cache until its TTL", extra={"owner": owner.key}
            )
        return CartView(owner=owner, lines=[], totals=self._totals([], None), updated_at=None)

    def merge(self, owner: CartOwner, guest_cart_id: str) -> CartView:
        """Add a guest cart's lines to the shopper's cart (capped by stock) and delete the guest cart."""
        if owner.guest_cart_id is not None:
            raise Unauthorized("sign in to merge a guest cart")
        guest = CartOwner.guest(guest_cart_id, field="cart_id")
        for attempt in range(CHANGE_ATTEMPTS):
            guest_cart = self.repository.get(guest.key)
            if guest_cart is None:
                # Already merged (a retried request) or expired: the shopper's cart is the answer.
                return self.view(owner)
            stored = self.repository.get(owner.key)
            lines = {line.line_key: line for line in (stored.items if stored else [])}
            notices: list[dict[str, Any]] = []
            products = self.products.get_many(
                [line.product_id for line in [*lines.values(), *guest_cart.items]], consistent=True
            )
            for guest_line in guest_cart.items:
                key = guest_line.line_key
                in_cart = lines[key].quantity if key in lines else 0
                lines[key] = guest_line.model_copy(update={"quantity": in_cart + guest_line.quantity})
            merged = self._reprice(lines, products, notices)
            cart = self._next_version(owner, stored, merged)
            try:
                self.repository.save_and_delete(
                    cart,
                    expected_revision=stored.revision if stored else None,
                    delete_key=guest.key,
                    delete_revision=guest_cart.revision,
                )
            except CartChangedError:
                _pause(attempt)
                continue
            self._write_through(cart)
            self.cache.delete(cart_cache_key(guest.key))
            return CartView(owner, cart.items, self._totals(cart.items, None), cart.updated_at, notices)
        raise Conflict("the cart changed while merging; try again", field="cart_id")

    def _change(
        self,
        owner: CartOwner,
        change: Callable[[dict[tuple[str, str | None], CartLine], dict[str, Product]], None],
        *,
        extra_product_ids: list[str],
    ) -> CartView:
        for attempt in range(CHANGE_ATTEMPTS):
            stored = self._cart_to_change(owner, attempt)
            lines = {line.line_key: line for line in (stored.items if stored else [])}
            # Through the catalog cache (DynamoDB for its misses): stock here is a guide, the order's
            # transaction is what takes it.
            products = self.catalog.products_by_id(
                [*extra_product_ids, *(line.product_id for line in lines.values())]
            )
            change(lines, products)
            notices: list[dict[str, Any]] = []
            cart = self._next_version(owner, stored, self._reprice(lines, products, notices))
            try:
                self.repository.save(cart, expected_revision=stored.revision if stored else None)
            except CartChangedError:
                _pause(attempt)
                continue
            self._write_through(cart)
            return CartView(owner, cart.items, self._totals(cart.items, None), cart.updated_at, notices)
        raise Conflict("the cart changed while updating; try again", field="cart")

    def _sellable(self, products: dict[str, Product], product_id: str, variant_sku: str | None) -> Product:
        product = products.get(product_id)
        if product is None or product.status is not ProductStatus.ACTIVE:
            raise NotFound(f"no product {product_id}", field="product_id", product_id=product_id)
        if product.currency != self.rules.currency:
            raise Conflict(
                f"{product_id} is priced in {product.currency}, carts in {self.rules.currency}",
                field="product_id",
            )
        if product.variants and variant_sku is None:
            raise BadRequest("choose one of the product's variants", field="variant_sku")
        if variant_sku is not None and product.variant(variant_sku) is None:
            raise BadRequest(f"{product_id} has no variant {variant_sku}", field="variant_sku")
        return product

    @staticmethod
    def _check_stock(product: Product, variant_sku: str | None, wanted: int, *, in_cart: int) -> None:
        available = available_quantity(product, variant_sku)
        if wanted > available:
            raise Conflict(
                f"only {available} available",
                field="quantity",
                product_id=product.product_id,
                available=available,
                in_cart=in_cart,
            )

    @staticmethod
    def _reprice(
        lines: dict[tuple[str, str | None], CartLine],
        products: dict[str, Product],
        notices: list[dict[str, Any]],
    ) -> list[CartLine]:
        """Lines at today's prices; lines of products no longer sold are dropped, others capped at stock."""
        repriced: list[CartLine] = []
        for (product_id, variant_sku), line in lines.items():
            product = products.get(product_id)
            sellable = (
                product is not None
                and product.status is ProductStatus.ACTIVE
                and (variant_sku is None or product.variant(variant_sku) is not None)
            )
            if product is None or not sellable:
                notices.append(
                    {"product_id": product_id, "variant_sku": variant_sku, "notice": "no_longer_sold"}
                )
                continue
            available = available_quantity(product, variant_sku)
            quantity = min(line.quantity, available)
            if quantity < line.quantity:
                notices.append(
                    {
                        "product_id": product_id,
                        "variant_sku": variant_sku,
                        "notice": "quantity_capped",
                        "available": available,
                    }
                )
            if quantity > 0:
                repriced.append(_line_for(product, variant_sku, quantity))
        return repriced

    @staticmethod
    def _next_version(owner: CartOwner, stored: StoredCart | None, lines: list[CartLine]) -> StoredCart:
        timestamp = now_iso()
        expires_at = datetime.now(UTC) + timedelta(days=CART_TTL_DAYS)
        return StoredCart(
            user_id=owner.key,
            items=lines,
            created_at=stored.created_at if stored else timestamp,
            updated_at=timestamp,
            expires_at=int(expires_at.timestamp()),
            cache_key=cart_cache_key(owner.key),
            revision=(stored.revision if stored else 0) + 1,
        )

    def _write_through(self, cart: StoredCart) -> None:
        self.cache.set(cart.cache_key, cart.model_dump_json(), CART_CACHE_TTL_SECONDS)


def _line_for(product: Product, variant_sku: str | None, quantity: int) -> CartLine:
    variant = product.variant(variant_sku) if variant_sku else None
    unit_price = variant.price if variant is not None and variant.price is not None else product.price
    # The chosen colour's picture where the variant has one, so the cart shows what was picked.
    image = (variant.image_url if variant is not None else None) or product.image_url
    image = image or (product.images[0] if product.images else None)
    label = " / ".join(part for part in (variant.size, variant.colour) if part) if variant is not None else ""
    return CartLine(
        product_id=product.product_id,
        variant_sku=variant_sku,
        name=product.name,
        unit_price=unit_price,
        currency=product.currency,
        quantity=quantity,
        requires_shipping=not product.digital_download,
        image_url=str(image) if image else None,
        variant_label=label or None,
    )


def _pause(attempt: int) -> None:
    time.sleep(0.01 * (attempt + 1))


@per_process
def cart_cache() -> ResilientCache:
    return ResilientCache(CART_CACHE, shared_redis_client, outage=shared_redis_outage)


@per_process
def shared_carts() -> ShoppingCarts:
    """The process-wide cart service (built on first use)."""
    return ShoppingCarts(CartRepository(), ProductRepository(), cart_cache(), pricing_rules())
