"""AWS WAF web ACLs: one in front of the API stage (REGIONAL), one in front of the site (CLOUDFRONT).

Written as the CloudFormation resource it is (AWS::WAFv2::WebACL) so a reviewer reads the rules as AWS
documents them. Each rule is $1 a month on top of the ACL's $5 (cdk_app/prices.json), so the site's ACL
carries only what a static S3 origin can use (docs/decisions.md, "WAF").
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from aws_cdk import CfnResource
from aws_cdk import aws_wafv2 as wafv2
from constructs import Construct

from cdk_app.traffic_limits import (
    API_RATE_PER_IP,
    PAYMENT_PATH_PART,
    PAYMENTS_RATE_PER_IP,
    SITE_RATE_PER_IP,
    WEBHOOK_PATH_PART,
    RateRule,
)

Rule = dict[str, Any]

# AWS's baseline managed groups (no subscription fee): the OWASP-style common set, request patterns
# known to exploit vulnerabilities (Log4j, Spring4Shell, ...), and addresses Amazon's threat
# intelligence has seen attack.
COMMON = "AWSManagedRulesCommonRuleSet"
KNOWN_BAD_INPUTS = "AWSManagedRulesKnownBadInputsRuleSet"
IP_REPUTATION = "AWSManagedRulesAmazonIpReputationList"


def _visibility(metric: str) -> dict[str, Any]:
    return {"SampledRequestsEnabled": True, "CloudWatchMetricsEnabled": True, "MetricName": metric}


def managed_group(name: str, priority: int, *, count_only: Sequence[str] = ()) -> Rule:
    """A managed rule group that blocks what it matches, except the rules in `count_only` (counted)."""
    statement: dict[str, Any] = {"VendorName": "AWS", "Name": name}
    if count_only:
        statement["RuleActionOverrides"] = [
            {"Name": rule, "ActionToUse": {"Count": {}}} for rule in count_only
        ]
    return {
        "Name": name,
        "Priority": priority,
        "Statement": {"ManagedRuleGroupStatement": statement},
        "OverrideAction": {"None": {}},
        "VisibilityConfig": _visibility(name),
    }


def _uri_contains(part: str) -> dict[str, Any]:
    return {
        "ByteMatchStatement": {
            "FieldToMatch": {"UriPath": {}},
            "PositionalConstraint": "CONTAINS",
            "SearchString": part,
            "TextTransformations": [{"Priority": 0, "Type": "LOWERCASE"}],
        }
    }


def rate_per_ip(rule: RateRule, priority: int, *, scope_down: dict[str, Any] | None = None) -> Rule:
    """Blocks a client IP while it sends more than `rule.limit` requests per `rule.window_seconds`."""
    statement: dict[str, Any] = {
        "Limit": rule.limit,
        "EvaluationWindowSec": rule.window_seconds,
        "AggregateKeyType": "IP",
    }
    if scope_down is not None:
        statement["ScopeDownStatement"] = scope_down
    return {
        "Name": rule.name,
        "Priority": priority,
        "Statement": {"RateBasedStatement": statement},
        "Action": {"Block": {}},
        "VisibilityConfig": _visibility(rule.name),
    }


def api_rules() -> list[Rule]:
    """Reputation first (cheapest to evaluate and drops the most), then the rate limits, then content.

    The common set's 8 KB body-size rule only counts: Stripe's and PayPal's webhook events are larger,
    and API Gateway (10 MB) and each route's own validation bound bodies already.
    """
    not_webhook = {"NotStatement": {"Statement": _uri_contains(WEBHOOK_PATH_PART)}}
    payments = {"AndStatement": {"Statements": [_uri_contains(PAYMENT_PATH_PART), not_webhook]}}
    return [
        managed_group(IP_REPUTATION, 0),
        rate_per_ip(PAYMENTS_RATE_PER_IP, 1, scope_down=payments),
        rate_per_ip(API_RATE_PER_IP, 2, scope_down=not_webhook),
        managed_group(KNOWN_BAD_INPUTS, 3),
        managed_group(COMMON, 4, count_only=("SizeRestrictions_BODY",)),
    ]


def site_rules() -> list[Rule]:
    """The site is fixed files from S3 (GET and HEAD only): no code reads a body or query there, so the
    content rule groups would cost $2 a month to protect nothing. Bad addresses and floods remain."""
    return [managed_group(IP_REPUTATION, 0), rate_per_ip(SITE_RATE_PER_IP, 1)]


class ShopWebAcl(Construct):
    """A web ACL that allows by default and blocks by its rules; CloudWatch metrics per rule."""

    def __init__(self, scope: Construct, id_: str, *, name: str, scope_type: str, rules: list[Rule]) -> None:
        super().__init__(scope, id_)
        self.resource = CfnResource(
            self,
            "WebAcl",
            type="AWS::WAFv2::WebACL",
            properties={
                "Name": name,
                "Scope": scope_type,
                "DefaultAction": {"Allow": {}},
                "Rules": rules,
                "VisibilityConfig": _visibility(name),
            },
        )
        self.arn: str = self.resource.get_att("Arn").to_string()


class ApiWebAcl(ShopWebAcl):
    def __init__(self, scope: Construct, id_: str, *, name: str, stage_arn: str) -> None:
        super().__init__(scope, id_, name=name, scope_type="REGIONAL", rules=api_rules())
        # The L1 class (not a raw resource) so cdk-nag's APIG3 check sees the stage's ACL.
        wafv2.CfnWebACLAssociation(self, "Association", resource_arn=stage_arn, web_acl_arn=self.arn)
