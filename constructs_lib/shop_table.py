"""A DynamoDB table built from a shared TableSpec with the shop's data-safety defaults."""

from __future__ import annotations

from typing import Any

from aws_cdk import RemovalPolicy
from aws_cdk import aws_dynamodb as dynamodb
from constructs import Construct

from shop.contracts.tables import Key, TableSpec

_ATTRIBUTE_TYPES = {"S": dynamodb.AttributeType.STRING, "N": dynamodb.AttributeType.NUMBER}


def _attribute(key: Key) -> dynamodb.Attribute:
    return dynamodb.Attribute(name=key.name, type=_ATTRIBUTE_TYPES[key.type])


class ShopTable(Construct):
    """On-demand, KMS-encrypted, point-in-time-recoverable table; retained and protected when asked."""

    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        spec: TableSpec,
        table_name: str,
        retain: bool,
        **kwargs: Any,
    ) -> None:
        super().__init__(scope, id_, **kwargs)
        self.spec = spec
        self.table = dynamodb.TableV2(
            self,
            "Table",
            table_name=table_name,
            partition_key=_attribute(spec.partition_key),
            sort_key=_attribute(spec.sort_key) if spec.sort_key else None,
            billing=dynamodb.Billing.on_demand(),
            encryption=dynamodb.TableEncryptionV2.aws_managed_key(),
            point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
                point_in_time_recovery_enabled=True
            ),
            deletion_protection=retain,
            removal_policy=RemovalPolicy.RETAIN if retain else RemovalPolicy.DESTROY,
            time_to_live_attribute=spec.ttl_attribute,
            dynamo_stream=dynamodb.StreamViewType.NEW_AND_OLD_IMAGES if spec.stream else None,
            global_secondary_indexes=[
                dynamodb.GlobalSecondaryIndexPropsV2(
                    index_name=index.name,
                    partition_key=_attribute(index.partition_key),
                    sort_key=_attribute(index.sort_key) if index.sort_key else None,
                    projection_type=(
                        dynamodb.ProjectionType.INCLUDE if index.include else dynamodb.ProjectionType.ALL
                    ),
                    non_key_attributes=list(index.include) or None,
                )
                for index in spec.indexes
            ],
        )
