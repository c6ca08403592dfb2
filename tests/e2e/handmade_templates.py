"""Small CloudFormation templates in exactly the shapes CDK synthesizes, for the local runner's tests.

Stacks are named like the real ones (Shop-local-<Name>) and reference each other through exports, so
the intrinsic resolver and the readers meet the same structures as with the synthesized app.
"""

from __future__ import annotations

import json
from typing import Any

DATA = "Shop-local-Data"
MESSAGING = "Shop-local-Messaging"
AUTH = "Shop-local-Auth"
API = "Shop-local-Api"


def _export(stack: str, name: str, value: Any) -> dict[str, Any]:
    return {name: {"Value": value, "Export": {"Name": f"{stack}:{name}"}}}


def data_template() -> dict[str, Any]:
    return {
        "Resources": {
            "ProductsTableEB101A78": {
                "Type": "AWS::DynamoDB::GlobalTable",
                "Properties": {
                    "TableName": "local-Products",
                    "AttributeDefinitions": [
                        {"AttributeName": "product_id", "AttributeType": "S"},
                        {"AttributeName": "category", "AttributeType": "S"},
                        {"AttributeName": "sales_count", "AttributeType": "N"},
                    ],
                    "BillingMode": "PAY_PER_REQUEST",
                    "KeySchema": [{"AttributeName": "product_id", "KeyType": "HASH"}],
                    "GlobalSecondaryIndexes": [
                        {
                            "IndexName": "category-sales_count-index",
                            "KeySchema": [
                                {"AttributeName": "category", "KeyType": "HASH"},
                                {"AttributeName": "sales_count", "KeyType": "RANGE"},
                            ],
                            "Projection": {"ProjectionType": "ALL"},
                        }
                    ],
                    "StreamSpecification": {"StreamViewType": "NEW_AND_OLD_IMAGES"},
                },
            },
            "CartTable57FAC7A9": {
                "Type": "AWS::DynamoDB::Table",
                "Properties": {
                    "TableName": "local-Cart",
                    "AttributeDefinitions": [
                        {"AttributeName": "user_id", "AttributeType": "S"},
                        {"AttributeName": "item", "AttributeType": "S"},
                    ],
                    "KeySchema": [
                        {"AttributeName": "user_id", "KeyType": "HASH"},
                        {"AttributeName": "item", "KeyType": "RANGE"},
                    ],
                    "TimeToLiveSpecification": {"AttributeName": "expires_at", "Enabled": True},
                },
            },
            "ProductImagesBucketCF119B11": {"Type": "AWS::S3::Bucket", "Properties": {}},
        },
        "Outputs": {
            **_export(DATA, "ExportsOutputRefProductsTable", {"Ref": "ProductsTableEB101A78"}),
            **_export(DATA, "ExportsOutputRefCartTable", {"Ref": "CartTable57FAC7A9"}),
            **_export(
                DATA,
                "ExportsOutputFnGetAttProductsTableStreamArn",
                {"Fn::GetAtt": ["ProductsTableEB101A78", "StreamArn"]},
            ),
            **_export(DATA, "ExportsOutputRefProductImagesBucket", {"Ref": "ProductImagesBucketCF119B11"}),
        },
    }


def messaging_template(*, visibility_timeout: int = 1800) -> dict[str, Any]:
    return {
        "Resources": {
            "orderprocessingDeadLetterQueueECF41012": {
                "Type": "AWS::SQS::Queue",
                "Properties": {"MessageRetentionPeriod": 1209600, "QueueName": "local-order-processing-dlq"},
            },
            "orderprocessingQueue62ECB13D": {
                "Type": "AWS::SQS::Queue",
                "Properties": {
                    "MessageRetentionPeriod": 345600,
                    "QueueName": "local-order-processing-queue",
                    "RedrivePolicy": {
                        "deadLetterTargetArn": {
                            "Fn::GetAtt": ["orderprocessingDeadLetterQueueECF41012", "Arn"]
                        },
                        "maxReceiveCount": 3,
                    },
                    "VisibilityTimeout": visibility_timeout,
                },
            },
        },
        "Outputs": {
            **_export(
                MESSAGING,
                "ExportsOutputFnGetAttorderprocessingQueueArn",
                {"Fn::GetAtt": ["orderprocessingQueue62ECB13D", "Arn"]},
            ),
            **_export(
                MESSAGING, "ExportsOutputReforderprocessingQueue", {"Ref": "orderprocessingQueue62ECB13D"}
            ),
            **_export(
                MESSAGING,
                "ExportsOutputReforderprocessingDeadLetterQueue",
                {"Ref": "orderprocessingDeadLetterQueueECF41012"},
            ),
        },
    }


def auth_template() -> dict[str, Any]:
    return {
        "Resources": {
            "ShoppersUserPoolADB861F7": {
                "Type": "AWS::Cognito::UserPool",
                "Properties": {
                    "UserPoolName": "local-shop-users",
                    "UsernameAttributes": ["email"],
                    "AutoVerifiedAttributes": ["email"],
                    "Policies": {"PasswordPolicy": {"MinimumLength": 12}},
                },
            },
            "ShoppersUserPoolWebClient25EB5F4F": {
                "Type": "AWS::Cognito::UserPoolClient",
                "Properties": {
                    "ClientName": "shop-web",
                    "ExplicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
                    "GenerateSecret": False,
                    "UserPoolId": {"Ref": "ShoppersUserPoolADB861F7"},
                },
            },
            "ShoppersAdminGroup4F196C81": {
                "Type": "AWS::Cognito::UserPoolGroup",
                "Properties": {"GroupName": "admin", "UserPoolId": {"Ref": "ShoppersUserPoolADB861F7"}},
            },
        },
        "Outputs": {
            **_export(
                AUTH,
                "ExportsOutputFnGetAttShoppersUserPoolArn",
                {"Fn::GetAtt": ["ShoppersUserPoolADB861F7", "Arn"]},
            ),
            **_export(
                AUTH,
                "ExportsOutputRefShoppersUserPoolWebClient",
                {"Ref": "ShoppersUserPoolWebClient25EB5F4F"},
            ),
        },
    }


def _function(handler: str, environment: dict[str, Any], *, timeout: int = 30) -> dict[str, Any]:
    return {
        "Type": "AWS::Lambda::Function",
        "Properties": {
            "Handler": handler,
            "Runtime": "python3.14",
            "MemorySize": 256,
            "Timeout": timeout,
            "Environment": {"Variables": environment},
        },
    }


def _alias(function: str) -> dict[str, Any]:
    return {
        "Type": "AWS::Lambda::Alias",
        "Properties": {
            "FunctionName": {"Ref": function},
            "FunctionVersion": {"Fn::GetAtt": [f"{function}Version", "Version"]},
            "Name": "live",
        },
    }


def _cdk_alias_name(alias: str) -> dict[str, Any]:
    """CDK's FunctionName of an event source mapping on an alias: `<function name>:live`."""
    return {"Fn::Join": ["", [{"Fn::Select": [6, {"Fn::Split": [":", {"Ref": alias}]}]}, ":live"]]}


def _integration_uri(alias: str) -> dict[str, Any]:
    return {
        "Fn::Join": [
            "",
            [
                "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/",
                {"Ref": alias},
                "/invocations",
            ],
        ]
    }


def _method(
    resource: str,
    http_method: str,
    alias: str,
    *,
    cognito: bool = False,
    cache_key_parameters: list[str] | None = None,
    request_parameters: dict[str, bool] | None = None,
    api_key: bool = False,
    validator: str | None = None,
    model: str | None = None,
) -> dict[str, Any]:
    integration: dict[str, Any] = {
        "IntegrationHttpMethod": "POST",
        "Type": "AWS_PROXY",
        "Uri": _integration_uri(alias),
    }
    if cache_key_parameters:
        integration["CacheKeyParameters"] = cache_key_parameters
    properties: dict[str, Any] = {
        "HttpMethod": http_method,
        "ResourceId": {"Ref": resource}
        if resource != "root"
        else {"Fn::GetAtt": ["RestApi79D61EE8", "RootResourceId"]},
        "RestApiId": {"Ref": "RestApi79D61EE8"},
        "AuthorizationType": "COGNITO_USER_POOLS" if cognito else "NONE",
        "ApiKeyRequired": api_key,
        "Integration": integration,
    }
    if cognito:
        properties["AuthorizerId"] = {"Ref": "RestAuthorizer752ABC46"}
    if request_parameters:
        properties["RequestParameters"] = request_parameters
    if validator:
        properties["RequestValidatorId"] = {"Ref": validator}
    if model:
        properties["RequestModels"] = {"application/json": {"Ref": model}}
    return {"Type": "AWS::ApiGateway::Method", "Properties": properties}


def _resource(parent: str | None, part: str) -> dict[str, Any]:
    parent_id = {"Ref": parent} if parent else {"Fn::GetAtt": ["RestApi79D61EE8", "RootResourceId"]}
    return {
        "Type": "AWS::ApiGateway::Resource",
        "Properties": {"ParentId": parent_id, "PathPart": part, "RestApiId": {"Ref": "RestApi79D61EE8"}},
    }


def api_template(*, consumer_handler: str = "shop_consumer.handler") -> dict[str, Any]:
    product_schema = {
        "$schema": "http://json-schema.org/draft-04/schema#",
        "type": "object",
        "required": ["name", "price"],
        "properties": {
            "name": {"type": "string", "minLength": 1},
            "price": {"type": "integer", "minimum": 0},
        },
    }
    return {
        "Resources": {
            "shopapiFunction15FD6F6C": _function(
                "shop_api.handler.handler",
                {
                    "PRODUCTS_TABLE": {"Fn::ImportValue": f"{DATA}:ExportsOutputRefProductsTable"},
                    "ORDER_PROCESSING_QUEUE_URL": {
                        "Fn::ImportValue": f"{MESSAGING}:ExportsOutputReforderprocessingQueue"
                    },
                    "USER_POOL_CLIENT_ID": {
                        "Fn::ImportValue": f"{AUTH}:ExportsOutputRefShoppersUserPoolWebClient"
                    },
                    "REDIS_HOST": {"Fn::GetAtt": ["RedisReplicationGroup", "PrimaryEndPoint.Address"]},
                    "SHOP_STAGE": "local",
                },
            ),
            "shopapiLive6B7D2EF7": _alias("shopapiFunction15FD6F6C"),
            "orderprocessorFunctionE67987B5": _function(
                consumer_handler,
                {
                    "SHOP_STAGE": "local",
                    "CONSUMER_SETTING": {
                        "Fn::ImportValue": f"{MESSAGING}:ExportsOutputReforderprocessingQueue"
                    },
                    # As the domain stacks give every consumer: its queue (backoff) and DLQ (poison).
                    "ORDER_PROCESSING_QUEUE_URL": {
                        "Fn::ImportValue": f"{MESSAGING}:ExportsOutputReforderprocessingQueue"
                    },
                    "ORDER_PROCESSING_DLQ_URL": {
                        "Fn::ImportValue": f"{MESSAGING}:ExportsOutputReforderprocessingDeadLetterQueue"
                    },
                },
                timeout=300,
            ),
            "orderprocessorLive93D8B25F": _alias("orderprocessorFunctionE67987B5"),
            "cacheinvalidatorFunctionAAAA1111": _function("cache_invalidator.handler", {}),
            "cacheinvalidatorLiveBBBB2222": _alias("cacheinvalidatorFunctionAAAA1111"),
            "marketingFunction8D095AA7": _function("marketing.handler.handler", {}),
            "marketingLive25B78E18": _alias("marketingFunction8D095AA7"),
            "NodeCustomResourceProvider": {
                "Type": "AWS::Lambda::Function",
                "Properties": {"Handler": "index.handler", "Runtime": "nodejs24.x"},
            },
            "orderprocessorLiveSqsEventSource": {
                "Type": "AWS::Lambda::EventSourceMapping",
                "Properties": {
                    "BatchSize": 4,
                    "EventSourceArn": {
                        "Fn::ImportValue": f"{MESSAGING}:ExportsOutputFnGetAttorderprocessingQueueArn"
                    },
                    "FunctionName": _cdk_alias_name("orderprocessorLive93D8B25F"),
                    "FunctionResponseTypes": ["ReportBatchItemFailures"],
                    "ScalingConfig": {"MaximumConcurrency": 5},
                },
            },
            "ProductChanges07E38630": {
                "Type": "AWS::Lambda::EventSourceMapping",
                "Properties": {
                    "BatchSize": 100,
                    "BisectBatchOnFunctionError": True,
                    "EventSourceArn": {
                        "Fn::ImportValue": f"{DATA}:ExportsOutputFnGetAttProductsTableStreamArn"
                    },
                    "FunctionName": _cdk_alias_name("cacheinvalidatorLiveBBBB2222"),
                    "MaximumBatchingWindowInSeconds": 2,
                    "MaximumRetryAttempts": 3,
                    "StartingPosition": "LATEST",
                },
            },
            "RestApi79D61EE8": {
                "Type": "AWS::ApiGateway::RestApi",
                "Properties": {"Name": "local-shop-api", "BinaryMediaTypes": ["image~1png"]},
            },
            "RestApiproductsD4D929F6": _resource(None, "products"),
            "RestApiproductsidAAAAAAAA": _resource("RestApiproductsD4D929F6", "{id}"),
            "RestApiproductsfeaturedBBBB": _resource("RestApiproductsD4D929F6", "featured"),
            "RestApiproxyCCCC": _resource(None, "{proxy+}"),
            "RestApiproductsGET8971F374": _method(
                "RestApiproductsD4D929F6",
                "GET",
                "shopapiLive6B7D2EF7",
                cache_key_parameters=["method.request.querystring.category"],
                request_parameters={"method.request.querystring.category": False},
            ),
            "RestApiproductsPOST1111": _method(
                "RestApiproductsD4D929F6",
                "POST",
                "shopapiLive6B7D2EF7",
                cognito=True,
                api_key=True,
                validator="RestApiBodyValidator",
                model="RestApiProductsPostModel",
            ),
            "RestApiproductsidGET2222": _method(
                "RestApiproductsidAAAAAAAA",
                "GET",
                "shopapiLive6B7D2EF7",
                cache_key_parameters=["method.request.path.id"],
                request_parameters={"method.request.path.id": True},
            ),
            "RestApiproductsfeaturedGET3333": _method(
                "RestApiproductsfeaturedBBBB", "GET", "shopapiLive6B7D2EF7"
            ),
            "RestApiproxyANY4444": _method("RestApiproxyCCCC", "ANY", "shopapiLive6B7D2EF7"),
            "RestApirootGET5555": _method("root", "GET", "shopapiLive6B7D2EF7"),
            "RestApiproductsOPTIONS6666": {
                "Type": "AWS::ApiGateway::Method",
                "Properties": {
                    "HttpMethod": "OPTIONS",
                    "ResourceId": {"Ref": "RestApiproductsD4D929F6"},
                    "RestApiId": {"Ref": "RestApi79D61EE8"},
                    "AuthorizationType": "NONE",
                    "Integration": {
                        "Type": "MOCK",
                        "RequestTemplates": {"application/json": "{ statusCode: 200 }"},
                        "IntegrationResponses": [
                            {
                                "StatusCode": "204",
                                "ResponseParameters": {
                                    "method.response.header.Access-Control-Allow-Origin": "'*'",
                                    "method.response.header.Access-Control-Allow-Methods": "'GET,POST'",
                                },
                            }
                        ],
                    },
                },
            },
            "RestAuthorizer752ABC46": {
                "Type": "AWS::ApiGateway::Authorizer",
                "Properties": {
                    "IdentitySource": "method.request.header.Authorization",
                    "ProviderARNs": [{"Fn::ImportValue": f"{AUTH}:ExportsOutputFnGetAttShoppersUserPoolArn"}],
                    "RestApiId": {"Ref": "RestApi79D61EE8"},
                    "Type": "COGNITO_USER_POOLS",
                },
            },
            "RestApiBodyValidator": {
                "Type": "AWS::ApiGateway::RequestValidator",
                "Properties": {
                    "RestApiId": {"Ref": "RestApi79D61EE8"},
                    "ValidateRequestBody": True,
                    "ValidateRequestParameters": True,
                },
            },
            "RestApiProductsPostModel": {
                "Type": "AWS::ApiGateway::Model",
                "Properties": {
                    "ContentType": "application/json",
                    "RestApiId": {"Ref": "RestApi79D61EE8"},
                    "Schema": product_schema,
                },
            },
            "RestApiAdminKeyC8DE142D": {
                "Type": "AWS::ApiGateway::ApiKey",
                "Properties": {"Name": "local-shop-api-admin"},
            },
            "RestApiDefault4xx": {
                "Type": "AWS::ApiGateway::GatewayResponse",
                "Properties": {
                    "ResponseType": "DEFAULT_4XX",
                    "RestApiId": {"Ref": "RestApi79D61EE8"},
                    "ResponseParameters": {"gatewayresponse.header.Access-Control-Allow-Origin": "'*'"},
                },
            },
            "RestApiDeploymentStagev1ED1B0EFA": {
                "Type": "AWS::ApiGateway::Stage",
                "Properties": {
                    "StageName": "v1",
                    "CacheClusterEnabled": True,
                    "RestApiId": {"Ref": "RestApi79D61EE8"},
                    "MethodSettings": [
                        {"CachingEnabled": False, "HttpMethod": "*", "ResourcePath": "/*"},
                        {
                            "CacheTtlInSeconds": 300,
                            "CachingEnabled": True,
                            "HttpMethod": "GET",
                            "ResourcePath": "/~1products",
                        },
                        {
                            "CacheTtlInSeconds": 600,
                            "CachingEnabled": True,
                            "HttpMethod": "GET",
                            "ResourcePath": "/~1products~1{id}",
                        },
                    ],
                },
            },
            "DailyMarketing39AA6E6C": {
                "Type": "AWS::Scheduler::Schedule",
                "Properties": {
                    "FlexibleTimeWindow": {"Mode": "OFF"},
                    "ScheduleExpression": "cron(0 10 * * ? *)",
                    "ScheduleExpressionTimezone": "America/Chicago",
                    "State": "ENABLED",
                    "Target": {
                        "Arn": {"Ref": "marketingLive25B78E18"},
                        "Input": json.dumps({"job": "daily-marketing-scans"}),
                        "RoleArn": {"Fn::GetAtt": ["SchedulerRole", "Arn"]},
                    },
                },
            },
            "HourlyRule": {
                "Type": "AWS::Events::Rule",
                "Properties": {
                    "ScheduleExpression": "rate(1 hour)",
                    "State": "ENABLED",
                    "Targets": [
                        {"Arn": {"Fn::GetAtt": ["marketingFunction8D095AA7", "Arn"]}, "Id": "Target0"}
                    ],
                },
            },
        }
    }


def shop_templates(*, visibility_timeout: int = 1800, **api_options: Any) -> dict[str, dict[str, Any]]:
    return {
        DATA: data_template(),
        MESSAGING: messaging_template(visibility_timeout=visibility_timeout),
        AUTH: auth_template(),
        API: api_template(**api_options),
    }
