"""The SNS topic every alarm notifies: KMS-encrypted, TLS-only, optionally mailed to on-call."""

from __future__ import annotations

from typing import Any

from aws_cdk import Duration, RemovalPolicy, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from constructs import Construct

CLOUDWATCH = iam.ServicePrincipal("cloudwatch.amazonaws.com")


class AlarmTopic(Construct):
    """An alarm topic encrypted with its own KMS key, publishable by this account's alarms only.

    Not the AWS-managed `alias/aws/sns` key: CloudWatch must be allowed to use the key to publish to
    an encrypted topic, and the policy of an AWS-managed key cannot be changed, so alarms would
    fail to notify without any error at deploy time.
    """

    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        topic_name: str,
        alarm_name_prefix: str,
        email: str,
        **kwargs: Any,
    ) -> None:
        super().__init__(scope, id_, **kwargs)
        stack = Stack.of(self)
        self.key = kms.Key(
            self,
            "Key",
            description=f"Encrypts the alarm notifications of {topic_name}",
            enable_key_rotation=True,
            # The key protects notifications in flight only, nothing at rest that must outlive the
            # stateless Monitoring stack; the waiting period still allows an undo.
            removal_policy=RemovalPolicy.DESTROY,
            pending_window=Duration.days(7),
        )
        # Only this account's alarms, and only those of this stage (their names start with the
        # prefix), may use the key: the same conditions as the topic policy below. Without them any
        # account's CloudWatch could have the key used on its behalf (the confused deputy).
        from_our_alarms = {
            "StringEquals": {"aws:SourceAccount": stack.account},
            "ArnLike": {
                "aws:SourceArn": f"arn:{stack.partition}:cloudwatch:{stack.region}:{stack.account}"
                f":alarm:{alarm_name_prefix}-*"
            },
        }
        # The statement AWS documents for CloudWatch alarms publishing to an SSE-enabled topic.
        self.key.add_to_resource_policy(
            iam.PolicyStatement(
                principals=[CLOUDWATCH],
                actions=["kms:Decrypt", "kms:GenerateDataKey*"],
                resources=["*"],  # in a key policy, "*" is this key
                conditions=from_our_alarms,
            )
        )
        self.topic = sns.Topic(
            self,
            "Topic",
            topic_name=topic_name,
            display_name="Shop alarms",
            master_key=self.key,
            enforce_ssl=True,
        )
        # A topic policy replaces SNS's default one; say explicitly that our alarms, and only ours, publish.
        self.topic.add_to_resource_policy(
            iam.PolicyStatement(
                principals=[CLOUDWATCH],
                actions=["sns:Publish"],
                resources=[self.topic.topic_arn],
                conditions=from_our_alarms,
            )
        )
        if email:
            # The recipient must confirm the subscription once; until then nothing is delivered.
            self.topic.add_subscription(subscriptions.EmailSubscription(email))
