"""A shopper's right to their data: export everything stored about them, or delete it.

Deleting removes what exists only for the shopper (profile, preferences, watch list, cart, product
views, queued marketing mail) and anonymizes what the shop must keep: orders stay for accounting
without name, email, phone or street address, and reviews stay (they moved product ratings) under
"deleted user" and a one-way hash instead of the user id. Every step is idempotent, so a failed
deletion is finished by calling it again; the Cognito user goes last, so the shopper can still retry.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Final

from aws_lambda_powertools import Logger

from shop.accounts.repository import Accounts
from shop.contracts.tables import (
    AUDIT_LOG,
    CART,
    MARKETING_QUEUE,
    ORDERS,
    PRODUCT_VIEWS,
    REVIEWS,
    WATCH_LIST,
)
from shop.email.repository import EmailPreferencesRepository
from shop.orders.model import guest_user_id
from shop.orders.repository import OrderRepository
from shop.platform.clock import now_iso
from shop.platform.dynamodb import attr, from_item, key, table
from shop.platform.settings import get_settings
from shop.reviews.model import vote_id_for

logger = Logger(child=True)

DELETED_USER_NAME: Final = "deleted user"
REVIEWS_BY_USER_INDEX: Final = REVIEWS.index("user_id-created_at-index").name
VIEWS_BY_USER_INDEX: Final = PRODUCT_VIEWS.index("user_id-timestamp-index").name
MARKETING_BY_EMAIL_INDEX: Final = MARKETING_QUEUE.index("user_email-trigger_type-index").name
AUDIT_BY_ACTOR_INDEX: Final = AUDIT_LOG.index("actor-occurred_at-index").name
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


def _pages(table_name: str, operation: str, **arguments: Any) -> Iterator[dict[str, Any]]:
    resource = table(table_name)
    while True:
        response = getattr(resource, operation)(**arguments)
        yield from response.get("Items", [])
        if "LastEvaluatedKey" not in response:
            return
        arguments["ExclusiveStartKey"] = response["LastEvaluatedKey"]


def _owned_by(user_id: str, logical_name: str, index: str | None = None) -> list[dict[str, Any]]:
    """Every item of `logical_name` whose `user_id` key (in the table or in `index`) is the user's."""
    arguments: dict[str, Any] = {"KeyConditionExpression": key("user_id").eq(user_id)}
    if index is not None:
        arguments["IndexName"] = index
    return list(_pages(logical_name, "query", **arguments))


def _reviews(user_id: str) -> list[dict[str, Any]]:
    return _owned_by(user_id, REVIEWS.logical_name, REVIEWS_BY_USER_INDEX)


def _votes(user_id: str) -> list[dict[str, Any]]:
    # Votes carry no indexed user attribute (they must stay out of the review GSIs): deletion is rare
    # enough that a filtered scan is cheaper than an index every vote would pay for.
    return list(_pages(REVIEWS.logical_name, "scan", FilterExpression=attr("voter_id").eq(user_id)))


def _watch_list(user_id: str) -> list[dict[str, Any]]:
    return _owned_by(user_id, WATCH_LIST.logical_name)


def _views(user_id: str) -> list[dict[str, Any]]:
    return _owned_by(user_id, PRODUCT_VIEWS.logical_name, VIEWS_BY_USER_INDEX)


def _marketing(subject: DataSubject) -> list[dict[str, Any]]:
    if not subject.email:
        return []
    return list(
        _pages(
            MARKETING_QUEUE.logical_name,
            "query",
            IndexName=MARKETING_BY_EMAIL_INDEX,
            KeyConditionExpression=key("user_email").eq(subject.email),
        )
    )


def _orders(subject: DataSubject) -> list[dict[str, Any]]:
    orders = list(OrderRepository().items_of_owner(subject.user_id))
    if subject.email and subject.email_verified:
        orders.extend(OrderRepository().items_of_owner(guest_user_id(subject.email)))
    return orders


def _admin_actions(user_id: str) -> list[dict[str, Any]]:
    return list(
        _pages(
            AUDIT_LOG.logical_name,
            "query",
            IndexName=AUDIT_BY_ACTOR_INDEX,
            KeyConditionExpression=key("actor").eq(user_id),
        )
    )


def _cart(user_id: str) -> dict[str, Any] | None:
    item = table(CART.logical_name).get_item(Key={"user_id": user_id}, ConsistentRead=True).get("Item")
    return dict(item) if item else None


def export(subject: DataSubject) -> dict[str, Any]:
    """Everything the shop stores about the subject, as one JSON-ready document."""
    profile = Accounts().get(subject.user_id)
    return from_item(  # type: ignore[no-any-return]
        {
            "exported_at": now_iso(),
            "user_id": subject.user_id,
            "email": subject.email,
            "profile": profile.public_view() if profile else None,
            "preferences": EmailPreferencesRepository().get(subject.user_id, consistent_read=True),
            "orders": _orders(subject),
            "reviews": _reviews(subject.user_id),
            "review_votes": _votes(subject.user_id),
            "watchlist": _watch_list(subject.user_id),
            "cart": _cart(subject.user_id),
            "product_views": _views(subject.user_id),
            "marketing_messages": _marketing(subject),
            "admin_actions": _admin_actions(subject.user_id),
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
    orders = table(ORDERS.logical_name)
    order_list = _orders(subject)
    for order in order_list:
        orders.put_item(Item=_anonymized_order(order, anonymous))
        orders.delete_item(Key={"order_id": order["order_id"], "user_id": order["user_id"]})
    counts["orders_anonymized"] = len(order_list)

    reviews = table(REVIEWS.logical_name)
    review_list = _reviews(user_id)
    for review in review_list:
        reviews.update_item(
            Key={"review_id": review["review_id"], "product_id": review["product_id"]},
            UpdateExpression="SET user_id = :anonymous, user_name = :name",
            ExpressionAttributeValues={":anonymous": anonymous, ":name": DELETED_USER_NAME},
        )
    counts["reviews_anonymized"] = len(review_list)
    vote_list = _votes(user_id)
    for vote in vote_list:
        # The vote's key embeds the voter; the rewritten key keeps "one vote per voter" true.
        rewritten = {
            **vote,
            "review_id": vote_id_for(str(vote["review_id"]).split("#")[1], anonymous),
            "voter_id": anonymous,
        }
        reviews.put_item(Item=rewritten)
        reviews.delete_item(Key={"review_id": vote["review_id"], "product_id": vote["product_id"]})
    counts["review_votes_anonymized"] = len(vote_list)

    # Records that exist only for the shopper.
    counts["watchlist_deleted"] = _delete_all(
        WATCH_LIST.logical_name,
        [{"user_id": i["user_id"], "product_id": i["product_id"]} for i in _watch_list(user_id)],
    )
    counts["product_views_deleted"] = _delete_all(
        PRODUCT_VIEWS.logical_name,
        [{"view_id": i["view_id"], "timestamp": i["timestamp"]} for i in _views(user_id)],
    )
    counts["marketing_messages_deleted"] = _delete_all(
        MARKETING_QUEUE.logical_name, [{"queue_id": i["queue_id"]} for i in _marketing(subject)]
    )
    table(CART.logical_name).delete_item(Key={"user_id": user_id})
    EmailPreferencesRepository().delete(user_id)
    Accounts.delete(user_id)
    _delete_cognito_user(subject)
    logger.info("account deleted", extra={"anonymous_id": anonymous, **counts})
    return counts


def _delete_all(table_name: str, keys: list[dict[str, Any]]) -> int:
    with table(table_name).batch_writer() as batch:
        for item_key in keys:
            batch.delete_item(Key=item_key)
    return len(keys)


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
