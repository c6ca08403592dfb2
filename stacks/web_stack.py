"""Web: the static site on S3 + CloudFront, with a config.json generated from the other stacks."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from aws_cdk import CfnOutput
from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_s3 as s3
from constructs import Construct

from cdk_app.config import StageConfig
from constructs_lib.site_policy import PaymentScripts
from constructs_lib.static_site import StaticSite
from shop.contracts.product_images import SITE_PATH_PREFIX
from stacks.shop_stack import ShopStack

WEB_DIR = Path(__file__).resolve().parent.parent / "web"


class WebStack(ShopStack):
    def __init__(
        self,
        scope: Construct,
        *,
        config: StageConfig,
        api_stage: apigw.Stage,
        user_pool: cognito.IUserPool,
        user_pool_client: cognito.IUserPoolClient,
        product_images_bucket: s3.IBucket,
        **kwargs: Any,
    ) -> None:
        super().__init__(
            scope, "Web", config=config, stateful=False, purpose="S3 + CloudFront web site", **kwargs
        )
        # Imported by name, not used as the Data stack's object: CloudFront's helper would otherwise add a
        # statement naming this distribution to that bucket's policy, and Data <-> Web would be a cycle.
        product_images = s3.Bucket.from_bucket_attributes(
            self,
            "ProductImages",
            bucket_name=product_images_bucket.bucket_name,
            bucket_regional_domain_name=product_images_bucket.bucket_regional_domain_name,
        )
        payments = PaymentScripts(
            stripe_publishable_key=config.stripe_publishable_key, paypal_client_id=config.paypal_client_id
        )
        site = StaticSite(
            self,
            "Site",
            site_dir=WEB_DIR,
            site_config={
                # No trailing slash: pages call f"{apiUrl}/products".
                "apiUrl": f"https://{api_stage.rest_api.rest_api_id}.execute-api.{self.region}"
                f".{self.url_suffix}/{api_stage.stage_name}",
                "region": config.region,
                "userPoolId": user_pool.user_pool_id,
                "userPoolClientId": user_pool_client.user_pool_client_id,
                "stage": config.name,
                **payments.site_config(),
            },
            content_security_policy=payments.content_security_policy(),
            retain_logs=config.retains_data,
            bucket_paths={SITE_PATH_PREFIX: product_images},
        )
        self.site = site
        CfnOutput(self, "SiteUrl", value=site.url, description="The shop's web site")
