"""The shop's REST API, in three parts that live in different stacks (docs/decisions.md):

- `ShopRestApi` (Api stack): the API, every route's resource with CORS, the authorizer, validators
  and request models;
- `add_route` (each domain stack): one route's method, integrated with that domain's function;
- `ShopApiStage` (ApiStage stack): the deployment and the stage (cache, throttling, JSON access logs,
  tracing) with the usage plans and API keys.

API Gateway REST (not HTTP APIs) because only REST offers a stage cache and usage plans.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import jsii
from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct

from cdk_app.api_routes import (
    BINARY_MEDIA_TYPES,
    STAGE_BURST,
    STAGE_RATE_PER_SECOND,
    USAGE_PLANS,
    Access,
    Route,
)
from constructs_lib.log_retention import log_retention
from constructs_lib.nag import acknowledge

CACHE_SIZE_GB = "0.5"
ALLOWED_HEADERS = ["Authorization", "Content-Type", "X-Cart-Id", "Idempotency-Key", "X-Api-Key"]

_SCHEMA_TYPES = {
    "object": apigw.JsonSchemaType.OBJECT,
    "string": apigw.JsonSchemaType.STRING,
    "integer": apigw.JsonSchemaType.INTEGER,
    "number": apigw.JsonSchemaType.NUMBER,
    "boolean": apigw.JsonSchemaType.BOOLEAN,
    "array": apigw.JsonSchemaType.ARRAY,
    "null": apigw.JsonSchemaType.NULL,
}


def json_schema(schema: Mapping[str, Any], *, root: bool = True) -> apigw.JsonSchema:
    """Translate a plain JSON-schema dict (the route table's) into CDK's JsonSchema."""
    kind = schema["type"]
    return apigw.JsonSchema(
        schema=apigw.JsonSchemaVersion.DRAFT4 if root else None,
        # A list allows each type ("string" or "null" for an optional field sent as null).
        type=[_SCHEMA_TYPES[each] for each in kind] if isinstance(kind, list) else _SCHEMA_TYPES[kind],
        required=list(schema["required"]) if schema.get("required") else None,
        properties=(
            {name: json_schema(sub, root=False) for name, sub in schema["properties"].items()}
            if "properties" in schema
            else None
        ),
        items=json_schema(schema["items"], root=False) if "items" in schema else None,
        min_items=schema.get("minItems"),
        min_length=schema.get("minLength"),
        max_length=schema.get("maxLength"),
        pattern=schema.get("pattern"),
        minimum=schema.get("minimum"),
        maximum=schema.get("maximum"),
        enum=list(schema["enum"]) if "enum" in schema else None,
    )


def method_option_key(route: Route) -> str:
    return f"{route.path}/{route.method}"


def cache_key_parameters(route: Route) -> list[str]:
    """What makes two cached answers differ: every path parameter and the declared query strings."""
    return [f"method.request.path.{name}" for name in route.path_params] + [
        f"method.request.querystring.{name}" for name in route.cache_query_params
    ]


class ShopRestApi(Construct):
    """The REST API without a stage: resources, CORS, gateway responses, authorizer, validators, models.

    Domain stacks add the methods (`add_route`); the ApiStage stack deploys them.
    """

    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        api_name: str,
        web_origin: str,
        user_pool: cognito.IUserPool,
        routes: Iterable[Route],
        **kwargs: Any,
    ) -> None:
        super().__init__(scope, id_, **kwargs)
        routes = tuple(routes)
        self.api = apigw.RestApi(
            self,
            "Api",
            rest_api_name=api_name,
            description="Serverless shop REST API",
            deploy=False,  # the ApiStage stack deploys it, after every domain stack added its methods
            endpoint_types=[apigw.EndpointType.REGIONAL],
            # The account-wide CloudWatch role belongs to the Account stack, not to any stage.
            cloud_watch_role=False,
            api_key_source_type=apigw.ApiKeySourceType.HEADER,
            # Invoices and credit notes are PDFs: a handler's base64 body reaches a client whose first
            # Accept type is one of these as bytes (the pages send `Accept: application/pdf`).
            binary_media_types=list(BINARY_MEDIA_TYPES),
            default_cors_preflight_options=apigw.CorsOptions(
                allow_origins=[web_origin],
                allow_methods=apigw.Cors.ALL_METHODS,
                allow_headers=ALLOWED_HEADERS,
                max_age=Duration.minutes(10),
            ),
        )
        # CORS headers on API Gateway's own errors too (401 from the authorizer, 429 from throttling),
        # otherwise the browser hides the real error from the page.
        for response_type, name in (
            (apigw.ResponseType.DEFAULT_4_XX, "Default4xx"),
            (apigw.ResponseType.DEFAULT_5_XX, "Default5xx"),
        ):
            self.api.add_gateway_response(
                name,
                type=response_type,
                response_headers={
                    "Access-Control-Allow-Origin": f"'{web_origin}'",
                    "Access-Control-Allow-Headers": f"'{','.join(ALLOWED_HEADERS)}'",
                },
            )
        # A CfnAuthorizer, not CognitoUserPoolsAuthorizer: that one attaches itself to the API of the
        # first method using it, and these methods live in other stacks.
        self.authorizer = apigw.CfnAuthorizer(
            self,
            "Authorizer",
            rest_api_id=self.api.rest_api_id,
            name=f"{api_name}-cognito",
            type="COGNITO_USER_POOLS",
            provider_arns=[user_pool.user_pool_arn],
            identity_source="method.request.header.Authorization",
            authorizer_result_ttl_in_seconds=int(Duration.minutes(5).to_seconds()),
        )
        self.body_validator = self.api.add_request_validator(
            "BodyValidator", validate_request_body=True, validate_request_parameters=True
        )
        self.parameter_validator = self.api.add_request_validator(
            "ParameterValidator", validate_request_body=False, validate_request_parameters=True
        )
        self.resources = {route.path: self.api.root.resource_for_path(route.path) for route in routes}
        # One model per request schema (the /guest/... twins share their route's), keyed by route.
        by_schema: dict[int, apigw.IModel] = {}
        self.models: dict[str, apigw.IModel] = {}
        for route in routes:
            if route.body is None:
                continue
            if id(route.body) not in by_schema:
                by_schema[id(route.body)] = self.api.add_model(
                    model_name(route), content_type="application/json", schema=json_schema(route.body)
                )
            self.models[route_key(route)] = by_schema[id(route.body)]

    def parts(self) -> ApiParts:
        return ApiParts(
            api=self.api,
            resources=self.resources,
            authorizer_id=self.authorizer.ref,
            body_validator=self.body_validator,
            parameter_validator=self.parameter_validator,
            models=self.models,
        )


def route_key(route: Route) -> str:
    return f"{route.method} {route.path}"


def model_name(route: Route) -> str:
    """A request schema's model is named for the first route that uses it."""
    name = "".join(
        part.capitalize() for part in route.path.replace("{", "").replace("}", "").split("/") if part
    )
    return f"{name}{route.method.capitalize()}Model"


@dataclass(frozen=True)
class ApiParts:
    """What a domain stack needs to add its routes to the one REST API (typed, across stacks)."""

    api: apigw.IRestApi
    resources: Mapping[str, apigw.IResource]
    authorizer_id: str
    body_validator: apigw.IRequestValidator
    parameter_validator: apigw.IRequestValidator
    models: Mapping[str, apigw.IModel]


@jsii.implements(apigw.IAuthorizer)
class _CognitoAuthorizerRef:
    """The Api stack's Cognito authorizer as a method in another stack refers to it."""

    def __init__(self, authorizer_id: str) -> None:
        self._authorizer_id = authorizer_id

    @property
    def authorizer_id(self) -> str:
        return self._authorizer_id

    @property
    def authorization_type(self) -> apigw.AuthorizationType:
        return apigw.AuthorizationType.COGNITO


class DomainRoutes(Construct):
    """A domain stack's methods on the one REST API, each integrated with the domain's function."""

    def __init__(self, scope: Construct, id_: str, *, parts: ApiParts, **kwargs: Any) -> None:
        super().__init__(scope, id_, **kwargs)
        self._parts = parts
        self._api = apigw.RestApi.from_rest_api_attributes(
            self,
            "Api",
            rest_api_id=parts.api.rest_api_id,
            root_resource_id=parts.api.rest_api_root_resource_id,
        )
        self._authorizer = _CognitoAuthorizerRef(parts.authorizer_id)
        self._resources: dict[str, apigw.IResource] = {}
        self.methods: list[apigw.Method] = []

    def _resource(self, path: str) -> apigw.IResource:
        if path not in self._resources:
            self._resources[path] = apigw.Resource.from_resource_attributes(
                self,
                f"Resource{len(self._resources)}",
                resource_id=self._parts.resources[path].resource_id,
                rest_api=self._api,
                path=path,
            )
        return self._resources[path]

    def add_route(self, route: Route, function: lambda_.IFunction) -> apigw.Method:
        request_parameters = {f"method.request.path.{name}": True for name in route.path_params}
        request_parameters |= {
            f"method.request.querystring.{name}": False for name in route.cache_query_params
        }
        request_parameters |= {f"method.request.querystring.{name}": True for name in route.required_query}
        signed_in = route.access in (Access.CUSTOMER, Access.ADMIN)
        method = self._resource(route.path).add_method(
            route.method,
            apigw.LambdaIntegration(
                function,
                proxy=True,
                # One invoke permission per function for this API instead of one per method.
                scope_permission_to_method=False,
                cache_key_parameters=cache_key_parameters(route) if route.cached else None,
            ),
            authorizer=self._authorizer if signed_in else None,
            authorization_type=apigw.AuthorizationType.COGNITO if signed_in else apigw.AuthorizationType.NONE,
            api_key_required=route.access in (Access.ADMIN, Access.PARTNER),
            request_parameters=request_parameters or None,
            request_validator=(
                self._parts.body_validator
                if route.body
                else self._parts.parameter_validator
                if request_parameters
                else None
            ),
            request_models={"application/json": self._parts.models[route_key(route)]} if route.body else None,
            operation_name=f"{route.function}:{route.method} {route.path}",
        )
        if not signed_in:
            for rule in ("AwsSolutions-APIG4", "AwsSolutions-COG4"):
                acknowledge(
                    method,
                    rule,
                    f"{route.method} {route.path} is {route.access.value} by design (docs/api.md): "
                    + (
                        "partners authenticate with their usage-plan API key."
                        if route.access is Access.PARTNER
                        else "shoppers browse, keep guest carts, check out and pay without an account."
                    ),
                )
        self.methods.append(method)
        return method


def deployment_fingerprint(routes: Iterable[Route]) -> str:
    """Changes whenever a deployed method would: its route, its function, its schema or its cache."""
    described = [
        {
            "method": route.method,
            "path": route.path,
            "function": route.function,
            "access": route.access.value,
            "cache": [route.cache_ttl_seconds, list(route.cache_query_params)],
            "body": route.body,
            "query": list(route.required_query),
        }
        for route in routes
    ]
    return hashlib.sha256(json.dumps(described, sort_keys=True).encode()).hexdigest()


class ShopApiStage(Construct):
    """The deployment of every route and the stage that serves it, with its usage plans and keys.

    The deployment's logical id carries `deployment_fingerprint(routes)`, so any route change makes
    CloudFormation create a new deployment (the stage then points at it).
    """

    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        api: apigw.IRestApi,
        api_name: str,
        stage_name: str,
        routes: Iterable[Route],
        log_retention_days: int,
        cache: bool,
        **kwargs: Any,
    ) -> None:
        super().__init__(scope, id_, **kwargs)
        routes = tuple(routes)
        cached_routes = [route for route in routes if route.cached] if cache else []
        access_logs = logs.LogGroup(
            self,
            "AccessLogs",
            retention=log_retention(log_retention_days),
            removal_policy=RemovalPolicy.DESTROY,
        )
        deployment = apigw.Deployment(self, "Deployment", api=api, description="Every route of the shop")
        deployment.add_to_logical_id(deployment_fingerprint(routes))
        self.stage = apigw.Stage(
            self,
            "Stage",
            deployment=deployment,
            stage_name=stage_name,
            tracing_enabled=True,
            metrics_enabled=True,
            logging_level=apigw.MethodLoggingLevel.INFO,
            data_trace_enabled=False,  # request bodies hold addresses and payment references
            access_log_destination=apigw.LogGroupLogDestination(access_logs),
            access_log_format=apigw.AccessLogFormat.json_with_standard_fields(
                caller=True,
                http_method=True,
                ip=True,
                protocol=True,
                request_time=True,
                resource_path=True,
                response_length=True,
                status=True,
                user=True,
            ),
            throttling_rate_limit=STAGE_RATE_PER_SECOND,
            throttling_burst_limit=STAGE_BURST,
            # Without the cache cluster the cached routes are served by their functions (and Redis).
            cache_cluster_enabled=cache,
            cache_cluster_size=CACHE_SIZE_GB if cache else None,
            caching_enabled=False,
            cache_data_encrypted=cache,
            method_options={
                # A method setting replaces the stage's, so it repeats logging, metrics and throttling.
                method_option_key(route): apigw.MethodDeploymentOptions(
                    caching_enabled=True,
                    cache_ttl=Duration.seconds(route.cache_ttl_seconds),
                    cache_data_encrypted=True,
                    logging_level=apigw.MethodLoggingLevel.INFO,
                    data_trace_enabled=False,
                    metrics_enabled=True,
                    throttling_rate_limit=STAGE_RATE_PER_SECOND,
                    throttling_burst_limit=STAGE_BURST,
                )
                for route in cached_routes
            },
        )
        self.usage_plans: dict[str, apigw.UsagePlan] = {}
        self.api_keys: dict[str, apigw.IApiKey] = {}
        for plan in USAGE_PLANS:
            usage_plan = apigw.UsagePlan(
                self,
                f"{plan.name.capitalize()}Plan",
                name=f"{api_name}-{plan.name}",
                description=f"{plan.name} clients: {plan.rate_per_second * 60:.0f} requests/min",
                throttle=apigw.ThrottleSettings(rate_limit=plan.rate_per_second, burst_limit=plan.burst),
                quota=(
                    apigw.QuotaSettings(limit=plan.monthly_quota, period=apigw.Period.MONTH)
                    if plan.monthly_quota
                    else None
                ),
                api_stages=[apigw.UsagePlanPerApiStage(api=api, stage=self.stage)],
            )
            key = apigw.ApiKey(self, f"{plan.name.capitalize()}Key", api_key_name=f"{api_name}-{plan.name}")
            usage_plan.add_api_key(key)
            self.usage_plans[plan.name] = usage_plan
            self.api_keys[plan.name] = key
        acknowledge(
            self.stage,
            "AwsSolutions-APIG3",
            "No WAF web ACL: the stage throttle, usage plans and per-user limits in the RateLimits table "
            "bound abuse; a WAF can be attached to the stage without code changes.",
        )
