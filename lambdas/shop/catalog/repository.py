"""Products in DynamoDB: reads through the table's GSIs, writes as targeted atomic updates.

Updates SET only the fields that changed and `ADD cache_version 1`, so they never overwrite the
review counters or sales counts that other writers maintain concurrently.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator, Mapping
from typing import Any

from shop.catalog.model import Category, Product, ProductDraft, ProductStatus
from shop.contracts.tables import FEATURED_MARKER, PRODUCTS
from shop.platform.clock import now_iso
from shop.platform.dynamodb import attr, dynamodb_resource, errors, every_item, from_item, key, table, to_item

CATEGORY_INDEX = PRODUCTS.index("category-created_at-index").name
FEATURED_INDEX = PRODUCTS.index("featured-created_at-index").name
STATUS_SALES_INDEX = PRODUCTS.index("status-sales_count-index").name
FEATURED_KEY = "featured_key"
BATCH_GET_LIMIT = 100


class ProductMissingError(LookupError):
    """The product to update does not exist."""


def new_product_id() -> str:
    return f"prod_{secrets.token_hex(8)}"


class ProductRepository:
    """Reads and writes of the Products table."""

    def _table(self) -> Any:
        return table(PRODUCTS.logical_name)

    def stock_change(self, product: Product, lines: dict[str | None, int], sign: int) -> dict[str, Any]:
        """The stock move of an order's lines of `product`, as one Update of a TransactWriteItems:
        `sign` -1 takes stock (never below zero), +1 gives it back. One operation for all the lines,
        because DynamoDB allows one per item in a transaction and variants of one product share it."""
        names: dict[str, str] = {
            "#sales": "sales_count",
            "#version": "cache_version",
            "#updated": "updated_at",
        }
        values: dict[str, Any] = {
            ":sold": -sign * sum(lines.values()),
            ":one": 1,
            ":now": now_iso(),
            ":zero": 0,
        }
        sets = ["#updated = :now", "#sales = if_not_exists(#sales, :zero) + :sold"]
        conditions = ["attribute_exists(product_id)"]
        for position, (variant_sku, quantity) in enumerate(
            sorted(lines.items(), key=lambda item: item[0] or "")
        ):
            if product.digital_download:
                continue  # digital goods have no stock to draw on
            values[f":q{position}"] = quantity
            if variant_sku is None:
                target = "#stock"
                names["#stock"] = "stock_quantity"
            else:
                index = next(i for i, variant in enumerate(product.variants) if variant.sku == variant_sku)
                names["#variants"] = "variants"
                names["#vstock"] = "stock_quantity"
                names["#vsku"] = "sku"
                target = f"#variants[{index}].#vstock"
                values[f":sku{position}"] = variant_sku
                # The index was read a moment ago: the condition proves it still names that variant.
                conditions.append(f"#variants[{index}].#vsku = :sku{position}")
            if sign < 0:
                sets.append(f"{target} = {target} - :q{position}")
                conditions.append(f"{target} >= :q{position}")
            else:
                sets.append(f"{target} = {target} + :q{position}")
        return {
            "Update": {
                "TableName": self._table().name,
                "Key": {"product_id": product.product_id},
                "UpdateExpression": "SET " + ", ".join(sets) + " ADD #version :one",
                "ConditionExpression": " AND ".join(conditions),
                "ExpressionAttributeNames": names,
                "ExpressionAttributeValues": to_item(values),
            }
        }

    def rating_added(self, product_id: str, rating: int) -> dict[str, Any]:
        """A new review's rating counted on its product, as one Update of a TransactWriteItems (the
        product must exist); the cache version moves so cached reads see the new average."""
        return {
            "Update": {
                "TableName": self._table().name,
                "Key": {"product_id": product_id},
                "UpdateExpression": "ADD rating_total :rating, review_count :one, cache_version :one",
                "ConditionExpression": "attribute_exists(product_id)",
                "ExpressionAttributeValues": {":rating": rating, ":one": 1},
            }
        }

    def get(self, product_id: str, *, consistent: bool = False) -> Product | None:
        response = self._table().get_item(Key={"product_id": product_id}, ConsistentRead=consistent)
        item = response.get("Item")
        return Product.model_validate(from_item(item)) if item else None

    def get_many(self, product_ids: list[str], *, consistent: bool = False) -> dict[str, Product]:
        """Products by id (missing ids are absent from the result), in BatchGetItem chunks."""
        found: dict[str, Product] = {}
        unique_ids = list(dict.fromkeys(product_ids))
        name = self._table().name
        for start in range(0, len(unique_ids), BATCH_GET_LIMIT):
            request: dict[str, Any] = {
                name: {
                    "Keys": [
                        {"product_id": product_id}
                        for product_id in unique_ids[start : start + BATCH_GET_LIMIT]
                    ],
                    "ConsistentRead": consistent,
                }
            }
            while request:
                response = dynamodb_resource().batch_get_item(RequestItems=request)
                for item in response.get("Responses", {}).get(name, []):
                    product = Product.model_validate(from_item(item))
                    found[product.product_id] = product
                request = response.get("UnprocessedKeys") or {}
        return found

    def create(self, draft: ProductDraft) -> Product:
        timestamp = now_iso()
        product = Product.model_validate(
            {
                **draft.model_dump(mode="json"),
                "product_id": new_product_id(),
                "created_at": timestamp,
                "updated_at": timestamp,
            }
        )
        item = to_item(product.model_dump(mode="json"))
        if product.featured:
            item[FEATURED_KEY] = FEATURED_MARKER
        self._table().put_item(Item=item, ConditionExpression=attr("product_id").not_exists())
        return product

    def update(self, product_id: str, changes: Mapping[str, Any]) -> Product:
        """Apply field changes (None removes an optional field) and bump cache_version atomically."""
        names: dict[str, str] = {"#updated_at": "updated_at", "#cache_version": "cache_version"}
        values: dict[str, Any] = {":updated_at": now_iso(), ":one": 1}
        assignments = ["#updated_at = :updated_at"]
        removals: list[str] = []
        for position, (field, value) in enumerate(sorted(changes.items())):
            names[f"#f{position}"] = field
            if value is None:
                removals.append(f"#f{position}")
            else:
                values[f":v{position}"] = to_item(value)
                assignments.append(f"#f{position} = :v{position}")
        if "featured" in changes:
            names["#featured_key"] = FEATURED_KEY
            if changes["featured"]:
                values[":featured"] = FEATURED_MARKER
                assignments.append("#featured_key = :featured")
            else:
                removals.append("#featured_key")
        expression = "SET " + ", ".join(assignments) + " ADD #cache_version :one"
        if removals:
            expression += " REMOVE " + ", ".join(removals)
        try:
            response = self._table().update_item(
                Key={"product_id": product_id},
                UpdateExpression=expression,
                ConditionExpression=attr("product_id").exists(),
                ExpressionAttributeNames=names,
                ExpressionAttributeValues=values,
                ReturnValues="ALL_NEW",
            )
        except errors().ConditionalCheckFailedException:
            raise ProductMissingError(product_id) from None
        return Product.model_validate(from_item(response["Attributes"]))

    def _query(self, **arguments: Any) -> Iterator[Product]:
        for item in every_item(self._table().query, **arguments):
            yield Product.model_validate(item)

    def active_in_category(self, category: Category) -> list[Product]:
        """Every active product of a category, newest first (category-created_at-index)."""
        return list(
            self._query(
                IndexName=CATEGORY_INDEX,
                KeyConditionExpression=key("category").eq(category.value),
                FilterExpression=attr("status").eq(ProductStatus.ACTIVE.value),
                ScanIndexForward=False,
            )
        )

    def active_by_sales(self, limit: int | None = None) -> list[Product]:
        """Active products, best-selling first (status-sales_count-index); all of them without a limit."""
        arguments: dict[str, Any] = {
            "IndexName": STATUS_SALES_INDEX,
            "KeyConditionExpression": key("status").eq(ProductStatus.ACTIVE.value),
            "ScanIndexForward": False,
        }
        if limit is None:
            return list(self._query(**arguments))
        products: list[Product] = []
        for product in self._query(**arguments, Limit=limit):
            products.append(product)
            if len(products) >= limit:
                break
        return products

    def active_product_dates(self) -> list[tuple[str, str]]:
        """(product_id, updated_at) of every active product, by id: what the sitemap lists. One paged
        Query of status-sales_count-index returning only the two attributes."""
        arguments: dict[str, Any] = {
            "IndexName": STATUS_SALES_INDEX,
            "KeyConditionExpression": key("status").eq(ProductStatus.ACTIVE.value),
            "ProjectionExpression": "product_id, updated_at",
        }
        return sorted(
            (str(item["product_id"]), str(item.get("updated_at", "")))
            for item in every_item(self._table().query, **arguments)
        )

    def featured(self, limit: int) -> list[Product]:
        """Featured active products, newest first (the sparse featured-created_at-index)."""
        products: list[Product] = []
        for product in self._query(
            IndexName=FEATURED_INDEX,
            KeyConditionExpression=key(FEATURED_KEY).eq(FEATURED_MARKER),
            FilterExpression=attr("status").eq(ProductStatus.ACTIVE.value),
            ScanIndexForward=False,
        ):
            products.append(product)
            if len(products) >= limit:
                break
        return products

    def count_active_in_category(self, category: Category) -> int:
        """How many active products a category has, counted by DynamoDB without returning items."""
        arguments: dict[str, Any] = {
            "IndexName": CATEGORY_INDEX,
            "KeyConditionExpression": key("category").eq(category.value),
            "FilterExpression": attr("status").eq(ProductStatus.ACTIVE.value),
            "Select": "COUNT",
        }
        total = 0
        while True:
            response = self._table().query(**arguments)
            total += int(response.get("Count", 0))
            if "LastEvaluatedKey" not in response:
                return total
            arguments["ExclusiveStartKey"] = response["LastEvaluatedKey"]

    def by_status(
        self, status: ProductStatus, *, start_after: Mapping[str, Any] | None, page_size: int
    ) -> Iterator[Product]:
        """Every product of one status, best-selling first (status-sales_count-index), read `page_size`
        at a time and lazily, resuming after the product whose index key `start_after` holds."""
        arguments: dict[str, Any] = {
            "IndexName": STATUS_SALES_INDEX,
            "KeyConditionExpression": key("status").eq(status.value),
            "ScanIndexForward": False,
            "Limit": page_size,
        }
        if start_after is not None:
            arguments["ExclusiveStartKey"] = {**start_after, "status": status.value}
        return self._query(**arguments)
