"""Orders in DynamoDB: conditional creates, status moves conditioned on the current status, GSI queries.

Every status change is one UpdateItem whose condition is the status the state machine checked, and
which appends the change to `history` in the same write: two concurrent moves cannot both win, and
the history cannot miss one.
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from shop.contracts.tables import ORDERS
from shop.orders.model import DocumentSeries, HistoryEntry, Order, PaymentAttempt
from shop.orders.sales import SALE_FIELDS, OrderSale
from shop.orders.state import PAID_FOR, RESTORABLE, OrderStatus, PaymentStatus, check_transition
from shop.platform.clock import now_iso
from shop.platform.dynamodb import (
    attr,
    cancellation_codes,
    dynamodb_resource,
    errors,
    every_item,
    from_item,
    key,
    table,
    to_item,
)

USER_INDEX = ORDERS.index("user_id-order_date-index").name
STATUS_INDEX = ORDERS.index("order_status-order_date-index").name
PAYMENT_INDEX = ORDERS.index("payment_status-order_date-index").name
EMAIL_INDEX = ORDERS.index("user_email-order_date-index").name
NUMBER_INDEX = ORDERS.index("order_number-index").name
# BatchGetItem's limit of keys per request.
BATCH_GET_LIMIT = 100
# Concurrent payment starts on one order are rare (a double click); three reads settle any of them.
ATTEMPT_WRITES = 3
APPEND_ATTEMPT = "SET #attempts = list_append(if_not_exists(#attempts, :empty), :attempt)"
# The counters of the document series (invoices, credit notes) are items of this table, one per series
# and year: {order_id: "INV#2026", user_id: DOCUMENT_COUNTER, last_number}. No user id is "#counter"
# (a Cognito sub or "guest#<email>"), no order id looks like "INV#2026" (ord_...), and a counter has
# none of the GSI keys, so no index, listing or lookup of orders ever sees one (docs/decisions.md).
DOCUMENT_COUNTER = "#counter"
# Each round reads the counter and tries one transaction; a lost race (another order took the number)
# reads again. Fifty orders paid in the same instant need at most fifty rounds between them.
NUMBER_ATTEMPTS = 100
CONDITION_FAILED = "ConditionalCheckFailed"


class OrderExistsError(Exception):
    """An order with this id is already stored (a retried create)."""


class OrderChangedError(Exception):
    """The order's status (or the field a write was conditioned on) changed since it was read."""


class DocumentNumberContention(Exception):
    """Every round lost the race for the series' next number: the caller retries later."""


@dataclass(frozen=True)
class OrderPage:
    orders: list[Order]
    last_key: dict[str, Any] | None


class OrderRepository:
    """Reads and writes of the Orders table."""

    def _table(self) -> Any:
        return table(ORDERS.logical_name)

    def new_order_put(self, order: Order) -> dict[str, Any]:
        """A new order as one Put of a TransactWriteItems, conditioned on no order with its id existing:
        the transaction that takes its stock fails on that item alone when a retry stored it first."""
        return {
            "Put": {
                "TableName": self._table().name,
                "Item": to_item(order.model_dump(mode="json", exclude_none=True)),
                "ConditionExpression": "attribute_not_exists(order_id)",
            }
        }

    def stock_release(self, order: Order) -> dict[str, Any]:
        """The order's side of giving its stock back, as one Update of a TransactWriteItems: only while
        the order is closed (cancelled, refunded, failed) and still holds the stock, so a redelivered
        message changes nothing."""
        values: dict[str, Any] = {":now": now_iso(), ":true": True, ":false": False}
        placeholders = []
        for position, status in enumerate(sorted(RESTORABLE)):
            values[f":s{position}"] = status.value
            placeholders.append(f":s{position}")
        return {
            "Update": {
                "TableName": self._table().name,
                "Key": {"order_id": order.order_id, "user_id": order.user_id},
                "UpdateExpression": "SET #reserved = :false, #restored = :true, #updated = :now",
                "ConditionExpression": f"#status IN ({', '.join(placeholders)}) AND #reserved = :true",
                "ExpressionAttributeNames": {
                    "#reserved": "stock_reserved",
                    "#restored": "stock_restored",
                    "#updated": "updated_at",
                    "#status": "order_status",
                },
                "ExpressionAttributeValues": values,
            }
        }

    def record_payment_attempt(self, order: Order, provider: str, payment_id: str) -> None:
        """Remember a payment started for the order, once (a repeat is a no-op), so an order that
        expires unpaid can cancel it. OrderChangedError when the order does not exist."""
        attempt = PaymentAttempt(provider=provider, payment_id=payment_id)
        known = order.payment_attempts
        for _attempt in range(ATTEMPT_WRITES):
            if attempt in known:
                return
            # Conditioned on the list the decision was made on: a concurrent append makes this fail,
            # and the list is read again, so neither attempt is lost and none is added twice.
            unchanged = "(attribute_not_exists(#attempts) OR size(#attempts) = :known)"
            values: dict[str, Any] = {":attempt": [attempt.model_dump()], ":empty": [], ":known": len(known)}
            try:
                self._table().update_item(
                    Key={"order_id": order.order_id, "user_id": order.user_id},
                    UpdateExpression=APPEND_ATTEMPT,
                    ConditionExpression=f"attribute_exists(order_id) AND {unchanged}",
                    ExpressionAttributeNames={"#attempts": "payment_attempts"},
                    ExpressionAttributeValues=values,
                )
                return
            except errors().ConditionalCheckFailedException:
                current = self.get(order.order_id, order.user_id)
                if current is None:
                    raise OrderChangedError(order.order_id) from None
                known = current.payment_attempts
        raise OrderChangedError(order.order_id)

    def count_download(
        self, order: Order, position: int, *, product_id: str, limit: int, now: str, active: frozenset[str]
    ) -> Order | None:
        """Count one download of the entitlement at `position` (it must still name `product_id`), in
        one write conditioned on a download being left, the entitlement not expired and the order
        still paid and in an `active` status: concurrent downloads never pass the limit. None when
        the condition failed (the caller reads the order again to say why)."""
        entry = f"#downloads[{position}]"
        values: dict[str, Any] = {
            ":product": product_id,
            ":limit": limit,
            ":now": now,
            ":one": 1,
            ":paid": PaymentStatus.PAID.value,
        }
        statuses = []
        for index, status in enumerate(sorted(active)):
            values[f":active{index}"] = status
            statuses.append(f":active{index}")
        try:
            response = self._table().update_item(
                Key={"order_id": order.order_id, "user_id": order.user_id},
                UpdateExpression=f"SET {entry}.#used = {entry}.#used + :one, {entry}.#last = :now",
                ConditionExpression=(
                    f"{entry}.#product = :product AND {entry}.#used < :limit AND {entry}.#expires > :now"
                    f" AND #payment = :paid AND #status IN ({', '.join(statuses)})"
                ),
                ExpressionAttributeNames={
                    "#downloads": "digital_downloads",
                    "#used": "downloads_used",
                    "#last": "last_download_at",
                    "#product": "product_id",
                    "#expires": "expires_at",
                    "#payment": "payment_status",
                    "#status": "order_status",
                },
                ExpressionAttributeValues=values,
                ReturnValues="ALL_NEW",
            )
        except errors().ConditionalCheckFailedException:
            return None
        return Order.model_validate(from_item(response["Attributes"]))

    def get(self, order_id: str, user_id: str | None = None) -> Order | None:
        """An order by id (strongly consistent); with `user_id`, only if it belongs to that key."""
        if user_id is not None:
            item = (
                self._table()
                .get_item(Key={"order_id": order_id, "user_id": user_id}, ConsistentRead=True)
                .get("Item")
            )
            return Order.model_validate(from_item(item)) if item and not _is_counter(item) else None
        items = (
            self._table()
            .query(KeyConditionExpression=key("order_id").eq(order_id), ConsistentRead=True, Limit=2)
            .get("Items", [])
        )
        orders = [item for item in items if not _is_counter(item)]
        return Order.model_validate(from_item(orders[0])) if orders else None

    # -- document numbers -----------------------------------------------------------------------

    def assign_number(
        self,
        order: Order,
        series: DocumentSeries,
        *,
        issued_at: str,
        changes: Mapping[str, Any] | None = None,
    ) -> Order:
        """Give `order` the next number of `series` in the year of `issued_at`, once, and return it as
        stored. One transaction raises the counter from the value it was read at and sets the number
        (with `changes`) on the order if it has none: a number is taken only by the order that keeps
        it (no gap), two orders cannot take the same one (no duplicate), and an order numbered
        already keeps its number (a redelivered message). OrderChangedError when the order is gone or
        lacks `series.requires`; DocumentNumberContention when every round lost the race."""
        year = issued_at[:4]
        counter = {"order_id": f"{series.prefix}#{year}", "user_id": DOCUMENT_COUNTER}
        for attempt in range(NUMBER_ATTEMPTS):
            last = self._counter_value(counter)
            number = series.number(year, last + 1)
            items = [
                self._counter_raise(counter, last, series=series.prefix, year=year),
                self._number_on_order(order, series, number, issued_at=issued_at, changes=changes),
            ]
            try:
                dynamodb_resource().meta.client.transact_write_items(TransactItems=items)
            except errors().TransactionCanceledException as error:
                codes = cancellation_codes(error)
                if len(codes) == len(items) and codes[1] == CONDITION_FAILED:
                    current = self.get(order.order_id, order.user_id)
                    if current is not None and getattr(current, series.number_field):
                        return current  # numbered already: by an earlier delivery, or just now
                    raise OrderChangedError(order.order_id) from None
                _pause(attempt)  # the counter moved (another order took the number), or a conflict
                continue
            stored = self.get(order.order_id, order.user_id)
            if stored is None:
                raise OrderChangedError(order.order_id)
            return stored
        raise DocumentNumberContention(
            f"no {series.prefix} number for {order.order_id} after {NUMBER_ATTEMPTS} rounds"
        )

    def _counter_value(self, counter: dict[str, str]) -> int:
        item = self._table().get_item(Key=counter, ConsistentRead=True).get("Item") or {}
        return int(item.get("last_number", 0))

    def _counter_raise(self, counter: dict[str, str], last: int, *, series: str, year: str) -> dict[str, Any]:
        """The counter's side: from `last` (as read) to `last + 1`, or nothing if it moved since."""
        unchanged = "attribute_not_exists(#last)" if last == 0 else "#last = :last"
        values: dict[str, Any] = {":next": last + 1, ":series": series, ":year": year}
        if last:
            values[":last"] = last
        return {
            "Update": {
                "TableName": self._table().name,
                "Key": counter,
                "UpdateExpression": "SET #last = :next, #series = :series, #year = :year",
                "ConditionExpression": unchanged,
                "ExpressionAttributeNames": {"#last": "last_number", "#series": "series", "#year": "year"},
                "ExpressionAttributeValues": values,
            }
        }

    def _number_on_order(
        self,
        order: Order,
        series: DocumentSeries,
        number: str,
        *,
        issued_at: str,
        changes: Mapping[str, Any] | None,
    ) -> dict[str, Any]:
        """The order's side: the number, its date and `changes`, only if it has no number of the series
        yet (and has the field the series requires). The status history is left alone: it records
        status changes, and numbering one is none."""
        fields = {series.number_field: number, series.date_field: issued_at, "updated_at": now_iso()}
        fields.update(changes or {})
        names: dict[str, str] = {"#number": series.number_field}
        values: dict[str, Any] = {}
        assignments = []
        for position, (field, value) in enumerate(sorted(fields.items())):
            names[f"#set{position}"] = field
            values[f":set{position}"] = to_item(value)
            assignments.append(f"#set{position} = :set{position}")
        condition = "attribute_exists(order_id) AND attribute_not_exists(#number)"
        if series.requires:
            names["#requires"] = series.requires
            condition += " AND attribute_exists(#requires)"
        return {
            "Update": {
                "TableName": self._table().name,
                "Key": {"order_id": order.order_id, "user_id": order.user_id},
                "UpdateExpression": "SET " + ", ".join(assignments),
                "ConditionExpression": condition,
                "ExpressionAttributeNames": names,
                "ExpressionAttributeValues": values,
            }
        }

    def move(
        self,
        order: Order,
        target: OrderStatus,
        *,
        actor: str,
        note: str | None = None,
        changes: Mapping[str, Any] | None = None,
        condition: Any = None,
    ) -> Order:
        """Move `order` to `target` (checked against the state machine) if it is still in the status it
        was read with; OrderChangedError otherwise. `changes` are set in the same write."""
        check_transition(order.order_status, target)
        timestamp = now_iso()
        entry = HistoryEntry(
            status=target.value,
            previous_status=order.order_status.value,
            at=timestamp,
            actor=actor,
            note=note,
        )
        fields: dict[str, Any] = {"order_status": target.value, "updated_at": timestamp, **(changes or {})}
        expected = attr("order_status").eq(order.order_status.value)
        return self._update(
            order,
            fields,
            append_history=entry,
            condition=expected if condition is None else expected & condition,
        )

    def update_fields(
        self,
        order: Order,
        changes: Mapping[str, Any],
        *,
        condition: Any = None,
        history: HistoryEntry | None = None,
    ) -> Order:
        """Set fields without a status change, under an optional condition (None values are removed)."""
        remove = tuple(field for field, value in changes.items() if value is None)
        kept = {field: value for field, value in changes.items() if value is not None}
        return self._update(
            order,
            {**kept, "updated_at": now_iso()},
            condition=condition,
            remove=remove,
            append_history=history,
        )

    def _update(
        self,
        order: Order,
        fields: Mapping[str, Any],
        *,
        append_history: HistoryEntry | None = None,
        condition: Any = None,
        remove: tuple[str, ...] = (),
    ) -> Order:
        # Placeholders must not look like the ones boto3's condition builder generates (#n0, :v0):
        # both end up in one ExpressionAttributeValues map.
        names: dict[str, str] = {}
        values: dict[str, Any] = {}
        assignments: list[str] = []
        for position, (field, value) in enumerate(sorted(fields.items())):
            names[f"#set{position}"] = field
            values[f":set{position}"] = to_item(value)
            assignments.append(f"#set{position} = :set{position}")
        if append_history is not None:
            names["#history"] = "history"
            values[":entry"] = [to_item(append_history.model_dump(mode="json", exclude_none=True))]
            values[":empty"] = []
            assignments.append("#history = list_append(if_not_exists(#history, :empty), :entry)")
        expression = "SET " + ", ".join(assignments)
        if remove:
            for position, field in enumerate(remove):
                names[f"#del{position}"] = field
            expression += " REMOVE " + ", ".join(f"#del{position}" for position in range(len(remove)))
        exists = attr("order_id").exists()
        try:
            response = self._table().update_item(
                Key={"order_id": order.order_id, "user_id": order.user_id},
                UpdateExpression=expression,
                ConditionExpression=exists if condition is None else exists & condition,
                ExpressionAttributeNames=names,
                ExpressionAttributeValues=values,
                ReturnValues="ALL_NEW",
            )
        except errors().ConditionalCheckFailedException:
            raise OrderChangedError(order.order_id) from None
        return Order.model_validate(from_item(response["Attributes"]))

    # -- queries --------------------------------------------------------------------------------

    def for_user(self, user_id: str, *, limit: int, start_key: dict[str, Any] | None) -> OrderPage:
        """One page of a user's orders, newest first (user_id-order_date-index)."""
        return self._page(
            {
                "IndexName": USER_INDEX,
                "KeyConditionExpression": key("user_id").eq(user_id),
                "ScanIndexForward": False,
            },
            limit=limit,
            start_key=start_key,
        )

    def by_index(
        self,
        *,
        status: str | None,
        payment_status: str | None,
        date_from: str | None,
        date_to: str | None,
        limit: int,
        start_key: dict[str, Any] | None,
    ) -> OrderPage:
        """Orders of one order status (or, without one, one payment status), newest first, in a date
        range; the other status, when both are given, is a filter."""
        if status is not None:
            index, condition = STATUS_INDEX, key("order_status").eq(status)
            extra_filter = attr("payment_status").eq(payment_status) if payment_status else None
        elif payment_status is not None:
            index, condition = PAYMENT_INDEX, key("payment_status").eq(payment_status)
            extra_filter = None
        else:
            raise ValueError("by_index needs a status or a payment status")
        if date_from and date_to:
            condition = condition & key("order_date").between(date_from, date_to)
        elif date_from:
            condition = condition & key("order_date").gte(date_from)
        elif date_to:
            condition = condition & key("order_date").lte(date_to)
        arguments: dict[str, Any] = {
            "IndexName": index,
            "KeyConditionExpression": condition,
            "ScanIndexForward": False,
        }
        if extra_filter is not None:
            arguments["FilterExpression"] = extra_filter
        return self._page(arguments, limit=limit, start_key=start_key)

    def _page(self, arguments: dict[str, Any], *, limit: int, start_key: dict[str, Any] | None) -> OrderPage:
        """Up to `limit` orders; keeps querying while a filter leaves a page short."""
        orders: list[Order] = []
        if start_key:
            arguments["ExclusiveStartKey"] = start_key
        while True:
            response = self._table().query(**arguments, Limit=limit - len(orders))
            orders.extend(Order.model_validate(from_item(item)) for item in response.get("Items", []))
            last_key = response.get("LastEvaluatedKey")
            if last_key is None or len(orders) >= limit:
                return OrderPage(orders, from_item(last_key) if last_key else None)
            arguments["ExclusiveStartKey"] = last_key

    def by_email(self, email: str, *, limit: int, start_key: dict[str, Any] | None) -> OrderPage:
        """Orders placed with this (normalized) email, newest first: a page of user_email-order_date-index
        (keys only), then the orders themselves by key."""
        arguments: dict[str, Any] = {
            "IndexName": EMAIL_INDEX,
            "KeyConditionExpression": key("user_email").eq(email),
            "ScanIndexForward": False,
            "Limit": limit,
        }
        if start_key:
            arguments["ExclusiveStartKey"] = start_key
        response = self._table().query(**arguments)
        last_key = response.get("LastEvaluatedKey")
        return OrderPage(self._by_keys(response.get("Items", [])), from_item(last_key) if last_key else None)

    def by_number(self, order_number: str) -> list[Order]:
        """The order with this order number (SO-…), through order_number-index; none when unknown."""
        response = self._table().query(
            IndexName=NUMBER_INDEX, KeyConditionExpression=key("order_number").eq(order_number), Limit=10
        )
        return self._by_keys(response.get("Items", []))

    def _by_keys(self, index_items: list[dict[str, Any]]) -> list[Order]:
        """The orders an index page named, in its order (strongly consistent BatchGetItem)."""
        keys = [{"order_id": item["order_id"], "user_id": item["user_id"]} for item in index_items]
        name = self._table().name
        found: dict[tuple[str, str], Order] = {}
        for start in range(0, len(keys), BATCH_GET_LIMIT):
            request: dict[str, Any] = {
                name: {"Keys": keys[start : start + BATCH_GET_LIMIT], "ConsistentRead": True}
            }
            while request:
                response = dynamodb_resource().batch_get_item(RequestItems=request)
                for item in response.get("Responses", {}).get(name, []):
                    order = Order.model_validate(from_item(item))
                    found[(order.order_id, order.user_id)] = order
                request = response.get("UnprocessedKeys") or {}
        return [found[(k["order_id"], k["user_id"])] for k in keys if (k["order_id"], k["user_id"]) in found]

    def sales_between(self, date_from: str, date_to: str) -> Iterator[OrderSale]:
        """Every order placed between the two order_date bounds, with only the fields the sales report
        reads: one Query of payment_status-order_date-index per payment status (each order has exactly
        one), so the report never scans the table."""
        names = {f"#f{position}": name for position, name in enumerate(SALE_FIELDS)}
        for payment_status in PaymentStatus:
            arguments: dict[str, Any] = {
                "IndexName": PAYMENT_INDEX,
                "KeyConditionExpression": key("payment_status").eq(payment_status.value)
                & key("order_date").between(date_from, date_to),
                "ProjectionExpression": ", ".join(names),
                "ExpressionAttributeNames": names,
            }
            for item in every_item(self._table().query, **arguments):
                yield OrderSale.model_validate(item)

    def items_of_owner(self, owner_key: str, *, newest_first: bool = True) -> Iterator[dict[str, Any]]:
        """Every stored order item whose user_id is `owner_key` (a user id or "guest#<email>"), across
        all result pages: the privacy export and erase need the items exactly as stored."""
        arguments: dict[str, Any] = {
            "IndexName": USER_INDEX,
            "KeyConditionExpression": key("user_id").eq(owner_key),
            "ScanIndexForward": not newest_first,
        }
        yield from every_item(self._table().query, **arguments)

    def has_bought(self, user_id: str, product_id: str) -> bool:
        """True when one of the user's orders containing the product was paid for and is neither
        refunded, cancelled nor failed (paid, processing, shipped or delivered): the basis of a review's
        `verified_purchase` badge. One Query of the user's orders (user_id-order_date-index)."""
        arguments: dict[str, Any] = {
            "IndexName": USER_INDEX,
            "KeyConditionExpression": key("user_id").eq(user_id),
            "FilterExpression": attr("order_status").is_in(sorted(status.value for status in PAID_FOR)),
            "ProjectionExpression": "order_id, #items",
            "ExpressionAttributeNames": {"#items": "items"},
        }
        return any(
            isinstance(line, dict) and line.get("product_id") == product_id
            for order in every_item(self._table().query, **arguments)
            for line in order.get("items", [])
        )

    def ordered_since(self, user_id: str, moment: str) -> bool:
        """True when the user placed an order after `moment` (user_id-order_date-index; reads one item)."""
        response = self._table().query(
            IndexName=USER_INDEX,
            KeyConditionExpression=key("user_id").eq(user_id) & key("order_date").gt(moment),
            ProjectionExpression="order_id",
            Limit=1,
        )
        return bool(response.get("Items"))

    def replace_item(self, original: dict[str, Any], replacement: dict[str, Any]) -> None:
        """Put `replacement` (its key may differ), then delete `original`: interrupted in between, this
        leaves a duplicate for a retry to remove, never a lost order."""
        self._table().put_item(Item=replacement)
        self._table().delete_item(Key={"order_id": original["order_id"], "user_id": original["user_id"]})


def _is_counter(item: Mapping[str, Any]) -> bool:
    return item.get("user_id") == DOCUMENT_COUNTER


def _pause(attempt: int) -> None:
    """A short random wait, longer after each lost round, so the racers do not collide in step."""
    time.sleep(random.uniform(0, 0.004 * min(attempt + 1, 10)))  # noqa: S311 - jitter, not a secret
