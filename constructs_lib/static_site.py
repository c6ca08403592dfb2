"""The shop's static site: a private bucket behind CloudFront (OAC, HTTPS only, security headers)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aws_cdk import Annotations, Duration, RemovalPolicy, Stack
from aws_cdk import aws_certificatemanager as acm
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_cloudfront_origins as origins
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_s3_deployment as s3_deployment
from constructs import Construct

from cdk_app.site_pages import NOT_FOUND_PAGE
from constructs_lib.nag import acknowledge
from constructs_lib.private_bucket import AccessLogBucket

SITE_CONFIG_FILE = "config.json"


@dataclass(frozen=True)
class SiteDomain:
    """A custom domain for the site and its ACM certificate (in us-east-1, where CloudFront reads it)."""

    name: str
    certificate_arn: str


@dataclass(frozen=True)
class ApiPaths:
    """Paths of the site that the REST API answers (sitemap.xml): CloudFront forwards them to the API's
    stage, so they live at the site's own address as crawlers expect."""

    domain_name: str  # <restApiId>.execute-api.<region>.amazonaws.com
    stage_path: str  # "/v1": the stage, as the origin path
    paths: tuple[str, ...]


class StaticSite(Construct):
    """Serves `site_dir` plus a generated config.json; every deploy invalidates CloudFront's copy."""

    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        site_dir: Path,
        site_config: Mapping[str, Any],
        content_security_policy: str,
        retain_logs: bool,
        bucket_paths: Mapping[str, s3.IBucket] | None = None,
        domain: SiteDomain | None = None,
        web_acl_arn: str | None = None,
        api_paths: ApiPaths | None = None,
        **kwargs: Any,
    ) -> None:
        """`bucket_paths` maps a path prefix of the site (`product-images`) to another private bucket,
        read through the same origin access control; its objects' keys start with that prefix."""
        super().__init__(scope, id_, **kwargs)
        logs = AccessLogBucket(self, "Logs", retain=retain_logs)
        self.bucket = s3.Bucket(
            self,
            "Bucket",
            encryption=s3.BucketEncryption.S3_MANAGED,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            enforce_ssl=True,
            versioned=True,
            server_access_logs_bucket=logs.bucket,
            server_access_logs_prefix="site-bucket/",
            # The bucket holds only what `make deploy` puts there; web/ in git is the source.
            removal_policy=RemovalPolicy.DESTROY,
            auto_delete_objects=True,
        )
        headers = cloudfront.ResponseHeadersPolicy(
            self,
            "SecurityHeaders",
            comment="Shop site security headers",
            security_headers_behavior=cloudfront.ResponseSecurityHeadersBehavior(
                strict_transport_security=cloudfront.ResponseHeadersStrictTransportSecurity(
                    access_control_max_age=Duration.days(365),
                    include_subdomains=True,
                    preload=True,
                    override=True,
                ),
                content_type_options=cloudfront.ResponseHeadersContentTypeOptions(override=True),
                frame_options=cloudfront.ResponseHeadersFrameOptions(
                    frame_option=cloudfront.HeadersFrameOption.DENY, override=True
                ),
                referrer_policy=cloudfront.ResponseHeadersReferrerPolicy(
                    referrer_policy=cloudfront.HeadersReferrerPolicy.STRICT_ORIGIN_WHEN_CROSS_ORIGIN,
                    override=True,
                ),
                content_security_policy=cloudfront.ResponseHeadersContentSecurityPolicy(
                    content_security_policy=content_security_policy, override=True
                ),
            ),
        )
        # One origin access control for every bucket the site reads (CloudFront signs as the distribution).
        origin_access = cloudfront.S3OriginAccessControl(
            self, "OriginAccess", signing=cloudfront.Signing.SIGV4_ALWAYS
        )
        self.distribution = cloudfront.Distribution(
            self,
            "Distribution",
            comment="Serverless shop web site",
            default_root_object="index.html",
            default_behavior=cloudfront.BehaviorOptions(
                origin=origins.S3BucketOrigin.with_origin_access_control(
                    self.bucket, origin_access_control=origin_access
                ),
                viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
                compress=True,
                cache_policy=cloudfront.CachePolicy.CACHING_OPTIMIZED,
                response_headers_policy=headers,
                allowed_methods=cloudfront.AllowedMethods.ALLOW_GET_HEAD,
            ),
            error_responses=[
                cloudfront.ErrorResponse(
                    http_status=status,
                    response_http_status=404,
                    response_page_path=f"/{NOT_FOUND_PAGE}",
                    ttl=Duration.minutes(5),
                )
                for status in (403, 404)  # S3 answers 403 for a missing key when listing is denied
            ],
            http_version=cloudfront.HttpVersion.HTTP2_AND_3,
            # With the stage's own domain, its certificate and TLS 1.2 at least (CloudFront's default
            # *.cloudfront.net certificate still accepts TLS 1.0 clients).
            domain_names=[domain.name] if domain else None,
            certificate=(
                acm.Certificate.from_certificate_arn(self, "Certificate", domain.certificate_arn)
                if domain
                else None
            ),
            minimum_protocol_version=(cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021 if domain else None),
            web_acl_id=web_acl_arn,
            price_class=cloudfront.PriceClass.PRICE_CLASS_100,
            enable_logging=True,
            log_bucket=logs.bucket,
            log_file_prefix="cloudfront/",
        )
        for prefix, bucket in (bucket_paths or {}).items():
            self.distribution.add_behavior(
                f"/{prefix}/*",
                origins.S3BucketOrigin.with_origin_access_control(
                    bucket, origin_access_control=origin_access
                ),
                viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
                compress=True,
                cache_policy=cloudfront.CachePolicy.CACHING_OPTIMIZED,
                response_headers_policy=headers,
                allowed_methods=cloudfront.AllowedMethods.ALLOW_GET_HEAD,
            )
        if api_paths is not None:
            self._add_api_paths(api_paths, headers)
        if bucket_paths:
            # Those buckets live in stateful stacks, which grant CloudFront read access themselves.
            Annotations.of(self.distribution).acknowledge_warning(
                "@aws-cdk/aws-cloudfront-origins:updateImportedBucketPolicyOac",
                "The owning stack's bucket policy lets this account's distributions read the prefix.",
            )
        self.deployment = s3_deployment.BucketDeployment(
            self,
            "Deploy",
            destination_bucket=self.bucket,
            sources=[
                s3_deployment.Source.asset(str(site_dir), exclude=[SITE_CONFIG_FILE]),
                s3_deployment.Source.json_data(SITE_CONFIG_FILE, dict(site_config)),
            ],
            distribution=self.distribution,
            distribution_paths=["/*"],
            prune=True,
            memory_limit=512,
        )
        self.url = f"https://{domain.name if domain else self.distribution.distribution_domain_name}"
        acknowledge(
            self.distribution,
            "AwsSolutions-CFR1",
            "The shop sells worldwide; there is no country it must refuse to serve.",
        )
        if domain is None:
            acknowledge(
                self.distribution,
                "AwsSolutions-CFR4",
                "This stage has no custom domain, so CloudFront serves its default *.cloudfront.net "
                "certificate, whose TLS policy CloudFront fixes; a stage's `custom_domain` setting brings "
                "its own certificate under TLSv1.2_2021. Viewers are redirected to HTTPS either way.",
            )
        self._acknowledge_deployment_handler()

    def _add_api_paths(self, api: ApiPaths, headers: cloudfront.IResponseHeadersPolicy) -> None:
        """One behaviour per path to the API's stage over HTTPS. No origin request policy: CloudFront
        sends the origin's own Host (API Gateway routes on it) and no cookies, headers or query strings,
        so every viewer shares one cached copy, kept as long as the API's Cache-Control says (an hour)."""
        stage = origins.HttpOrigin(
            api.domain_name,
            origin_path=api.stage_path,
            protocol_policy=cloudfront.OriginProtocolPolicy.HTTPS_ONLY,
            origin_ssl_protocols=[cloudfront.OriginSslPolicy.TLS_V1_2],
        )
        for path in api.paths:
            self.distribution.add_behavior(
                path,
                stage,
                viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
                compress=True,
                cache_policy=cloudfront.CachePolicy.CACHING_OPTIMIZED,
                response_headers_policy=headers,
                allowed_methods=cloudfront.AllowedMethods.ALLOW_GET_HEAD,
            )

    def _acknowledge_deployment_handler(self) -> None:
        """CDK's BucketDeployment runs one singleton Lambda per stack that we cannot configure."""
        stack = Stack.of(self)
        handler = next(
            child for child in stack.node.children if child.node.id.startswith("Custom::CDKBucketDeployment")
        )
        bucket_id = stack.resolve(stack.get_logical_id(self.bucket.node.default_child))  # type: ignore[arg-type]
        reason = (
            "CDK's BucketDeployment handler (singleton, not configurable): it copies the site from the CDK "
            "asset bucket into the site bucket and invalidates CloudFront."
        )
        acknowledge(handler, "AwsSolutions-L1", reason + " Its runtime is chosen by aws-cdk-lib.")
        acknowledge(
            handler,
            "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]",
            reason,
        )
        for finding in (
            "Action::s3:GetBucket*",
            "Action::s3:GetObject*",
            "Action::s3:List*",
            "Action::s3:Abort*",
            "Action::s3:DeleteObject*",
            f"Resource::arn:aws:s3:::cdk-hnb659fds-assets-<AWS::AccountId>-{stack.region}/*",
            f"Resource::<{bucket_id}.Arn>/*",
            "Resource::*",
        ):
            acknowledge(
                handler,
                f"AwsSolutions-IAM5[{finding}]",
                reason + " The grants are CDK's read/write on the two buckets.",
            )
