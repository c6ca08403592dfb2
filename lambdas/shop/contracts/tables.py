"""The DynamoDB tables of the shop: keys, indexes and TTL attributes.

One source for the Data stack (which creates them), the repositories (which query them) and the
local runner (which recreates them from the synthesized template). Plain dataclasses only, so that
importing this from CDK code costs nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

KeyType = Literal["S", "N"]


@dataclass(frozen=True)
class Key:
    name: str
    type: KeyType = "S"


@dataclass(frozen=True)
class Index:
    """A global secondary index, projecting all attributes unless `include` names some."""

    name: str
    partition_key: Key
    sort_key: Key | None = None
    include: tuple[str, ...] = ()


@dataclass(frozen=True)
class TableSpec:
    logical_name: str
    env_var: str
    partition_key: Key
    sort_key: Key | None = None
    indexes: tuple[Index, ...] = field(default_factory=tuple)
    ttl_attribute: str | None = None
    stream: bool = False

    def index(self, name: str) -> Index:
        for index in self.indexes:
            if index.name == name:
                return index
        raise KeyError(f"{self.logical_name} has no index {name}")


# Seed 001's `featured` and `sent` are Booleans, which DynamoDB cannot use as keys. Both indexes are
# sparse instead: the key attribute exists only on the items the query wants (featured products,
# unsent marketing mail) and is removed otherwise, so the index holds exactly that set.
FEATURED_MARKER = "FEATURED"
PENDING_SEND_MARKER = "PENDING"

PRODUCTS = TableSpec(
    logical_name="Products",
    env_var="PRODUCTS_TABLE",
    partition_key=Key("product_id"),
    indexes=(
        Index("category-created_at-index", Key("category"), Key("created_at")),
        Index("featured-created_at-index", Key("featured_key"), Key("created_at")),
        Index("status-sales_count-index", Key("status"), Key("sales_count", "N")),
    ),
    # The stream drives the API cache flush when a catalog-visible field changes.
    stream=True,
)

ORDERS = TableSpec(
    logical_name="Orders",
    env_var="ORDERS_TABLE",
    partition_key=Key("order_id"),
    sort_key=Key("user_id"),
    indexes=(
        Index("user_id-order_date-index", Key("user_id"), Key("order_date")),
        Index("order_status-order_date-index", Key("order_status"), Key("order_date")),
        Index("payment_status-order_date-index", Key("payment_status"), Key("order_date")),
        # The admin's order search (by email, by order number). Keys plus one attribute that never
        # changes: an order's many later writes (payment, status, history) never rewrite these two
        # indexes, and the search reads the orders themselves by key (docs/decisions.md).
        Index("user_email-order_date-index", Key("user_email"), Key("order_date"), include=("order_number",)),
        Index("order_number-index", Key("order_number"), include=("order_date",)),
    ),
)

CART = TableSpec(
    logical_name="Cart",
    env_var="CART_TABLE",
    partition_key=Key("user_id"),
    ttl_attribute="expires_at",
)

REVIEWS = TableSpec(
    logical_name="Reviews",
    env_var="REVIEWS_TABLE",
    partition_key=Key("review_id"),
    sort_key=Key("product_id"),
    indexes=(
        Index("product_id-created_at-index", Key("product_id"), Key("created_at")),
        Index("user_id-created_at-index", Key("user_id"), Key("created_at")),
    ),
)

PRODUCT_VIEWS = TableSpec(
    logical_name="ProductViews",
    env_var="PRODUCT_VIEWS_TABLE",
    partition_key=Key("view_id"),
    sort_key=Key("timestamp"),
    indexes=(
        Index("user_id-timestamp-index", Key("user_id"), Key("timestamp")),
        Index("session_id-timestamp-index", Key("session_id"), Key("timestamp")),
        Index("product_id-timestamp-index", Key("product_id"), Key("timestamp")),
    ),
    ttl_attribute="expires_at",
)
PRODUCT_VIEWS_TTL_DAYS = 90

MARKETING_QUEUE = TableSpec(
    logical_name="MarketingQueue",
    env_var="MARKETING_QUEUE_TABLE",
    partition_key=Key("queue_id"),
    indexes=(
        Index("sent-scheduled_send_time-index", Key("pending_send"), Key("scheduled_send_time")),
        Index("user_email-trigger_type-index", Key("user_email"), Key("trigger_type")),
    ),
    ttl_attribute="expires_at",
)
MARKETING_QUEUE_TTL_DAYS_AFTER_SENT = 30

EMAIL_PREFERENCES = TableSpec(
    logical_name="EmailPreferences",
    env_var="EMAIL_PREFERENCES_TABLE",
    partition_key=Key("user_id"),
    indexes=(Index("unsubscribe_token-index", Key("unsubscribe_token")),),
)

WATCH_LIST = TableSpec(
    logical_name="WatchList",
    env_var="WATCH_LIST_TABLE",
    partition_key=Key("user_id"),
    sort_key=Key("product_id"),
    # Restock and price-drop alerts start from a product and need its watchers.
    indexes=(Index("product_id-user_id-index", Key("product_id"), Key("user_id")),),
)

USERS = TableSpec(
    logical_name="Users",
    env_var="USERS_TABLE",
    partition_key=Key("user_id"),
    indexes=(Index("email-index", Key("email")),),
)

RATE_LIMITS = TableSpec(
    logical_name="RateLimits",
    env_var="RATE_LIMITS_TABLE",
    partition_key=Key("limit_key"),
    ttl_attribute="expires_at",
)

# The schema of aws_lambda_powertools.utilities.idempotency.DynamoDBPersistenceLayer defaults.
IDEMPOTENCY = TableSpec(
    logical_name="Idempotency",
    env_var="IDEMPOTENCY_TABLE",
    partition_key=Key("id"),
    ttl_attribute="expiration",
)

AUDIT_LOG = TableSpec(
    logical_name="AuditLog",
    env_var="AUDIT_LOG_TABLE",
    partition_key=Key("entity"),
    sort_key=Key("occurred_at"),
    indexes=(Index("actor-occurred_at-index", Key("actor"), Key("occurred_at")),),
)

# The kill switches (shop.platform.runtime_flags): one item, `flag_set` = RUNTIME_FLAG_SET, with a
# Boolean attribute per switch. Not created by the deploy: a missing item means every switch off, and
# an operator's first `update-item` creates it (docs/runbooks.md, "Kill switches").
RUNTIME_FLAGS = TableSpec(
    logical_name="RuntimeFlags",
    env_var="RUNTIME_FLAGS_TABLE",
    partition_key=Key("flag_set"),
)
RUNTIME_FLAG_SET = "runtime"

# Discount codes (shop.promotions): one item per code (`entry` = PROMOTION_ENTRY) and one usage counter
# per code and shopper (`entry` = "customer#<email>"), so a redemption is two conditional counter
# updates in the order's own transaction. Only shared codes carry `listing` (a sparse index for the
# admin list); personal codes from marketing mail expire through `expires_at`, their counters too.
PROMOTIONS = TableSpec(
    logical_name="Promotions",
    env_var="PROMOTIONS_TABLE",
    partition_key=Key("code"),
    sort_key=Key("entry"),
    indexes=(Index("listing-created_at-index", Key("listing"), Key("created_at")),),
    ttl_attribute="expires_at",
)
PROMOTION_ENTRY = "promotion"
SHARED_PROMOTION_LISTING = "shared"

# HMAC keys of the shop's signed links and ids (shop.platform.signing_keys): one item per key name,
# created with random bytes by the first function that needs it (a conditional put, so concurrent
# first uses agree). Deleting an item rotates that key: every token made with it stops verifying.
SIGNING_KEYS = TableSpec(
    logical_name="SigningKeys",
    env_var="SIGNING_KEYS_TABLE",
    partition_key=Key("key_name"),
)

# The circuit breakers of the functions outside the VPC, which cannot reach Redis
# (shop.platform.circuit_store_dynamodb): one item per dependency (`circuit` = stripe, paypal, ses)
# with its state and failure count, gone by TTL a few minutes after its last change.
CIRCUIT_BREAKERS = TableSpec(
    logical_name="CircuitBreakers",
    env_var="CIRCUIT_BREAKERS_TABLE",
    partition_key=Key("circuit"),
    ttl_attribute="expires_at",
)

ALL_TABLES: tuple[TableSpec, ...] = (
    PRODUCTS,
    ORDERS,
    CART,
    REVIEWS,
    PRODUCT_VIEWS,
    MARKETING_QUEUE,
    EMAIL_PREFERENCES,
    WATCH_LIST,
    USERS,
    RATE_LIMITS,
    IDEMPOTENCY,
    AUDIT_LOG,
    RUNTIME_FLAGS,
    PROMOTIONS,
    SIGNING_KEYS,
    CIRCUIT_BREAKERS,
)
