"""The AWS APIs of the local shop: moto's server (or the user's own endpoint) with the template's resources.

Only what the handlers call is created: DynamoDB tables with their indexes and TTL, SQS queues with their
redrive policies, S3 buckets, the Cognito user pool with its clients and groups, Secrets Manager secrets,
SSM parameters and an SES sender identity. moto's CloudFormation is not used: it cannot deploy a CDK
template (custom resources, assets, cross-stack exports).
"""

from __future__ import annotations

import contextlib
import http.client
import json
import logging
import os
import select
import subprocess
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

from cdk_app.local.intrinsics import LOCAL_REGION, IntrinsicResolver, UnresolvableIntrinsicError
from cdk_app.local.template_model import QueueModel, ShopModel, TableModel

logger = logging.getLogger(__name__)

REPO_ROOT = Path(__file__).resolve().parents[2]
ENDPOINT_ENV_VAR = "AWS_ENDPOINT_URL"
# botocore's service-specific endpoint variables: every boto3 client of the runner and of the function
# workers reaches DynamoDB (and its streams) in its own process (dynamodb_process.py).
DYNAMODB_ENDPOINT_ENV_VARS = ("AWS_ENDPOINT_URL_DYNAMODB", "AWS_ENDPOINT_URL_DYNAMODB_STREAMS")
DYNAMODB_SERVICES = ("dynamodb", "dynamodbstreams")
DEFAULT_SENDER_EMAIL = "shop@example.com"
# WSGI: (environ, start_response) -> the response's body chunks.
WsgiApp = Callable[[dict[str, Any], Any], Iterable[bytes]]
# X-Amz-Target of the DynamoDB and DynamoDB Streams APIs (DynamoDB_20120810.PutItem, ...).
DYNAMODB_TARGET_PREFIXES = ("DynamoDB_", "DynamoDBStreams_")
# Dummy credentials: moto accepts anything, and they stop a misrouted client from reaching real AWS.
LOCAL_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
}


@dataclass
class LocalAws:
    """Where the AWS APIs answer; `stop()` ends moto's server if this process started it."""

    endpoint_url: str
    region: str = LOCAL_REGION
    # Where DynamoDB answers when this process started moto: its own process (None: endpoint_url).
    dynamodb_endpoint_url: str | None = None
    _server: Any = None
    _dynamodb: DynamoDbProcess | None = None
    _clients: dict[str, Any] = field(default_factory=dict)

    @property
    def owns_server(self) -> bool:
        return self._server is not None

    @property
    def dynamodb_process(self) -> DynamoDbProcess | None:
        return self._dynamodb

    def endpoint_of(self, service: str) -> str:
        if service in DYNAMODB_SERVICES and self.dynamodb_endpoint_url:
            return self.dynamodb_endpoint_url
        return self.endpoint_url

    def client(self, service: str) -> Any:
        if service not in self._clients:
            self._clients[service] = boto3.client(
                service,
                endpoint_url=self.endpoint_of(service),
                region_name=self.region,
                config=Config(retries={"max_attempts": 2, "mode": "standard"}),
            )
        return self._clients[service]

    def process_environment(self) -> dict[str, str]:
        """The variables every handler needs so that its boto3 clients reach these APIs."""
        dynamodb = (
            dict.fromkeys(DYNAMODB_ENDPOINT_ENV_VARS, self.dynamodb_endpoint_url)
            if self.dynamodb_endpoint_url
            else {}
        )
        return {
            ENDPOINT_ENV_VAR: self.endpoint_url,
            **dynamodb,
            "AWS_REGION": self.region,
            "AWS_DEFAULT_REGION": self.region,
            **{name: os.environ.get(name, value) for name, value in LOCAL_CREDENTIALS.items()},
        }

    def stop(self) -> None:
        if self._server is not None:
            self._server.stop()
            self._server = None
        if self._dynamodb is not None:
            self._dynamodb.stop()
            self._dynamodb = None


class DynamoDbProcess:
    """`cdk_app.local.dynamodb_process` started by this process; `stop()` (or this process's exit)
    closes its standard input, which ends it."""

    def __init__(self) -> None:
        python_path = os.pathsep.join(filter(None, [str(REPO_ROOT), os.environ.get("PYTHONPATH")]))
        self.process = subprocess.Popen(  # this interpreter, our own module, no shell
            [sys.executable, "-m", "cdk_app.local.dynamodb_process"],
            env={**os.environ, "PYTHONPATH": python_path},
            cwd=str(REPO_ROOT),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
        )
        self._endpoint_url: str | None = None

    def endpoint_url(self, timeout: float = 60.0) -> str:
        """Its URL, once it listens (it prints its port)."""
        if self._endpoint_url is None:
            assert self.process.stdout is not None
            ready, _, _ = select.select([self.process.stdout], [], [], timeout)
            line = self.process.stdout.readline().decode().strip() if ready else ""
            if not line.isdigit():
                self.stop()
                raise RuntimeError(f"moto's DynamoDB process did not start (it said {line!r})")
            self._endpoint_url = f"http://127.0.0.1:{line}"
        return self._endpoint_url

    def stop(self) -> None:
        if self.process.stdin is not None:
            with contextlib.suppress(OSError):
                self.process.stdin.close()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        if self.process.stdout is not None:
            self.process.stdout.close()


class _ForwardDynamoDb:
    """WSGI wrapper sending DynamoDB and DynamoDB Streams requests that reach the runner's moto on to
    the DynamoDB process, so a client given only AWS_ENDPOINT_URL sees the same tables."""

    _HOP_BY_HOP = frozenset({"connection", "keep-alive", "transfer-encoding", "content-length"})

    def __init__(self, app: WsgiApp, upstream: str) -> None:
        self._app = app
        parts = urlsplit(upstream)
        self._host, self._port = parts.hostname or "127.0.0.1", parts.port

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        target = str(environ.get("HTTP_X_AMZ_TARGET", ""))
        if not target.startswith(DYNAMODB_TARGET_PREFIXES):
            return self._app(environ, start_response)
        body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        headers = {
            name[5:].replace("_", "-"): value
            for name, value in environ.items()
            if name.startswith("HTTP_") and name not in ("HTTP_HOST", "HTTP_CONNECTION")
        }
        if environ.get("CONTENT_TYPE"):
            headers["CONTENT-TYPE"] = environ["CONTENT_TYPE"]
        path = environ.get("RAW_URI") or environ.get("PATH_INFO") or "/"
        connection = http.client.HTTPConnection(self._host, self._port, timeout=120)
        try:
            connection.request(environ.get("REQUEST_METHOD", "POST"), path, body, headers)
            answer = connection.getresponse()
            data = answer.read()
        finally:
            connection.close()
        start_response(
            f"{answer.status} {answer.reason}",
            [(name, value) for name, value in answer.getheaders() if name.lower() not in self._HOP_BY_HOP],
        )
        return [data]


def _moto_server_class(wrap: Callable[[WsgiApp], WsgiApp]) -> type:
    """moto's ThreadedMotoServer with `wrap` around its WSGI application."""
    from moto.moto_server.threaded_moto_server import ThreadedMotoServer
    from moto.moto_server.werkzeug_app import (
        DomainDispatcherApplication,
        MotoRequestHandler,
        create_backend_app,
    )
    from werkzeug.serving import make_server

    class WrappedMotoServer(ThreadedMotoServer):
        def _server_entry(self) -> None:  # moto's own, with the wrapper around its application
            app = wrap(DomainDispatcherApplication(create_backend_app))
            self._server = make_server(
                self._ip_address, self._port, app, True, request_handler=MotoRequestHandler
            )
            self._server_ready_event.set()
            self._server.serve_forever()

    return WrappedMotoServer


def start_aws(region: str = LOCAL_REGION, *, endpoint_url: str | None = None) -> LocalAws:
    """Start moto's server on a free loopback port, unless AWS_ENDPOINT_URL (or `endpoint_url`) names one.

    Sets the process's credentials, region and endpoints so that every boto3 client created afterwards,
    the handlers' included, talks to it. moto's DynamoDB runs in a process of its own
    (dynamodb_process.py); the endpoint forwards DynamoDB requests there.
    """
    given = endpoint_url or os.environ.get(ENDPOINT_ENV_VAR)
    if given:
        for name, value in LOCAL_CREDENTIALS.items():
            os.environ.setdefault(name, value)
        aws = LocalAws(endpoint_url=given.rstrip("/"), region=region)
    else:
        os.environ.update(LOCAL_CREDENTIALS)
        dynamodb = DynamoDbProcess()  # first: it imports moto while this process does the same
        # Stable user pool and client ids across runs, so --persist, config.json and browser sessions agree.
        os.environ.setdefault("MOTO_COGNITO_IDP_USER_POOL_ID_STRATEGY", "HASH")
        os.environ.setdefault("MOTO_COGNITO_IDP_USER_POOL_CLIENT_ID_STRATEGY", "HASH")
        from cdk_app.local.cognito_emulation import add_missing_cognito_operations

        add_missing_cognito_operations()

        logging.getLogger("werkzeug").setLevel(
            logging.WARNING
        )  # one line per AWS call drowns the shop's logs
        try:
            dynamodb_url = dynamodb.endpoint_url()
            server = _moto_server_class(lambda app: _ForwardDynamoDb(app, dynamodb_url))(
                ip_address="127.0.0.1", port=0, verbose=False
            )
            server.start()
        except BaseException:
            dynamodb.stop()
            raise
        host, port = server.get_host_and_port()
        aws = LocalAws(
            endpoint_url=f"http://{host}:{port}",
            region=region,
            dynamodb_endpoint_url=dynamodb_url,
            _server=server,
            _dynamodb=dynamodb,
        )
    os.environ.update(aws.process_environment())
    return aws


def create_resources(model: ShopModel, aws: LocalAws, *, sender_emails: Iterable[str] = ()) -> None:
    """Create every resource of `model` (keeping existing ones); record moto's ids in `model.resources`."""
    for table in model.tables:
        create_table(aws, table)
    create_queues(model, aws)
    for bucket in model.buckets:
        _ignore_existing(lambda name=bucket.name: aws.client("s3").create_bucket(Bucket=name))
    create_user_pools(model, aws)
    create_secrets_and_parameters(model, aws)
    for email in {DEFAULT_SENDER_EMAIL, *sender_emails}:
        aws.client("ses").verify_email_identity(EmailAddress=email)


def _ignore_existing(call: Any) -> Any:
    try:
        return call()
    except ClientError as error:
        code = error.response.get("Error", {}).get("Code", "")
        if code in ("ResourceInUseException", "BucketAlreadyOwnedByYou", "BucketAlreadyExists"):
            return None
        raise


def create_table(aws: LocalAws, table: TableModel) -> None:
    keys = [table.partition_key, *([table.sort_key] if table.sort_key else [])]
    attributes = {key.name: key.type for key in keys}
    indexes = []
    for index in table.indexes:
        index_keys = [index.partition_key, *([index.sort_key] if index.sort_key else [])]
        attributes.update({key.name: key.type for key in index_keys})
        projection: dict[str, Any] = {"ProjectionType": index.projection_type}
        if index.non_key_attributes:
            projection["NonKeyAttributes"] = list(index.non_key_attributes)
        indexes.append(
            {
                "IndexName": index.name,
                "KeySchema": [
                    {"AttributeName": key.name, "KeyType": role}
                    for key, role in zip(index_keys, ("HASH", "RANGE"), strict=False)
                ],
                "Projection": projection,
            }
        )
    request: dict[str, Any] = {
        "TableName": table.name,
        "BillingMode": "PAY_PER_REQUEST",
        "AttributeDefinitions": [
            {"AttributeName": name, "AttributeType": kind} for name, kind in attributes.items()
        ],
        "KeySchema": [
            {"AttributeName": key.name, "KeyType": role}
            for key, role in zip(keys, ("HASH", "RANGE"), strict=False)
        ],
    }
    if indexes:
        request["GlobalSecondaryIndexes"] = indexes
    if table.stream_view_type:
        request["StreamSpecification"] = {"StreamEnabled": True, "StreamViewType": table.stream_view_type}
    dynamodb = aws.client("dynamodb")
    created = _ignore_existing(lambda: dynamodb.create_table(**request))
    if created is not None and table.ttl_attribute:
        dynamodb.update_time_to_live(
            TableName=table.name,
            TimeToLiveSpecification={"Enabled": True, "AttributeName": table.ttl_attribute},
        )


def create_queues(model: ShopModel, aws: LocalAws) -> None:
    """All queues first, then the redrive policies: a policy may only name a dead-letter queue that exists."""
    sqs = aws.client("sqs")
    arns: dict[str, str] = {}
    for queue in model.queues:
        url = sqs.create_queue(QueueName=queue.name, Attributes=_queue_attributes(queue))["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        arns[queue.arn] = arn
        model.resources.set(queue.address, url, QueueUrl=url, Arn=arn, QueueName=queue.name)
    for queue in model.queues:
        if queue.dead_letter_target_arn and queue.max_receive_count:
            policy = {
                "deadLetterTargetArn": arns.get(queue.dead_letter_target_arn, queue.dead_letter_target_arn),
                "maxReceiveCount": queue.max_receive_count,
            }
            sqs.set_queue_attributes(
                QueueUrl=model.resources.values[queue.address].ref,
                Attributes={"RedrivePolicy": json.dumps(policy)},
            )


def _queue_attributes(queue: QueueModel) -> dict[str, str]:
    attributes = {
        "VisibilityTimeout": str(queue.visibility_timeout),
        "MessageRetentionPeriod": str(queue.retention_seconds),
    }
    if queue.fifo:
        attributes["FifoQueue"] = "true"
    return attributes


def create_user_pools(model: ShopModel, aws: LocalAws) -> None:
    cognito = aws.client("cognito-idp")
    existing = {pool["Name"]: pool["Id"] for pool in cognito.list_user_pools(MaxResults=60)["UserPools"]}
    for pool in model.user_pools:
        request: dict[str, Any] = {"PoolName": pool.name}
        if pool.username_attributes:
            request["UsernameAttributes"] = list(pool.username_attributes)
        if pool.auto_verified_attributes:
            request["AutoVerifiedAttributes"] = list(pool.auto_verified_attributes)
        if pool.password_policy:
            request["Policies"] = {"PasswordPolicy": dict(pool.password_policy)}
        pool_id = existing.get(pool.name) or cognito.create_user_pool(**request)["UserPool"]["Id"]
        region = aws.region
        model.resources.set(
            pool.address,
            pool_id,
            UserPoolId=pool_id,
            Arn=f"arn:aws:cognito-idp:{region}:{model.resources.account}:userpool/{pool_id}",
            ProviderName=f"cognito-idp.{region}.amazonaws.com/{pool_id}",
            ProviderURL=f"https://cognito-idp.{region}.amazonaws.com/{pool_id}",
        )
        clients = {
            client["ClientName"]: client["ClientId"]
            for client in cognito.list_user_pool_clients(UserPoolId=pool_id, MaxResults=60)["UserPoolClients"]
        }
        for client in pool.clients:
            client_id = (
                clients.get(client.name)
                or cognito.create_user_pool_client(
                    UserPoolId=pool_id,
                    ClientName=client.name,
                    GenerateSecret=client.generate_secret,
                    ExplicitAuthFlows=list(client.explicit_auth_flows) or ["ALLOW_USER_PASSWORD_AUTH"],
                )["UserPoolClient"]["ClientId"]
            )
            model.resources.set(client.address, client_id, ClientId=client_id)
        groups = {group["GroupName"] for group in cognito.list_groups(UserPoolId=pool_id)["Groups"]}
        for group in pool.groups:
            if group not in groups:
                cognito.create_group(UserPoolId=pool_id, GroupName=group)


def create_secrets_and_parameters(model: ShopModel, aws: LocalAws) -> None:
    """Secrets and SSM parameters the templates declare, so handlers reading them find a value."""
    resolver = IntrinsicResolver(model.resources)
    secrets = aws.client("secretsmanager")
    for address, resource in model.resources.resources_of_type("AWS::SecretsManager::Secret"):
        properties = resource.get("Properties") or {}
        name = model.resources.values[address].ref.rsplit(":secret:", 1)[-1]
        value = _resolved_or(resolver, properties.get("SecretString"), address.stack, None)
        if value is None:
            template = (properties.get("GenerateSecretString") or {}).get("SecretStringTemplate")
            value = _resolved_or(resolver, template, address.stack, None) or "local-secret-value"
        try:
            arn = secrets.create_secret(Name=name, SecretString=value)["ARN"]
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") != "ResourceExistsException":
                raise
            arn = secrets.describe_secret(SecretId=name)["ARN"]
        model.resources.set(address, arn, Arn=arn, Id=arn)
    ssm = aws.client("ssm")
    for address, resource in model.resources.resources_of_type("AWS::SSM::Parameter"):
        properties = resource.get("Properties") or {}
        name = model.resources.values[address].ref
        value = _resolved_or(resolver, properties.get("Value"), address.stack, "")
        kind = str(properties.get("Type", "String"))
        ssm.put_parameter(Name=name, Value=value or " ", Type=kind, Overwrite=True)
        model.resources.set(address, name, Value=value or "", Type=kind)


def _resolved_or(resolver: IntrinsicResolver, value: Any, stack: str, default: str | None) -> str | None:
    if value is None:
        return default
    try:
        return resolver.resolve_string(value, stack)
    except UnresolvableIntrinsicError:
        return default
