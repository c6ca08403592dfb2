"""Writes docs/api.md from the route table: `python -m cdk_app.api_docs` (a test checks it is current)."""

from __future__ import annotations

import sys
from pathlib import Path

from cdk_app.api_routes import ROUTES, STAGE_RATE_PER_SECOND, USAGE_PLANS, Access, Route

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

## Who may call what

- **public**: no token. Catalog, categories, featured, best sellers, reviews list, guest carts,
  guest checkout and payments (a guest proves an order is theirs with the order's access token),
  payment webhooks (verified by signature before anything else), tracking events.
- **Cognito ID token**: `Authorization: <id token>` from the shop's user pool. API Gateway's
  user-pool authorizer verifies signature, expiry and audience before the function runs.
- **admin**: a Cognito ID token whose `cognito:groups` claim contains `admin` (checked in the
  handler: `shop.api.http.Caller.require_admin`) and the admin usage plan's API key in `X-Api-Key`.
- **partner**: the partner usage plan's API key in `X-Api-Key`.

API Gateway cannot make one method's authorization optional, so guest carts and guest orders live
under `/guest/...` and the partner feed under `/partner/...`: the same handlers serve both (the
resolver strips the prefix) and tell callers apart by whether claims are present.

## How the user id and groups reach a handler

For routes with the authorizer, API Gateway puts the verified token's claims on the proxy event at
`requestContext.authorizer.claims`: `sub` (the user id, the key of Users, Cart, Orders by user),
`email`, and `cognito:groups` (a string such as `"[admin]"` or `"admin"`). `shop.api.http.caller_of`
reads them into a `Caller`; handlers never read user ids from bodies or query strings. Public routes
have no claims, and a client cannot forge them: API Gateway owns `requestContext`. The local
runner verifies the same ID tokens against the local user pool's keys and fills the same field.

## Caching and its invalidation

Only public GETs are cached (stage cache 0.5 GB, encrypted), with seed 001's TTLs; the cache key is
the path parameters plus the query strings listed below. Nothing user-specific is ever cached:
no cached route has an authorizer. Product writes (admin edits, stock reaching zero, new ratings)
change the Products table, whose stream triggers `catalog_cache_invalidator`; when a
shopper-visible field or availability changed (`shop/catalog/changes.py`) it flushes the stage cache
(`FlushStageCache`). Sales that only move `sales_count` do not flush, so best-seller order may lag
by its 15-minute TTL. Redis entries are invalidated by the writing function itself through the
product's `cache_version`.

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
/guest/orders/{id}/downloads/{product_id}?token=` (the order's access token, its emails' link token,
or the `download_token` that `GET /orders/{id}` gives the buyer for the orders page's links) count
one download and answer **302** with `Location`: a presigned S3 GET of the file, valid for 5 minutes
(`Cache-Control: no-store`; `?file=<file_id>` picks one of several files). API Gateway passes the
Lambda proxy's status and `Location` through; the routes are never cached. Refusals name why:
**403** `order_not_paid` or `download_limit_reached`, **410** `download_expired`,
`download_revoked` (refund requested, refunded or cancelled) or `file_unavailable`; **404** for an
order the caller may not open or a product it has no download of. Administrators upload a product's
files with `POST /admin/product-files` (a presigned POST to the private digital-files bucket) and
save the answer's `file_id` and `key` in the product's `digital_files`.

## Invoices and credit notes (PDF)

`GET /orders/{id}/invoice` and `GET /orders/{id}/credit-note` (the owner or an administrator,
signed in) and their `/guest/...?token=` variants (the order's access token or its emails' link
token) answer `application/pdf` with `Content-Disposition: attachment` and `Cache-Control: private,
no-store`; they are never cached by the stage. The function returns the PDF base64-encoded
(`isBase64Encoded`) and `application/pdf` is the API's binary media type, so API Gateway hands over
the bytes to a client whose **first** `Accept` type is `application/pdf` (a client that asks for
anything else first gets the base64 text). An order without the document answers **409**
`document_not_issued` saying why (unpaid; refund not complete); one the caller may not read, **404**.

## Rate limits

The stage allows {stage_rate:.0f} requests/min in total (seed 001: public APIs 1000/min). Usage plans:
{plans}. Per-user limits (cart 100/min, payment 10/min, admin 50/min) are counted in the RateLimits
table; an exceeded limit answers 429 with `Retry-After`.

## Routes

| method | path | function | access | cache TTL | cache key | rate limit | what |
|---|---|---|---|---|---|---|---|
"""


def _row(route: Route) -> str:
    ttl = f"{route.cache_ttl_seconds} s" if route.cached else "-"
    keys = ", ".join([*route.path_params, *route.cache_query_params]) if route.cached else "-"
    return (
        f"| {route.method} | `{route.path}` | {route.function} | {_ACCESS[route.access]} | {ttl} | {keys} "
        f"| {route.rate_limit.value} | {route.summary} |"
    )


def render() -> str:
    plans = "; ".join(
        f"`{plan.name}` {plan.rate_per_second * 60:.0f} requests/min"
        + (f", {plan.monthly_quota:,} per month" if plan.monthly_quota else "")
        for plan in USAGE_PLANS
    )
    preamble = PREAMBLE.replace("{stage_rate:.0f}", f"{STAGE_RATE_PER_SECOND * 60:.0f}").replace(
        "{plans}", plans
    )
    return preamble + "\n".join(_row(route) for route in ROUTES) + "\n"


def main() -> int:
    API_DOC.write_text(render())
    print(f"wrote {API_DOC} ({len(ROUTES)} routes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
