"""The SQS queues of the shop and the environment variables that carry their URLs."""

from __future__ import annotations

from dataclasses import dataclass

MAX_RECEIVES_BEFORE_DLQ = 3
RETENTION_DAYS = 4
DLQ_RETENTION_DAYS = 14

# Message attributes of a message its consumer put in the DLQ at once (a poison message); SQS's own
# redrive after MAX_RECEIVES_BEFORE_DLQ receives sets none of them. docs/runbooks.md, "DLQ has messages".
DLQ_REASON = "reason"  # why no retry can help: malformed_message, unknown_order, invalid_order, ...
DLQ_ERROR = "error"  # the exception's text, cut to DLQ_ERROR_CHARS
DLQ_SOURCE_QUEUE = "source_queue"  # the queue's name (its ARN is the record's eventSourceARN)
DLQ_ORIGINAL_MESSAGE_ID = "original_message_id"
DLQ_RECEIVE_COUNT = "receive_count"  # receives of the message before it was parked
DLQ_ERROR_CHARS = 1000


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

    @property
    def dlq_env_var(self) -> str:
        """Given to the consumer only: it parks a poison message in the DLQ itself, at once."""
        return self.env_var.removesuffix("_QUEUE_URL") + "_DLQ_URL"


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
