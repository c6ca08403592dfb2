"""Every Lambda function of the shop: size, timeout, VPC placement, its domain, and what it may touch.

The domain stacks build each function from its entry here and grant exactly the access declared
beside it (tables, queues, secrets, Redis, ...); the Messaging stack derives visibility timeouts from
the timeouts. A change here moves all of them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from aws_cdk import Duration


class Domain(StrEnum):
    """The business areas; each is one stack (`Shop-<stage>-<Domain>`) with one code asset."""

    CATALOG = "Catalog"
    CART = "Cart"
    ORDERS = "Orders"
    PAYMENTS = "Payments"
    EMAIL = "Email"
    TRACKING = "Tracking"
    MARKETING = "Marketing"
    ACCOUNTS = "Accounts"


class TableUse(StrEnum):
    """How a function may use one table; the domain stack grants exactly these actions."""

    READ = "read"  # GetItem, BatchGetItem, Query, ConditionCheckItem (no Scan unless declared)
    WRITE = "write"  # READ and PutItem, UpdateItem, DeleteItem, BatchWriteItem
    APPEND = "append"  # PutItem only: an append-only log its writers can neither read nor change


READ = TableUse.READ
WRITE = TableUse.WRITE
APPEND = TableUse.APPEND


@dataclass(frozen=True)
class Access:
    """What one function may touch; the domain stack turns each entry into a grant and an env var."""

    tables: dict[str, TableUse] = field(default_factory=dict)  # logical name -> how it is used
    # Tables it reads whole with Scan (grep `.scan` in its code paths); every other table: no Scan.
    scans: tuple[str, ...] = ()
    sends_to: tuple[str, ...] = ()  # queues it may send to
    redis: bool = False
    runtime_flags: bool = False  # reads the kill switches (GetItem on the RuntimeFlags table)
    pricing_rules: bool = False
    payment_secrets: bool = False  # reads the provider keys and gets the stage's provider mode
    sender_email: bool = False
    payment_hold: bool = False  # how long an unpaid order holds its stock (the stage's minutes)
    personal_codes: bool = False  # mints marketing's personal codes (the stage's `personal_code_days`)
    site_url: bool = False  # links to the web site's pages (emails)
    brand: bool = False  # prints the stage's `brand`: invoices' seller, emails' name, colours and footer
    order_links: bool = False  # the HMAC key of signed links and ids (SigningKeys: GetItem, PutItem)
    sends_email: bool = False  # SES on the sender's domain
    user_pool_client: bool = False  # verifies tokens and the admin group itself
    deletes_users: bool = False  # cognito-idp:AdminDeleteUser on the shop's pool
    uploads_product_images: bool = False  # presigns uploads under the image prefix
    uploads_digital_files: bool = False  # presigns uploads into the private digital-files bucket
    serves_downloads: bool = False  # reads digital files (presigned downloads, counted first)
    grants_downloads: bool = False  # a paid order's digital lines: the stage's download limit and days
    api_url: bool = False  # links to the REST API's routes (marketing emails' open pixel and clicks)
    attribution: bool = False  # attributes paid orders to marketing emails (the stage's attribution_days)


@dataclass(frozen=True)
class FunctionSpec:
    name: str
    memory_mb: int
    timeout: Duration
    in_vpc: bool
    description: str
    domain: Domain
    access: Access = field(default_factory=Access)


# Admin writers append to the AuditLog and can never read, rewrite or delete an entry (docs/accounts.md).
_AUDITED_ADMIN = {"AuditLog": APPEND, "RateLimits": WRITE}
# Every table that holds a shopper's own records: account_api exports, deletes or anonymizes them
# (AuditLog only exported and listed: deletion keeps it, docs/accounts.md "Export and deletion").
_OWN_RECORDS_TABLES = (
    "Users",
    "EmailPreferences",
    "WatchList",
    "Cart",
    "ProductViews",
    "Reviews",
    "Orders",
    "MarketingQueue",
    "AuditLog",
    "RateLimits",
)

FUNCTIONS: dict[str, FunctionSpec] = {
    spec.name: spec
    for spec in (
        FunctionSpec(
            "shop_api",
            512,
            # API Gateway gives up after 29 s: every API function stops first, with margin, so a
            # slow call ends as the function's own error, not a 504 while it keeps running.
            Duration.seconds(15),  # DynamoDB and Redis (0.3 s timeouts) only; the same as cart_api
            True,
            "Catalog, categories and reviews API",
            Domain.CATALOG,
            # Orders: the verified-purchase badge of a review; Users: the reviewer's display name.
            Access(
                tables={"Products": WRITE, "Reviews": WRITE, "Orders": READ, "Users": READ, **_AUDITED_ADMIN},
                redis=True,
                runtime_flags=True,
                user_pool_client=True,
                uploads_product_images=True,
                uploads_digital_files=True,
            ),
        ),
        # Not in seed 001: flushes API Gateway's stage cache when a catalog-visible product field
        # changes. Outside the VPC because the API Gateway management API has no VPC endpoint.
        FunctionSpec(
            "catalog_cache_invalidator",
            256,
            Duration.seconds(30),
            False,
            "Flushes the API cache on catalog change",
            Domain.CATALOG,
        ),
        FunctionSpec(
            "cart_api",
            256,
            Duration.seconds(15),
            True,
            "Shopping cart API",
            Domain.CART,
            Access(
                # Promotions: the cart previews a code's discount.
                tables={"Cart": WRITE, "Products": READ, "RateLimits": WRITE, "Promotions": READ},
                redis=True,
                runtime_flags=True,
                pricing_rules=True,
                user_pool_client=True,
                order_links=True,  # signs the guest cart ids it issues and checks those sent back
            ),
        ),
        FunctionSpec(
            "order_api",
            512,
            Duration.seconds(20),  # one transaction, a few SQS sends; orders_inline runs one step more
            True,
            "Order API",
            Domain.ORDERS,
            Access(
                tables={
                    "Orders": WRITE,
                    "Cart": WRITE,
                    "Idempotency": WRITE,
                    # Products: a new order takes its stock in the transaction that stores it.
                    "Products": WRITE,
                    # Promotions: the order redeems its code in that transaction; admins manage codes.
                    "Promotions": WRITE,
                    **_AUDITED_ADMIN,
                },
                # inventory-update too: the orders_inline kill switch runs order_processor's step here.
                sends_to=("order-processing", "payment-processing", "email-notification", "inventory-update"),
                redis=True,
                runtime_flags=True,
                pricing_rules=True,
                sender_email=True,  # low-stock alerts go to the shop's own address
                user_pool_client=True,
                order_links=True,  # a guest's emailed link opens the order (GET /guest/orders/{id})
                serves_downloads=True,  # GET /orders/{id}/downloads/{product_id}
                grants_downloads=True,  # an administrator records a payment (PUT /orders/{id}/status)
                brand=True,  # GET /orders/{id}/invoice and /credit-note print the seller
            ),
        ),
        FunctionSpec(
            "order_processor",
            512,
            Duration.minutes(5),
            True,
            "Consumer of order-processing",
            Domain.ORDERS,
            Access(
                tables={"Orders": WRITE, "Idempotency": WRITE},
                # payment-processing: the refund of an order failed after it was paid, and the cancel of
                # the payments of an order whose payment hold expired (the scheduled sweep runs here).
                sends_to=("inventory-update", "email-notification", "payment-processing"),
                redis=True,
                payment_hold=True,
            ),
        ),
        FunctionSpec(
            "inventory_updater",
            256,
            Duration.minutes(1),
            True,
            "Consumer of inventory-update",
            Domain.ORDERS,
            Access(
                # Promotions: a closed order gives its code back with its stock.
                tables={
                    "Products": WRITE,
                    "Orders": WRITE,
                    # Restock alerts (shop.marketing.restock): claim the watch, read consent, queue the email.
                    "WatchList": WRITE,
                    "EmailPreferences": READ,
                    "MarketingQueue": WRITE,
                    "Idempotency": WRITE,
                    "Promotions": WRITE,
                },
                sends_to=("email-notification",),
                redis=True,  # the catalog cache sees the stock it gives back
            ),
        ),
        FunctionSpec(
            "payment_api",
            512,
            Duration.seconds(25),  # one provider call (20 s request timeout) plus its own work
            False,
            "Stripe and PayPal payment API",
            Domain.PAYMENTS,
            Access(
                tables={"Orders": READ, "RateLimits": WRITE, "Idempotency": WRITE, "CircuitBreakers": WRITE},
                sends_to=("payment-processing",),
                payment_secrets=True,
                user_pool_client=True,  # a signed-in shopper's ID token, verified in the function
            ),
        ),
        FunctionSpec(
            "payment_processor",
            512,
            Duration.minutes(5),
            False,
            "Consumer of payment-processing",
            Domain.PAYMENTS,
            Access(
                tables={"Orders": WRITE, "Idempotency": WRITE, "CircuitBreakers": WRITE},
                sends_to=("email-notification", "inventory-update"),  # refunds restore stock
                payment_secrets=True,
                grants_downloads=True,  # settling a payment grants the order's downloads
            ),
        ),
        FunctionSpec(
            "email_sender",
            256,
            Duration.minutes(2),
            False,
            "Consumer of email-notification",
            Domain.EMAIL,
            Access(
                # Orders: an address SES refuses for good is recorded on its order (shop.orders.email_status).
                tables={
                    "EmailPreferences": READ,
                    "Idempotency": WRITE,
                    "Orders": WRITE,
                    "CircuitBreakers": WRITE,
                },
                sender_email=True,
                sends_email=True,
                site_url=True,
                order_links=True,  # signs the link to the order in a guest's order emails
                api_url=True,  # marketing emails' open pixel and click-through links
                brand=True,  # every email's header and footer: the shop's name, colours and contact
            ),
        ),
        FunctionSpec(
            "tracking_api",
            256,
            Duration.seconds(15),
            True,
            "Behavioural tracking API",
            Domain.TRACKING,
            Access(
                tables={"WatchList": WRITE, "ProductViews": READ, "Products": READ},
                sends_to=("tracking-events",),
                redis=True,
                user_pool_client=True,
            ),
        ),
        FunctionSpec(
            "tracking_processor",
            256,
            Duration.minutes(1),
            True,
            "Consumer of tracking-events",
            Domain.TRACKING,
            Access(tables={"ProductViews": WRITE}),
        ),
        FunctionSpec(
            "marketing_automation_api",
            512,
            Duration.minutes(5),
            True,
            "Marketing scans and analytics",
            Domain.MARKETING,
            Access(
                tables={
                    "Cart": READ,
                    "ProductViews": READ,
                    "Products": READ,
                    "EmailPreferences": READ,
                    "Orders": READ,
                    "WatchList": WRITE,
                    "MarketingQueue": WRITE,
                    "Promotions": WRITE,  # the personal codes of the campaigns' emails
                },
                # The daily and weekly scans and the analytics read these whole (no index fits).
                scans=("Cart", "ProductViews", "WatchList", "MarketingQueue"),
                personal_codes=True,
                sends_to=("email-notification",),
                redis=True,
                user_pool_client=True,
                # The open pixel and click-through links: their tokens, and the shop's own pages only.
                order_links=True,
                site_url=True,
                attribution=True,
            ),
        ),
        # Not in seed 001: accounts and privacy. Outside the VPC: it needs DynamoDB and Cognito, not Redis.
        FunctionSpec(
            "account_api",
            256,
            Duration.seconds(15),
            False,
            "Profile, preferences, privacy and audit log",
            Domain.ACCOUNTS,
            Access(
                tables={**dict.fromkeys(_OWN_RECORDS_TABLES, WRITE), "AuditLog": READ},
                # AuditLog: GET /admin/audit-log without a filter; Reviews: a shopper's votes (no index).
                scans=("AuditLog", "Reviews"),
                deletes_users=True,
            ),
        ),
    )
}


def functions_of(domain: Domain) -> tuple[FunctionSpec, ...]:
    return tuple(spec for spec in FUNCTIONS.values() if spec.domain is domain)


# AWS's guidance for SQS event sources: visibility timeout at least six times the function timeout,
# so a message is not handed to a second consumer while throttled retries of the first still run.
VISIBILITY_TO_TIMEOUT_RATIO = 6


def consumer_visibility_seconds(consumer: str, floor_seconds: int) -> int:
    timeout = int(FUNCTIONS[consumer].timeout.to_seconds())
    return max(floor_seconds, VISIBILITY_TO_TIMEOUT_RATIO * timeout)


# Reserved concurrency per function (docs/decisions.md, "Reserved concurrency"): a reservation is both
# a guarantee and a cap. Checkout, payments and the queue consumers get room that no flood elsewhere
# can take; the public routes (catalog, tracking) are capped, so a flood on them is throttled (429)
# instead of using up the account's pool. 580 in all: the account's default 1,000 keeps 420 unreserved
# (AWS refuses a reservation that leaves fewer than 100).
RESERVED_CONCURRENCY: dict[str, int] = {
    "order_api": 100,  # checkout; never starved by browsing
    "payment_api": 50,  # one or two calls per order, each waiting on the provider
    "cart_api": 100,  # the step before checkout, as busy as checkout at least
    "shop_api": 200,  # the catalog: most traffic, but the stage cache and Redis answer most of it
    "tracking_api": 50,  # fire-and-forget analytics; the first thing to shed under a flood
    "account_api": 20,  # profile and privacy: rare, short calls
    "marketing_automation_api": 10,  # two schedules and an admin's analytics page
    "catalog_cache_invalidator": 5,  # one batch per stream shard at a time
    # Queue consumers: their event source's maximum concurrency (domain_stack.CONSUMER_CONCURRENCY)
    # plus room for scheduled runs and retries; SQS never polls beyond the maximum.
    "order_processor": 10,  # 5 from the queue + the payment-hold sweep every 5 minutes
    "payment_processor": 10,
    "email_sender": 10,
    "inventory_updater": 10,
    "tracking_processor": 5,
}
# A new function must be sized here too: the domain stacks reserve exactly these.
if unsized := set(FUNCTIONS) ^ set(RESERVED_CONCURRENCY):
    raise ValueError(f"RESERVED_CONCURRENCY must list every function and only those: {sorted(unsized)}")
