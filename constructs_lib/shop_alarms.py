"""ShopAlarms: the one alarm factory of the shop, with every alarm routed to one SNS topic.

Like cdk-monitoring-constructs' alarm factory: callers say what to watch and when it breaches; the
factory fixes the name (`Shop-<stage>-<severity>-<slug>`), the runbook link and the actions.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as cloudwatch_actions
from aws_cdk import aws_sns as sns
from constructs import Construct

RUNBOOK_PATH = "docs/runbooks.md"


class Severity(StrEnum):
    CRITICAL = "critical"  # pages on-call: shoppers or money are affected now
    WARNING = "warning"  # look within the working day: degradation or a trend towards a critical


class ShopAlarms(Construct):
    """Creates alarms named `<name_prefix>-<severity>-<slug>` that notify `topic` on ALARM and on OK."""

    def __init__(
        self, scope: Construct, id_: str, *, name_prefix: str, topic: sns.ITopic, **kwargs: Any
    ) -> None:
        super().__init__(scope, id_, **kwargs)
        self.name_prefix = name_prefix
        self._action = cloudwatch_actions.SnsAction(topic)
        self.alarms: list[cloudwatch.Alarm] = []

    def add(
        self,
        *,
        severity: Severity,
        slug: str,
        runbook: str,
        summary: str,
        metric: cloudwatch.IMetric,
        threshold: float,
        comparison: cloudwatch.ComparisonOperator,
        evaluation_periods: int,
        datapoints_to_alarm: int | None = None,
        missing_data: cloudwatch.TreatMissingData,
    ) -> cloudwatch.Alarm:
        """One alarm; `runbook` is the anchor of its section in docs/runbooks.md."""
        alarm = cloudwatch.Alarm(
            self,
            f"{severity}-{slug}",
            alarm_name=f"{self.name_prefix}-{severity}-{slug}",
            alarm_description=f"{summary} Runbook: {RUNBOOK_PATH}#{runbook}",
            metric=metric,
            threshold=threshold,
            comparison_operator=comparison,
            evaluation_periods=evaluation_periods,
            datapoints_to_alarm=datapoints_to_alarm,
            treat_missing_data=missing_data,
        )
        alarm.add_alarm_action(self._action)
        # OK too, so whoever was mailed about the alarm also learns that it cleared.
        alarm.add_ok_action(self._action)
        self.alarms.append(alarm)
        return alarm
