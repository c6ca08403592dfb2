"""The real local-stage templates become working moto resources: tables, queues, bucket, user pool."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
import requests

from cdk_app.local.aws_services import LocalAws, create_resources
from cdk_app.local.cognito_tokens import CognitoTokenVerifier, InvalidTokenError, issuer_of, moto_jwks_url
from cdk_app.local.template_model import ShopModel, read_shop_model

PASSWORD = "Correct-Horse-42!"


@pytest.fixture(scope="module")
def model(local_templates: dict[str, dict[str, Any]], moto_aws: LocalAws) -> ShopModel:
    shop = read_shop_model(local_templates)
    create_resources(shop, moto_aws)
    return shop


def test_every_template_table_exists_with_its_indexes_and_ttl(model: ShopModel, moto_aws: LocalAws) -> None:
    dynamodb = moto_aws.client("dynamodb")
    existing = set(dynamodb.list_tables()["TableNames"])
    assert {table.name for table in model.tables} <= existing
    assert "local-Products" in existing
    products = dynamodb.describe_table(TableName="local-Products")["Table"]
    assert {index["IndexName"] for index in products.get("GlobalSecondaryIndexes", [])} == {
        index.name for table in model.tables if table.name == "local-Products" for index in table.indexes
    }
    ttl = dynamodb.describe_time_to_live(TableName="local-Cart")["TimeToLiveDescription"]
    assert (ttl["TimeToLiveStatus"], ttl["AttributeName"]) == ("ENABLED", "expires_at")


def test_put_get_and_query_an_index(moto_aws: LocalAws) -> None:
    dynamodb = moto_aws.client("dynamodb")
    item = {
        "product_id": {"S": "p-1"},
        "category": {"S": "shoes"},
        "created_at": {"S": "2026-01-01"},
        "name": {"S": "Runner"},
    }
    dynamodb.put_item(TableName="local-Products", Item=item)
    assert dynamodb.get_item(TableName="local-Products", Key={"product_id": {"S": "p-1"}})["Item"] == item
    found = dynamodb.query(
        TableName="local-Products",
        IndexName="category-created_at-index",
        KeyConditionExpression="category = :c",
        ExpressionAttributeValues={":c": {"S": "shoes"}},
    )["Items"]
    assert [entry["product_id"]["S"] for entry in found] == ["p-1"]


def test_queues_have_their_visibility_timeout_and_redrive_policy(
    model: ShopModel, moto_aws: LocalAws
) -> None:
    sqs = moto_aws.client("sqs")
    url = sqs.get_queue_url(QueueName="local-order-processing-queue")["QueueUrl"]
    assert (
        model.resources.values[
            next(q for q in model.queues if q.name.endswith("order-processing-queue")).address
        ].ref
        == url
    )
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    redrive = json.loads(attributes["RedrivePolicy"])
    assert redrive["deadLetterTargetArn"].endswith(":local-order-processing-dlq")
    assert int(redrive["maxReceiveCount"]) == 3
    template_queue = next(q for q in model.queues if q.name == "local-order-processing-queue")
    assert int(attributes["VisibilityTimeout"]) == template_queue.visibility_timeout


def test_environment_imports_resolve_to_moto_values(model: ShopModel, moto_aws: LocalAws) -> None:
    from cdk_app.local.function_runtime import resolve_environment

    functions = [f for f in model.functions if f.is_python and "ORDER_PROCESSING_QUEUE_URL" in f.environment]
    if not functions:
        pytest.skip("no function of the current Api stack sends to order-processing")
    environment = resolve_environment(functions[0], model.resolver, {"REDIS_URL": "redis://x"})
    assert environment["ORDER_PROCESSING_QUEUE_URL"].startswith(moto_aws.endpoint_url)
    assert "REDIS_HOST" not in environment
    assert environment["REDIS_URL"] == "redis://x"


def test_moto_cognito_tokens_verify_and_tampering_is_caught(model: ShopModel, moto_aws: LocalAws) -> None:
    (pool,) = model.user_pools
    pool_id = model.resources.values[pool.address].ref
    client_id = model.resources.values[pool.clients[0].address].ref
    cognito = moto_aws.client("cognito-idp")
    assert [g["GroupName"] for g in cognito.list_groups(UserPoolId=pool_id)["Groups"]] == ["admin"]
    cognito.sign_up(
        ClientId=client_id,
        Username="shopper@example.com",
        Password=PASSWORD,
        UserAttributes=[{"Name": "email", "Value": "shopper@example.com"}],
    )
    cognito.admin_confirm_sign_up(UserPoolId=pool_id, Username="shopper@example.com")
    cognito.admin_add_user_to_group(UserPoolId=pool_id, Username="shopper@example.com", GroupName="admin")
    tokens = cognito.initiate_auth(
        ClientId=client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "shopper@example.com", "PASSWORD": PASSWORD},
    )["AuthenticationResult"]
    jwks_url = moto_jwks_url(moto_aws.endpoint_url, pool_id)
    assert requests.get(jwks_url, timeout=5).json()["keys"][0]["kid"] == "dummy"
    verifier = CognitoTokenVerifier(
        issuer=issuer_of(moto_aws.region, pool_id), client_ids={client_id}, jwks_url=jwks_url
    )
    claims = verifier.verify(tokens["IdToken"])
    assert claims["email"] == "shopper@example.com"
    assert claims["cognito:groups"] == ["admin"]
    assert claims["exp"] > time.time()
    header, payload, signature = tokens["IdToken"].split(".")
    with pytest.raises(InvalidTokenError):
        verifier.verify(f"{header}.{payload[:-4]}AAAA.{signature}")
    other_client = CognitoTokenVerifier(
        issuer=issuer_of(moto_aws.region, pool_id), client_ids={"another-client"}, jwks_url=jwks_url
    )
    with pytest.raises(InvalidTokenError):
        other_client.verify(tokens["IdToken"])
