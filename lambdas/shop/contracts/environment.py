"""The environment variables the stacks set on each function and the Lambda code reads back.

The CDK app imports these names to fill each function's environment and `shop.platform.settings`
reads them, so the two cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Mapping

from shop.contracts.queues import ALL_QUEUES
from shop.contracts.tables import ALL_TABLES

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
# IAM authentication to ElastiCache: the token is signed for this replication group id and user.
REDIS_CACHE_NAME = "REDIS_CACHE_NAME"
REDIS_USER = "REDIS_USER"

PRODUCT_IMAGES_BUCKET = "PRODUCT_IMAGES_BUCKET"
# The private bucket of digital products' files (Data stack): shop_api presigns uploads into it,
# order_api presigns downloads out of it.
DIGITAL_FILES_BUCKET = "DIGITAL_FILES_BUCKET"
# A paid digital line may be downloaded this many times within this many days (stage settings).
DOWNLOAD_LIMIT = "DOWNLOAD_LIMIT"
DOWNLOAD_DAYS = "DOWNLOAD_DAYS"
# The REST API's stage URL (no trailing slash): guests' emails link to its download routes.
API_URL = "API_URL"
USER_POOL_ID = "USER_POOL_ID"
USER_POOL_CLIENT_ID = "USER_POOL_CLIENT_ID"
ADMIN_GROUP = "ADMIN_GROUP"
REST_API_ID = "REST_API_ID"
REST_API_STAGE = "REST_API_STAGE"
WEB_ORIGIN = "WEB_ORIGIN"
SENDER_EMAIL = "SENDER_EMAIL"
# The web site's own URL (no trailing slash): emails link to its pages (stage setting `site_url`).
SITE_URL = "SITE_URL"
# Another Stripe API than Stripe's own (the local shop's localstripe); unset in deployed stages.
STRIPE_API_BASE = "STRIPE_API_BASE"
PAYMENT_SECRETS_ARN = "PAYMENT_SECRETS_ARN"
# Minutes an unpaid order holds its stock before the payment-hold sweep cancels it (stage setting).
PAYMENT_HOLD_MINUTES = "PAYMENT_HOLD_MINUTES"
# Days a marketing email's personal discount code stays valid (stage setting `personal_code_days`).
PERSONAL_CODE_DAYS = "PERSONAL_CODE_DAYS"
# Days after a marketing email's click within which a paid order is attributed to it (stage setting).
ATTRIBUTION_DAYS = "ATTRIBUTION_DAYS"
# JSON of shop.contracts.pricing_rules.PricingRules (tax, shipping), per stage;
# defaults when unset.
PRICING_RULES = "PRICING_RULES"
# JSON of shop.contracts.brand.Brand (stage setting `brand`): the shop's name, logo and colours that
# emails show, and the seller's name, address, contact and tax id that invoices and credit notes print.
BRAND_SETTINGS = "BRAND_SETTINGS"

TABLE_ENV_VARS: Mapping[str, str] = {spec.logical_name: spec.env_var for spec in ALL_TABLES}
QUEUE_ENV_VARS: Mapping[str, str] = {spec.logical_name: spec.env_var for spec in ALL_QUEUES}
# Each queue's dead-letter queue, on its consumer (ORDER_PROCESSING_DLQ_URL, ...).
DLQ_ENV_VARS: Mapping[str, str] = {spec.logical_name: spec.dlq_env_var for spec in ALL_QUEUES}
