"""Network: two AZs of isolated subnets, no NAT by default, endpoints, and tight security groups."""

from __future__ import annotations

from aws_cdk.assertions import Match

from cdk_app.synth import SynthesizedStage
from tests.infra.conftest import template_of


def _resources(stage: SynthesizedStage, type_: str) -> dict[str, dict]:  # type: ignore[type-arg]
    return {
        logical_id: resource
        for logical_id, resource in stage.template("Network")["Resources"].items()
        if resource["Type"] == type_
    }


def test_vpc_spans_two_azs_of_isolated_subnets_without_nat(dev: SynthesizedStage) -> None:
    template = template_of(dev, "Network")
    template.resource_count_is("AWS::EC2::VPC", 1)
    template.resource_count_is("AWS::EC2::NatGateway", 0)
    template.resource_count_is("AWS::EC2::InternetGateway", 0)
    subnets = _resources(dev, "AWS::EC2::Subnet")
    assert len(subnets) == 2
    for subnet in subnets.values():
        assert subnet["Properties"]["MapPublicIpOnLaunch"] is False
        tags = {tag["Key"]: tag["Value"] for tag in subnet["Properties"]["Tags"]}
        assert tags["aws-cdk:subnet-type"] == "Isolated"
    azs = {str(subnet["Properties"]["AvailabilityZone"]) for subnet in subnets.values()}
    assert len(azs) == 2


def test_a_stage_setting_adds_nat_gateways(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from aws_cdk import App
    from aws_cdk.assertions import Template

    from cdk_app.build import build_app
    from cdk_app.synth import cdk_context

    context = cdk_context("dev")
    context["shop:stages"] = {
        **context["shop:stages"],
        "dev": {**context["shop:stages"]["dev"], "nat_gateways": 1},
    }
    app = App(context=context, outdir=str(tmp_path))
    stacks = build_app(app, nag=False)
    template = Template.from_stack(stacks.network)
    template.resource_count_is("AWS::EC2::NatGateway", 1)
    template.resource_count_is("AWS::EC2::InternetGateway", 1)


def test_dynamodb_and_s3_gateway_endpoints(dev: SynthesizedStage) -> None:
    template = template_of(dev, "Network")
    for service in ("dynamodb", "s3"):
        template.has_resource_properties(
            "AWS::EC2::VPCEndpoint",
            {
                "VpcEndpointType": "Gateway",
                "ServiceName": Match.object_like(
                    {"Fn::Join": Match.array_with([Match.array_with([f".{service}"])])}
                ),
            },
        )


def test_the_only_interface_endpoint_is_sqs(dev: SynthesizedStage, prod: SynthesizedStage) -> None:
    """No SSM or Secrets Manager endpoint ($7.30 per AZ per month each): the kill switches and signing
    keys are read from DynamoDB through the free gateway endpoint, and Redis takes locally signed IAM
    tokens (docs/decisions.md, "Kill switches in DynamoDB, not SSM", "Redis IAM authentication")."""
    for stage, azs in ((dev, 1), (prod, 2)):
        endpoints = [
            resource["Properties"]
            for resource in _resources(stage, "AWS::EC2::VPCEndpoint").values()
            if resource["Properties"].get("VpcEndpointType") == "Interface"
        ]
        services = sorted(str(endpoint["ServiceName"]) for endpoint in endpoints)
        assert len(endpoints) == 1
        assert ".sqs" in services[0], services
        for endpoint in endpoints:
            assert endpoint["PrivateDnsEnabled"] is True
            assert len(endpoint["SubnetIds"]) == azs


def _security_group_id(stage: SynthesizedStage, description_start: str) -> str:
    for logical_id, resource in _resources(stage, "AWS::EC2::SecurityGroup").items():
        if resource["Properties"]["GroupDescription"].startswith(description_start):
            return logical_id
    raise AssertionError(f"no security group described {description_start!r}")


def test_cache_security_group_admits_6379_only_from_the_lambda_security_group(dev: SynthesizedStage) -> None:
    lambda_sg = _security_group_id(dev, "Shop Lambda functions")
    cache_sg = _security_group_id(dev, "Redis")
    cache = _resources(dev, "AWS::EC2::SecurityGroup")[cache_sg]["Properties"]
    assert "SecurityGroupIngress" not in cache  # no inline CIDR rules
    ingress = [
        resource["Properties"]
        for resource in _resources(dev, "AWS::EC2::SecurityGroupIngress").values()
        if resource["Properties"]["GroupId"] == {"Fn::GetAtt": [cache_sg, "GroupId"]}
    ]
    assert ingress == [
        {
            "Description": "Redis from the shop's Lambda functions",
            "FromPort": 6379,
            "GroupId": {"Fn::GetAtt": [cache_sg, "GroupId"]},
            "IpProtocol": "tcp",
            "SourceSecurityGroupId": {"Fn::GetAtt": [lambda_sg, "GroupId"]},
            "ToPort": 6379,
        }
    ]
    # No egress from the cache: the deny-all placeholder rule CDK writes for allow_all_outbound=False.
    assert cache["SecurityGroupEgress"][0]["CidrIp"] == "255.255.255.255/32"


def test_no_security_group_is_open_to_the_internet(dev: SynthesizedStage) -> None:
    for resource in _resources(dev, "AWS::EC2::SecurityGroupIngress").values():
        assert "CidrIp" not in resource["Properties"]
    for resource in _resources(dev, "AWS::EC2::SecurityGroup").values():
        for rule in resource["Properties"].get("SecurityGroupIngress", []):
            assert rule.get("CidrIp") != "0.0.0.0/0"


def test_rejected_traffic_is_flow_logged(dev: SynthesizedStage) -> None:
    template_of(dev, "Network").has_resource_properties(
        "AWS::EC2::FlowLog", {"TrafficType": "REJECT", "LogDestinationType": "cloud-watch-logs"}
    )
