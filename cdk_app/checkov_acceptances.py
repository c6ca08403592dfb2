"""Every checkov finding the shop accepts, each with its reason: checkov's answer to cdk-nag's
acknowledgements (constructs_lib/nag.py). `cdk_app.checkov_gate` fails on any other failed check.

An acceptance names a check, the resources it covers (a logical-id prefix; "" for every resource of
the check) and, where it holds only for some stages, the stage setting that must be off for it.
"""

from __future__ import annotations

from dataclasses import dataclass

from cdk_app.function_catalog import FUNCTIONS

# CDK's own singleton Lambda providers (S3 auto-delete, bucket deployment, default-SG restriction):
# CloudFormation runs them during a deployment only; their code and roles are CDK's.
CDK_PROVIDERS = "Custom"


@dataclass(frozen=True)
class Acceptance:
    check: str
    resource_prefix: str
    reason: str
    # Accepted only on stages where this StageConfig setting is false (None: on every stage).
    unless_setting: str | None = None

    def covers(self, check: str, logical_id: str, settings: dict[str, object]) -> bool:
        if check != self.check or not logical_id.startswith(self.resource_prefix):
            return False
        return self.unless_setting is None or not settings.get(self.unless_setting, False)


def _function_prefix(name: str) -> str:
    """The logical-id prefix of a ShopFunction's Lambda function (`shop_api` -> `shopapiFunction`)."""
    return f"{name.replace('_', '')}Function"


OUTSIDE_THE_VPC = tuple(spec.name for spec in FUNCTIONS.values() if not spec.in_vpc)

ACCEPTED: tuple[Acceptance, ...] = (
    # -- Lambda ---------------------------------------------------------------------------------------
    *(
        Acceptance(
            "CKV_AWS_117",
            _function_prefix(name),
            f"{name} runs outside the VPC by design (cdk_app/function_catalog.py): it reaches the "
            "internet (Stripe, PayPal, SES) or only AWS APIs, and needs no Redis; a VPC would add a NAT "
            "gateway's cost and a failure point, not protection.",
        )
        for name in OUTSIDE_THE_VPC
    ),
    Acceptance(
        "CKV_AWS_117",
        "AdminMfaGate",
        "The admin MFA gate is a Cognito trigger that reads only the token's claims: no network resource "
        "to reach, nothing a VPC would protect.",
    ),
    Acceptance(
        "CKV_AWS_117",
        CDK_PROVIDERS,
        "CDK's deployment-time providers call S3, EC2 and CloudFormation APIs only.",
    ),
    Acceptance(
        "CKV_AWS_115",
        CDK_PROVIDERS,
        "CDK's deployment-time providers run once per deployment; every shop function has its reserved "
        "concurrency (cdk_app/function_catalog.py RESERVED_CONCURRENCY, tests/infra).",
    ),
    Acceptance(
        "CKV_AWS_115",
        "AdminMfaGate",
        "Cognito calls the MFA gate synchronously once per token it issues; a reservation would turn a "
        "burst of sign-ins into failed sign-ins, and Cognito's own quotas bound the rate.",
    ),
    Acceptance(
        "CKV_AWS_116",
        "",
        "A function-level DLQ catches failed asynchronous invocations only. The shop's functions are "
        "invoked synchronously (API Gateway, Cognito) or by event source mappings (SQS queues with "
        "redrive DLQs, the Products stream with its on-failure queue); the two scheduled aliases have "
        "on-failure destinations (EventInvokeConfig) to the schedule-failures DLQ, which this check "
        "does not read (tests/infra/test_security_hardening_infra.py checks every async invoker). CDK's "
        "providers report failures to CloudFormation.",
    ),
    Acceptance(
        "CKV_AWS_173",
        "",
        "Environment variables hold names, ARNs and settings, never secrets (those stay in Secrets "
        "Manager and DynamoDB, read at run time); Lambda encrypts them at rest with an AWS-managed key.",
    ),
    # -- logs, secrets, queues ------------------------------------------------------------------------------
    Acceptance(
        "CKV_AWS_158",
        "",
        "CloudWatch Logs encrypts every log group at rest; a customer-managed key per group would add "
        "a KMS request to every write and a key to guard, for logs that hold no card or secret data.",
    ),
    Acceptance(
        "CKV_AWS_149",
        "PaymentProviderSecret",
        "Encrypted with Secrets Manager's AWS-managed key: only this account's function roles read it "
        "(one grant each); a customer-managed key adds cost and no boundary without cross-account use.",
    ),
    Acceptance(
        "CKV_AWS_27",
        "",
        "Every queue is encrypted with SQS-managed SSE (SqsManagedSseEnabled); this check only "
        "recognises a KMS key.",
    ),
    # -- buckets -------------------------------------------------------------------------------------------
    *(
        Acceptance(
            check,
            prefix,
            "An access-log destination: logging it into itself would loop, and its objects expire by "
            "lifecycle, so versions would only keep deleted logs.",
        )
        for check in ("CKV_AWS_18", "CKV_AWS_21")
        for prefix in ("AccessLogsBucket", "SiteLogsBucket")
    ),
    # -- API Gateway ---------------------------------------------------------------------------------------
    Acceptance(
        "CKV_AWS_59",
        "RoutesResource",
        "The public routes (catalog, guest cart and checkout, payment webhooks, tracking, email links) "
        "have no authorizer by design; which route needs a token or a key is the route table's "
        "(cdk_app/api_routes.py), and tests/infra/test_api_stack.py checks every method against it.",
    ),
    Acceptance(
        "CKV_AWS_120",
        "RestStage",
        "Stages with `api_cache: false` (dev) do without the $14.60-a-month stage cache; Redis still "
        "serves the catalog (docs/decisions.md).",
        unless_setting="api_cache",
    ),
    # -- CloudFront ------------------------------------------------------------------------------------------
    Acceptance(
        "CKV_AWS_174",
        "SiteDistribution",
        "With CloudFront's default *.cloudfront.net certificate the minimum protocol cannot be set "
        "(CloudFront fixes it at TLSv1); a stage with a custom domain and its ACM certificate gets "
        "TLSv1.2_2021, which this check then passes.",
    ),
    Acceptance(
        "CKV_AWS_68",
        "SiteDistribution",
        "Stages with `waf: false` (dev) go without CloudFront's web ACL and its monthly cost; prod has one.",
        unless_setting="waf",
    ),
    Acceptance(
        "CKV_AWS_192",
        "SiteWafWebAcl",
        "The site's web ACL (Web stack) fronts fixed files from S3, where no Java or any other code reads "
        "a header, so a Log4j lookup reaches nothing; the known-bad-inputs group ($1 a month) is on the "
        'API\'s web ACL, which fronts the functions (docs/decisions.md, "WAF").',
    ),
    Acceptance(
        "CKV_AWS_111",
        "CustomCDKBucketDeployment",
        "CDK's BucketDeployment provider: its role writes the site's files into the site bucket, as "
        "CDK generates it.",
    ),
)
