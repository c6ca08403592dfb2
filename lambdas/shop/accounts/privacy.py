"""A shopper's right to their data: export everything stored about them, or delete it.

Deleting removes what exists only for the shopper (profile, preferences, watch list, cart, product
views, queued marketing mail) and anonymizes what the shop must keep: orders stay for accounting
without name, email, phone or street address, and reviews stay (they moved product ratings) under
"deleted user" and a one-way hash instead of the user id. Every step is idempotent, so a failed
deletion is finished by calling it again; the Cognito user goes last, so the shopper can still retry.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any, Final

from aws_lambda_powertools import Logger

from shop.accounts.repository import ProfileRepository
from shop.cart.repository import CartRepository
from shop.email.repository import EmailPreferencesRepository
from shop.marketing.repository import MarketingQueueRepository
from shop.orders.model import guest_user_id
from shop.orders.repository import OrderRepository
from shop.platform import audit_log
from shop.platform.clock import now_iso
from shop.platform.dynamodb import from_item
from shop.platform.settings import get_settings
from shop.reviews.repository import ReviewRepository
from shop.tracking.repository import ProductViewRepository, WatchListRepository

logger = Logger(child=True)

DELETED_USER_NAME: Final = "deleted user"
# Order fields that identify the buyer; the order keeps items, amounts, dates and statuses.
PERSONAL_ORDER_FIELDS: Final = frozenset(
    {"user_email", "email", "customer_name", "name", "phone", "notes", "shipping_address", "billing_address"}
)
# Kept from each address: the tax jurisdiction an accountant needs, nothing that finds a person.
KEPT_ADDRESS_FIELDS: Final = ("country", "region")


@dataclass(frozen=True)
class DataSubject:
    """Whose data: the Cognito sub, the token's email (and whether Cognito verified it), the username."""

    user_id: str
    email: str | None
    email_verified: bool
    username: str | None = None


def anonymous_id(user_id: str) -> str:
    """What replaces the user id on kept records: stable (one shopper's reviews stay grouped), one-way."""
    return f"deleted#{hashlib.sha256(user_id.encode()).hexdigest()[:24]}"


def _marketing(subject: DataSubject) -> list[dict[str, Any]]:
    if not subject.email:
        return []
    return MarketingQueueRepository().items_of_recipient(subject.email)


def _orders(subject: DataSubject) -> list[dict[str, Any]]:
    orders = list(OrderRepository().items_of_owner(subject.user_id))
    if subject.email and subject.email_verified:
        orders.extend(OrderRepository().items_of_owner(guest_user_id(subject.email)))
    return orders


def export(subject: DataSubject) -> dict[str, Any]:
    """Everything the shop stores about the subject, as one JSON-ready document."""
    profile = ProfileRepository().get(subject.user_id)
    return from_item(  # type: ignore[no-any-return]
        {
            "exported_at": now_iso(),
            "user_id": subject.user_id,
            "email": subject.email,
            "profile": profile.public_view() if profile else None,
            "preferences": EmailPreferencesRepository().get(subject.user_id, consistent_read=True),
            "orders": _orders(subject),
            "reviews": ReviewRepository().reviews_of_user(subject.user_id),
            "review_votes": ReviewRepository().votes_of_user(subject.user_id),
            "watchlist": WatchListRepository().items_of_user(subject.user_id),
            "cart": CartRepository().stored_item(subject.user_id),
            "product_views": ProductViewRepository().items_of_user(subject.user_id),
            "marketing_messages": _marketing(subject),
            # Exported, never deleted: the audit log is the record of admins' actions (docs/accounts.md).
            "admin_actions": audit_log.entries_by(subject.user_id),
        }
    )


def _anonymized_order(order: dict[str, Any], anonymous: str) -> dict[str, Any]:
    kept = {name: value for name, value in order.items() if name not in PERSONAL_ORDER_FIELDS}
    for address_field in ("shipping_address", "billing_address"):
        address = order.get(address_field)
        if isinstance(address, dict):
            kept[address_field] = {name: address[name] for name in KEPT_ADDRESS_FIELDS if name in address}
    kept["user_id"] = anonymous
    kept["anonymized_at"] = now_iso()
    return kept


def delete(subject: DataSubject) -> dict[str, int]:
    """Delete or anonymize everything about the subject; returns how many records each step touched."""
    user_id = subject.user_id
    anonymous = anonymous_id(user_id)
    counts: dict[str, int] = {}

    # Kept records first: each is rewritten under the anonymous id before its original goes, so an
    # interrupted run leaves at worst a duplicate the next run removes, never a lost order.
    orders = OrderRepository()
    order_list = _orders(subject)
    for order in order_list:
        orders.replace_item(order, _anonymized_order(order, anonymous))
    counts["orders_anonymized"] = len(order_list)

    reviews = ReviewRepository()
    review_list = reviews.reviews_of_user(user_id)
    for review in review_list:
        reviews.reattribute_review(review, user_id=anonymous, user_name=DELETED_USER_NAME)
    counts["reviews_anonymized"] = len(review_list)
    vote_list = reviews.votes_of_user(user_id)
    for vote in vote_list:
        reviews.reattribute_vote(vote, voter_id=anonymous)
    counts["review_votes_anonymized"] = len(vote_list)

    # Records that exist only for the shopper.
    counts["watchlist_deleted"] = WatchListRepository().delete_items_of_user(user_id)
    counts["product_views_deleted"] = ProductViewRepository().delete_items_of_user(user_id)
    counts["marketing_messages_deleted"] = (
        MarketingQueueRepository().delete_items_of_recipient(subject.email) if subject.email else 0
    )
    CartRepository().delete(user_id)
    EmailPreferencesRepository().delete(user_id)
    ProfileRepository().delete(user_id)
    _delete_cognito_user(subject)
    logger.info("account deleted", extra={"anonymous_id": anonymous, **counts})
    return counts


def _delete_cognito_user(subject: DataSubject) -> None:
    pool_id = get_settings().user_pool_id
    if not pool_id:
        logger.warning("USER_POOL_ID is not set: the Cognito user was not deleted")
        return
    import boto3

    client = boto3.client("cognito-idp")
    try:
        # Any alias (or the sub) names the user in admin calls; the token's username is the surest.
        client.admin_delete_user(UserPoolId=pool_id, Username=subject.username or subject.user_id)
    except client.exceptions.UserNotFoundException:
        logger.info("the Cognito user was already deleted")
