"""The `Ref` and `Fn::GetAtt` values every resource of the templates would have in the local account.

Names come from the templates (`TableName`, `QueueName`, ...) or, when CloudFormation would generate
one, from the stack and logical id. Values only moto knows (queue URLs, user pool ids) are placeholders
here and are overridden by `aws_services` once the resources exist. Resource types the runner does not
emulate still get plausible values, so a function's environment always resolves.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cdk_app.local.intrinsics import (
    LOCAL_ACCOUNT,
    LOCAL_REGION,
    IntrinsicResolver,
    ResourceAddress,
    ResourceMap,
    UnresolvableIntrinsicError,
)


def generated_name(address: ResourceAddress, *, lowercase: bool = False, limit: int = 64) -> str:
    """The physical name CloudFormation would invent when the template gives none (minus the random tail)."""
    name = f"{address.stack}-{address.logical_id}"[:limit]
    return name.lower() if lowercase else name


def _literal_name(
    properties: Mapping[str, Any], key: str, resolver: IntrinsicResolver, stack: str
) -> str | None:
    if key not in properties:
        return None
    try:
        return resolver.resolve_string(properties[key], stack)
    except UnresolvableIntrinsicError:
        return None


class _Naming:
    def __init__(self, properties: Mapping[str, Any], resolver: IntrinsicResolver, address: ResourceAddress):
        self._properties, self._resolver, self._address = properties, resolver, address

    def name(self, key: str, *, lowercase: bool = False, limit: int = 64) -> str:
        given = _literal_name(self._properties, key, self._resolver, self._address.stack)
        return given or generated_name(self._address, lowercase=lowercase, limit=limit)


def queue_url(endpoint: str, account: str, name: str) -> str:
    return f"{endpoint.rstrip('/')}/{account}/{name}"


def build_resource_map(
    templates: Mapping[str, Mapping[str, Any]], *, region: str = LOCAL_REGION, account: str = LOCAL_ACCOUNT
) -> ResourceMap:
    resources = ResourceMap(templates=templates, region=region, account=account)
    resolver = IntrinsicResolver(resources)
    prefix = f"{region}:{account}"
    deferred: list[tuple[ResourceAddress, Mapping[str, Any]]] = []
    for stack, template in templates.items():
        for logical_id, resource in (template.get("Resources") or {}).items():
            if not isinstance(resource, Mapping):
                continue
            address = ResourceAddress(stack, logical_id)
            kind = str(resource.get("Type", ""))
            properties = resource.get("Properties") or {}
            if kind in ("AWS::Lambda::Alias", "AWS::Lambda::Version"):
                deferred.append((address, resource))
                continue
            naming = _Naming(properties, resolver, address)
            if kind in ("AWS::DynamoDB::Table", "AWS::DynamoDB::GlobalTable"):
                table = naming.name("TableName")
                arn = f"arn:aws:dynamodb:{prefix}:table/{table}"
                resources.set(address, table, Arn=arn, StreamArn=f"{arn}/stream/local")
            elif kind == "AWS::SQS::Queue":
                queue = naming.name("QueueName", limit=80)
                url = queue_url(f"https://sqs.{region}.amazonaws.com", account, queue)
                resources.set(
                    address, url, Arn=f"arn:aws:sqs:{prefix}:{queue}", QueueName=queue, QueueUrl=url
                )
            elif kind == "AWS::S3::Bucket":
                bucket = naming.name("BucketName", lowercase=True, limit=63)
                resources.set(
                    address,
                    bucket,
                    Arn=f"arn:aws:s3:::{bucket}",
                    DomainName=f"{bucket}.s3.amazonaws.com",
                    RegionalDomainName=f"{bucket}.s3.{region}.amazonaws.com",
                    WebsiteURL=f"http://{bucket}.s3-website-{region}.amazonaws.com",
                )
            elif kind == "AWS::Lambda::Function":
                function = naming.name("FunctionName")
                resources.set(address, function, Arn=f"arn:aws:lambda:{prefix}:function:{function}")
            elif kind == "AWS::Cognito::UserPool":
                pool_id = f"{region}_{logical_id[:9]}"
                resources.set(
                    address,
                    pool_id,
                    Arn=f"arn:aws:cognito-idp:{prefix}:userpool/{pool_id}",
                    ProviderName=f"cognito-idp.{region}.amazonaws.com/{pool_id}",
                    ProviderURL=f"https://cognito-idp.{region}.amazonaws.com/{pool_id}",
                    UserPoolId=pool_id,
                )
            elif kind == "AWS::Cognito::UserPoolClient":
                resources.set(address, logical_id.lower()[:26], ClientSecret="")
            elif kind == "AWS::ApiGateway::RestApi":
                resources.set(address, "local", RootResourceId="root")
            elif kind == "AWS::ApiGateway::Stage":
                resources.set(address, naming.name("StageName"))
            elif kind == "AWS::SecretsManager::Secret":
                secret = naming.name("Name")
                resources.set(address, f"arn:aws:secretsmanager:{prefix}:secret:{secret}")
            elif kind == "AWS::SSM::Parameter":
                resources.set(address, naming.name("Name"), Type="String", Value="")
            elif kind == "AWS::SNS::Topic":
                topic = naming.name("TopicName")
                arn = f"arn:aws:sns:{prefix}:{topic}"
                resources.set(address, arn, TopicArn=arn, TopicName=topic)
            else:
                _set_generic(resources, address, kind, prefix)
    for address, resource in deferred:
        _set_function_version(resources, resolver, address, resource)
    return resources


def _set_generic(resources: ResourceMap, address: ResourceAddress, kind: str, prefix: str) -> None:
    # Not emulated: the values only need to look right to code that merely passes them around.
    service = kind.split("::")[1].lower() if kind.count("::") >= 2 else "unknown"
    arn = f"arn:aws:{service}:{prefix}:{address.logical_id}"
    resources.set(address, address.logical_id, Arn=arn, Id=address.logical_id, GroupId=address.logical_id)


def _set_function_version(
    resources: ResourceMap, resolver: IntrinsicResolver, address: ResourceAddress, resource: Mapping[str, Any]
) -> None:
    properties = resource.get("Properties") or {}
    try:
        function = resolver.resolve_string(properties.get("FunctionName"), address.stack)
    except UnresolvableIntrinsicError:
        function = generated_name(address)
    if not function.startswith("arn:"):
        function = f"arn:aws:lambda:{resources.region}:{resources.account}:function:{function}"
    if resource.get("Type") == "AWS::Lambda::Alias":
        qualifier = _literal_name(properties, "Name", resolver, address.stack) or "live"
    else:
        qualifier = "1"
    arn = f"{function}:{qualifier}"
    resources.set(address, arn, Arn=arn, Version=qualifier)
