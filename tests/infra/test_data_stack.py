"""Data: every table and GSI of seed 001 (+ Users, RateLimits, Idempotency), safe per stage."""

from __future__ import annotations

from typing import Any

import pytest

from cdk_app.synth import SynthesizedStage

# Written out from seed 001 (not from shop.contracts.tables) so that a change to the shared spec that breaks
# the plan fails here. Sparse string keys stand in for the plan's Boolean `featured` and `sent`.
EXPECTED_TABLES: dict[str, dict[str, Any]] = {
    "Products": {
        "keys": [("product_id", "HASH", "S")],
        "gsis": {
            "category-created_at-index": [("category", "S"), ("created_at", "S")],
            "featured-created_at-index": [("featured_key", "S"), ("created_at", "S")],
            "status-sales_count-index": [("status", "S"), ("sales_count", "N")],
        },
        "ttl": None,
    },
    "Orders": {
        "keys": [("order_id", "HASH", "S"), ("user_id", "RANGE", "S")],
        "gsis": {
            "user_id-order_date-index": [("user_id", "S"), ("order_date", "S")],
            "order_status-order_date-index": [("order_status", "S"), ("order_date", "S")],
            "payment_status-order_date-index": [("payment_status", "S"), ("order_date", "S")],
            # The admin's order search (docs/decisions.md, "Order search").
            "user_email-order_date-index": [("user_email", "S"), ("order_date", "S")],
            "order_number-index": [("order_number", "S")],
        },
        "ttl": None,
    },
    "Cart": {"keys": [("user_id", "HASH", "S")], "gsis": {}, "ttl": "expires_at"},
    "Reviews": {
        "keys": [("review_id", "HASH", "S"), ("product_id", "RANGE", "S")],
        "gsis": {
            "product_id-created_at-index": [("product_id", "S"), ("created_at", "S")],
            "user_id-created_at-index": [("user_id", "S"), ("created_at", "S")],
        },
        "ttl": None,
    },
    "ProductViews": {
        "keys": [("view_id", "HASH", "S"), ("timestamp", "RANGE", "S")],
        "gsis": {
            "user_id-timestamp-index": [("user_id", "S"), ("timestamp", "S")],
            "session_id-timestamp-index": [("session_id", "S"), ("timestamp", "S")],
            "product_id-timestamp-index": [("product_id", "S"), ("timestamp", "S")],
        },
        "ttl": "expires_at",
    },
    "MarketingQueue": {
        "keys": [("queue_id", "HASH", "S")],
        "gsis": {
            "sent-scheduled_send_time-index": [("pending_send", "S"), ("scheduled_send_time", "S")],
            "user_email-trigger_type-index": [("user_email", "S"), ("trigger_type", "S")],
        },
        "ttl": "expires_at",
    },
    "EmailPreferences": {
        "keys": [("user_id", "HASH", "S")],
        "gsis": {"unsubscribe_token-index": [("unsubscribe_token", "S")]},
        "ttl": None,
    },
    "WatchList": {
        "keys": [("user_id", "HASH", "S"), ("product_id", "RANGE", "S")],
        "gsis": {"product_id-user_id-index": [("product_id", "S"), ("user_id", "S")]},
        "ttl": None,
    },
    "Users": {"keys": [("user_id", "HASH", "S")], "gsis": {"email-index": [("email", "S")]}, "ttl": None},
    "RateLimits": {"keys": [("limit_key", "HASH", "S")], "gsis": {}, "ttl": "expires_at"},
    # aws_lambda_powertools DynamoDBPersistenceLayer's default schema.
    "Idempotency": {"keys": [("id", "HASH", "S")], "gsis": {}, "ttl": "expiration"},
    # The kill switches' one item (docs/runbooks.md, "Kill switches").
    "RuntimeFlags": {"keys": [("flag_set", "HASH", "S")], "gsis": {}, "ttl": None},
    # Promotions (issue 18): one item per code and one usage counter per code and shopper; shared codes
    # are listed through a sparse index, personal codes expire.
    "Promotions": {
        "keys": [("code", "HASH", "S"), ("entry", "RANGE", "S")],
        "gsis": {"listing-created_at-index": [("listing", "S"), ("created_at", "S")]},
        "ttl": "expires_at",
    },
}


def _tables(stage: SynthesizedStage) -> dict[str, dict[str, Any]]:
    tables = {}
    for resource in stage.template("Data")["Resources"].values():
        if resource["Type"] == "AWS::DynamoDB::GlobalTable":
            name = resource["Properties"]["TableName"].split("-", 1)[1]
            tables[name] = resource
    return tables


def _attribute_types(properties: dict[str, Any]) -> dict[str, str]:
    return {item["AttributeName"]: item["AttributeType"] for item in properties["AttributeDefinitions"]}


@pytest.mark.parametrize("name", sorted(EXPECTED_TABLES))
def test_table_keys_gsis_and_ttl(dev: SynthesizedStage, name: str) -> None:
    expected = EXPECTED_TABLES[name]
    table = _tables(dev)[name]["Properties"]
    types = _attribute_types(table)
    assert table["TableName"] == f"dev-{name}"
    assert [
        (key["AttributeName"], key["KeyType"], types[key["AttributeName"]]) for key in table["KeySchema"]
    ] == (expected["keys"])
    gsis = {
        gsi["IndexName"]: [(key["AttributeName"], types[key["AttributeName"]]) for key in gsi["KeySchema"]]
        for gsi in table.get("GlobalSecondaryIndexes", [])
    }
    assert gsis == expected["gsis"]
    for gsi in table.get("GlobalSecondaryIndexes", []):
        # Every index projects everything except the order search's (the test below).
        if gsi["IndexName"] not in ORDER_SEARCH_INDEXES:
            assert gsi["Projection"]["ProjectionType"] == "ALL"
    if expected["ttl"]:
        assert table["TimeToLiveSpecification"] == {"AttributeName": expected["ttl"], "Enabled": True}
    else:
        assert "TimeToLiveSpecification" not in table


ORDER_SEARCH_INDEXES = ("user_email-order_date-index", "order_number-index")


def test_the_order_search_indexes_project_only_what_never_changes(dev: SynthesizedStage) -> None:
    """An order's later writes (payment, status, history) must not rewrite the search indexes: each
    projects its keys and one attribute fixed at creation."""
    indexes = {
        gsi["IndexName"]: gsi["Projection"]
        for gsi in _tables(dev)["Orders"]["Properties"]["GlobalSecondaryIndexes"]
    }
    assert indexes["user_email-order_date-index"] == {
        "ProjectionType": "INCLUDE",
        "NonKeyAttributes": ["order_number"],
    }
    assert indexes["order_number-index"] == {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["order_date"]}


def test_seed_tables_plus_users_ratelimits_idempotency_exist(dev: SynthesizedStage) -> None:
    assert set(EXPECTED_TABLES) <= set(_tables(dev))


def test_tables_are_on_demand_encrypted_and_point_in_time_recoverable(dev: SynthesizedStage) -> None:
    for name, table in _tables(dev).items():
        properties = table["Properties"]
        assert properties["BillingMode"] == "PAY_PER_REQUEST", name
        assert properties["SSESpecification"] == {"SSEEnabled": True, "SSEType": "KMS"}, name
        replica = properties["Replicas"][0]
        assert replica["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"] is True, name


def test_prod_tables_are_retained_and_deletion_protected(prod: SynthesizedStage) -> None:
    for name, table in _tables(prod).items():
        assert table["DeletionPolicy"] == "Retain", name
        assert table["UpdateReplacePolicy"] == "Retain", name
        assert table["Properties"]["Replicas"][0]["DeletionProtectionEnabled"] is True, name


def test_dev_tables_are_destroyable(dev: SynthesizedStage) -> None:
    for name, table in _tables(dev).items():
        assert table["DeletionPolicy"] == "Delete", name
        assert table["Properties"]["Replicas"][0].get("DeletionProtectionEnabled", False) is False, name


def _buckets(stage: SynthesizedStage) -> dict[str, dict[str, Any]]:
    return {
        logical_id: resource
        for logical_id, resource in stage.template("Data")["Resources"].items()
        if resource["Type"] == "AWS::S3::Bucket"
    }


def test_product_image_bucket_is_private_encrypted_versioned_and_logged(dev: SynthesizedStage) -> None:
    images = next(
        bucket for logical_id, bucket in _buckets(dev).items() if logical_id.startswith("ProductImages")
    )
    properties = images["Properties"]
    assert properties["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True,
        "BlockPublicPolicy": True,
        "IgnorePublicAcls": True,
        "RestrictPublicBuckets": True,
    }
    encryption = properties["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]
    assert encryption["ServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"
    assert properties["VersioningConfiguration"] == {"Status": "Enabled"}
    assert properties["LoggingConfiguration"]["LogFilePrefix"] == "product-images/"


def test_every_bucket_denies_plain_http(dev: SynthesizedStage) -> None:
    policies = [
        resource["Properties"]
        for resource in dev.template("Data")["Resources"].values()
        if resource["Type"] == "AWS::S3::BucketPolicy"
    ]
    assert len(policies) == len(_buckets(dev))
    for policy in policies:
        statements = policy["PolicyDocument"]["Statement"]
        assert any(
            statement["Effect"] == "Deny"
            and statement["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
            for statement in statements
        )


def test_prod_buckets_are_retained(prod: SynthesizedStage) -> None:
    for logical_id, bucket in _buckets(prod).items():
        assert bucket["DeletionPolicy"] == "Retain", logical_id
