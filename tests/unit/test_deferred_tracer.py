"""The shared tracer, created on the first traced call, still traces that call as Lambda would.

A child interpreter runs as a Lambda function with X-Ray active tracing: LAMBDA_TASK_ROOT set, the
invocation's trace header in _X_AMZN_TRACE_ID, and the X-Ray daemon's address pointing at a UDP socket
of this test on loopback. The X-Ray SDK sends each closed subsegment there as it would to the daemon.
"""

from __future__ import annotations

import json
import os
import secrets
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[2]

# A boto3 client made before the first traced call (as a module-level client would be) and a DynamoDB
# answer from botocore's Stubber: no network, but the same _make_api_call the X-Ray SDK patches.
FUNCTION = """
import json, sys
import boto3
from botocore.stub import Stubber
from shop.platform.observability import tracer

dynamodb = boto3.client("dynamodb", region_name="us-east-1")
stubber = Stubber(dynamodb)
key = {"id": {"S": "p-1"}}
stubber.add_response("get_item", {"Item": key}, {"TableName": "Products", "Key": key})
stubber.activate()

@tracer.capture_lambda_handler
def handler(event, context):
    return dynamodb.get_item(TableName="Products", Key=key)["Item"]["id"]["S"]

before = "aws_xray_sdk" in sys.modules
answer = handler({}, None)
print(json.dumps({"xray_loaded_before_first_call": before, "answer": answer, "loaded": tracer.loaded}))
"""


ROOT = f"1-{int(time.time()):08x}-{secrets.token_hex(12)}"
PARENT = secrets.token_hex(8)


def _run_traced_function(environment_changes: dict[str, str]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The child's printed summary and every segment document the fake daemon received, for one
    invocation of trace ROOT whose Lambda segment (made by the service, not the SDK) is PARENT."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as daemon:
        daemon.bind(("127.0.0.1", 0))
        daemon.settimeout(0.2)
        port = daemon.getsockname()[1]
        environment = {
            key: value
            for key, value in os.environ.items()
            if key not in ("POWERTOOLS_TRACE_DISABLED", "AWS_ENDPOINT_URL", "AWS_LAMBDA_INITIALIZATION_TYPE")
        }
        environment.update(
            {
                "PYTHONPATH": str(REPO_ROOT / "lambdas"),
                "LAMBDA_TASK_ROOT": str(REPO_ROOT / "lambdas"),
                "AWS_LAMBDA_FUNCTION_NAME": "shop-tracer-test",
                "AWS_DEFAULT_REGION": "us-east-1",
                "AWS_ACCESS_KEY_ID": "testing",
                "AWS_SECRET_ACCESS_KEY": "testing",
                "AWS_XRAY_DAEMON_ADDRESS": f"127.0.0.1:{port}",
                "_X_AMZN_TRACE_ID": f"Root={ROOT};Parent={PARENT};Sampled=1",
                "POWERTOOLS_SERVICE_NAME": "tracer-test",
                **environment_changes,
            }
        )
        environment = {key: value for key, value in environment.items() if value != ""}
        result = subprocess.run(
            [sys.executable, "-c", FUNCTION],
            cwd=REPO_ROOT,
            env=environment,
            capture_output=True,
            text=True,
            check=False,
            timeout=120,
        )
        assert result.returncode == 0, result.stderr
        documents = []
        while True:
            try:
                packet = daemon.recv(65536).decode()
            except TimeoutError:
                break
            header, _, body = packet.partition("\n")
            assert json.loads(header) == {"format": "json", "version": 1}
            documents.append(json.loads(body))
    return json.loads(result.stdout.strip().splitlines()[-1]), documents


def test_the_first_invocation_is_traced_with_its_aws_calls() -> None:
    summary, documents = _run_traced_function({})
    assert summary == {"xray_loaded_before_first_call": False, "answer": "p-1", "loaded": True}
    by_name = {document["name"]: document for document in documents}
    assert {document["trace_id"] for document in documents} == {ROOT}
    # Powertools' handler subsegment, in the invocation's own segment, marked as the cold start it is.
    handler = by_name["## handler"]
    assert handler["parent_id"] == PARENT
    assert handler["annotations"] == {"ColdStart": True, "Service": "tracer-test"}
    # boto3 patched before the handler ran, though the client was built before the tracer existed.
    call = by_name["dynamodb"]
    assert call["namespace"] == "aws"
    assert call["aws"]["operation"] == "GetItem"
    assert call["aws"]["table_name"] == "Products"
    assert call["parent_id"] == handler["id"]


def test_with_tracing_disabled_nothing_is_sent_and_xray_is_never_imported() -> None:
    summary, documents = _run_traced_function({"POWERTOOLS_TRACE_DISABLED": "true"})
    assert summary == {"xray_loaded_before_first_call": False, "answer": "p-1", "loaded": False}
    assert documents == []
