"""The typed settings every function validates at cold start, read from the environment variables
named in `shop.contracts.environment`."""

from __future__ import annotations

import os
from collections.abc import Mapping

from pydantic import BaseModel, ConfigDict, Field

from shop.contracts.environment import (
    ADMIN_GROUP,
    API_URL,
    ATTRIBUTION_DAYS,
    BRAND_SETTINGS,
    DIGITAL_FILES_BUCKET,
    DLQ_ENV_VARS,
    DOWNLOAD_DAYS,
    DOWNLOAD_LIMIT,
    PAYMENT_HOLD_MINUTES,
    PAYMENT_SECRETS_ARN,
    PERSONAL_CODE_DAYS,
    PRICING_RULES,
    PRODUCT_IMAGES_BUCKET,
    PRODUCT_VERSION,
    QUEUE_ENV_VARS,
    REDIS_CACHE_NAME,
    REDIS_HOST,
    REDIS_PORT,
    REDIS_URL,
    REDIS_USER,
    REST_API_ID,
    REST_API_STAGE,
    SENDER_EMAIL,
    SITE_URL,
    STAGE,
    STRIPE_API_BASE,
    TABLE_ENV_VARS,
    USER_POOL_CLIENT_ID,
    USER_POOL_ID,
    WEB_ORIGIN,
)
from shop.platform.process_state import per_process


class MissingSetting(RuntimeError):
    """A function asked for a resource its environment was not given: a wiring bug in the stacks."""


class Settings(BaseModel):
    """What one function was given. Resources are optional because each function gets only its own."""

    model_config = ConfigDict(frozen=True)

    stage: str = Field(min_length=1)
    version: str = "0.0.0"
    tables: dict[str, str] = Field(default_factory=dict)
    queues: dict[str, str] = Field(default_factory=dict)
    dead_letter_queues: dict[str, str] = Field(default_factory=dict)  # a consumer's own queue's DLQ
    redis_url: str | None = None
    redis_host: str | None = None
    redis_port: int = 6379
    redis_cache_name: str | None = None  # the replication group id an IAM auth token is signed for
    redis_user: str | None = None
    product_images_bucket: str | None = None
    digital_files_bucket: str | None = None
    user_pool_id: str | None = None
    user_pool_client_id: str | None = None
    admin_group: str = "admin"
    rest_api_id: str | None = None
    rest_api_stage: str | None = None
    web_origin: str = "*"
    sender_email: str = "shop@example.com"
    site_url: str | None = Field(default=None, pattern=r"^https?://[^/\s]+(/[^\s]*)?$")
    stripe_api_base: str | None = None
    payment_secrets_arn: str | None = None
    pricing_rules_json: str | None = None
    # How long an unpaid order holds its stock (cdk.json `payment_hold_minutes`).
    payment_hold_minutes: int = Field(default=30, ge=1)
    # How long a marketing email's personal code is valid (cdk.json `personal_code_days`).
    personal_code_days: int = Field(default=7, ge=1)
    # What a paid digital line allows (cdk.json `download_limit`, `download_days`).
    download_limit: int = Field(default=5, ge=1)
    download_days: int = Field(default=30, ge=1)
    # Days after a marketing email's click within which an order is attributed to it (`attribution_days`).
    attribution_days: int = Field(default=7, ge=1)
    api_url: str | None = Field(default=None, pattern=r"^https?://[^/\s]+(/[^\s]*)?$")
    # The shop's brand and seller (cdk.json `brand`, JSON of shop.contracts.brand.Brand).
    brand_json: str | None = None

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

    def dead_letter_queue_url(self, logical_name: str) -> str:
        try:
            return self.dead_letter_queues[logical_name]
        except KeyError:
            raise MissingSetting(
                f"the DLQ of {logical_name} is not in this function's environment "
                f"({DLQ_ENV_VARS[logical_name]})"
            ) from None


def settings_from(environ: Mapping[str, str]) -> Settings:
    def optional(name: str) -> str | None:
        return environ.get(name) or None

    return Settings(
        stage=environ.get(STAGE, "local"),
        version=environ.get(PRODUCT_VERSION, "0.0.0"),
        tables={name: environ[var] for name, var in TABLE_ENV_VARS.items() if environ.get(var)},
        queues={name: environ[var] for name, var in QUEUE_ENV_VARS.items() if environ.get(var)},
        dead_letter_queues={name: environ[var] for name, var in DLQ_ENV_VARS.items() if environ.get(var)},
        redis_url=optional(REDIS_URL),
        redis_host=optional(REDIS_HOST),
        redis_port=int(environ.get(REDIS_PORT, "6379")),
        redis_cache_name=optional(REDIS_CACHE_NAME),
        redis_user=optional(REDIS_USER),
        product_images_bucket=optional(PRODUCT_IMAGES_BUCKET),
        digital_files_bucket=optional(DIGITAL_FILES_BUCKET),
        user_pool_id=optional(USER_POOL_ID),
        user_pool_client_id=optional(USER_POOL_CLIENT_ID),
        admin_group=environ.get(ADMIN_GROUP, "admin"),
        rest_api_id=optional(REST_API_ID),
        rest_api_stage=optional(REST_API_STAGE),
        web_origin=environ.get(WEB_ORIGIN, "*"),
        sender_email=environ.get(SENDER_EMAIL, "shop@example.com"),
        site_url=optional(SITE_URL),
        stripe_api_base=optional(STRIPE_API_BASE),
        payment_secrets_arn=optional(PAYMENT_SECRETS_ARN),
        pricing_rules_json=optional(PRICING_RULES),
        payment_hold_minutes=int(environ.get(PAYMENT_HOLD_MINUTES, "30")),
        personal_code_days=int(environ.get(PERSONAL_CODE_DAYS, "7")),
        download_limit=int(environ.get(DOWNLOAD_LIMIT, "5")),
        download_days=int(environ.get(DOWNLOAD_DAYS, "30")),
        attribution_days=int(environ.get(ATTRIBUTION_DAYS, "7")),
        api_url=optional(API_URL),
        brand_json=optional(BRAND_SETTINGS),
    )


@per_process
def get_settings() -> Settings:
    """The settings of this process, validated once (at cold start, on first use)."""
    return settings_from(os.environ)
