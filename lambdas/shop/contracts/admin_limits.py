"""The largest numbers an administrator may enter: far above anything a real shop needs, far below
what breaks arithmetic, storage or a page (issue #19: admin stock accepted 10^30).

The pydantic models of the catalog, promotions and orders bound their fields with these, so a
larger value is a 422 naming the field; the admin page's inputs carry the same `max`.
"""

from __future__ import annotations

MAX_STOCK = 1_000_000  # units of one product or variant
MAX_PRICE_CENTS = 100_000_000  # $1,000,000 (any amount in cents: prices, discounts, refunds)
MAX_WEIGHT = 10_000  # pounds
MAX_DIMENSION = 10_000  # inches or centimetres, per side
MAX_PERCENT = 100  # a percent promotion's value
MAX_REDEMPTIONS = 10_000_000  # of one promotion in total
MAX_PER_CUSTOMER = 1_000  # redemptions of one promotion by one shopper
