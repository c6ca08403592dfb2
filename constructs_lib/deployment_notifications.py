"""Failed and rolled-back deployments of one stage, sent to its alarm topic by EventBridge.

A CodeDeploy rollback or a CloudFormation stack that rolled back is news for on-call even when no
alarm is in ALARM any more (the rollback is what cleared it): the release they shipped is not live.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_sns as sns
from constructs import Construct

# CodeDeploy: a Lambda deployment that failed (its rollback alarms, a failed hook) or was stopped.
CODEDEPLOY_FAILED_STATES = ("FAILURE", "STOP")
# CloudFormation: every status that means the template asked for is not what is deployed.
STACK_FAILED_STATUSES = (
    "CREATE_FAILED",
    "ROLLBACK_COMPLETE",
    "ROLLBACK_FAILED",
    "UPDATE_FAILED",
    "UPDATE_ROLLBACK_COMPLETE",
    "UPDATE_ROLLBACK_FAILED",
    "DELETE_FAILED",
    "IMPORT_ROLLBACK_COMPLETE",
    "IMPORT_ROLLBACK_FAILED",
)


class DeploymentNotifications(Construct):
    """Two rules on the default event bus: this stage's CodeDeploy applications and its stacks."""

    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        topic: sns.ITopic,
        stack_name_prefix: str,
        codedeploy_applications: Sequence[str],
        **kwargs: Any,
    ) -> None:
        super().__init__(scope, id_, **kwargs)
        self.codedeploy_rule = events.Rule(
            self,
            "CodeDeployFailures",
            description=f"Failed or stopped Lambda deployments of {stack_name_prefix}* (rolled back)",
            event_pattern=events.EventPattern(
                source=["aws.codedeploy"],
                detail_type=["CodeDeploy Deployment State-change Notification"],
                detail={
                    "state": list(CODEDEPLOY_FAILED_STATES),
                    "application": list(codedeploy_applications),
                },
            ),
        )
        self.codedeploy_rule.add_target(
            targets.SnsTopic(
                topic,
                message=events.RuleTargetInput.from_text(
                    f"Deployment {events.EventField.from_path('$.detail.deploymentId')} of "
                    f"{events.EventField.from_path('$.detail.application')} / "
                    f"{events.EventField.from_path('$.detail.deploymentGroup')} ended in "
                    f"{events.EventField.from_path('$.detail.state')}: traffic went back to the previous "
                    "version. Runbook: docs/runbooks.md#deployment-rolled-back"
                ),
            )
        )
        self.stack_rule = events.Rule(
            self,
            "StackFailures",
            description=f"Failed or rolled-back CloudFormation operations on {stack_name_prefix}*",
            event_pattern=events.EventPattern(
                source=["aws.cloudformation"],
                detail_type=["CloudFormation Stack Status Change"],
                detail={
                    "stack-id": [{"wildcard": f"arn:*:cloudformation:*:*:stack/{stack_name_prefix}*"}],
                    "status-details": {"status": list(STACK_FAILED_STATUSES)},
                },
            ),
        )
        self.stack_rule.add_target(
            targets.SnsTopic(
                topic,
                message=events.RuleTargetInput.from_text(
                    f"Stack {events.EventField.from_path('$.detail.stack-id')} is "
                    f"{events.EventField.from_path('$.detail.status-details.status')}: "
                    f"{events.EventField.from_path('$.detail.status-details.status-reason')} "
                    "Runbook: docs/runbooks.md#deployment-rolled-back"
                ),
            )
        )
