"""Data: every DynamoDB table of the shop and the product-image bucket."""

from __future__ import annotations

from typing import Any

from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_s3 as s3
from constructs import Construct

from cdk_app.config import StageConfig
from constructs_lib.private_bucket import AccessLogBucket, PrivateBucket
from constructs_lib.shop_table import ShopTable
from shop.tables import ALL_TABLES
from stacks.shop_stack import ShopStack


class DataStack(ShopStack):
    def __init__(self, scope: Construct, *, config: StageConfig, **kwargs: Any) -> None:
        super().__init__(
            scope, "Data", config=config, stateful=True, purpose="DynamoDB tables, product images", **kwargs
        )
        self.tables: dict[str, dynamodb.ITableV2] = {
            spec.logical_name: ShopTable(
                self,
                spec.logical_name,
                spec=spec,
                table_name=config.resource_name(spec.logical_name),
                retain=config.retains_data,
            ).table
            for spec in ALL_TABLES
        }
        access_logs = AccessLogBucket(self, "AccessLogs", retain=config.retains_data).bucket
        self.product_images_bucket = PrivateBucket(
            self,
            "ProductImages",
            retain=config.retains_data,
            access_logs=access_logs,
            log_prefix="product-images/",
            # Admins upload images straight from the browser with presigned PUT URLs.
            cors=[
                s3.CorsRule(
                    allowed_methods=[s3.HttpMethods.PUT, s3.HttpMethods.GET],
                    allowed_origins=[config.web_origin],
                    allowed_headers=["content-type"],
                    max_age=3000,
                )
            ],
        ).bucket
        self.access_log_bucket = access_logs

    def table(self, logical_name: str) -> dynamodb.ITableV2:
        return self.tables[logical_name]
