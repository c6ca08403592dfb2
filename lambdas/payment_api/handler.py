"""payment_api: Stripe and PayPal payments and their webhooks."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from shop.http import NotImplementedYet, build_resolver
from shop.observability import logger, metrics, tracer

app = build_resolver()
PAYMENTS = "payments (issue: Payments)"


@app.post("/payment/stripe/intent")
def stripe_intent() -> None:
    raise NotImplementedYet(PAYMENTS)


@app.post("/payment/stripe/confirm")
def stripe_confirm() -> None:
    raise NotImplementedYet(PAYMENTS)


@app.post("/payment/paypal/create")
def paypal_create() -> None:
    raise NotImplementedYet(PAYMENTS)


@app.post("/payment/paypal/capture")
def paypal_capture() -> None:
    raise NotImplementedYet(PAYMENTS)


@app.post("/payment/webhook/stripe")
def stripe_webhook() -> None:
    raise NotImplementedYet(PAYMENTS)


@app.post("/payment/webhook/paypal")
def paypal_webhook() -> None:
    raise NotImplementedYet(PAYMENTS)


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
