"""An SQS queue with its dead-letter queue, encrypted and reachable over TLS only."""

from __future__ import annotations

from typing import Any

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from shop.contracts.queues import DLQ_RETENTION_DAYS, MAX_RECEIVES_BEFORE_DLQ, RETENTION_DAYS


class QueueWithDlq(Construct):
    """A work queue whose messages move to `dead_letter_queue` after three failed receives."""

    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        queue_name: str,
        dlq_name: str,
        visibility_timeout: Duration,
        removal_policy: RemovalPolicy,
        **kwargs: Any,
    ) -> None:
        super().__init__(scope, id_, **kwargs)
        self.dead_letter_queue = sqs.Queue(
            self,
            "DeadLetterQueue",
            queue_name=dlq_name,
            retention_period=Duration.days(DLQ_RETENTION_DAYS),
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            enforce_ssl=True,
            removal_policy=removal_policy,
        )
        self.queue = sqs.Queue(
            self,
            "Queue",
            queue_name=queue_name,
            visibility_timeout=visibility_timeout,
            retention_period=Duration.days(RETENTION_DAYS),
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            enforce_ssl=True,
            removal_policy=removal_policy,
            dead_letter_queue=sqs.DeadLetterQueue(
                queue=self.dead_letter_queue, max_receive_count=MAX_RECEIVES_BEFORE_DLQ
            ),
        )
