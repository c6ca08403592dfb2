"""Every route of the REST API: method, path, function, who may call it, caching and limits.

The Api, domain and ApiStage stacks build API Gateway from this table and docs/api.md is generated
from it. The local runner does not read it: it reads the synthesized templates, so it sees what AWS
would.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from shop.contracts.digital_files import CONTENT_TYPES as DIGITAL_CONTENT_TYPES
from shop.contracts.digital_files import DOWNLOAD_PATH, FILE_ID_PATTERN, GUEST_DOWNLOAD_PATH
from shop.contracts.email_engagement import CLICK_PATH, MESSAGE_ID_PATTERN, OPEN_PATH
from shop.contracts.order_tokens import ORDER_TOKEN_HEADER


class Access(StrEnum):
    PUBLIC = "public"  # no token; anyone (rate-limited by the stage throttle)
    CUSTOMER = "customer"  # Cognito ID token (user-pool authorizer)
    ADMIN = "admin"  # Cognito ID token + `admin` group (checked in the handler) + admin API key
    PARTNER = "partner"  # partner API key (usage plan), no token


class RateLimit(StrEnum):
    PUBLIC = "stage: 1000 requests/min in total"
    CART = "100 requests/min per user or guest cart (RateLimits table)"
    PAYMENT = "10 requests/min per user or order (RateLimits table)"
    ADMIN = "50 requests/min per admin (usage plan + RateLimits table)"
    PARTNER = "partner usage plan: 300 requests/min, 1M/month per key"
    WEBHOOK = "stage: 1000 requests/min in total; signature checked first"


@dataclass(frozen=True)
class Route:
    method: str
    path: str
    function: str
    access: Access
    summary: str
    cache_ttl_seconds: int = 0
    cache_query_params: tuple[str, ...] = ()
    body: dict[str, Any] | None = None  # JSON schema (draft 4) that API Gateway validates
    required_query: tuple[str, ...] = ()
    required_headers: tuple[str, ...] = ()
    rate_limit: RateLimit = RateLimit.PUBLIC

    @property
    def path_params(self) -> tuple[str, ...]:
        return tuple(part[1:-1] for part in self.path.split("/") if part.startswith("{"))

    @property
    def cached(self) -> bool:
        return self.cache_ttl_seconds > 0


def _object(required: tuple[str, ...], properties: dict[str, Any]) -> dict[str, Any]:
    return {"type": "object", "required": list(required), "properties": properties}


_ID = {"type": "string", "minLength": 1, "maxLength": 128}
_QUANTITY = {"type": "integer", "minimum": 1, "maximum": 999}
_CART_ITEM = _object(("product_id", "quantity"), {"product_id": _ID, "quantity": _QUANTITY, "sku": _ID})
_CART_UPDATE = _object(
    ("product_id", "quantity"),
    {"product_id": _ID, "quantity": {"type": "integer", "minimum": 0, "maximum": 999}, "sku": _ID},
)
_CART_REMOVE = _object(("product_id",), {"product_id": _ID, "sku": _ID})
# Two letters here; the handlers check it is an assigned ISO code and name the field when it is not
# (API Gateway's own refusal names no field).
_COUNTRY = {"type": "string", "pattern": "^[A-Za-z]{2}$"}
_ADDRESS = _object(
    ("name", "line1", "city", "postal_code", "country"),
    {
        "name": {"type": "string", "minLength": 1},
        "line1": {"type": "string", "minLength": 1},
        "line2": {"type": ["string", "null"], "maxLength": 200},
        "city": {"type": "string", "minLength": 1},
        "region": {"type": ["string", "null"], "maxLength": 100},
        "postal_code": {"type": "string", "minLength": 1},
        "country": _COUNTRY,
        "phone": {"type": ["string", "null"], "maxLength": 40},
    },
)
# Whom the bill is for: name and country at least (a digital-only order needs no postal address).
_BILLING_ADDRESS = _object(("name", "country"), _ADDRESS["properties"])
# No shipping address required here: order_api decides, from the lines, whether the order ships.
_ORDER_CREATE = _object(
    (),
    {
        "shipping_address": _ADDRESS,
        "billing_address": _BILLING_ADDRESS,
        "items": {"type": "array", "items": _CART_ITEM, "minItems": 1},
        "email": {"type": "string", "minLength": 3},
        "discount_code": {"type": "string"},
        "campaign_message_id": {"type": "string", "pattern": MESSAGE_ID_PATTERN},
    },
)
_PRODUCT = _object(
    ("name", "price", "category"),
    {
        "name": {"type": "string", "minLength": 1, "maxLength": 200},
        "price": {"type": "integer", "minimum": 0},
        "category": {"type": "string", "minLength": 1},
        "stock_quantity": {"type": "integer", "minimum": 0},
    },
)
_PRODUCT_UPDATE = _object(
    (), {"price": {"type": "integer", "minimum": 0}, "stock_quantity": {"type": "integer", "minimum": 0}}
)
_REVIEW = _object(
    ("product_id", "rating"),
    {
        "product_id": _ID,
        "rating": {"type": "integer", "minimum": 1, "maximum": 5},
        "title": {"type": "string"},
    },
)
_VOTE = _object(("helpful",), {"helpful": {"type": "boolean"}})
_ORDER_STATUS = _object(("status",), {"status": {"type": "string", "minLength": 1}})
_TRACKING = _object(("carrier", "tracking_number"), {"carrier": _ID, "tracking_number": _ID})
_REFUND = _object((), {"amount": {"type": "integer", "minimum": 1}, "reason": {"type": "string"}})
_PROMOTION_CODE = {"type": "string", "pattern": "^[A-Za-z0-9][A-Za-z0-9_-]{2,39}$"}
_CENTS = {"type": "integer", "minimum": 0}
_LIMIT = {"type": ["integer", "null"], "minimum": 1}
_MOMENT = {"type": ["string", "null"], "maxLength": 40}
_PROMOTION = _object(
    ("code", "kind"),
    {
        "code": _PROMOTION_CODE,
        "kind": {"type": "string", "enum": ["percent", "fixed", "free_shipping"]},
        "value": _CENTS,
        "description": {"type": ["string", "null"], "maxLength": 200},
        "min_subtotal": _CENTS,
        "starts_at": _MOMENT,
        "ends_at": _MOMENT,
        "max_redemptions": _LIMIT,
        "per_customer_limit": _LIMIT,
        "product_ids": {"type": "array", "items": _ID, "maxItems": 100},
        "categories": {"type": "array", "items": _ID, "maxItems": 20},
        "email": {"type": ["string", "null"], "maxLength": 254},
        "active": {"type": "boolean"},
    },
)
_PROMOTION_CHANGES = _object(
    (),
    {
        "active": {"type": "boolean"},
        "description": {"type": ["string", "null"], "maxLength": 200},
        "ends_at": _MOMENT,
        "max_redemptions": _LIMIT,
        "per_customer_limit": _LIMIT,
    },
)
_PAYMENT_FOR_ORDER = _object(("order_id",), {"order_id": _ID, "access_token": {"type": "string"}})
_CARD_PAYMENT = _object(
    ("order_id",),
    {
        "order_id": _ID,
        "access_token": {"type": "string"},
        "card_token": {"type": "string", "pattern": "^tok_"},
    },
)
_PAYMENT_CONFIRM = _object(("order_id", "payment_id"), {"order_id": _ID, "payment_id": _ID})
_TRACK_EVENT = _object(("product_id", "session_id"), {"product_id": _ID, "session_id": _ID})
_WATCH = _object(("product_id",), {"product_id": _ID, "target_price": {"type": "integer", "minimum": 0}})

_SAVED_ADDRESS = _object(
    ("name", "line1", "city", "postal_code", "country"),
    {
        "kind": {"type": "string", "enum": ["shipping", "billing"]},
        "name": {"type": "string", "minLength": 1, "maxLength": 100},
        "line1": {"type": "string", "minLength": 1, "maxLength": 200},
        "line2": {"type": ["string", "null"], "maxLength": 200},
        "city": {"type": "string", "minLength": 1, "maxLength": 100},
        "region": {"type": ["string", "null"], "maxLength": 100},
        "postal_code": {"type": "string", "minLength": 1, "maxLength": 20},
        "country": _COUNTRY,
        "phone": {"type": ["string", "null"], "maxLength": 25},
        "is_default": {"type": "boolean"},
    },
)
# Kept in step with shop.catalog.images.IMAGE_CONTENT_TYPES (tests/unit/test_product_images.py checks).
_IMAGE_UPLOAD = _object(
    ("content_type", "file_name"),
    {
        "content_type": {"type": "string", "enum": ["image/jpeg", "image/png", "image/webp", "image/gif"]},
        "file_name": {"type": "string", "minLength": 1, "maxLength": 200},
    },
)
_FILE_UPLOAD = _object(
    ("content_type", "file_name"),
    {
        "content_type": {"type": "string", "enum": list(DIGITAL_CONTENT_TYPES)},
        "file_name": {"type": "string", "minLength": 1, "maxLength": 200},
        "replaces": {"type": "string", "pattern": FILE_ID_PATTERN},
    },
)
# The catalog's sitemap: a route of the API, and the path CloudFront serves it at on the site.
SITEMAP_PATH = "/sitemap.xml"
_LIST_QUERY = ("category", "min_price", "max_price", "tags", "q", "sort", "cursor", "limit")
_PAGE_QUERY = ("cursor", "limit")


def _cart_routes(prefix: str, access: Access) -> list[Route]:
    return [
        Route(
            "GET", f"{prefix}/cart", "cart_api", access, "Get the cart with totals", rate_limit=RateLimit.CART
        ),
        Route(
            "POST",
            f"{prefix}/cart/add",
            "cart_api",
            access,
            "Add an item",
            body=_CART_ITEM,
            rate_limit=RateLimit.CART,
        ),
        Route(
            "PUT",
            f"{prefix}/cart/update",
            "cart_api",
            access,
            "Change a quantity",
            body=_CART_UPDATE,
            rate_limit=RateLimit.CART,
        ),
        Route(
            "DELETE",
            f"{prefix}/cart/remove",
            "cart_api",
            access,
            "Remove an item",
            body=_CART_REMOVE,
            rate_limit=RateLimit.CART,
        ),
        Route(
            "DELETE", f"{prefix}/cart/clear", "cart_api", access, "Empty the cart", rate_limit=RateLimit.CART
        ),
    ]


def _invoice_routes() -> list[Route]:
    """The order's invoice and credit note as PDFs: the owner or an administrator signed in, a guest
    with the order's token. Never cached: the stage cache keys on the path, not on the caller."""
    routes = []
    documents = (("invoice", "The order's invoice"), ("credit-note", "The credit note of a refund"))
    for document, summary in documents:
        routes.append(
            Route("GET", f"/orders/{{id}}/{document}", "order_api", Access.CUSTOMER, f"{summary} (PDF)")
        )
        routes.append(
            Route(
                "GET",
                f"/guest/orders/{{id}}/{document}",
                "order_api",
                Access.PUBLIC,
                f"{summary} (PDF), with the order's access token or its emails' link token",
                required_headers=(ORDER_TOKEN_HEADER,),
            )
        )
    return routes


ROUTES: tuple[Route, ...] = (
    Route("GET", "/health", "shop_api", Access.PUBLIC, "Liveness of the API and its stores"),
    # shop_api: catalog
    Route(
        "GET",
        "/products",
        "shop_api",
        Access.PUBLIC,
        "List, filter, search and sort products",
        cache_ttl_seconds=300,
        cache_query_params=_LIST_QUERY,
    ),
    Route(
        "POST",
        "/products",
        "shop_api",
        Access.ADMIN,
        "Create a product",
        body=_PRODUCT,
        rate_limit=RateLimit.ADMIN,
    ),
    Route("GET", "/products/{id}", "shop_api", Access.PUBLIC, "One product", cache_ttl_seconds=600),
    Route(
        "PUT",
        "/products/{id}",
        "shop_api",
        Access.ADMIN,
        "Update a product",
        body=_PRODUCT_UPDATE,
        rate_limit=RateLimit.ADMIN,
    ),
    Route(
        "DELETE", "/products/{id}", "shop_api", Access.ADMIN, "Archive a product", rate_limit=RateLimit.ADMIN
    ),
    Route(
        "GET",
        "/admin/products",
        "shop_api",
        Access.ADMIN,
        "Every product, archived too; filter by status, category, text, low stock",
        rate_limit=RateLimit.ADMIN,
    ),
    Route(
        "POST",
        "/admin/product-images",
        "shop_api",
        Access.ADMIN,
        "A presigned POST for uploading one product image to S3",
        body=_IMAGE_UPLOAD,
        rate_limit=RateLimit.ADMIN,
    ),
    Route(
        "POST",
        "/admin/product-files",
        "shop_api",
        Access.ADMIN,
        "A presigned POST for uploading (or replacing) one file of a digital product to its private bucket",
        body=_FILE_UPLOAD,
        rate_limit=RateLimit.ADMIN,
    ),
    Route(
        "GET",
        "/categories",
        "shop_api",
        Access.PUBLIC,
        "The six categories with counts",
        cache_ttl_seconds=3600,
    ),
    Route(
        "GET",
        "/featured",
        "shop_api",
        Access.PUBLIC,
        "Featured products",
        cache_ttl_seconds=900,
        cache_query_params=_PAGE_QUERY,
    ),
    Route(
        "GET",
        "/bestsellers",
        "shop_api",
        Access.PUBLIC,
        "Best-selling products",
        cache_ttl_seconds=900,
        cache_query_params=_PAGE_QUERY,
    ),
    # Served by CloudFront at the site's /sitemap.xml (constructs_lib/static_site.py); a catalog change
    # flushes the stage cache (catalog_cache_invalidator), so the hour is an upper bound.
    Route(
        "GET",
        SITEMAP_PATH,
        "shop_api",
        Access.PUBLIC,
        "The site's sitemap (application/xml): pages, categories and every active product",
        cache_ttl_seconds=3600,
    ),
    Route("POST", "/reviews", "shop_api", Access.CUSTOMER, "Review a product", body=_REVIEW),
    Route(
        "GET",
        "/reviews/{product_id}",
        "shop_api",
        Access.PUBLIC,
        "A product's reviews, newest first",
        cache_ttl_seconds=300,
        cache_query_params=_PAGE_QUERY,
    ),
    Route(
        "POST",
        "/reviews/{product_id}/{review_id}/vote",
        "shop_api",
        Access.CUSTOMER,
        "Vote a review helpful or not",
        body=_VOTE,
    ),
    Route(
        "GET",
        "/partner/products",
        "shop_api",
        Access.PARTNER,
        "Catalog feed for partners",
        cache_ttl_seconds=300,
        cache_query_params=_LIST_QUERY,
        rate_limit=RateLimit.PARTNER,
    ),
    Route(
        "GET",
        "/partner/products/{id}",
        "shop_api",
        Access.PARTNER,
        "One product for partners",
        cache_ttl_seconds=600,
        rate_limit=RateLimit.PARTNER,
    ),
    # cart_api: signed-in carts and guest carts (API Gateway cannot make one method's auth optional)
    *_cart_routes("", Access.CUSTOMER),
    Route(
        "POST",
        "/cart/merge",
        "cart_api",
        Access.CUSTOMER,
        "Merge a guest cart into the user's cart",
        body=_object(("cart_id",), {"cart_id": _ID}),
        rate_limit=RateLimit.CART,
    ),
    *_cart_routes("/guest", Access.PUBLIC),
    # order_api
    Route("POST", "/orders/create", "order_api", Access.CUSTOMER, "Place an order", body=_ORDER_CREATE),
    Route(
        "POST", "/guest/orders/create", "order_api", Access.PUBLIC, "Place a guest order", body=_ORDER_CREATE
    ),
    Route("GET", "/orders", "order_api", Access.CUSTOMER, "The caller's orders, newest first"),
    Route("GET", "/orders/{id}", "order_api", Access.CUSTOMER, "One of the caller's orders"),
    Route(
        "GET",
        "/guest/orders/{id}",
        "order_api",
        Access.PUBLIC,
        "A guest order, with its access token or the token of its emails' link",
        required_headers=(ORDER_TOKEN_HEADER,),
    ),
    *_invoice_routes(),
    # Downloads answer 302 to a presigned S3 GET (API Gateway passes a Lambda proxy's Location through);
    # never cached: each one is counted against the line's limit.
    Route(
        "GET",
        DOWNLOAD_PATH,
        "order_api",
        Access.CUSTOMER,
        "Download a paid digital line: 302 to its file, counted against its limit",
    ),
    Route(
        "GET",
        GUEST_DOWNLOAD_PATH,
        "order_api",
        Access.PUBLIC,
        # The order token (X-Order-Token) or the line's download token (?download_token=, the orders
        # page's links): either, so the function checks, not API Gateway.
        "Download a paid digital line with the order's access, link or download token: 302 to its file",
    ),
    Route(
        "PUT",
        "/orders/{id}/status",
        "order_api",
        Access.ADMIN,
        "Move an order to another status",
        body=_ORDER_STATUS,
        rate_limit=RateLimit.ADMIN,
    ),
    Route("POST", "/orders/{id}/cancel", "order_api", Access.CUSTOMER, "Cancel before shipping"),
    Route(
        "GET",
        "/orders/admin/list",
        "order_api",
        Access.ADMIN,
        "All orders, filtered; CSV export",
        rate_limit=RateLimit.ADMIN,
    ),
    Route(
        "GET",
        "/orders/admin/sales",
        "order_api",
        Access.ADMIN,
        "Sales per day and top products of a range (from, to: at most 92 days)",
        rate_limit=RateLimit.ADMIN,
    ),
    Route(
        "POST",
        "/orders/{id}/refund",
        "order_api",
        Access.ADMIN,
        "Refund through the payment queue",
        body=_REFUND,
        rate_limit=RateLimit.ADMIN,
    ),
    Route(
        "PUT",
        "/orders/{id}/tracking",
        "order_api",
        Access.ADMIN,
        "Add tracking and mark shipped",
        body=_TRACKING,
        rate_limit=RateLimit.ADMIN,
    ),
    Route(
        "GET",
        "/admin/promotions",
        "order_api",
        Access.ADMIN,
        "Promotions with their redemption counts",
        rate_limit=RateLimit.ADMIN,
    ),
    Route(
        "POST",
        "/admin/promotions",
        "order_api",
        Access.ADMIN,
        "Create a promotion (discount code)",
        body=_PROMOTION,
        rate_limit=RateLimit.ADMIN,
    ),
    Route(
        "GET",
        "/admin/promotions/{code}",
        "order_api",
        Access.ADMIN,
        "One promotion and its redemption count",
        rate_limit=RateLimit.ADMIN,
    ),
    Route(
        "PUT",
        "/admin/promotions/{code}",
        "order_api",
        Access.ADMIN,
        "Change, activate or deactivate a promotion",
        body=_PROMOTION_CHANGES,
        rate_limit=RateLimit.ADMIN,
    ),
    # payment_api: guests pay too, so no authorizer; ownership is the order's access token or a signed-in
    # owner's ID token, which payment_api verifies itself (shop.platform.cognito_tokens)
    Route(
        "POST",
        "/payment/paypal/create",
        "payment_api",
        Access.PUBLIC,
        "Create a PayPal order",
        body=_PAYMENT_FOR_ORDER,
        rate_limit=RateLimit.PAYMENT,
    ),
    Route(
        "POST",
        "/payment/paypal/capture",
        "payment_api",
        Access.PUBLIC,
        "Capture a PayPal order",
        body=_PAYMENT_CONFIRM,
        rate_limit=RateLimit.PAYMENT,
    ),
    Route(
        "POST",
        "/payment/stripe/intent",
        "payment_api",
        Access.PUBLIC,
        "Create a Stripe PaymentIntent (confirmed with the card token from Stripe.js when sent)",
        body=_CARD_PAYMENT,
        rate_limit=RateLimit.PAYMENT,
    ),
    Route(
        "POST",
        "/payment/stripe/confirm",
        "payment_api",
        Access.PUBLIC,
        "Confirm a Stripe payment",
        body=_PAYMENT_CONFIRM,
        rate_limit=RateLimit.PAYMENT,
    ),
    # Webhook bodies are never validated or touched before the signature check.
    Route(
        "POST",
        "/payment/webhook/paypal",
        "payment_api",
        Access.PUBLIC,
        "PayPal webhook",
        rate_limit=RateLimit.WEBHOOK,
    ),
    Route(
        "POST",
        "/payment/webhook/stripe",
        "payment_api",
        Access.PUBLIC,
        "Stripe webhook",
        rate_limit=RateLimit.WEBHOOK,
    ),
    # tracking_api
    # Guests and signed-in shoppers alike: a page sends its session_id, and the ID token in Authorization
    # when signed in (tracking_api verifies it itself and records the user).
    *(
        Route("POST", path, "tracking_api", Access.PUBLIC, summary, body=_TRACK_EVENT)
        for path, summary in (
            ("/track/view", "Record a product view (session_id; the user from an optional ID token)"),
            ("/track/cart-add", "Record an add-to-cart (session_id; the user from an optional ID token)"),
            ("/track/purchase", "Record a purchase (session_id; the user from an optional ID token)"),
        )
    ),
    Route(
        "GET",
        "/track/recommendations/{user_id}",
        "tracking_api",
        Access.CUSTOMER,
        "Recommendations for the signed-in user",
    ),
    Route(
        "GET",
        "/track/watchlist",
        "tracking_api",
        Access.CUSTOMER,
        "The caller's watches with each product's current price and availability",
    ),
    Route(
        "POST",
        "/track/watchlist/add",
        "tracking_api",
        Access.CUSTOMER,
        "Watch a product (again: replaces the target price)",
        body=_WATCH,
    ),
    Route(
        "DELETE",
        "/track/watchlist/remove",
        "tracking_api",
        Access.CUSTOMER,
        "Stop watching a product",
        body=_object(("product_id",), {"product_id": _ID}),
    ),
    # marketing_automation_api: the scans also run daily from the schedule
    *(
        Route(
            "POST",
            f"/marketing/{scan}",
            "marketing_automation_api",
            Access.ADMIN,
            summary,
            rate_limit=RateLimit.ADMIN,
        )
        for scan, summary in (
            ("scan-abandoned-carts", "Find carts abandoned for 24 h and queue recovery mail"),
            ("scan-browse-abandonment", "Find products viewed 3+ times and never carted"),
            ("scan-price-drops", "Alert watchers of products below their target price"),
            ("scan-restock", "Alert watchers of products back in stock"),
            ("scan-weekly-recommendations", "Queue this week's recommendation email per shopper"),
        )
    ),
    Route(
        "GET",
        "/marketing/analytics",
        "marketing_automation_api",
        Access.ADMIN,
        "Marketing metrics of the last 30 days per campaign type: queued, sent, opened, clicked, converted, "
        "conversion_rate (converted / sent), attributed_revenue_cents; `totals` the same over all "
        "(docs/marketing.md)",
        rate_limit=RateLimit.ADMIN,
    ),
    # A marketing email's open pixel and click-through links: public, signed (docs/marketing.md).
    Route(
        "GET",
        OPEN_PATH,
        "marketing_automation_api",
        Access.PUBLIC,
        "A marketing email's open pixel: a 1x1 GIF, recording the open when the token is the email's",
        required_query=("t",),
    ),
    Route(
        "GET",
        CLICK_PATH,
        "marketing_automation_api",
        Access.PUBLIC,
        "A marketing email's link: records the click and answers 302 to the shop page `u`; 403 when "
        "the token is not this email's and this page's",
        required_query=("u", "t"),
    ),
    # account_api: profile, addresses, preferences, privacy; sign-up and sign-in go to Cognito directly
    Route("GET", "/me", "account_api", Access.CUSTOMER, "The caller's profile (created on first call)"),
    # PUT /me and PUT /me/preferences carry no API Gateway model: account_api validates both bodies
    # field by field (unknown fields are 422), and the Api stack is near CloudFormation's resource limit.
    Route("PUT", "/me", "account_api", Access.CUSTOMER, "Change name and phone"),
    Route("DELETE", "/me", "account_api", Access.CUSTOMER, "Delete the account and its personal data"),
    Route("GET", "/me/export", "account_api", Access.CUSTOMER, "Everything stored about the caller, as JSON"),
    Route("POST", "/me/addresses", "account_api", Access.CUSTOMER, "Save an address", body=_SAVED_ADDRESS),
    Route(
        "PUT",
        "/me/addresses/{address_id}",
        "account_api",
        Access.CUSTOMER,
        "Replace a saved address",
        body=_SAVED_ADDRESS,
    ),
    Route("DELETE", "/me/addresses/{address_id}", "account_api", Access.CUSTOMER, "Delete a saved address"),
    Route(
        "POST",
        "/me/addresses/{address_id}/default",
        "account_api",
        Access.CUSTOMER,
        "Make an address its kind's default",
    ),
    Route("GET", "/me/preferences", "account_api", Access.CUSTOMER, "Email preferences"),
    Route("PUT", "/me/preferences", "account_api", Access.CUSTOMER, "Change email preferences"),
    Route(
        "GET",
        "/unsubscribe",
        "account_api",
        Access.PUBLIC,
        "One-click unsubscribe from marketing email (link token)",
        required_query=("token",),
    ),
    Route(
        "GET",
        "/admin/audit-log",
        "account_api",
        Access.ADMIN,
        "Admin actions, newest first; filter by actor or entity",
        rate_limit=RateLimit.ADMIN,
    ),
)

# The daily marketing run (seed 001: "CloudWatch Events trigger (daily 10 AM)").
MARKETING_SCHEDULE_HOUR = 10
# The stage every route is deployed to (ApiStage stack); the cache flush of the Catalog stack names it too.
API_STAGE_NAME = "v1"
MARKETING_SCHEDULED_JOB = "daily-marketing-scans"
# The weekly recommendation email (seed 001: "Weekly email based on browsing history"): Mondays at 9.
MARKETING_WEEKLY_JOB = "weekly-recommendations"
MARKETING_WEEKLY_DAY = "MON"
MARKETING_WEEKLY_HOUR = 9


@dataclass(frozen=True)
class UsagePlanSpec:
    name: str
    rate_per_second: float
    burst: int
    monthly_quota: int | None
    routes: tuple[Access, ...] = field(default_factory=tuple)


# What API Gateway passes to a client as bytes when the handler answers base64 (isBase64Encoded) and
# the client's first Accept type is one of these: the invoices and credit notes, and the marketing
# emails' open pixel (mail clients ask for images with an image type first).
BINARY_MEDIA_TYPES = ("application/pdf", "image/*")

# Seed 001: "Admin APIs 50 requests/min per admin"; its "Public APIs 1000 requests/min total" sizes
# the per-route stage throttles (cdk_app/traffic_limits.py).
USAGE_PLANS = (
    UsagePlanSpec("admin", rate_per_second=50 / 60, burst=10, monthly_quota=None, routes=(Access.ADMIN,)),
    UsagePlanSpec(
        "partner", rate_per_second=300 / 60, burst=20, monthly_quota=1_000_000, routes=(Access.PARTNER,)
    ),
)
