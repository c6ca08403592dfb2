"""Writes docs/api.md from the route table: `python -m cdk_app.api_docs` (a test checks it is current)."""

from __future__ import annotations

import sys
from pathlib import Path

from cdk_app.api_routes import ROUTES, USAGE_PLANS, Access, Route
from cdk_app.traffic_limits import (
    ACCOUNT_REQUESTS_PER_SECOND,
    API_RATE_PER_IP,
    MAX_PEAK_REQUESTS_PER_MINUTE,
    ORDER_PLACING_PATHS,
    PAYMENTS_RATE_PER_IP,
    SEED_LOAD,
    SITE_RATE_PER_IP,
    RouteClass,
    class_throttle,
    route_class,
)

API_DOC = Path(__file__).resolve().parent.parent / "docs" / "api.md"

_ACCESS = {
    Access.PUBLIC: "public",
    Access.CUSTOMER: "Cognito ID token",
    Access.ADMIN: "Cognito ID token + `admin` group + admin API key",
    Access.PARTNER: "partner API key",
}

PREAMBLE = """# The shop's REST API

Generated from `cdk_app/api_routes.py` by `make api-docs`; do not edit by hand. The Api stack
builds API Gateway from the same table, so this page and the deployed API cannot disagree.

Base URL: the `v1` stage of the REST API (`<api-url>/v1`); locally `http://127.0.0.1:8000/api`.

The machine-readable description of every route, with every status it answers and its body
schemas, is `docs/openapi.json` (`make openapi`, generated from the handlers; schemathesis fuzzes the
local shop against it in the suite).

## Who may call what

- **public**: no token. Catalog, categories, featured, best sellers, reviews list, guest carts,
  guest checkout and payments (a guest proves an order is theirs with the order's access token),
  payment webhooks (verified by signature before anything else), tracking events.
- **Cognito ID token**: `Authorization: <id token>` from the shop's user pool. API Gateway's
  user-pool authorizer verifies signature, expiry and audience before the function runs.
- **admin**: a Cognito ID token whose `cognito:groups` claim contains `admin` (checked in the
  handler: `shop.api.http.Caller.require_admin`) and the admin usage plan's API key in `X-Api-Key`.
  Cognito writes `admin` into a token only for a member who signs in with an authenticator code
  (TOTP; see accounts.md, "Administrators and MFA").
- **partner**: the partner usage plan's API key in `X-Api-Key`.

Each key opens its own plan's routes only. API Gateway accepts any usage plan's key wherever a
method requires one, so every function checks the caller's key id (`requestContext.identity.apiKeyId`)
against the key of the route's plan (`shop.api.api_keys`): the partner key on an admin route, or
the admin key on the partner feed, answers **403** `wrong_api_key` with `field: "X-Api-Key"`.

API Gateway cannot make one method's authorization optional, so guest carts and guest orders live
under `/guest/...` and the partner feed under `/partner/...`: the same handlers serve both (the
resolver strips the prefix) and tell callers apart by whether claims are present.

A guest cart is named by the `X-Cart-Id` header, whose value only the server issues: the first
`POST /guest/cart/add` without one answers a new `cart_id` (`<random id>.<signature>`, the signature
an HMAC under the stage's link key), and every guest cart route, the merge at sign-in
(`POST /cart/merge`) and a guest order from the cart refuse any other: **400** for one that is not of
that shape, **403** for a signature that does not match, both with `field: "X-Cart-Id"` (`cart_id` for
the merge). A guest order's token (the `access_token` of its placement, or its emails' link token)
travels in the `X-Order-Token` header, never in the URL: the `/guest/orders/{id}` routes require the
header, and a `token` query parameter is refused with **400** `field: "token"` naming the header.

## How the user id and groups reach a handler

For routes with the authorizer, API Gateway puts the verified token's claims on the proxy event at
`requestContext.authorizer.claims`: `sub` (the user id, the key of Users, Cart, Orders by user),
`email`, and `cognito:groups` (a string such as `"[admin]"` or `"admin"`). `shop.api.http.caller_of`
reads them into a `Caller`; handlers never read user ids from bodies or query strings. Public routes
have no claims, and a client cannot forge them: API Gateway owns `requestContext`. The local
runner verifies the same ID tokens against the local user pool's keys and fills the same field.

## Caching and its invalidation

Only public GETs and the partner feed are cached (stage cache 0.5 GB, encrypted), with seed 001's
TTLs; the cache key is the path parameters plus the query strings listed below, and on the partner
feed also `X-Api-Key` (the key check runs in the function, on a cache miss: another plan's key must
miss too). Nothing user-specific is ever cached: no cached route has an authorizer. Product writes
(admin edits, stock reaching zero, new ratings) change the Products table, whose stream triggers
`catalog_cache_invalidator`; when a shopper-visible field or availability changed
(`shop/catalog/changes.py`) it flushes the stage cache (`FlushStageCache`). Sales that only move
`sales_count`, or stock that stays above the few a page counts down, do not flush, so best-seller
order may lag by its 15-minute TTL. Redis entries are invalidated by the writing function itself
through the product's `cache_version`.

Every answer, a function's or API Gateway's own (401, 403, 413, 429, 5xx), carries
`Strict-Transport-Security: max-age=31536000; includeSubDomains` and `X-Content-Type-Options: nosniff`.
Every answer except the cached public GETs above (and their partner twins) also carries
`Cache-Control: no-store`, so no browser or proxy keeps a profile, an order, a cart or an admin page;
a route that sets its own (downloads, invoices: `private, no-store`) keeps it.

## Availability, not stock figures

Public and partner product answers carry `availability`: `in_stock`, `low_stock` (with
`low_stock_quantity`, 1 to 5, so a page can say "Only 3 left") or `sold_out`, on the product and on
each variant (a product with variants counts its variants' units; a download is always in stock).
They never carry `stock_quantity` or `sales_count`; administrators' answers (`POST`/`PUT`/`DELETE
/products`, `GET /admin/products`) keep both. Best sellers are still ordered by `sales_count`.

## Bounds on what administrators enter

Every number an administrator enters has an upper bound far above a real shop's needs
(`shop/contracts/admin_limits.py`): stock 1,000,000 per product or variant; prices, fixed
discounts, minimum subtotals and refunds $1,000,000 (100,000,000 cents); weight 10,000 lb; each
dimension 10,000; a promotion's total uses 10,000,000 and uses per customer 1,000. A larger value
answers **422** naming the field (`stock_quantity`, `variants.0.stock_quantity`, `amount`, ...).

## Addresses

An order's `shipping_address` and `billing_address` (absent: the shipping one) and a saved address
(`/me/addresses`) have the same fields: `name`, `line1`, `line2`, `city`, `region` (state or
province), `postal_code`, `country`, `phone`; a saved one adds `kind` and `is_default`. `country` is
an ISO 3166-1 alpha-2 code (any case; stored upper-cased). API Gateway checks it is two letters; the
function refuses a pair of letters that is not an assigned code (`UK`, `ZZ`) with **422** naming the
field (`shipping_address.country`, `billing_address.country`, `country`). Until this check, any two
letters were taken: addresses stored before it are still read back as they are.

An order needs `shipping_address` only when one of its lines ships: a digital-only order needs none
(it is ignored if sent) and pays no shipping, but needs `billing_address` with at least `name` and
`country`. API Gateway's model requires neither; order_api refuses with **400** naming the missing
one (`shipping_address`, `billing_address`).

## Digital downloads

`GET /orders/{id}/downloads/{product_id}` (the buyer, signed in) and `GET
/guest/orders/{id}/downloads/{product_id}` (with the order's token in `X-Order-Token`, or
`?download_token=`: the token of that line, valid for 15 minutes, that `GET /orders/{id}` gives
whoever may download under each `digital_downloads` entry, with `download_tokens_expire_at`, for the
links the orders page lets the browser follow) count one download and answer **302** with
`Location`: a presigned S3 GET of the file, valid for 5 minutes
(`Cache-Control: no-store`; `?file=<file_id>` picks one of several files). API Gateway passes the
Lambda proxy's status and `Location` through; the routes are never cached. Refusals name why:
**403** `order_not_paid` or `download_limit_reached`, **410** `download_expired`,
`download_revoked` (refund requested, refunded or cancelled) or `file_unavailable`; **404** for an
order the caller may not open or a product it has no download of. Administrators upload a product's
files with `POST /admin/product-files` (a presigned POST to the private digital-files bucket) and
save the answer's `file_id` and `key` in the product's `digital_files`.

## Invoices and credit notes (PDF)

`GET /orders/{id}/invoice` and `GET /orders/{id}/credit-note` (the owner or an administrator,
signed in) and their `/guest/...` variants (the order's access token or its emails' link token in
`X-Order-Token`) answer `application/pdf` with `Content-Disposition: attachment` and `Cache-Control: private,
no-store`; they are never cached by the stage. The function returns the PDF base64-encoded
(`isBase64Encoded`) and `application/pdf` is the API's binary media type, so API Gateway hands over
the bytes to a client whose **first** `Accept` type is `application/pdf` (a client that asks for
anything else first gets the base64 text). An order without the document answers **409**
`document_not_issued` saying why (unpaid; refund not complete); one the caller may not read, **404**.

## Email addresses

An address a shopper types (a guest order's `email`) is checked by `email-validator`
(`shop.platform.email_addresses`; syntax only, no DNS lookup): an ASCII mailbox (SES cannot deliver to
internationalized ones), RFC 5321's lengths, no special-use domain. A bad one is **422** naming
`email`, and nothing is stored; a good one is stored lower-cased, its domain in IDNA form. An address
SES later refuses for good (suppressed, or refused as a recipient) is recorded on the order as
`email_status: "undeliverable"` with SES's reason and the time (`email_problem`), shown on the admin
order list, and that email is not retried; refusals of the shop's own sending still reach the email
DLQ and page on-call (docs/orders.md).

## Rate limits

Four layers, from the edge in (`cdk_app/traffic_limits.py` holds every number):

1. **Per client IP, at AWS WAF** (stages with `waf: true`, prod): {waf}. A blocked address gets
   **403** from WAF until its rate falls back; payment webhooks are left to their signatures. The web
   ACL also drops addresses on Amazon's IP reputation list and requests matching AWS's common and
   known-bad-input rule sets. The site's own ACL allows {site} per address.
2. **Per route, the stage throttle**: a token bucket per method shared by *all* clients, so it
   protects the functions and tables behind a route, not one shopper from another. Each route may take
   its class's planned share of the stage's planned peak times {headroom:.0f} (the routes table's
   "throttle class"), rounded up, at least {floor:.0f}/s, burst twice the rate (at least 10). The
   payment and webhook routes take at least what the {placing} order-placing routes
   ({placing_paths}) admit together, so the stage refuses new orders before it refuses the payment or
   the confirmation of one it took. The planned peak is the stage's `peak_requests_per_minute` in
   `cdk.json` (default seed 001's {total:.0f} requests/min; at most {max_peak:,}, API Gateway's
   account-level {account_rps:,} requests/s): raising it raises every stage throttle and burst with it, for a
   sale (docs/scaling.md). The admin and partner routes follow their usage plans instead (5 times a
   key's rate). At {total:.0f}: {classes}. Over it, API Gateway answers **429**.
3. **Per API key, the usage plans**: {plans}.
4. **Per user, in the functions** (RateLimits table): cart 100/min, payment 10/min per signed-in
   shopper (per order or IP for guests), admin 50/min; **429** with `Retry-After`.

## Routes

| method | path | function | access | cache TTL | cache key | rate limit | throttle class | what |
|---|---|---|---|---|---|---|---|---|
"""


def _row(route: Route) -> str:
    ttl = f"{route.cache_ttl_seconds} s" if route.cached else "-"
    keys = ", ".join([*route.path_params, *route.cache_query_params]) if route.cached else "-"
    return (
        f"| {route.method} | `{route.path}` | {route.function} | {_ACCESS[route.access]} | {ttl} | {keys} "
        f"| {route.rate_limit.value} | {route_class(route).value} | {route.summary} |"
    )


def render() -> str:
    plans = "; ".join(
        f"`{plan.name}` {plan.rate_per_second * 60:.0f} requests/min"
        + (f", {plan.monthly_quota:,} per month" if plan.monthly_quota else "")
        for plan in USAGE_PLANS
    )
    waf = ", ".join(
        f"{rule.limit:,} requests per {rule.window_seconds // 60} min"
        + (" to the payment routes" if rule is PAYMENTS_RATE_PER_IP else " to the API")
        for rule in (API_RATE_PER_IP, PAYMENTS_RATE_PER_IP)
    )
    classes = "; ".join(
        f"{kind.value} {class_throttle(kind).rate_per_second:.0f}/s (burst {class_throttle(kind).burst})"
        for kind in RouteClass
    )
    fields = {
        "{waf}": waf,
        "{site}": f"{SITE_RATE_PER_IP.limit:,} requests per {SITE_RATE_PER_IP.window_seconds // 60} min",
        "{total:.0f}": f"{SEED_LOAD.requests_per_minute:.0f}",
        "{headroom:.0f}": f"{SEED_LOAD.headroom:.0f}",
        "{floor:.0f}": f"{SEED_LOAD.floor_per_second:.0f}",
        "{placing}": str(len(ORDER_PLACING_PATHS)),
        "{placing_paths}": ", ".join(f"`POST {path}`" for path in ORDER_PLACING_PATHS),
        "{max_peak:,}": f"{MAX_PEAK_REQUESTS_PER_MINUTE:,}",
        "{account_rps:,}": f"{ACCOUNT_REQUESTS_PER_SECOND:,}",
        "{classes}": classes,
        "{plans}": plans,
    }
    preamble = PREAMBLE
    for field, value in fields.items():
        preamble = preamble.replace(field, value)
    return preamble + "\n".join(_row(route) for route in ROUTES) + "\n"


def main() -> int:
    API_DOC.write_text(render())
    print(f"wrote {API_DOC} ({len(ROUTES)} routes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
