"""ApiStage: the deployment of every domain's routes and the stage `v1` with its cache and usage plans."""

from __future__ import annotations

from typing import Any

from aws_cdk import aws_apigateway as apigw
from constructs import Construct

from cdk_app.api_routes import API_STAGE_NAME, ROUTES
from cdk_app.config import StageConfig
from constructs_lib.shop_rest_api import ShopApiStage
from stacks.shop_stack import ShopStack


class ApiStageStack(ShopStack):
    """Deployed after the domain stacks (build_app adds the dependencies), so it sees all their methods."""

    def __init__(self, scope: Construct, *, config: StageConfig, api: apigw.IRestApi, **kwargs: Any) -> None:
        super().__init__(
            scope,
            "ApiStage",
            config=config,
            stateful=False,
            purpose="API deployment, stage (cache, throttling, access logs), usage plans",
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
        )
        self.stage = self.api_stage.stage
