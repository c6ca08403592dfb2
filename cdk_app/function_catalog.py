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


READ = False
WRITE = True


@dataclass(frozen=True)
class Access:
    """What one function may touch; the domain stack turns each entry into a grant and an env var."""

    tables: dict[str, bool] = field(default_factory=dict)  # logical name -> may write
    sends_to: tuple[str, ...] = ()  # queues it may send to
    redis: bool = False
    runtime_flags: bool = False  # reads the kill switches (GetItem on the RuntimeFlags table)
    pricing_rules: bool = False
    payment_secrets: bool = False  # reads the provider keys and gets the stage's provider mode
    sender_email: bool = False
    payment_hold: bool = False  # how long an unpaid order holds its stock (the stage's minutes)
    personal_codes: bool = False  # mints marketing's personal codes (the stage's `personal_code_days`)
    site_url: bool = False  # links to the web site's pages (emails)
    brand: bool = False  # renders invoices: the seller's name, address and tax id (stage `brand`)
    order_links: bool = False  # reads the key that signs and checks guests' emailed order links
    sends_email: bool = False  # SES on the sender's domain
    user_pool_client: bool = False  # verifies tokens and the admin group itself
    deletes_users: bool = False  # cognito-idp:AdminDeleteUser on the shop's pool
    uploads_product_images: bool = False  # presigns uploads under the image prefix
    uploads_digital_files: bool = False  # presigns uploads into the private digital-files bucket
    serves_downloads: bool = False  # reads digital files (presigned downloads, counted first)
    grants_downloads: bool = False  # a paid order's digital lines: the stage's download limit and days
    api_url: bool = False  # links to the REST API's routes (guests' download links in emails)
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


_AUDITED_ADMIN = {"AuditLog": WRITE, "RateLimits": WRITE}
# Every table that holds a shopper's own records: account_api exports, deletes or anonymizes them.
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
            Duration.seconds(30),
            True,
            "Catalog, categories and reviews API",
            Domain.CATALOG,
            # Orders: the verified-purchase badge of a review.
            Access(
                tables={"Products": WRITE, "Reviews": WRITE, "Orders": READ, **_AUDITED_ADMIN},
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
            ),
        ),
        FunctionSpec(
            "order_api",
            512,
            Duration.seconds(30),
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
            Duration.seconds(30),
            False,
            "Stripe and PayPal payment API",
            Domain.PAYMENTS,
            Access(
                tables={"Orders": READ, "RateLimits": WRITE, "Idempotency": WRITE},
                sends_to=("payment-processing",),
                payment_secrets=True,
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
                tables={"Orders": WRITE, "Idempotency": WRITE},
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
                tables={"EmailPreferences": READ, "Idempotency": WRITE},
                sender_email=True,
                sends_email=True,
                site_url=True,
                order_links=True,  # signs the link to the order in a guest's order emails
                api_url=True,  # a guest's paid-order email links to the download routes
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
                tables=dict.fromkeys(_OWN_RECORDS_TABLES, WRITE),
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
