"""Counts the AWS calls and Redis round trips one function invocation makes (issue 20, work per request).

Off unless the runner's environment has SHOP_CALL_LOG=<file>: then each function worker
(`cdk_app.local.function_worker`) installs the counter before it imports the handler and appends one
JSON line per invocation to that file. The deployed code never contains it.

What is counted, and where:
- AWS calls: botocore's `before-parameter-build` event (once per API call, with the call's own
  parameters: `before-call` sees the serialized request instead), registered on each client as botocore's
  `Session.create_client` returns it, whatever session it comes from: boto3's default one
  (`boto3.client(...)`, `boto3.resource(...)`) or one of its own (Powertools' idempotency layer
  makes a `boto3.session.Session()`). Registering on the default session's emitter alone would miss
  the latter. One count per API call (what AWS bills), whatever the retries; `before-send` counts
  HTTP attempts apart, and `after-call` records the error code of a refused call (a failed condition
  still costs a write).
  Only this worker process's calls are seen: the runner's own (queue and stream pumps, moto) are not.
- Redis round trips: redis-py's `AbstractConnection.send_packed_command`, which both a single command
  and a whole pipeline go through once (a pipeline is one write, then its replies are read): one
  call = one round trip, named by the commands it carried (decoded from the RESP bytes). A
  connection's handshake and health-check PINGs go through it too, and are counted as what they are.
- Capacity units are not recorded: moto answers ReturnConsumedCapacity with a constant per operation
  (1.0, or 0.5 for GetItem), whatever the item's size, so its figure would say nothing the call
  count does not.
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections import Counter
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

CALL_LOG_VARIABLE = "SHOP_CALL_LOG"
# A header a benchmark may set to find its request's record (API Gateway passes headers through).
TAG_HEADER = "x-call-tag"


class InvocationCounts:
    """What one invocation did; the hooks add to the current one (a worker runs one at a time, but a
    handler may call from threads of its own, hence the lock)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.aws: Counter[str] = Counter()
        self.calls: list[str] = []  # each AWS call in order, with its table(s) or queue
        self.errors: list[str] = []
        self.http_attempts = 0
        self.redis: list[str] = []  # each round trip's commands, in order

    def add_call(self, name: str, detail: str) -> None:
        with self.lock:
            self.aws[name] += 1
            self.calls.append(f"{name} {detail}".rstrip())

    def add_error(self, name: str, code: str) -> None:
        with self.lock:
            self.errors.append(f"{name} {code}")

    def add_attempt(self) -> None:
        with self.lock:
            self.http_attempts += 1

    def add_round_trip(self, commands: str) -> None:
        with self.lock:
            self.redis.append(commands)

    def as_record(self) -> dict[str, Any]:
        with self.lock:
            return {
                "aws": dict(sorted(self.aws.items())),
                "aws_calls": sum(self.aws.values()),
                "calls": list(self.calls),
                "errors": list(self.errors),
                "http_attempts": self.http_attempts,
                "redis_round_trips": len(self.redis),
                "redis": list(self.redis),
            }


class CallCounter:
    """The hooks of one worker process and the current invocation they count into."""

    def __init__(self, log_path: str) -> None:
        self.log_path = log_path
        self.current: InvocationCounts | None = None
        self.invocations = 0

    # -- installing ------------------------------------------------------------------------------

    def install(self) -> CallCounter:
        self._install_botocore_hooks()
        self._install_redis_hook()
        return self

    def _install_botocore_hooks(self) -> None:
        import botocore.session

        original = botocore.session.Session.create_client
        counter = self

        def create_client(session: Any, *args: Any, **kwargs: Any) -> Any:
            client = original(session, *args, **kwargs)
            events = client.meta.events
            events.register(
                "before-parameter-build", counter._before_call, unique_id="shop-call-counter-call"
            )
            events.register("before-send", counter._before_send, unique_id="shop-call-counter-send")
            events.register("after-call", counter._after_call, unique_id="shop-call-counter-after")
            return client

        botocore.session.Session.create_client = create_client

    def _install_redis_hook(self) -> None:
        try:
            from redis.connection import AbstractConnection
        except ImportError:  # a function without redis in its layer
            return
        original: Any = AbstractConnection.send_packed_command
        counter = self

        def send_packed_command(connection: Any, command: Any, check_health: bool = True) -> Any:
            counts = counter.current
            if counts is not None:
                counts.add_round_trip(command_names(command))
            return original(connection, command, check_health)

        AbstractConnection.send_packed_command = send_packed_command  # type: ignore[method-assign]

    # -- botocore events ---------------------------------------------------------------------------

    def _before_call(self, model: Any, params: Mapping[str, Any], **_: Any) -> None:
        counts = self.current
        if counts is None:
            return
        service = model.service_model.service_name
        counts.add_call(f"{service}.{model.name}", call_detail(service, model.name, params))

    def _before_send(self, **_: Any) -> None:
        if self.current is not None:
            self.current.add_attempt()

    def _after_call(self, parsed: Mapping[str, Any], model: Any, **_: Any) -> None:
        counts = self.current
        error = parsed.get("Error") if isinstance(parsed, Mapping) else None
        if counts is not None and error:
            counts.add_error(f"{model.service_model.service_name}.{model.name}", str(error.get("Code", "?")))

    # -- one invocation ----------------------------------------------------------------------------

    @contextmanager
    def invocation(self, function_name: str, event: Any) -> Iterator[dict[str, Any]]:
        """Counts the calls made inside the block; the caller puts the handler's result (or error) in
        the yielded dict under "result"/"error". One JSON line is appended to the log afterwards."""
        counts = self.current = InvocationCounts()
        outcome: dict[str, Any] = {}
        started = time.perf_counter()
        try:
            yield outcome
        finally:
            self.current = None
            record = {
                "function": function_name,
                **describe_event(event),
                "status": status_of(outcome),
                "cold": self.invocations == 0,
                "ms": round((time.perf_counter() - started) * 1000, 1),
                "pid": os.getpid(),
                **counts.as_record(),
            }
            self.invocations += 1
            self._append(record)

    def _append(self, record: Mapping[str, Any]) -> None:
        # One write of one line to a file opened for appending: lines from several workers never interleave.
        line = (json.dumps(record, separators=(",", ":")) + "\n").encode()
        descriptor = os.open(self.log_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            os.write(descriptor, line)
        finally:
            os.close(descriptor)


def installed_from_environment(environment: Mapping[str, str] = os.environ) -> CallCounter | None:
    """The counter, installed, when SHOP_CALL_LOG names a file; None (and nothing installed) otherwise."""
    path = environment.get(CALL_LOG_VARIABLE)
    return CallCounter(path).install() if path else None


# -- describing calls and events ---------------------------------------------------------------------


def call_detail(service: str, operation: str, params: Mapping[str, Any]) -> str:
    """The table(s) or queue a call is about, short: what tells two calls of one operation apart."""
    if service == "dynamodb":
        if "TableName" in params:
            index = f"/{params['IndexName']}" if params.get("IndexName") else ""
            return short_name(str(params["TableName"])) + index
        if operation in ("BatchGetItem", "BatchWriteItem"):
            return ",".join(sorted(short_name(name) for name in params.get("RequestItems", {})))
        if operation in ("TransactWriteItems", "TransactGetItems"):
            parts = []
            for item in params.get("TransactItems", []):
                for action, body in item.items():
                    parts.append(f"{action}:{short_name(str(body.get('TableName', '?')))}")
            return "[" + ",".join(parts) + "]"
    if service == "sqs" and "QueueUrl" in params:
        entries = params.get("Entries")
        suffix = f" x{len(entries)}" if isinstance(entries, list) else ""
        return short_name(str(params["QueueUrl"]).rsplit("/", 1)[-1]) + suffix
    return ""


def short_name(name: str) -> str:
    """A table or queue name without its stage prefix (`local-RateLimits` -> `RateLimits`, as
    StageConfig.resource_name makes them); a name without one is kept whole."""
    return name.split("-", 1)[1] if "-" in name else name


def command_names(command: Any) -> str:
    """The Redis command names in a packed RESP request (one, or a pipeline's several, '+'-joined)."""
    if isinstance(command, str):
        data = command.encode()
    elif isinstance(command, bytes | bytearray | memoryview):
        data = bytes(command)
    else:
        data = b"".join(bytes(part) if not isinstance(part, str) else part.encode() for part in command)
    names: list[str] = []
    position = 0
    try:
        while position < len(data) and data[position : position + 1] == b"*":
            end = data.index(b"\r\n", position)
            count = int(data[position + 1 : end])
            position = end + 2
            arguments: list[bytes] = []
            for _ in range(count):
                end = data.index(b"\r\n", position)
                length = int(data[position + 1 : end])
                arguments.append(data[end + 2 : end + 2 + length])
                position = end + 2 + length + 2
            name = arguments[0].decode(errors="replace").upper() if arguments else "?"
            # SCRIPT EXISTS / CLIENT SETINFO: the subcommand is what tells them apart.
            if name in ("SCRIPT", "CLIENT", "CONFIG") and len(arguments) > 1:
                name += " " + arguments[1].decode(errors="replace").upper()
            names.append(name)
    except (ValueError, IndexError):
        names.append("?")
    return "+".join(names) if names else "?"


def describe_event(event: Any) -> dict[str, Any]:
    """What started the invocation: an API request (route, path, tag), SQS records, a stream, or else."""
    if not isinstance(event, Mapping):
        return {"trigger": "other"}
    if "httpMethod" in event:
        headers = {str(k).lower(): v for k, v in (event.get("headers") or {}).items()}
        return {
            "trigger": "api",
            "route": f"{event['httpMethod']} {event.get('resource') or event.get('path')}",
            "path": event.get("path"),
            "tag": headers.get(TAG_HEADER),
        }
    records = event.get("Records")
    if isinstance(records, list) and records:
        source = str(records[0].get("eventSource") or records[0].get("EventSource") or "")
        if source == "aws:sqs":
            queues = sorted(
                {short_name(str(r.get("eventSourceARN", "")).rsplit(":", 1)[-1]) for r in records}
            )
            return {"trigger": "sqs", "route": "sqs " + ",".join(queues), "records": len(records)}
        if source == "aws:dynamodb":
            return {"trigger": "stream", "route": "dynamodb stream", "records": len(records)}
        return {"trigger": "other", "route": source or "records", "records": len(records)}
    if "triggerSource" in event:
        return {"trigger": "cognito", "route": str(event["triggerSource"])}
    return {"trigger": "schedule" if event.get("source") or "job" in event else "other"}


def status_of(outcome: Mapping[str, Any]) -> int | str | None:
    if "error" in outcome:
        return "error"
    result = outcome.get("result")
    if isinstance(result, Mapping) and "statusCode" in result:
        return int(result["statusCode"])
    return None


# -- reading the log (benchmarks, tests) --------------------------------------------------------------


class CallLog:
    """The records the workers append to a SHOP_CALL_LOG file; `new()` returns those written since the
    previous call (a line still being written is returned next time)."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = os.fspath(path)
        self.offset = os.path.getsize(self.path) if os.path.exists(self.path) else 0

    def new(self) -> list[dict[str, Any]]:
        if not os.path.exists(self.path):
            return []
        with open(self.path, "rb") as stream:
            stream.seek(self.offset)
            data = stream.read()
        complete = data[: data.rfind(b"\n") + 1]
        self.offset += len(complete)
        return [json.loads(line) for line in complete.splitlines() if line.strip()]
