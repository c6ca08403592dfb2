"""The shop's REST API, in three parts that live in different stacks (docs/decisions.md):

- `ShopRestApi` (Api stack): the API, every route's resource with CORS, the authorizer, validators
  and request models;
- `add_route` (each domain stack): one route's method, integrated with that domain's function;
- `ShopApiStage` (ApiStage stack): the deployment and the stage (cache, throttling, JSON access logs,
  tracing) with the usage plans, which take the Api stack's API keys.

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
    ROUTES,
    USAGE_PLANS,
    Access,
    Route,
)
from cdk_app.traffic_limits import SEED_LOAD, LoadModel, route_throttle
from constructs_lib.log_retention import log_retention
from constructs_lib.nag import acknowledge
from shop.contracts import security_headers
from shop.contracts.api_keys import route_key as api_route_key

CACHE_SIZE_GB = "0.5"
# API Gateway's own answers (401, 403, 413, 429, 5xx): HSTS and nosniff as on every function answer,
# and nothing in them is worth caching.
GATEWAY_SECURITY_HEADERS = {**security_headers.ALWAYS, **security_headers.NOT_STORED}
# X-Order-Token: a guest's order token, kept out of URLs (docs/decisions.md, "Order tokens out of URLs").
ALLOWED_HEADERS = [
    "Authorization",
    "Content-Type",
    "X-Cart-Id",
    "Idempotency-Key",
    "X-Api-Key",
    "X-Order-Token",
]

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


API_KEY_HEADER = "method.request.header.X-Api-Key"


def needs_api_key(route: Route) -> bool:
    return route.access in (Access.ADMIN, Access.PARTNER)


def cache_key_parameters(route: Route) -> list[str]:
    """What makes two cached answers differ: every path parameter and the declared query strings,
    and on key-protected routes the key: the function checks a key against its plan on a cache miss
    only, so another plan's key must never be served the cached answer."""
    return (
        [f"method.request.path.{name}" for name in route.path_params]
        + [f"method.request.querystring.{name}" for name in route.cache_query_params]
        + ([API_KEY_HEADER] if needs_api_key(route) else [])
    )


class ShopRestApi(Construct):
    """The REST API without a stage: resources, authorizer, validators, models and API keys.

    Domain stacks add the methods (`add_route`); the ApiStage stack deploys them.
    """

    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        api_name: str,
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
            # No CORS here: the one allowed origin is the site's, which the Web stack makes after this
            # stack, so each domain stack adds its paths' preflights and ApiStage the gateway responses.
        )
        # CDK refuses a REST API without a method in its own stack, and every route's method lives in a
        # domain stack. No page calls `/`: this preflight allows nothing (no CORS headers), it only
        # answers 204 where API Gateway would otherwise answer 403.
        root_preflight = self.api.root.add_method(
            "OPTIONS",
            apigw.MockIntegration(
                request_templates={"application/json": '{"statusCode": 204}'},
                integration_responses=[apigw.IntegrationResponse(status_code="204")],
            ),
            method_responses=[apigw.MethodResponse(status_code="204")],
        )
        acknowledge(root_preflight, "AwsSolutions-APIG4", "A mock preflight: it reaches no function or data.")
        acknowledge(root_preflight, "AwsSolutions-COG4", "A mock preflight: it reaches no function or data.")
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
        # The keys live here, not beside their usage plans in the ApiStage stack: the functions of the
        # domain stacks check each key's id against its plan's routes (shop.api.api_keys), and the
        # ApiStage stack depends on the domain stacks, so keys there would make a reference cycle.
        self.api_keys: dict[str, apigw.IApiKey] = {
            plan.name: apigw.ApiKey(
                self, f"{plan.name.capitalize()}Key", api_key_name=f"{api_name}-{plan.name}"
            )
            for plan in USAGE_PLANS
        }

    def parts(self) -> ApiParts:
        return ApiParts(
            api=self.api,
            resources=self.resources,
            authorizer_id=self.authorizer.ref,
            body_validator=self.body_validator,
            parameter_validator=self.parameter_validator,
            models=self.models,
            api_key_ids={plan: key.key_id for plan, key in self.api_keys.items()},
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
    api_key_ids: Mapping[str, str]  # usage plan name → its API key's id


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

    def __init__(
        self, scope: Construct, id_: str, *, parts: ApiParts, cors_origin: str, **kwargs: Any
    ) -> None:
        super().__init__(scope, id_, **kwargs)
        self._parts = parts
        self._cors_origin = cors_origin
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
        request_parameters |= {f"method.request.header.{name}": True for name in route.required_headers}
        if route.cached and needs_api_key(route):
            # Declared (optional) for the cache key only: the API key check already requires it.
            request_parameters[API_KEY_HEADER] = False
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
            api_key_required=needs_api_key(route),
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
        if PREFLIGHT_OWNERS[route.path] is route:
            # One OPTIONS per path, added with the path's first route so exactly one stack owns it.
            self._resource(route.path).add_cors_preflight(**cors_options(self._cors_origin))
        self.methods.append(method)
        return method


def cors_options(origin: str) -> dict[str, Any]:
    """The site's origin only: a page elsewhere cannot read the API's answers or send its headers."""
    return {
        "allow_origins": [origin],
        "allow_methods": apigw.Cors.ALL_METHODS,
        "allow_headers": ALLOWED_HEADERS,
        "max_age": Duration.minutes(10),
    }


# The route that brings each path's CORS preflight: the first one declared for that path (walking
# backwards, each earlier route of a path overwrites a later one).
PREFLIGHT_OWNERS: dict[str, Route] = {route.path: route for route in reversed(ROUTES)}


def method_options(
    route: Route, *, cached: bool, load: LoadModel = SEED_LOAD
) -> apigw.MethodDeploymentOptions:
    """A route's stage settings. A method setting replaces the stage's, so it repeats logging and
    metrics; the cache settings only where the route is cached on this stage; the throttle from the
    stage's planned `load`."""
    throttle = route_throttle(route, load)
    return apigw.MethodDeploymentOptions(
        caching_enabled=cached,
        cache_ttl=Duration.seconds(route.cache_ttl_seconds) if cached else None,
        cache_data_encrypted=True if cached else None,
        logging_level=apigw.MethodLoggingLevel.INFO,
        data_trace_enabled=False,
        metrics_enabled=True,
        throttling_rate_limit=throttle.rate_per_second,
        throttling_burst_limit=throttle.burst,
    )


def api_key_plans_by_function(routes: Iterable[Route]) -> dict[str, dict[str, str]]:
    """For each function, its key-protected routes ("METHOD /resource") and the usage plan whose key
    each accepts: what the function checks the caller's key id against (shop.api.api_keys)."""
    plan_of_access = {access: plan.name for plan in USAGE_PLANS for access in plan.routes}
    plans: dict[str, dict[str, str]] = {}
    for route in routes:
        if needs_api_key(route):
            plans.setdefault(route.function, {})[api_route_key(route.method, route.path)] = plan_of_access[
                route.access
            ]
    return plans


def deployment_fingerprint(routes: Iterable[Route]) -> str:
    """Changes whenever a deployed method would: its route, its function, its schema or its cache."""
    described = [
        {
            "method": route.method,
            "path": route.path,
            "function": route.function,
            "access": route.access.value,
            "cache": [route.cache_ttl_seconds, cache_key_parameters(route)],
            "body": route.body,
            "query": list(route.required_query),
            "headers": list(route.required_headers),
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
        api_keys: Mapping[str, apigw.IApiKey],
        cors_origin: str,
        cors_fingerprint: str,
        load: LoadModel = SEED_LOAD,
        **kwargs: Any,
    ) -> None:
        """`cors_fingerprint` names the site's origin when it is a deploy-time value (the CloudFront
        domain): a change of origin must make a new deployment like a change of route does. `load`:
        the stage's planned traffic, which sizes every route's throttle."""
        super().__init__(scope, id_, **kwargs)
        routes = tuple(routes)
        access_logs = logs.LogGroup(
            self,
            "AccessLogs",
            retention=log_retention(log_retention_days),
            removal_policy=RemovalPolicy.DESTROY,
        )
        # CORS headers on API Gateway's own errors too (401 from the authorizer, 429 from throttling),
        # otherwise the browser hides the real error from the page.
        gateway_responses = [
            apigw.GatewayResponse(
                self,
                name,
                rest_api=api,
                type=response_type,
                response_headers={
                    "Access-Control-Allow-Origin": f"'{cors_origin}'",
                    "Access-Control-Allow-Headers": f"'{','.join(ALLOWED_HEADERS)}'",
                    "Vary": "'Origin'",
                    # Static values are quoted strings for API Gateway.
                    **{name: f"'{value}'" for name, value in GATEWAY_SECURITY_HEADERS.items()},
                },
            )
            for response_type, name in (
                (apigw.ResponseType.DEFAULT_4_XX, "Default4xx"),
                (apigw.ResponseType.DEFAULT_5_XX, "Default5xx"),
            )
        ]
        deployment = apigw.Deployment(self, "Deployment", api=api, description="Every route of the shop")
        deployment.add_to_logical_id(deployment_fingerprint(routes))
        deployment.add_to_logical_id(cors_fingerprint)
        for response in gateway_responses:
            deployment.node.add_dependency(response)
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
            # A route of no class (none today) gets the smallest class limit.
            throttling_rate_limit=min(route_throttle(route, load).rate_per_second for route in routes),
            throttling_burst_limit=min(route_throttle(route, load).burst for route in routes),
            # Without the cache cluster the cached routes are served by their functions (and Redis).
            cache_cluster_enabled=cache,
            cache_cluster_size=CACHE_SIZE_GB if cache else None,
            caching_enabled=False,
            cache_data_encrypted=cache,
            # Each route's throttle from the load model (cdk_app/traffic_limits.py), and its cache.
            method_options={
                method_option_key(route): method_options(route, cached=cache and route.cached, load=load)
                for route in routes
            },
        )
        self.usage_plans: dict[str, apigw.UsagePlan] = {}
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
            usage_plan.add_api_key(api_keys[plan.name])
            self.usage_plans[plan.name] = usage_plan
