"""Messaging: the work queues of seed 001 and tracking-events, each with its dead-letter queue."""

from __future__ import annotations

from typing import Any

from aws_cdk import Duration
from constructs import Construct

from cdk_app.config import StageConfig
from cdk_app.function_catalog import consumer_visibility_seconds
from constructs_lib.dead_letter_queue import DeadLetterQueue
from constructs_lib.queue_with_dlq import QueueWithDlq
from shop.contracts.queues import ALL_QUEUES
from stacks.shop_stack import ShopStack


class MessagingStack(ShopStack):
    def __init__(self, scope: Construct, *, config: StageConfig, **kwargs: Any) -> None:
        super().__init__(
            scope,
            "Messaging",
            config=config,
            stateful=True,
            purpose="SQS queues and dead-letter queues",
            **kwargs,
        )
        self.queues: dict[str, QueueWithDlq] = {
            spec.logical_name: QueueWithDlq(
                self,
                spec.logical_name,
                queue_name=spec.queue_name(config.name),
                dlq_name=spec.dlq_name(config.name),
                visibility_timeout=Duration.seconds(
                    consumer_visibility_seconds(spec.consumer, spec.min_visibility_seconds)
                ),
                removal_policy=self.data_removal_policy,
            )
            for spec in ALL_QUEUES
        }
        self.schedule_dlq = DeadLetterQueue(
            self,
            "ScheduleFailures",
            queue_name=config.resource_name("schedule-failures-dlq"),
            removal_policy=self.data_removal_policy,
            # Both ways a scheduled run fails: Scheduler could not invoke the function (its
            # DeadLetterConfig), or the function failed every retry of the run Lambda accepted (the
            # alias's on-failure destination, domain_stack._keep_failed_async_runs).
            holds="scheduled invocations that failed after retries",
        ).queue
        self.stream_dlq = DeadLetterQueue(
            self,
            "StreamFailures",
            queue_name=config.resource_name("stream-failures-dlq"),
            removal_policy=self.data_removal_policy,
            holds="DynamoDB stream batches that failed after retries",
        ).queue
