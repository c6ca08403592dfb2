"""order_api: placing, reading, cancelling and administering orders."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from shop.http import NotImplementedYet, build_resolver
from shop.observability import logger, metrics, tracer

app = build_resolver()
ORDERS = "orders (issue: Orders, inventory and email)"


@app.post("/orders/create")
def create_order() -> None:
    raise NotImplementedYet(ORDERS)


@app.get("/orders")
def list_orders() -> None:
    raise NotImplementedYet(ORDERS)


@app.get("/orders/admin/list")
def list_all_orders() -> None:
    raise NotImplementedYet(ORDERS)


@app.get("/orders/<order_id>")
def get_order(order_id: str) -> None:
    raise NotImplementedYet(ORDERS)


@app.put("/orders/<order_id>/status")
def update_status(order_id: str) -> None:
    raise NotImplementedYet(ORDERS)


@app.post("/orders/<order_id>/cancel")
def cancel_order(order_id: str) -> None:
    raise NotImplementedYet(ORDERS)


@app.post("/orders/<order_id>/refund")
def refund_order(order_id: str) -> None:
    raise NotImplementedYet(ORDERS)


@app.put("/orders/<order_id>/tracking")
def add_tracking(order_id: str) -> None:
    raise NotImplementedYet(ORDERS)


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
