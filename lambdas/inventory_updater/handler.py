"""Consumer of inventory-update: gives back the stock of cancelled, refunded and failed orders.

Stock is taken by order_api, in the transaction that stores the order. The give-back is idempotent by
its own conditions (shop.orders.inventory), so a redelivered message changes nothing. A malformed
message, or one naming an order that does not exist, goes to the DLQ at once; any other failure backs
off and is retried (shop.platform.queue_consumer). A give-back that takes a product from no stock to
some sends its watchers' back-in-stock alerts (seed 001), once per restock (shop.marketing.restock).
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from shop.catalog.model import Product
from shop.contracts.queues import INVENTORY_UPDATE
from shop.marketing.restock import alert_restock
from shop.orders.inventory import Inventory
from shop.orders.model import InventoryMessage
from shop.orders.processing import OrderNotFoundError
from shop.platform.observability import logger, metrics, tracer
from shop.platform.process_state import per_process
from shop.platform.queue_consumer import PermanentErrors, consume

PERMANENT: PermanentErrors = {OrderNotFoundError: "unknown_order"}


@per_process
def inventory() -> Inventory:
    return Inventory(restocked=announce_restock)


def announce_restock(product: Product, sold_out_version: int) -> None:
    summary = alert_restock(product, sold_out_version)
    logger.info("restock alerts", extra={"product_id": product.product_id, **summary.body()})


def process_record(record: SQSRecord) -> dict[str, Any]:
    message = InventoryMessage.model_validate_json(record.body)
    outcome = inventory().restore(message.order_id, message.user_id)
    logger.info(
        "stock updated",
        extra={
            "order_id": outcome.order_id,
            "kind": message.kind,
            "outcome": outcome.outcome,
            "detail": outcome.detail,
        },
    )
    return {"outcome": outcome.outcome}


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    return consume(event, context, process_record, queue=INVENTORY_UPDATE, permanent=PERMANENT)
