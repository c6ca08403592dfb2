"""The admin page's order search (`q` of GET /orders/admin/list): an order id, an order number or a
customer's email, matched exactly and case-insensitively, each answered from a key or an index so that
a search never scans the Orders table (docs/decisions.md, "Order search").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from shop.orders.model import Order, normalize_email
from shop.orders.repository import OrderRepository
from shop.platform.errors import BadRequest
from shop.platform.pagination import decode_cursor, encode_cursor

ORDER_ID = re.compile(r"^ord_[0-9a-f]{24}$")
# shop.orders.model.order_number_for: "SO-" + the order's date + 8 characters of its id.
ORDER_NUMBER = re.compile(r"^SO-\d{8}-[0-9A-F]{8}$")
MAX_QUERY_LENGTH = 254  # the longest email address
# One @ between a local part and a dotted domain, no spaces: an address's shape, whatever its domain.
EMAIL_SHAPE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MALFORMED = "q must be an order id (ord_…), an order number (SO-YYYYMMDD-XXXXXXXX) or an email address"


class SearchKind(StrEnum):
    ORDER_ID = "order_id"
    ORDER_NUMBER = "order_number"
    EMAIL = "email"


@dataclass(frozen=True)
class SearchTerm:
    kind: SearchKind
    value: str


def parse_query(q: str) -> SearchTerm:
    """What `q` names; BadRequest naming `q` when it is none of the three."""
    text = q.strip()
    if not text or len(text) > MAX_QUERY_LENGTH:
        raise BadRequest(MALFORMED, field="q")
    if ORDER_ID.match(text.lower()):
        return SearchTerm(SearchKind.ORDER_ID, text.lower())
    if ORDER_NUMBER.match(text.upper()):
        return SearchTerm(SearchKind.ORDER_NUMBER, text.upper())
    if EMAIL_SHAPE.match(text):
        # As orders store it: normalize_email of the address the order was placed with. Only its shape
        # is checked, not deliverability: a signed-in shopper's address comes from Cognito unvalidated
        # (the local shop's shopper@shop.local is one a strict check refuses), and must still be found.
        return SearchTerm(SearchKind.EMAIL, normalize_email(text))
    raise BadRequest(MALFORMED, field="q")


def search_orders(
    repository: OrderRepository, q: str, *, limit: int, cursor: str | None
) -> tuple[list[Order], str | None]:
    """Orders matching `q`, newest first, one page (only an email can match more than one order).
    Unknown → an empty page: the search found nothing, the request was fine."""
    term = parse_query(q)
    if term.kind is SearchKind.ORDER_ID:
        order = repository.get(term.value)
        return ([order] if order else []), None
    if term.kind is SearchKind.ORDER_NUMBER:
        return repository.by_number(term.value), None
    state = decode_cursor(cursor) if cursor else {}
    if state and not _resumes(state, term.value):
        raise BadRequest("cursor belongs to a different search", field="cursor")
    page = repository.by_email(term.value, limit=limit, start_key=state.get("k"))
    next_cursor = encode_cursor({"q": term.value, "k": page.last_key}) if page.last_key else None
    return page.orders, next_cursor


# The key of user_email-order_date-index that a page ends on: the index's keys and the table's.
_EMAIL_PAGE_KEY = {"user_email", "order_date", "order_id", "user_id"}


def _resumes(state: dict[str, object], email: str) -> bool:
    """True when a decoded cursor is one this search issued for `email` (cursors are not signed, so a
    made-up start key is refused here rather than by DynamoDB as a server error)."""
    start = state.get("k")
    return (
        state.get("q") == email
        and isinstance(start, dict)
        and set(start) == _EMAIL_PAGE_KEY
        and all(isinstance(value, str) for value in start.values())
        and start["user_email"] == email
    )
