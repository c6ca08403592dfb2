"""API Gateway REST proxy events shaped exactly as AWS sends them to a Lambda proxy integration."""

from __future__ import annotations

import hashlib
import json
import re
import time
import uuid
from typing import Any
from urllib.parse import quote

ACCOUNT_ID = "123456789012"
API_ID = "abcdef1234"
STAGE = "test"


def api_event(
    method: str,
    resource: str,
    *,
    path_parameters: dict[str, str] | None = None,
    query: dict[str, str | list[str]] | None = None,
    headers: dict[str, str] | None = None,
    body: Any = None,
    claims: dict[str, str] | None = None,
) -> dict[str, Any]:
    """An event for `resource` (with {placeholders}) filled from `path_parameters`.

    `query` values may be lists (repeated parameters); `body` is sent as a JSON string unless it
    already is a string; `claims` are the Cognito claims a user-pool authorizer would pass on.
    """
    path_parameters = path_parameters or {}
    path = re.sub(r"\{(\w+)\+?\}", lambda match: quote(path_parameters[match.group(1)], safe=""), resource)
    all_headers = {
        "Accept": "application/json",
        "Host": f"{API_ID}.execute-api.us-east-1.amazonaws.com",
        "User-Agent": "pytest",
        "X-Amzn-Trace-Id": f"Root=1-{int(time.time()):08x}-{uuid.uuid4().hex[:24]}",
        "X-Forwarded-For": "198.51.100.7",
        "X-Forwarded-Port": "443",
        "X-Forwarded-Proto": "https",
    }
    if body is not None:
        all_headers["Content-Type"] = "application/json"
    if claims:
        all_headers["Authorization"] = "eyJraWQiOiJ0ZXN0In0.eyJzdWIiOiJ0ZXN0In0.signature"
    all_headers.update(headers or {})
    single_query: dict[str, str] | None = None
    multi_query: dict[str, list[str]] | None = None
    if query:
        multi_query = {name: value if isinstance(value, list) else [value] for name, value in query.items()}
        single_query = {name: values[-1] for name, values in multi_query.items()}
    request_context: dict[str, Any] = {
        "accountId": ACCOUNT_ID,
        "apiId": API_ID,
        "domainName": f"{API_ID}.execute-api.us-east-1.amazonaws.com",
        "domainPrefix": API_ID,
        "extendedRequestId": uuid.uuid4().hex[:16],
        "httpMethod": method,
        "identity": {
            "accessKey": None,
            "accountId": None,
            "caller": None,
            "cognitoAuthenticationProvider": None,
            "cognitoAuthenticationType": None,
            "cognitoIdentityId": None,
            "cognitoIdentityPoolId": None,
            "principalOrgId": None,
            "sourceIp": "198.51.100.7",
            "user": None,
            "userAgent": "pytest",
            "userArn": None,
        },
        "path": f"/{STAGE}{path}",
        "protocol": "HTTP/1.1",
        "requestId": str(uuid.uuid4()),
        "requestTime": time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime()),
        "requestTimeEpoch": int(time.time() * 1000),
        "resourceId": "a1b2c3",
        "resourcePath": resource,
        "stage": STAGE,
    }
    if claims:
        request_context["authorizer"] = {"claims": claims}
    return {
        "resource": resource,
        "path": path,
        "httpMethod": method,
        "headers": all_headers,
        "multiValueHeaders": {name: [value] for name, value in all_headers.items()},
        "queryStringParameters": single_query,
        "multiValueQueryStringParameters": multi_query,
        "pathParameters": path_parameters or None,
        "stageVariables": None,
        "requestContext": request_context,
        "body": body if body is None or isinstance(body, str) else json.dumps(body),
        "isBase64Encoded": False,
    }


def shopper_claims(
    user_id: str, *, email: str | None = None, groups: list[str] | None = None
) -> dict[str, str]:
    """Claims as a Cognito user-pool authorizer passes them (all values are strings)."""
    claims = {
        "sub": user_id,
        "email": email or f"{user_id}@example.com",
        "email_verified": "true",
        "token_use": "id",
        "iss": "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_test",
        "cognito:username": user_id,
        "auth_time": str(int(time.time())),
    }
    if groups:
        # API Gateway flattens the groups array into one string.
        claims["cognito:groups"] = ",".join(groups)
    return claims


def admin_claims(user_id: str = "admin-1") -> dict[str, str]:
    return shopper_claims(user_id, groups=["admin"])


def sqs_record(
    body: str, *, queue_name: str, message_id: str | None = None, receive_count: int = 1
) -> dict[str, Any]:
    """One record of the event an SQS event source mapping delivers, shaped as AWS sends it."""
    now_ms = str(int(time.time() * 1000))
    return {
        "messageId": message_id or str(uuid.uuid4()),
        "receiptHandle": "AQEB" + uuid.uuid4().hex,
        "body": body,
        "attributes": {
            "ApproximateReceiveCount": str(receive_count),
            "SentTimestamp": now_ms,
            "SenderId": "AIDAIENQZJOLO23YVJ4VO",
            "ApproximateFirstReceiveTimestamp": now_ms,
        },
        "messageAttributes": {},
        "md5OfBody": hashlib.md5(body.encode()).hexdigest(),
        "eventSource": "aws:sqs",
        "eventSourceARN": f"arn:aws:sqs:us-east-1:{ACCOUNT_ID}:{queue_name}",
        "awsRegion": "us-east-1",
    }
