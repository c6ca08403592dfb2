"""The SQS queues of the shop and the environment variables that carry their URLs."""

from __future__ import annotations

from dataclasses import dataclass

MAX_RECEIVES_BEFORE_DLQ = 3
RETENTION_DAYS = 4
DLQ_RETENTION_DAYS = 14


@dataclass(frozen=True)
class QueueSpec:
    logical_name: str
    env_var: str
    consumer: str
    # Seed 001's own visibility timeout, a floor: the consumer's timeout may push it higher.
    min_visibility_seconds: int = 0

    def queue_name(self, stage: str) -> str:
        return f"{stage}-{self.logical_name}-queue"

    def dlq_name(self, stage: str) -> str:
        return f"{stage}-{self.logical_name}-dlq"


ORDER_PROCESSING = QueueSpec("order-processing", "ORDER_PROCESSING_QUEUE_URL", "order_processor")
PAYMENT_PROCESSING = QueueSpec(
    "payment-processing", "PAYMENT_PROCESSING_QUEUE_URL", "payment_processor", min_visibility_seconds=300
)
EMAIL_NOTIFICATION = QueueSpec(
    "email-notification", "EMAIL_NOTIFICATION_QUEUE_URL", "email_sender", min_visibility_seconds=60
)
INVENTORY_UPDATE = QueueSpec("inventory-update", "INVENTORY_UPDATE_QUEUE_URL", "inventory_updater")
TRACKING_EVENTS = QueueSpec("tracking-events", "TRACKING_EVENTS_QUEUE_URL", "tracking_processor")

MAIN_QUEUES: tuple[QueueSpec, ...] = (
    ORDER_PROCESSING,
    PAYMENT_PROCESSING,
    EMAIL_NOTIFICATION,
    INVENTORY_UPDATE,
)
ALL_QUEUES: tuple[QueueSpec, ...] = (*MAIN_QUEUES, TRACKING_EVENTS)
