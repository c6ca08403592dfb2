"""A standalone dead-letter queue for failures that are not SQS redrives (schedules, streams)."""

from __future__ import annotations

from typing import Any

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from constructs_lib.nag import acknowledge
from shop.contracts.queues import DLQ_RETENTION_DAYS


class DeadLetterQueue(Construct):
    """Encrypted, TLS-only, 14-day queue that holds what a schedule or stream could not deliver."""

    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        queue_name: str,
        removal_policy: RemovalPolicy,
        holds: str,
        **kwargs: Any,
    ) -> None:
        super().__init__(scope, id_, **kwargs)
        self.queue = sqs.Queue(
            self,
            "Queue",
            queue_name=queue_name,
            retention_period=Duration.days(DLQ_RETENTION_DAYS),
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            enforce_ssl=True,
            removal_policy=removal_policy,
        )
        acknowledge(
            self.queue,
            "AwsSolutions-SQS3",
            f"This queue is itself a dead-letter queue ({holds}); cdk-nag only recognises SQS redrive "
            "targets.",
        )
