"""What the local runner runs, read from the synthesized local-stage templates into typed records.

One source of truth: every table, queue, function, route and schedule comes from the CDK app. The
readers are defensive (unknown properties are ignored, missing optional ones take AWS's defaults)
because the templates are CloudFormation, not a schema the runner controls.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cdk_app.local.intrinsics import (
    IntrinsicResolver,
    ResourceAddress,
    ResourceMap,
    UnresolvableIntrinsicError,
)
from cdk_app.local.resource_values import build_resource_map

logger = logging.getLogger(__name__)

TABLE_TYPES = ("AWS::DynamoDB::Table", "AWS::DynamoDB::GlobalTable")
PYTHON_RUNTIME_PREFIX = "python"
# SQS defaults when a template leaves them out.
DEFAULT_VISIBILITY_TIMEOUT = 30
DEFAULT_RETENTION_SECONDS = 345_600
# API Gateway's stage cache TTL when caching is on but no TTL is given.
DEFAULT_CACHE_TTL_SECONDS = 300


@dataclass(frozen=True)
class KeyAttribute:
    name: str
    type: str  # S, N or B


@dataclass(frozen=True)
class SecondaryIndex:
    name: str
    partition_key: KeyAttribute
    sort_key: KeyAttribute | None
    projection_type: str = "ALL"
    non_key_attributes: tuple[str, ...] = ()


@dataclass(frozen=True)
class TableModel:
    address: ResourceAddress
    name: str
    partition_key: KeyAttribute
    sort_key: KeyAttribute | None
    indexes: tuple[SecondaryIndex, ...] = ()
    ttl_attribute: str | None = None
    stream_view_type: str | None = None


@dataclass(frozen=True)
class QueueModel:
    address: ResourceAddress
    name: str
    arn: str
    visibility_timeout: int = DEFAULT_VISIBILITY_TIMEOUT
    retention_seconds: int = DEFAULT_RETENTION_SECONDS
    fifo: bool = False
    dead_letter_target_arn: str | None = None
    max_receive_count: int | None = None


@dataclass(frozen=True)
class BucketModel:
    address: ResourceAddress
    name: str


@dataclass(frozen=True)
class UserPoolClientModel:
    address: ResourceAddress
    name: str
    explicit_auth_flows: tuple[str, ...] = ()
    generate_secret: bool = False


@dataclass(frozen=True)
class UserPoolModel:
    address: ResourceAddress
    name: str
    username_attributes: tuple[str, ...] = ()
    auto_verified_attributes: tuple[str, ...] = ()
    password_policy: Mapping[str, Any] = field(default_factory=dict)
    clients: tuple[UserPoolClientModel, ...] = ()
    groups: tuple[str, ...] = ()


@dataclass(frozen=True)
class FunctionModel:
    address: ResourceAddress
    name: str
    arn: str
    handler: str
    runtime: str
    timeout_seconds: int = 3
    memory_mb: int = 128
    environment: Mapping[str, Any] = field(default_factory=dict)  # values may still hold intrinsics
    # The function's code asset in the cloud assembly (CDK's `aws:asset:path`), when the synth kept it.
    code_dir: str | None = None

    @property
    def is_python(self) -> bool:
        return self.runtime.startswith(PYTHON_RUNTIME_PREFIX)

    @property
    def module_and_attribute(self) -> tuple[str, str]:
        """`shop_api.handler.handler` → (`shop_api.handler`, `handler`), as Lambda's runtime splits it."""
        module, _, attribute = self.handler.rpartition(".")
        return module, attribute


@dataclass(frozen=True)
class EventSourceModel:
    """An SQS queue or a DynamoDB stream feeding a function."""

    address: ResourceAddress
    function: ResourceAddress
    source_arn: str
    batch_size: int = 10
    maximum_batching_window_seconds: int = 0
    report_batch_item_failures: bool = False
    maximum_concurrency: int | None = None
    enabled: bool = True
    # Streams only:
    starting_position: str = "LATEST"
    maximum_retry_attempts: int = -1
    bisect_on_error: bool = False
    on_failure_arn: str | None = None

    @property
    def kind(self) -> str:
        """`sqs` or `dynamodb`, from the source's ARN."""
        return self.source_arn.split(":")[2] if self.source_arn.count(":") >= 2 else ""


@dataclass(frozen=True)
class MockResponse:
    status_code: int
    headers: Mapping[str, str]


@dataclass(frozen=True)
class RouteModel:
    method: str  # GET, POST, ... or ANY
    path: str  # resource template: /products/{id}
    function: ResourceAddress | None
    integration_type: str = "AWS_PROXY"
    authorization_type: str = "NONE"
    authorization_scopes: tuple[str, ...] = ()
    request_parameters: Mapping[str, bool] = field(default_factory=dict)
    cache_key_parameters: tuple[str, ...] = ()
    cache_enabled: bool = False
    cache_ttl_seconds: int = 0
    mock_response: MockResponse | None = None
    api_key_required: bool = False
    validate_body: bool = False
    validate_parameters: bool = False
    body_schema: Mapping[str, Any] | None = None  # the application/json request model

    @property
    def requires_token(self) -> bool:
        return self.authorization_type == "COGNITO_USER_POOLS"

    @property
    def caches(self) -> bool:
        return self.cache_enabled and self.cache_ttl_seconds > 0


@dataclass(frozen=True)
class ApiKeyModel:
    address: ResourceAddress
    name: str
    value: str | None  # None: API Gateway would generate one; the runner makes up a local value


@dataclass(frozen=True)
class ScheduleModel:
    address: ResourceAddress
    expression: str
    function: ResourceAddress
    timezone: str = "UTC"
    input: str | None = None
    enabled: bool = True


@dataclass(frozen=True)
class ShopModel:
    """Everything the runner creates and runs, and the map of the resources' local values."""

    resources: ResourceMap
    tables: tuple[TableModel, ...]
    queues: tuple[QueueModel, ...]
    buckets: tuple[BucketModel, ...]
    user_pools: tuple[UserPoolModel, ...]
    functions: tuple[FunctionModel, ...]
    event_sources: tuple[EventSourceModel, ...]
    routes: tuple[RouteModel, ...]
    schedules: tuple[ScheduleModel, ...]
    api_stage: str = "local"
    binary_media_types: tuple[str, ...] = ()
    api_keys: tuple[ApiKeyModel, ...] = ()
    # Gateway response type (DEFAULT_4XX, UNAUTHORIZED, ...) → headers API Gateway adds to its own errors.
    gateway_response_headers: Mapping[str, Mapping[str, str]] = field(default_factory=dict)

    @property
    def resolver(self) -> IntrinsicResolver:
        return IntrinsicResolver(self.resources)

    def function(self, address: ResourceAddress) -> FunctionModel:
        for function in self.functions:
            if function.address == address:
                return function
        raise KeyError(f"no function {address}")

    def table_by_stream_arn(self, arn: str) -> TableModel:
        for table in self.tables:
            if self.resources.values[table.address].attributes.get("StreamArn") == arn:
                return table
        raise KeyError(f"no table streams to {arn}")

    def queue_by_arn(self, arn: str) -> QueueModel:
        for queue in self.queues:
            if queue.arn == arn:
                return queue
        raise KeyError(f"no queue {arn}")


def read_shop_model(templates: Mapping[str, Mapping[str, Any]]) -> ShopModel:
    """Read every stack template (stack name → template dict) of the local stage."""
    resources = build_resource_map(templates)
    reader = _TemplateReader(resources)
    functions = reader.functions()
    routes, stage_name = reader.routes(functions)
    return ShopModel(
        resources=resources,
        tables=reader.tables(),
        queues=reader.queues(),
        buckets=reader.buckets(),
        user_pools=reader.user_pools(),
        functions=functions,
        event_sources=reader.event_sources(functions),
        routes=routes,
        schedules=reader.schedules(functions),
        api_stage=stage_name,
        binary_media_types=reader.binary_media_types(),
        api_keys=reader.api_keys(),
        gateway_response_headers=reader.gateway_response_headers(),
    )


def _as_bool(value: Any, default: bool = False) -> bool:
    if value is None:
        return default
    if isinstance(value, str):
        return value.lower() == "true"
    return bool(value)


def _int(value: Any, default: int) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


_FUNCTION_ARN = re.compile(r"arn:aws[\w-]*:lambda:[^:]+:[^:]+:function:([^:/]+)")


class _TemplateReader:
    def __init__(self, resources: ResourceMap) -> None:
        self._resources = resources
        self._resolver = IntrinsicResolver(resources)

    def _string(self, value: Any, stack: str, default: str = "") -> str:
        if value is None:
            return default
        try:
            return self._resolver.resolve_string(value, stack)
        except UnresolvableIntrinsicError as error:
            logger.warning("local runner: %s", error)
            return default

    # --- data ----------------------------------------------------------------------------------------

    def tables(self) -> tuple[TableModel, ...]:
        tables = []
        for address, resource in self._resources.resources_of_type(*TABLE_TYPES):
            properties = resource.get("Properties") or {}
            types = {
                str(item.get("AttributeName")): str(item.get("AttributeType", "S"))
                for item in properties.get("AttributeDefinitions") or []
            }

            def keys(
                schema: Any, types: Mapping[str, str] = types
            ) -> tuple[KeyAttribute, KeyAttribute | None]:
                by_role = {str(item.get("KeyType")): str(item.get("AttributeName")) for item in schema or []}
                hash_key = KeyAttribute(by_role["HASH"], types.get(by_role["HASH"], "S"))
                range_name = by_role.get("RANGE")
                return hash_key, KeyAttribute(range_name, types.get(range_name, "S")) if range_name else None

            partition_key, sort_key = keys(properties.get("KeySchema"))
            indexes = []
            for index in properties.get("GlobalSecondaryIndexes") or []:
                index_partition, index_sort = keys(index.get("KeySchema"))
                projection = index.get("Projection") or {}
                indexes.append(
                    SecondaryIndex(
                        name=str(index.get("IndexName")),
                        partition_key=index_partition,
                        sort_key=index_sort,
                        projection_type=str(projection.get("ProjectionType", "ALL")),
                        non_key_attributes=tuple(projection.get("NonKeyAttributes") or ()),
                    )
                )
            ttl = properties.get("TimeToLiveSpecification") or {}
            stream = properties.get("StreamSpecification") or {}
            values = self._resources.get(address)
            tables.append(
                TableModel(
                    address=address,
                    name=values.ref if values else address.logical_id,
                    partition_key=partition_key,
                    sort_key=sort_key,
                    indexes=tuple(indexes),
                    ttl_attribute=str(ttl["AttributeName"]) if _as_bool(ttl.get("Enabled")) else None,
                    stream_view_type=stream.get("StreamViewType"),
                )
            )
        return tuple(tables)

    def buckets(self) -> tuple[BucketModel, ...]:
        return tuple(
            BucketModel(address, self._string({"Ref": address.logical_id}, address.stack, address.logical_id))
            for address, _ in self._resources.resources_of_type("AWS::S3::Bucket")
        )

    # --- messaging -----------------------------------------------------------------------------------

    def queues(self) -> tuple[QueueModel, ...]:
        queues = []
        for address, resource in self._resources.resources_of_type("AWS::SQS::Queue"):
            properties = resource.get("Properties") or {}
            values = self._resources.get(address)
            assert values is not None  # every resource of the templates has values
            redrive = properties.get("RedrivePolicy") or {}
            if isinstance(redrive, str):  # allowed by CloudFormation as a JSON string
                redrive = json.loads(redrive)
            target = redrive.get("deadLetterTargetArn")
            queues.append(
                QueueModel(
                    address=address,
                    name=values.attributes["QueueName"],
                    arn=values.attributes["Arn"],
                    visibility_timeout=_int(properties.get("VisibilityTimeout"), DEFAULT_VISIBILITY_TIMEOUT),
                    retention_seconds=_int(
                        properties.get("MessageRetentionPeriod"), DEFAULT_RETENTION_SECONDS
                    ),
                    fifo=_as_bool(properties.get("FifoQueue")),
                    dead_letter_target_arn=self._string(target, address.stack) or None if target else None,
                    max_receive_count=_int(redrive.get("maxReceiveCount"), 0) or None,
                )
            )
        return tuple(queues)

    # --- auth ----------------------------------------------------------------------------------------

    def user_pools(self) -> tuple[UserPoolModel, ...]:
        clients = self._resources.resources_of_type("AWS::Cognito::UserPoolClient")
        groups = self._resources.resources_of_type("AWS::Cognito::UserPoolGroup")
        pools = []
        for address, resource in self._resources.resources_of_type("AWS::Cognito::UserPool"):
            properties = resource.get("Properties") or {}
            pool_ref = self._string({"Ref": address.logical_id}, address.stack)

            def belongs(
                item: Mapping[str, Any], item_address: ResourceAddress, pool_ref: str = pool_ref
            ) -> bool:
                owner = (item.get("Properties") or {}).get("UserPoolId")
                return self._string(owner, item_address.stack) == pool_ref

            pools.append(
                UserPoolModel(
                    address=address,
                    name=self._string(properties.get("UserPoolName"), address.stack, address.logical_id),
                    username_attributes=tuple(properties.get("UsernameAttributes") or ()),
                    auto_verified_attributes=tuple(properties.get("AutoVerifiedAttributes") or ()),
                    password_policy=(properties.get("Policies") or {}).get("PasswordPolicy") or {},
                    clients=tuple(
                        UserPoolClientModel(
                            address=client_address,
                            name=self._string(
                                (client.get("Properties") or {}).get("ClientName"),
                                client_address.stack,
                                client_address.logical_id,
                            ),
                            explicit_auth_flows=tuple(
                                (client.get("Properties") or {}).get("ExplicitAuthFlows") or ()
                            ),
                            generate_secret=_as_bool((client.get("Properties") or {}).get("GenerateSecret")),
                        )
                        for client_address, client in clients
                        if belongs(client, client_address)
                    ),
                    groups=tuple(
                        self._string((group.get("Properties") or {}).get("GroupName"), group_address.stack)
                        or group_address.logical_id
                        for group_address, group in groups
                        if belongs(group, group_address)
                    ),
                )
            )
        return tuple(pools)

    # --- compute -------------------------------------------------------------------------------------

    def functions(self) -> tuple[FunctionModel, ...]:
        functions = []
        for address, resource in self._resources.resources_of_type("AWS::Lambda::Function"):
            properties = resource.get("Properties") or {}
            values = self._resources.get(address)
            assert values is not None
            functions.append(
                FunctionModel(
                    address=address,
                    name=values.ref,
                    arn=values.attributes["Arn"],
                    handler=str(properties.get("Handler", "")),
                    runtime=str(properties.get("Runtime", "")),
                    timeout_seconds=_int(properties.get("Timeout"), 3),
                    memory_mb=_int(properties.get("MemorySize"), 128),
                    environment=dict((properties.get("Environment") or {}).get("Variables") or {}),
                    code_dir=_code_dir(resource),
                )
            )
        return tuple(functions)

    def _function_of(
        self, value: Any, stack: str, functions: tuple[FunctionModel, ...]
    ) -> ResourceAddress | None:
        """The function a name, ARN, alias ARN or integration URI points at."""
        text = self._string(value, stack)
        match = _FUNCTION_ARN.search(text)
        # A bare name may carry a qualifier (`name:live`), and a partial ARN starts `<account>:function:`.
        name = match.group(1) if match else text.rsplit("function:", 1)[-1].split(":", 1)[0]
        for function in functions:
            if function.name == name:
                return function.address
        return None

    def event_sources(self, functions: tuple[FunctionModel, ...]) -> tuple[EventSourceModel, ...]:
        sources = []
        for address, resource in self._resources.resources_of_type("AWS::Lambda::EventSourceMapping"):
            properties = resource.get("Properties") or {}
            function = self._function_of(properties.get("FunctionName"), address.stack, functions)
            source_arn = self._string(properties.get("EventSourceArn"), address.stack)
            if function is None or not (":sqs:" in source_arn or ":dynamodb:" in source_arn):
                logger.warning(
                    "local runner: event source %s: not an SQS or DynamoDB source; skipped", address
                )
                continue
            scaling = properties.get("ScalingConfig") or {}
            on_failure = ((properties.get("DestinationConfig") or {}).get("OnFailure") or {}).get(
                "Destination"
            )
            sources.append(
                EventSourceModel(
                    address=address,
                    function=function,
                    source_arn=source_arn,
                    batch_size=_int(properties.get("BatchSize"), 10 if ":sqs:" in source_arn else 100),
                    maximum_batching_window_seconds=_int(properties.get("MaximumBatchingWindowInSeconds"), 0),
                    report_batch_item_failures="ReportBatchItemFailures"
                    in (properties.get("FunctionResponseTypes") or ()),
                    maximum_concurrency=_int(scaling.get("MaximumConcurrency"), 0) or None,
                    enabled=_as_bool(properties.get("Enabled"), default=True),
                    starting_position=str(properties.get("StartingPosition", "LATEST")),
                    maximum_retry_attempts=_int(properties.get("MaximumRetryAttempts"), -1),
                    bisect_on_error=_as_bool(properties.get("BisectBatchOnFunctionError")),
                    on_failure_arn=self._string(on_failure, address.stack) or None if on_failure else None,
                )
            )
        return tuple(sources)

    def schedules(self, functions: tuple[FunctionModel, ...]) -> tuple[ScheduleModel, ...]:
        schedules = []
        for address, resource in self._resources.resources_of_type("AWS::Scheduler::Schedule"):
            properties = resource.get("Properties") or {}
            target = properties.get("Target") or {}
            function = self._function_of(target.get("Arn"), address.stack, functions)
            if function is None:
                continue
            raw_input = target.get("Input")
            schedules.append(
                ScheduleModel(
                    address=address,
                    expression=self._string(properties.get("ScheduleExpression"), address.stack),
                    function=function,
                    timezone=self._string(properties.get("ScheduleExpressionTimezone"), address.stack, "UTC"),
                    input=self._string(raw_input, address.stack) if raw_input is not None else None,
                    enabled=self._string(properties.get("State"), address.stack, "ENABLED") == "ENABLED",
                )
            )
        for address, resource in self._resources.resources_of_type("AWS::Events::Rule"):
            properties = resource.get("Properties") or {}
            if "ScheduleExpression" not in properties:
                continue
            for target in properties.get("Targets") or []:
                function = self._function_of(target.get("Arn"), address.stack, functions)
                if function is None:
                    continue
                raw_input = target.get("Input")
                schedules.append(
                    ScheduleModel(
                        address=address,
                        expression=self._string(properties.get("ScheduleExpression"), address.stack),
                        function=function,
                        input=self._string(raw_input, address.stack) if raw_input is not None else None,
                        enabled=self._string(properties.get("State"), address.stack, "ENABLED") == "ENABLED",
                    )
                )
        return tuple(schedules)

    # --- API -----------------------------------------------------------------------------------------

    def binary_media_types(self) -> tuple[str, ...]:
        types: list[str] = []
        for _, resource in self._resources.resources_of_type("AWS::ApiGateway::RestApi"):
            for media_type in (resource.get("Properties") or {}).get("BinaryMediaTypes") or []:
                # The API Gateway API spells `/` as `~1` in media types; CloudFormation accepts either.
                types.append(str(media_type).replace("~1", "/"))
        return tuple(types)

    def api_keys(self) -> tuple[ApiKeyModel, ...]:
        keys = []
        for address, resource in self._resources.resources_of_type("AWS::ApiGateway::ApiKey"):
            properties = resource.get("Properties") or {}
            value = properties.get("Value")
            keys.append(
                ApiKeyModel(
                    address=address,
                    name=self._string(properties.get("Name"), address.stack, address.logical_id),
                    value=self._string(value, address.stack) if value is not None else None,
                )
            )
        return tuple(keys)

    def gateway_response_headers(self) -> dict[str, dict[str, str]]:
        responses: dict[str, dict[str, str]] = {}
        for _, resource in self._resources.resources_of_type("AWS::ApiGateway::GatewayResponse"):
            properties = resource.get("Properties") or {}
            response_type = str(properties.get("ResponseType", ""))
            responses[response_type] = _static_headers(
                properties.get("ResponseParameters") or {}, "gatewayresponse.header."
            )
        return responses

    def _validators(self) -> dict[ResourceAddress | None, tuple[bool, bool]]:
        return {
            address: (
                _as_bool((resource.get("Properties") or {}).get("ValidateRequestBody")),
                _as_bool((resource.get("Properties") or {}).get("ValidateRequestParameters")),
            )
            for address, resource in self._resources.resources_of_type("AWS::ApiGateway::RequestValidator")
        }

    def _schemas(self) -> dict[ResourceAddress | None, Mapping[str, Any]]:
        schemas: dict[ResourceAddress | None, Mapping[str, Any]] = {}
        for address, resource in self._resources.resources_of_type("AWS::ApiGateway::Model"):
            schema = (resource.get("Properties") or {}).get("Schema")
            if isinstance(schema, str):
                schema = json.loads(schema)
            if isinstance(schema, Mapping):
                schemas[address] = schema
        return schemas

    def routes(self, functions: tuple[FunctionModel, ...]) -> tuple[tuple[RouteModel, ...], str]:
        paths = self._resource_paths()
        cache_settings, stage_name = self._stage_cache_settings()
        authorizer_types = {
            address: str((resource.get("Properties") or {}).get("Type", ""))
            for address, resource in self._resources.resources_of_type("AWS::ApiGateway::Authorizer")
        }
        validators = self._validators()
        schemas = self._schemas()
        routes = []
        for address, resource in self._resources.resources_of_type("AWS::ApiGateway::Method"):
            properties = resource.get("Properties") or {}
            path = self._path_of(properties.get("ResourceId"), address.stack, paths)
            if path is None:
                logger.warning("local runner: method %s hangs off an unknown resource; skipped", address)
                continue
            method = str(properties.get("HttpMethod", "ANY")).upper()
            integration = properties.get("Integration") or {}
            integration_type = str(integration.get("Type", "AWS_PROXY")).upper()
            authorization_type = str(properties.get("AuthorizationType", "NONE")).upper()
            authorizer = self._address(properties.get("AuthorizerId"), address.stack)
            if authorizer is not None:
                kind = authorizer_types.get(authorizer)
                if authorization_type == "CUSTOM" and kind == "COGNITO_USER_POOLS":
                    authorization_type = kind
            function = None
            if integration_type in ("AWS_PROXY", "AWS") and integration.get("Uri") is not None:
                function = self._function_of(integration.get("Uri"), address.stack, functions)
            caching_enabled, ttl = cache_settings(path, method)
            validate_body, validate_parameters = validators.get(
                self._address(properties.get("RequestValidatorId"), address.stack), (False, False)
            )
            json_model = (properties.get("RequestModels") or {}).get("application/json")
            routes.append(
                RouteModel(
                    method=method,
                    path=path,
                    function=function,
                    integration_type=integration_type,
                    authorization_type=authorization_type,
                    authorization_scopes=tuple(properties.get("AuthorizationScopes") or ()),
                    request_parameters={
                        str(key): _as_bool(value)
                        for key, value in (properties.get("RequestParameters") or {}).items()
                    },
                    cache_key_parameters=tuple(
                        str(key) for key in integration.get("CacheKeyParameters") or ()
                    ),
                    cache_enabled=caching_enabled,
                    cache_ttl_seconds=ttl,
                    mock_response=self._mock_response(integration) if integration_type == "MOCK" else None,
                    api_key_required=_as_bool(properties.get("ApiKeyRequired")),
                    validate_body=validate_body,
                    validate_parameters=validate_parameters,
                    body_schema=schemas.get(self._address(json_model, address.stack)),
                )
            )
        return tuple(routes), stage_name

    def _resource_paths(self) -> dict[ResourceAddress, tuple[Any, str]]:
        return {
            address: (
                (resource.get("Properties") or {}).get("ParentId"),
                str((resource.get("Properties") or {}).get("PathPart", "")),
            )
            for address, resource in self._resources.resources_of_type("AWS::ApiGateway::Resource")
        }

    def _followed(self, reference: Any, stack: str) -> tuple[Any, str]:
        """A value another stack exports (`Fn::ImportValue`) as that stack's own expression."""
        while isinstance(reference, Mapping) and set(reference) == {"Fn::ImportValue"}:
            stack, reference = self._resources.export(self._string(reference["Fn::ImportValue"], stack))
        return reference, stack

    def _address(self, reference: Any, stack: str) -> ResourceAddress | None:
        return _ref_address(*self._followed(reference, stack))

    def _path_of(
        self, reference: Any, stack: str, paths: Mapping[ResourceAddress, tuple[Any, str]], depth: int = 0
    ) -> str | None:
        reference, stack = self._followed(reference, stack)
        if depth > 50 or not isinstance(reference, Mapping):
            return None
        get_att = reference.get("Fn::GetAtt")
        if get_att is not None:
            attribute = get_att[1] if isinstance(get_att, list) else str(get_att).partition(".")[2]
            return "/" if attribute == "RootResourceId" else None
        if "Ref" in reference:
            address = ResourceAddress(stack, str(reference["Ref"]))
            if address not in paths:
                return None
            parent, part = paths[address]
            parent_path = self._path_of(parent, stack, paths, depth + 1)
            if parent_path is None:
                return None
            return f"{parent_path.rstrip('/')}/{part}"
        return None

    def _stage_cache_settings(self) -> tuple[Any, str]:
        """(path, method) → (caching enabled, TTL) from the stage's MethodSettings; and the stage name."""
        stage_name = "local"
        cluster_enabled = False
        settings: list[Mapping[str, Any]] = []
        for address, resource in self._resources.resources_of_type(
            "AWS::ApiGateway::Stage", "AWS::ApiGateway::Deployment"
        ):
            properties = resource.get("Properties") or {}
            if resource.get("Type") == "AWS::ApiGateway::Deployment":
                properties = properties.get("StageDescription") or {}
                if not properties:
                    continue
            else:
                stage_name = self._string(properties.get("StageName"), address.stack, stage_name)
            cluster_enabled = cluster_enabled or _as_bool(properties.get("CacheClusterEnabled"))
            settings.extend(properties.get("MethodSettings") or [])
            if "CachingEnabled" in properties:  # Deployment.StageDescription's stage-wide defaults
                settings.insert(
                    0,
                    {
                        "ResourcePath": "/*",
                        "HttpMethod": "*",
                        "CachingEnabled": properties.get("CachingEnabled"),
                        "CacheTtlInSeconds": properties.get("CacheTtlInSeconds"),
                    },
                )

        def lookup(path: str, method: str) -> tuple[bool, int]:
            if not cluster_enabled:
                return False, 0
            enabled, ttl = False, DEFAULT_CACHE_TTL_SECONDS
            best = -1
            for setting in settings:
                specificity = _method_setting_specificity(setting, path, method)
                if specificity < best:
                    continue
                best = specificity
                if "CachingEnabled" in setting:
                    enabled = _as_bool(setting.get("CachingEnabled"))
                if setting.get("CacheTtlInSeconds") is not None:
                    ttl = _int(setting.get("CacheTtlInSeconds"), DEFAULT_CACHE_TTL_SECONDS)
            return enabled, ttl if enabled else 0

        return lookup, stage_name

    @staticmethod
    def _mock_response(integration: Mapping[str, Any]) -> MockResponse:
        responses = integration.get("IntegrationResponses") or [{}]
        first = responses[0] if isinstance(responses[0], Mapping) else {}
        headers = _static_headers(first.get("ResponseParameters") or {}, "method.response.header.")
        return MockResponse(_int(first.get("StatusCode"), 200), headers)


def _static_headers(parameters: Mapping[str, Any], prefix: str) -> dict[str, str]:
    headers = {}
    for key, value in parameters.items():
        name = str(key).removeprefix(prefix)
        # Static values are quoted ('*'); anything else is a mapping expression, not evaluated here.
        text = str(value)
        if text.startswith("'") and text.endswith("'"):
            headers[name] = text[1:-1]
    return headers


def _code_dir(resource: Mapping[str, Any]) -> str | None:
    metadata = resource.get("Metadata") or {}
    path = metadata.get("aws:asset:path")
    if metadata.get("aws:asset:property") != "Code" or not isinstance(path, str):
        return None
    return path if Path(path).is_absolute() and Path(path).is_dir() else None


def _ref_address(reference: Any, stack: str) -> ResourceAddress | None:
    if isinstance(reference, Mapping) and isinstance(reference.get("Ref"), str):
        return ResourceAddress(stack, reference["Ref"])
    return None


def _method_setting_specificity(setting: Mapping[str, Any], path: str, method: str) -> int:
    """-1 if the setting does not apply; otherwise higher wins (exact path and method beat wildcards)."""
    # MethodSettings encode `/` inside the resource path as `~1`: /~1products~1{id}.
    resource_path = str(setting.get("ResourcePath", "/*"))
    decoded = resource_path[1:].replace("~1", "/") or "/"
    setting_method = str(setting.get("HttpMethod", "*")).upper()
    if resource_path == "/*":
        path_score = 0
    elif decoded == path:
        path_score = 2
    else:
        return -1
    if setting_method == "*":
        method_score = 0
    elif setting_method == method:
        method_score = 1
    else:
        return -1
    return path_score + method_score
