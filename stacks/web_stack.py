"""Web: the static site on S3 + CloudFront, with a config.json generated from the other stacks.

The pages are web/'s templates rendered with the stage's `brand` at synth (cdk_app/site_pages.py) into
.build/site/<stage>/, which the deployment uploads.

Deployed before the domain stacks: the site's origin (its CloudFront domain, or the stage's custom
domain) is the API's one CORS origin and the base of every link the functions put in emails, so they
read it from here. The site only needs the REST API's id, not its stage, to know the API's URL.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from aws_cdk import CfnOutput
from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_s3 as s3
from constructs import Construct

from cdk_app.api_routes import API_STAGE_NAME, SITEMAP_PATH
from cdk_app.config import StageConfig
from cdk_app.site_pages import build_site, site_brand_config
from constructs_lib.nag import acknowledge
from constructs_lib.site_policy import PaymentScripts
from constructs_lib.static_site import ApiPaths, SiteDomain, StaticSite
from constructs_lib.web_acl import ShopWebAcl, site_rules
from shop.contracts.product_images import SITE_PATH_PREFIX
from stacks.shop_stack import ShopStack

BUILT_SITES = Path(__file__).resolve().parent.parent / ".build" / "site"


class WebStack(ShopStack):
    def __init__(
        self,
        scope: Construct,
        *,
        config: StageConfig,
        rest_api: apigw.IRestApi,
        user_pool: cognito.IUserPool,
        user_pool_client: cognito.IUserPoolClient,
        product_images_bucket: s3.IBucket,
        digital_files_bucket: s3.IBucket,
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
        api_origin = f"https://{rest_api.rest_api_id}.execute-api.{self.region}.{self.url_suffix}"
        # What the pages call besides the site itself: the API, Cognito's sign-in API, and the two
        # buckets that admins upload to with presigned POST forms (boto3 names the bucket's global
        # host in us-east-1 and its regional host elsewhere).
        connect_origins = (
            api_origin,
            f"https://cognito-idp.{self.region}.{self.url_suffix}",
            *(
                host
                for bucket in (product_images_bucket, digital_files_bucket)
                for host in (
                    f"https://{bucket.bucket_name}.s3.{self.url_suffix}",
                    f"https://{bucket.bucket_regional_domain_name}",
                )
            ),
        )
        self.web_acl = (
            ShopWebAcl(
                self,
                "SiteWaf",
                name=config.resource_name("shop-site"),
                scope_type="CLOUDFRONT",
                rules=site_rules(),
            )
            if config.waf
            else None
        )
        # The public URL is known at synth only with a custom domain; without one the pages take their
        # canonical URL from their own address (web/js/seo.js).
        public_url = f"https://{config.custom_domain.domain_name}" if config.custom_domain else None
        site_dir = build_site(config.brand, config.pricing, BUILT_SITES / config.name, site_url=public_url)
        site = StaticSite(
            self,
            "Site",
            site_dir=site_dir,
            site_config={
                # No trailing slash: pages call f"{apiUrl}/products".
                "apiUrl": f"{api_origin}/{API_STAGE_NAME}",
                "region": config.region,
                "userPoolId": user_pool.user_pool_id,
                "userPoolClientId": user_pool_client.user_pool_client_id,
                "stage": config.name,
                **site_brand_config(config.brand, config.pricing),
                **payments.site_config(),
            },
            content_security_policy=payments.content_security_policy(api_origins=connect_origins),
            retain_logs=config.retains_data,
            bucket_paths={SITE_PATH_PREFIX: product_images},
            domain=(
                SiteDomain(config.custom_domain.domain_name, config.custom_domain.certificate_arn)
                if config.custom_domain
                else None
            ),
            web_acl_arn=self.web_acl.arn if self.web_acl else None,
            # The catalog's sitemap at the site's /sitemap.xml, from the API's stage (shop_api).
            api_paths=ApiPaths(
                domain_name=f"{rest_api.rest_api_id}.execute-api.{self.region}.{self.url_suffix}",
                stage_path=f"/{API_STAGE_NAME}",
                paths=(SITEMAP_PATH,),
            ),
        )
        if self.web_acl is None:
            acknowledge(
                site.distribution,
                "AwsSolutions-CFR2",
                'This stage\'s setting `waf` is off (cost, docs/decisions.md "WAF"); the site is static '
                "files (GET/HEAD) and the API has its own throttles and usage plans.",
            )
        self.site = site
        # The one origin of the shop's pages: the API's CORS origin and the base of the emails' links.
        self.site_origin = site.url
        CfnOutput(self, "SiteUrl", value=site.url, description="The shop's web site")
