"""Stage configuration: one typed, frozen object per stage, read from cdk.json context."""

from __future__ import annotations

import re
from collections.abc import Mapping
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator

from cdk_app.traffic_limits import (
    ACCOUNT_REQUESTS_PER_SECOND,
    MAX_PEAK_REQUESTS_PER_MINUTE,
    SEED_REQUESTS_PER_MINUTE,
    LoadModel,
    planned_load,
)
from constructs_lib.log_retention import SUPPORTED_DAYS

STAGES_CONTEXT_KEY = "shop:stages"
STAGE_CONTEXT_KEY = "stage"
DEFAULT_STAGE = "dev"


# The functions whose handlers register shop.platform.snapstart's runtime hooks: the API functions,
# where a cold start is a shopper's (or an administrator's) wait. Only these may have SnapStart.
SNAP_START_READY = (
    "shop_api",
    "cart_api",
    "order_api",
    "payment_api",
    "account_api",
    "tracking_api",
    "marketing_automation_api",
)


class ConfigError(ValueError):
    """A stage is unknown or its settings are malformed; the message says which key and why."""


class DeploymentStrategy(StrEnum):
    ALL_AT_ONCE = "all_at_once"
    CANARY_10_PERCENT_5_MINUTES = "canary_10_percent_5_minutes"


class CustomDomain(BaseModel):
    """The site's own name, served by CloudFront with this ACM certificate (issued in us-east-1, as
    CloudFront requires) under the TLS 1.2 security policy; the DNS record pointing the name at the
    distribution is the domain owner's (docs/runbooks.md, "Custom domain")."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    domain_name: str = Field(pattern=r"^([a-z0-9]([a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,}$")
    certificate_arn: str = Field(pattern=r"^arn:aws:acm:us-east-1:\d{12}:certificate/[0-9a-f-]{36}$")


class StageConfig(BaseModel):
    """Every per-stage setting the stacks read. Frozen: stacks may not tweak it on the way."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(pattern=r"^[a-z][a-z0-9]{1,11}$")
    region: str = Field(pattern=r"^[a-z]{2}(-gov)?-[a-z]+-\d$")
    removal_policy: Literal["destroy", "retain"]
    nat_gateways: int = Field(ge=0, le=2)
    interface_endpoint_azs: int = Field(ge=1, le=2)
    cache_node_type: str = Field(pattern=r"^cache\.[a-z0-9]+\.[a-z0-9]+$")
    # Valkey: the same protocol and commands as Redis OSS 7.2, and its nodes cost 20 % less
    # (docs/decisions.md, "Fixed cost per stage").
    cache_engine: Literal["valkey", "redis"] = "valkey"
    cache_nodes: int = Field(ge=1, le=6)
    cache_snapshot_retention_days: int = Field(ge=0, le=35)
    log_retention_days: int
    cognito_threat_protection: bool
    alarm_email: str
    sender_email: str
    deployment_strategy: DeploymentStrategy
    # API Gateway's stage cache (seed 001: 0.5 GB, $14.60 a month whether used or not). A stage
    # without it still serves the catalog from Redis; prod keeps it (docs/decisions.md).
    api_cache: bool = True
    schedule_time_zone: str = Field(pattern=r"^[A-Za-z_]+(/[A-Za-z_+\-0-9]+)*$")
    # Without one the site is its CloudFront domain (*.cloudfront.net). Either way the site's origin
    # is the API's only CORS origin and the base of every link in emails (stacks/web_stack.py).
    custom_domain: CustomDomain | None = None
    # AWS WAF web ACLs in front of the API stage and the site's distribution ($17 a month together,
    # docs/decisions.md, "WAF"); a stage without them keeps the stage throttles and usage plans only.
    waf: bool = False
    # Reserve each function's concurrency (cdk_app/function_catalog.py, 580 in all). False for an
    # account whose concurrency limit is below that plus the 100 AWS keeps unreserved (new accounts may
    # start at 10): the functions then share the unreserved pool.
    reserved_concurrency: bool = True
    # Lambda SnapStart on these functions' published versions (a subset of SNAP_START_READY): a restored
    # snapshot instead of a cold init. Billed while a version is active: its memory in GB-seconds, for
    # every hour of the month, plus a charge per GB restored (docs/decisions.md, "SnapStart").
    snap_start_functions: tuple[str, ...] = ()
    # The public API's planned peak, all routes together (seed 001: 1,000 requests a minute). Every
    # per-route stage throttle and burst is derived from it (cdk_app/traffic_limits.py), so a flash
    # sale is prepared by raising this one number and deploying (docs/scaling.md, "Planning a sale").
    # Strict: "1000" or 1000.5 in cdk.json is an error, not a silent conversion.
    peak_requests_per_minute: int = Field(default=SEED_REQUESTS_PER_MINUTE, strict=True)
    # Publishable values only (the secret keys live in the payment secret): config.json hands them to
    # checkout.js. Empty: that way of paying is not offered on the stage's site yet.
    stripe_publishable_key: str = Field(default="", pattern=r"^(pk_(test|live)_[A-Za-z0-9]+)?$")
    paypal_client_id: str = Field(default="", pattern=r"^[A-Za-z0-9_-]*$")
    # shop.contracts.pricing_rules.PricingRules as JSON: tax, shipping, free-shipping threshold.
    pricing: dict[str, Any]
    # How long a new order holds its stock while the shopper pays; unpaid after that, it is cancelled
    # and the stock goes back (docs/orders.md, "Payment hold").
    payment_hold_minutes: int = Field(default=30, ge=5, le=24 * 60)
    # The personal discount codes of marketing emails expire this many days after they are mailed
    # (docs/marketing.md, "Discount codes").
    personal_code_days: int = Field(default=7, ge=1, le=90)
    # A paid digital line may be downloaded this many times, for this many days after payment
    # (docs/orders.md, "Digital downloads").
    download_limit: int = Field(default=5, ge=1, le=100)
    download_days: int = Field(default=30, ge=1, le=3650)
    # An order placed this many days after a click on a marketing email is attributed to that email
    # (docs/marketing.md, "Engagement and attribution"); MarketingQueue keeps sent items 30 days.
    attribution_days: int = Field(default=7, ge=1, le=30)
    # shop.contracts.brand.Brand as JSON: the shop's name, tagline, logo, colours, contact and social
    # links on every page and email, and the seller's name, address and tax id printed on invoices and
    # credit notes (docs/orders.md, "Invoices and credit notes"; docs/storefront.md, "Brand").
    brand: dict[str, Any]

    @field_validator("log_retention_days")
    @classmethod
    def _retention_is_a_cloudwatch_value(cls, value: int) -> int:
        # CloudWatch Logs accepts only these retention periods; anything else fails at deploy time.
        if value not in SUPPORTED_DAYS:
            raise ValueError(f"must be one of {sorted(SUPPORTED_DAYS)}")
        return value

    @field_validator("pricing")
    @classmethod
    def _pricing_rules_are_valid(cls, value: dict[str, Any]) -> dict[str, Any]:
        from shop.contracts.pricing_rules import PricingRules  # the one definition of the rules

        PricingRules.model_validate(value)
        return value

    @field_validator("brand")
    @classmethod
    def _brand_is_valid(cls, value: dict[str, Any]) -> dict[str, Any]:
        from shop.contracts.brand import Brand  # the one definition of the brand's fields

        # Every field present (defaults filled in): the site's renderer and the functions read it as is.
        normalized: dict[str, Any] = Brand.model_validate(value).model_dump(mode="json")
        return normalized

    @field_validator("alarm_email", "sender_email")
    @classmethod
    def _email_or_empty(cls, value: str) -> str:
        if value and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", value):
            raise ValueError("must be an email address or empty")
        return value

    @field_validator("snap_start_functions")
    @classmethod
    def _snap_start_only_where_hooks_are_registered(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        # Without the hooks every restored environment would share the snapshot's connections,
        # tokens and random state.
        if unknown := sorted(set(value) - set(SNAP_START_READY)):
            raise ValueError(f"{unknown} do not register the SnapStart hooks (only {list(SNAP_START_READY)})")
        if len(set(value)) != len(value):
            raise ValueError("lists a function twice")
        return value

    @field_validator("peak_requests_per_minute")
    @classmethod
    def _peak_within_the_accounts_api_limit(cls, value: int) -> int:
        if value < 1:
            raise ValueError("must be a positive number of requests per minute")
        if value > MAX_PEAK_REQUESTS_PER_MINUTE:
            raise ValueError(
                f"{value:,} requests/min is above API Gateway's account-level throttle of "
                f"{ACCOUNT_REQUESTS_PER_SECOND:,} requests/s per Region "
                f"({MAX_PEAK_REQUESTS_PER_MINUTE:,}/min): ask AWS for a quota increase first, "
                "then raise MAX_PEAK_REQUESTS_PER_MINUTE"
            )
        return value

    @field_validator("waf")
    @classmethod
    def _waf_in_cloudfronts_region(cls, value: bool, info: ValidationInfo) -> bool:
        # A CLOUDFRONT-scope web ACL can only be created in us-east-1, where the Web stack then lives.
        if value and info.data.get("region") != "us-east-1":
            raise ValueError("WAF for CloudFront needs the stage in us-east-1 (its web ACL lives there)")
        return value

    @property
    def load_model(self) -> LoadModel:
        """The load the stage's throttles are sized for (its `peak_requests_per_minute`)."""
        return planned_load(self.peak_requests_per_minute)

    @property
    def is_production(self) -> bool:
        return self.name == "prod"

    @property
    def retains_data(self) -> bool:
        """Stateful resources survive stack deletion (RETAIN + deletion protection)."""
        return self.removal_policy == "retain"

    @property
    def multi_az_cache(self) -> bool:
        return self.cache_nodes > 1

    @property
    def rollback_alarms(self) -> bool:
        """CodeDeploy watches alarms only while traffic shifts: with all-at-once the shift is over in
        seconds and the alarms could never roll anything back, so only a canary stage pays for them."""
        return self.deployment_strategy is not DeploymentStrategy.ALL_AT_ONCE

    def stack_name(self, short_name: str) -> str:
        return f"Shop-{self.name}-{short_name}"

    def resource_name(self, base: str) -> str:
        """Physical names that must stay readable in the console are prefixed by the stage."""
        return f"{self.name}-{base}"


def load_stage_config(context: Mapping[str, Any], stage: str | None) -> StageConfig:
    """Pick and validate one stage from the `shop:stages` context block.

    Raises ConfigError naming the bad key and listing the valid stages.
    """
    stages = context.get(STAGES_CONTEXT_KEY)
    if not isinstance(stages, Mapping) or not stages:
        raise ConfigError(f"cdk.json context has no '{STAGES_CONTEXT_KEY}' block of stage settings")
    valid = ", ".join(sorted(stages))
    name = stage or DEFAULT_STAGE
    if name not in stages:
        raise ConfigError(f"unknown stage '{name}' (-c {STAGE_CONTEXT_KEY}=...); valid stages: {valid}")
    raw = stages[name]
    if not isinstance(raw, Mapping):
        raise ConfigError(f"stage '{name}': settings must be an object; valid stages: {valid}")
    try:
        return StageConfig.model_validate({"name": name, **raw})
    except ValidationError as error:
        problems = "; ".join(
            f"key '{'.'.join(str(part) for part in issue['loc'])}': {issue['msg']}"
            for issue in error.errors()
        )
        raise ConfigError(f"stage '{name}' is malformed: {problems}; valid stages: {valid}") from None
