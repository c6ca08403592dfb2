"""Environment variable names and the typed settings every function validates at cold start.

The stacks import the names from here to fill each function's environment, and the Lambda code
reads them back through `Settings`, so the two cannot drift apart.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from pydantic import BaseModel, ConfigDict, Field

from shop.process_state import per_process
from shop.queues import ALL_QUEUES
from shop.tables import ALL_TABLES

STAGE = "SHOP_STAGE"
PRODUCT_VERSION = "SHOP_VERSION"
POWERTOOLS_SERVICE_NAME = "POWERTOOLS_SERVICE_NAME"
POWERTOOLS_METRICS_NAMESPACE = "POWERTOOLS_METRICS_NAMESPACE"
LOG_LEVEL = "POWERTOOLS_LOG_LEVEL"

# Redis: a URL locally (redis://127.0.0.1:6380/0); in AWS the replication group's endpoint with TLS
# and the AUTH token read from Secrets Manager.
REDIS_URL = "REDIS_URL"
REDIS_HOST = "REDIS_HOST"
REDIS_PORT = "REDIS_PORT"
REDIS_AUTH_SECRET_ARN = "REDIS_AUTH_SECRET_ARN"  # noqa: S105 - a variable name, not a secret

PRODUCT_IMAGES_BUCKET = "PRODUCT_IMAGES_BUCKET"
USER_POOL_ID = "USER_POOL_ID"
USER_POOL_CLIENT_ID = "USER_POOL_CLIENT_ID"
ADMIN_GROUP = "ADMIN_GROUP"
REST_API_ID = "REST_API_ID"
REST_API_STAGE = "REST_API_STAGE"
WEB_ORIGIN = "WEB_ORIGIN"
SENDER_EMAIL = "SENDER_EMAIL"
PAYMENT_PROVIDER_MODE = "PAYMENT_PROVIDER_MODE"
PAYMENT_SECRETS_ARN = "PAYMENT_SECRETS_ARN"
RUNTIME_FLAGS_PARAMETER = "RUNTIME_FLAGS_PARAMETER"
# JSON of shop.pricing.PricingRules (tax, shipping, discount codes), per stage; defaults when unset.
PRICING_RULES = "PRICING_RULES"

METRICS_NAMESPACE = "Shop"

TABLE_ENV_VARS: Mapping[str, str] = {spec.logical_name: spec.env_var for spec in ALL_TABLES}
QUEUE_ENV_VARS: Mapping[str, str] = {spec.logical_name: spec.env_var for spec in ALL_QUEUES}


class MissingSetting(RuntimeError):
    """A function asked for a resource its environment was not given: a wiring bug in the stacks."""


class Settings(BaseModel):
    """What one function was given. Resources are optional because each function gets only its own."""

    model_config = ConfigDict(frozen=True)

    stage: str = Field(min_length=1)
    version: str = "0.0.0"
    tables: dict[str, str] = Field(default_factory=dict)
    queues: dict[str, str] = Field(default_factory=dict)
    redis_url: str | None = None
    redis_host: str | None = None
    redis_port: int = 6379
    redis_auth_secret_arn: str | None = None
    product_images_bucket: str | None = None
    user_pool_id: str | None = None
    user_pool_client_id: str | None = None
    admin_group: str = "admin"
    rest_api_id: str | None = None
    rest_api_stage: str | None = None
    web_origin: str = "*"
    sender_email: str = "shop@example.com"
    payment_provider_mode: str = "live"
    payment_secrets_arn: str | None = None
    runtime_flags_parameter: str | None = None
    pricing_rules_json: str | None = None

    def table_name(self, logical_name: str) -> str:
        try:
            return self.tables[logical_name]
        except KeyError:
            raise MissingSetting(
                f"table {logical_name} is not in this function's environment ({TABLE_ENV_VARS[logical_name]})"
            ) from None

    def queue_url(self, logical_name: str) -> str:
        try:
            return self.queues[logical_name]
        except KeyError:
            raise MissingSetting(
                f"queue {logical_name} is not in this function's environment ({QUEUE_ENV_VARS[logical_name]})"
            ) from None


def settings_from(environ: Mapping[str, str]) -> Settings:
    def optional(name: str) -> str | None:
        return environ.get(name) or None

    return Settings(
        stage=environ.get(STAGE, "local"),
        version=environ.get(PRODUCT_VERSION, "0.0.0"),
        tables={name: environ[var] for name, var in TABLE_ENV_VARS.items() if environ.get(var)},
        queues={name: environ[var] for name, var in QUEUE_ENV_VARS.items() if environ.get(var)},
        redis_url=optional(REDIS_URL),
        redis_host=optional(REDIS_HOST),
        redis_port=int(environ.get(REDIS_PORT, "6379")),
        redis_auth_secret_arn=optional(REDIS_AUTH_SECRET_ARN),
        product_images_bucket=optional(PRODUCT_IMAGES_BUCKET),
        user_pool_id=optional(USER_POOL_ID),
        user_pool_client_id=optional(USER_POOL_CLIENT_ID),
        admin_group=environ.get(ADMIN_GROUP, "admin"),
        rest_api_id=optional(REST_API_ID),
        rest_api_stage=optional(REST_API_STAGE),
        web_origin=environ.get(WEB_ORIGIN, "*"),
        sender_email=environ.get(SENDER_EMAIL, "shop@example.com"),
        payment_provider_mode=environ.get(PAYMENT_PROVIDER_MODE, "live"),
        payment_secrets_arn=optional(PAYMENT_SECRETS_ARN),
        runtime_flags_parameter=optional(RUNTIME_FLAGS_PARAMETER),
        pricing_rules_json=optional(PRICING_RULES),
    )


@per_process
def get_settings() -> Settings:
    """The settings of this process, validated once (at cold start, on first use)."""
    return settings_from(os.environ)
