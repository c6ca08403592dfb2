"""Api: the one REST API (resources, CORS, authorizer, validators, models).

The methods live in the domain stacks and the stage in the ApiStage stack (docs/decisions.md).
"""

from __future__ import annotations

from typing import Any

from aws_cdk import aws_cognito as cognito
from constructs import Construct

from cdk_app.api_routes import ROUTES
from cdk_app.config import StageConfig
from constructs_lib.shop_rest_api import ApiParts, ShopRestApi
from stacks.shop_stack import ShopStack


class ApiStack(ShopStack):
    def __init__(
        self,
        scope: Construct,
        *,
        config: StageConfig,
        user_pool: cognito.IUserPool,
        **kwargs: Any,
    ) -> None:
        super().__init__(
            scope,
            "Api",
            config=config,
            stateful=False,
            purpose="REST API resources, authorizer and models",
            **kwargs,
        )
        self.rest_api = ShopRestApi(
            self,
            "Rest",
            api_name=config.resource_name("shop-api"),
            user_pool=user_pool,
            routes=ROUTES,
        )
        self.api = self.rest_api.api

    @property
    def parts(self) -> ApiParts:
        return self.rest_api.parts()
