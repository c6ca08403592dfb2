"""The scheduled jobs that stacks create and functions recognise: each job's name and how often it runs.

EventBridge Scheduler invokes the function directly with `{"job": <name>}`; the CDK app builds the
schedule from these values and the handler dispatches on the same name, so the two cannot drift apart.
"""

from __future__ import annotations

# order_processor cancels `pending` + `unpaid` orders whose payment hold ran out and gives their
# stock back. Every 5 minutes: an order keeps its stock at most this much longer than its hold.
PAYMENT_HOLD_SWEEP_JOB = "expire-payment-holds"
PAYMENT_HOLD_SWEEP_EVERY_MINUTES = 5
