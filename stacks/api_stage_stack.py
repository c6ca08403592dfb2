"""ApiStage: the deployment of every domain's routes and the stage `v1` with its cache and usage plans."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aws_cdk import aws_apigateway as apigw
from constructs import Construct

from cdk_app.api_routes import API_STAGE_NAME, ROUTES
from cdk_app.config import StageConfig
from constructs_lib.nag import acknowledge
from constructs_lib.shop_rest_api import ShopApiStage
from constructs_lib.web_acl import ApiWebAcl
from stacks.shop_stack import ShopStack


class ApiStageStack(ShopStack):
    """Deployed after the domain stacks (build_app adds the dependencies), so it sees all their methods."""

    def __init__(
        self,
        scope: Construct,
        *,
        config: StageConfig,
        api: apigw.IRestApi,
        api_keys: Mapping[str, apigw.IApiKey],
        site_origin: str,
        **kwargs: Any,
    ) -> None:
        super().__init__(
            scope,
            "ApiStage",
            config=config,
            stateful=False,
            purpose="API deployment, stage (cache, throttling, access logs), usage plans, WAF",
            **kwargs,
        )
        self.api_stage = ShopApiStage(
            self,
            "Rest",
            api=api,
            api_name=config.resource_name("shop-api"),
            stage_name=API_STAGE_NAME,
            routes=ROUTES,
            log_retention_days=config.log_retention_days,
            cache=config.api_cache,
            load=config.load_model,  # cdk.json's peak_requests_per_minute sizes the stage throttles
            api_keys=api_keys,  # the Api stack's, so the domain stacks' functions can know their ids
            cors_origin=site_origin,
            cors_fingerprint=config.custom_domain.domain_name if config.custom_domain else "cloudfront",
        )
        self.stage = self.api_stage.stage
        if config.waf:
            self.web_acl: ApiWebAcl | None = ApiWebAcl(
                self, "Waf", name=config.resource_name("shop-api"), stage_arn=self.stage.stage_arn
            )
        else:
            self.web_acl = None
            acknowledge(
                self.stage,
                "AwsSolutions-APIG3",
                'This stage\'s setting `waf` is off (cost, docs/decisions.md "WAF"): the per-route stage '
                "throttles, usage plans and the functions' per-user limits bound abuse.",
            )
