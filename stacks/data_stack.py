"""Data: every DynamoDB table of the shop, the product-image bucket and the digital-files bucket."""

from __future__ import annotations

import json
from typing import Any

from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_secretsmanager as secretsmanager
from constructs import Construct

from cdk_app.config import StageConfig
from constructs_lib.nag import acknowledge
from constructs_lib.private_bucket import AccessLogBucket, PrivateBucket
from constructs_lib.shop_table import ShopTable
from shop.contracts.product_images import SITE_PATH_PREFIX
from shop.contracts.tables import ALL_TABLES
from stacks.shop_stack import ShopStack

PAYMENT_SECRET_TEMPLATE = {
    "stripe_secret_key": "",
    "stripe_webhook_secret": "",
    "paypal_client_id": "",
    "paypal_client_secret": "",
    "paypal_webhook_id": "",
}


class DataStack(ShopStack):
    def __init__(self, scope: Construct, *, config: StageConfig, **kwargs: Any) -> None:
        super().__init__(
            scope,
            "Data",
            config=config,
            stateful=True,
            purpose="DynamoDB tables, product images, digital products' files",
            **kwargs,
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
        # The admin pages' presigned POST uploads. This stack comes before the Web stack, so it cannot
        # name the CloudFront domain a stage without a custom domain gets: it admits CloudFront's domain
        # pattern, which is safe because an upload needs a POST policy signed for one key, which only an
        # administrator's request to the API obtains; CORS only lets such a page read S3's answer.
        upload_origin = (
            f"https://{config.custom_domain.domain_name}"
            if config.custom_domain
            else "https://*.cloudfront.net"
        )
        self.product_images_bucket = PrivateBucket(
            self,
            "ProductImages",
            retain=config.retains_data,
            access_logs=access_logs,
            log_prefix="product-images/",
            # Admins upload images straight from the browser with presigned POST forms (PUT URLs too).
            cors=[
                s3.CorsRule(
                    allowed_methods=[s3.HttpMethods.POST, s3.HttpMethods.PUT, s3.HttpMethods.GET],
                    allowed_origins=[upload_origin],
                    allowed_headers=["content-type"],
                    max_age=3000,
                )
            ],
        ).bucket
        self.access_log_bucket = access_logs
        self._let_cloudfront_serve_product_images()
        # Digital products' files: a bucket of their own that no distribution, listing or public
        # policy reaches. shop_api may put objects under files/ (presigned uploads), order_api may
        # get them (presigned downloads after counting one); no other principal is granted anything.
        self.digital_files_bucket = PrivateBucket(
            self,
            "DigitalFiles",
            retain=config.retains_data,
            access_logs=access_logs,
            log_prefix="digital-files/",
            # Admins upload files straight from the browser with presigned POST forms; downloads are
            # top-level navigations to presigned GETs, which need no CORS.
            cors=[
                s3.CorsRule(
                    allowed_methods=[s3.HttpMethods.POST],
                    allowed_origins=[upload_origin],
                    allowed_headers=["content-type"],
                    max_age=3000,
                )
            ],
        ).bucket
        # Stripe and PayPal credentials: created empty here (stateful, survives redeploys of the Api
        # stack); operators paste the keys in once per stage. Never placed in environment variables.
        self.payment_provider_secret = secretsmanager.Secret(
            self,
            "PaymentProviderSecret",
            secret_name=config.resource_name("shop/payment-providers"),
            description="Stripe and PayPal API keys and webhook secrets of the shop",
            generate_secret_string=secretsmanager.SecretStringGenerator(
                secret_string_template=json.dumps(PAYMENT_SECRET_TEMPLATE),
                generate_string_key="unused_placeholder",
            ),
            removal_policy=self.data_removal_policy,
        )
        acknowledge(
            self.payment_provider_secret,
            "AwsSolutions-SMG4",
            "Provider keys are issued and rotated in the Stripe and PayPal dashboards, then pasted here "
            "(docs/runbooks.md); Secrets Manager cannot rotate them itself.",
        )

    def _let_cloudfront_serve_product_images(self) -> None:
        """The Web stack's distribution reads `product-images/*` (and nothing else; digital products'
        files are in a bucket of their own that no distribution reads).

        Written here rather than by CloudFront's OAC helper: a policy naming the distribution would make
        this stateful stack depend on the Web stack, which already depends on it (a cycle). Any
        distribution of this account may read the prefix, which holds only public catalog images.
        """
        self.product_images_bucket.add_to_resource_policy(
            iam.PolicyStatement(
                sid="CloudFrontReadsProductImages",
                principals=[iam.ServicePrincipal("cloudfront.amazonaws.com")],
                actions=["s3:GetObject"],
                resources=[self.product_images_bucket.arn_for_objects(f"{SITE_PATH_PREFIX}/*")],
                conditions={
                    "StringEquals": {"AWS:SourceAccount": self.account},
                    "ArnLike": {
                        "AWS:SourceArn": f"arn:{self.partition}:cloudfront::{self.account}:distribution/*"
                    },
                },
            )
        )

    def table(self, logical_name: str) -> dynamodb.ITableV2:
        return self.tables[logical_name]
