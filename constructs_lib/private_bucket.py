"""A private, encrypted, SSL-only, versioned S3 bucket that logs its access."""

from __future__ import annotations

from typing import Any

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_s3 as s3
from constructs import Construct

from constructs_lib.nag import acknowledge


class AccessLogBucket(Construct):
    """The destination of S3 server access logs for the stack's buckets."""

    def __init__(self, scope: Construct, id_: str, *, retain: bool, **kwargs: Any) -> None:
        super().__init__(scope, id_, **kwargs)
        self.bucket = s3.Bucket(
            self,
            "Bucket",
            encryption=s3.BucketEncryption.S3_MANAGED,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            enforce_ssl=True,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_PREFERRED,
            removal_policy=RemovalPolicy.RETAIN if retain else RemovalPolicy.DESTROY,
            auto_delete_objects=not retain,
            lifecycle_rules=[s3.LifecycleRule(expiration=Duration.days(365))],
        )
        acknowledge(
            self.bucket,
            "AwsSolutions-S1",
            "This bucket is the access-log destination; logging it into itself would loop.",
        )


class PrivateBucket(Construct):
    """Blocks every public access path; objects are reached through presigned URLs or CloudFront OAC."""

    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        retain: bool,
        access_logs: s3.IBucket,
        log_prefix: str,
        cors: list[s3.CorsRule] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(scope, id_, **kwargs)
        self.bucket = s3.Bucket(
            self,
            "Bucket",
            encryption=s3.BucketEncryption.S3_MANAGED,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            enforce_ssl=True,
            versioned=True,
            server_access_logs_bucket=access_logs,
            server_access_logs_prefix=log_prefix,
            removal_policy=RemovalPolicy.RETAIN if retain else RemovalPolicy.DESTROY,
            auto_delete_objects=not retain,
            cors=cors,
        )
