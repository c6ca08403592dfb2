"""The security headers of every API answer: the functions' (shop.api.http) and API Gateway's own
gateway responses (constructs_lib.shop_rest_api) send the same values."""

from __future__ import annotations

from typing import Final

# Browsers reach the API over HTTPS only for a year, subdomains included; no answer is content-sniffed
# into something other than its declared type.
ALWAYS: Final = {
    "Strict-Transport-Security": "max-age=31536000; includeSubDomains",
    "X-Content-Type-Options": "nosniff",
}
# Personal answers (a profile, an order, a cart, an admin page) must not stay in a browser's or a
# proxy's cache after the shopper has gone.
NOT_STORED: Final = {"Cache-Control": "no-store"}
