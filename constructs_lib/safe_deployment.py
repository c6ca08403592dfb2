"""Traffic shifting for one function's `live` alias, rolled back by CodeDeploy when it misbehaves."""

from __future__ import annotations

from typing import Any

from aws_cdk import Duration
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_codedeploy as codedeploy
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from cdk_app.config import DeploymentStrategy

_CONFIGS = codedeploy.LambdaDeploymentConfig
DEPLOYMENT_CONFIGS = {
    DeploymentStrategy.ALL_AT_ONCE: _CONFIGS.ALL_AT_ONCE,
    DeploymentStrategy.CANARY_10_PERCENT_5_MINUTES: _CONFIGS.CANARY_10_PERCENT_5_MINUTES,
}
# p99 duration above this share of the timeout means the new version is about to time out.
DURATION_ALARM_SHARE_OF_TIMEOUT = 0.8


class SafeDeployment(Construct):
    """A deployment group for `alias` with three rollback alarms: errors, throttles and p99 duration.

    Each alarm needs two consecutive bad minutes, so a single bad request does not undo a release,
    while a broken one is rolled back inside the canary's five minutes. With `rollback_alarms=False`
    (all-at-once stages: the shift is over before any alarm could fire) the group has no alarms and
    rolls back only a deployment that fails or is stopped. `watch_throttles=False` leaves the throttle
    alarm out where throttling cannot be the new version's doing (queue consumers, capped by SQS).
    """

    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        alias: lambda_.Alias,
        timeout: Duration,
        alarm_prefix: str,
        strategy: DeploymentStrategy,
        application: codedeploy.ILambdaApplication,
        role: iam.IRole,
        rollback_alarms: bool = True,
        watch_throttles: bool = True,
        **kwargs: Any,
    ) -> None:
        super().__init__(scope, id_, **kwargs)
        per_minute = Duration.minutes(1)
        rollback_signals = (
            ("Errors", "errors", alias.metric_errors(period=per_minute, statistic="Sum"), 1, "raised errors"),
            (
                "Throttles",
                "throttles",
                alias.metric_throttles(period=per_minute, statistic="Sum"),
                1,
                "was throttled",
            ),
            (
                "Duration",
                "p99-duration",
                alias.metric_duration(period=per_minute, statistic="p99"),
                timeout.to_milliseconds() * DURATION_ALARM_SHARE_OF_TIMEOUT,
                "ran near its timeout (p99)",
            ),
        )
        self.alarms = [
            cloudwatch.Alarm(
                self,
                construct_id,
                alarm_name=f"{alarm_prefix}-{suffix}",
                alarm_description=f"Rollback alarm: the live alias {what} two minutes in a row.",
                metric=metric,
                threshold=threshold,
                comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
                evaluation_periods=2,
                datapoints_to_alarm=2,
                treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
            )
            for construct_id, suffix, metric, threshold, what in rollback_signals
            if rollback_alarms and (watch_throttles or construct_id != "Throttles")
        ]
        self.group = codedeploy.LambdaDeploymentGroup(
            self,
            "Group",
            application=application,
            alias=alias,
            deployment_config=DEPLOYMENT_CONFIGS[strategy],
            alarms=self.alarms,
            role=role,
            auto_rollback=codedeploy.AutoRollbackConfig(
                failed_deployment=True, stopped_deployment=True, deployment_in_alarm=rollback_alarms
            ),
        )
