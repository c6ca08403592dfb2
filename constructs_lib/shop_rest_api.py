"""The shop's REST API: stage cache, throttling, JSON access logs, tracing, CORS and validation.

API Gateway REST (not HTTP APIs) because only REST offers a stage cache and usage plans.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct

from cdk_app.api_routes import (
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
}


def json_schema(schema: Mapping[str, Any], *, root: bool = True) -> apigw.JsonSchema:
    """Translate a plain JSON-schema dict (the route table's) into CDK's JsonSchema."""
    return apigw.JsonSchema(
        schema=apigw.JsonSchemaVersion.DRAFT4 if root else None,
        type=_SCHEMA_TYPES[schema["type"]],
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
    """The REST API and its stage; `add_route` wires one route of `cdk_app.api_routes` to a function."""

    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        api_name: str,
        stage_name: str,
        web_origin: str,
        user_pool: cognito.IUserPool,
        routes: Iterable[Route],
        log_retention_days: int,
        **kwargs: Any,
    ) -> None:
        super().__init__(scope, id_, **kwargs)
        routes = tuple(routes)
        access_logs = logs.LogGroup(
            self,
            "AccessLogs",
            retention=log_retention(log_retention_days),
            removal_policy=RemovalPolicy.DESTROY,
        )
        self.api = apigw.RestApi(
            self,
            "Api",
            rest_api_name=api_name,
            description="Serverless shop REST API",
            endpoint_types=[apigw.EndpointType.REGIONAL],
            cloud_watch_role=True,
            cloud_watch_role_removal_policy=RemovalPolicy.DESTROY,
            api_key_source_type=apigw.ApiKeySourceType.HEADER,
            default_cors_preflight_options=apigw.CorsOptions(
                allow_origins=[web_origin],
                allow_methods=apigw.Cors.ALL_METHODS,
                allow_headers=ALLOWED_HEADERS,
                max_age=Duration.minutes(10),
            ),
            deploy_options=apigw.StageOptions(
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
                cache_cluster_enabled=True,
                cache_cluster_size=CACHE_SIZE_GB,
                caching_enabled=False,
                cache_data_encrypted=True,
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
                    for route in routes
                    if route.cached
                },
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
        self.authorizer = apigw.CognitoUserPoolsAuthorizer(
            self, "Authorizer", cognito_user_pools=[user_pool], results_cache_ttl=Duration.minutes(5)
        )
        self.body_validator = self.api.add_request_validator(
            "BodyValidator", validate_request_body=True, validate_request_parameters=True
        )
        self.parameter_validator = self.api.add_request_validator(
            "ParameterValidator", validate_request_body=False, validate_request_parameters=True
        )
        self.usage_plans: dict[str, apigw.UsagePlan] = {}
        self.api_keys: dict[str, apigw.IApiKey] = {}
        for plan in USAGE_PLANS:
            usage_plan = self.api.add_usage_plan(
                f"{plan.name.capitalize()}Plan",
                name=f"{api_name}-{plan.name}",
                description=f"{plan.name} clients: {plan.rate_per_second * 60:.0f} requests/min",
                throttle=apigw.ThrottleSettings(rate_limit=plan.rate_per_second, burst_limit=plan.burst),
                quota=(
                    apigw.QuotaSettings(limit=plan.monthly_quota, period=apigw.Period.MONTH)
                    if plan.monthly_quota
                    else None
                ),
                api_stages=[apigw.UsagePlanPerApiStage(api=self.api, stage=self.api.deployment_stage)],
            )
            key = self.api.add_api_key(f"{plan.name.capitalize()}Key", api_key_name=f"{api_name}-{plan.name}")
            usage_plan.add_api_key(key)
            self.usage_plans[plan.name] = usage_plan
            self.api_keys[plan.name] = key
        acknowledge(
            self.api,
            "AwsSolutions-APIG3",
            "No WAF web ACL: the stage throttle, usage plans and per-user limits in the RateLimits table "
            "bound abuse; a WAF can be attached to the stage without code changes.",
        )
        acknowledge(
            self.api,
            "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/"
            "AmazonAPIGatewayPushToCloudWatchLogs]",
            "API Gateway's account-level CloudWatch role uses the AWS-managed "
            "AmazonAPIGatewayPushToCloudWatchLogs policy, the documented minimum for execution logs.",
        )
        self._models: dict[int, apigw.IModel] = {}

    def add_route(self, route: Route, function: lambda_.IFunction) -> apigw.Method:
        resource = self.api.root.resource_for_path(route.path)
        request_parameters = {f"method.request.path.{name}": True for name in route.path_params}
        request_parameters |= {
            f"method.request.querystring.{name}": False for name in route.cache_query_params
        }
        request_parameters |= {f"method.request.querystring.{name}": True for name in route.required_query}
        signed_in = route.access in (Access.CUSTOMER, Access.ADMIN)
        method = resource.add_method(
            route.method,
            apigw.LambdaIntegration(
                function,
                proxy=True,
                # One invoke permission per function for this API instead of one per method: with a
                # permission per method the Api stack would pass CloudFormation's 500-resource limit.
                scope_permission_to_method=False,
                cache_key_parameters=cache_key_parameters(route) if route.cached else None,
            ),
            authorizer=self.authorizer if signed_in else None,
            authorization_type=apigw.AuthorizationType.COGNITO if signed_in else apigw.AuthorizationType.NONE,
            api_key_required=route.access in (Access.ADMIN, Access.PARTNER),
            request_parameters=request_parameters or None,
            request_validator=(
                self.body_validator
                if route.body
                else self.parameter_validator
                if request_parameters
                else None
            ),
            request_models={"application/json": self._model(route)} if route.body else None,
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
        return method

    def _model(self, route: Route) -> apigw.IModel:
        assert route.body is not None
        key = id(route.body)
        if key not in self._models:
            name = "".join(
                part.capitalize() for part in route.path.replace("{", "").replace("}", "").split("/") if part
            )
            self._models[key] = self.api.add_model(
                f"{name}{route.method.capitalize()}Model",
                content_type="application/json",
                schema=json_schema(route.body),
            )
        return self._models[key]
