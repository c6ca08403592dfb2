"""One execution environment of one Lambda function: a process of its own, as Lambda gives each.

Started by `cdk_app.local.function_processes` with the function's resolved environment. It imports
the handler on its first invocation (its cold start) and then answers invocations one at a time
over the connection it was given: `event -> ("result", value) | ("error", {errorType, ...})`.
What the handler prints (its JSON logs and EMF metrics) goes to this process's stdout, which the
runner relays to its own.
"""

from __future__ import annotations

import importlib
import json
import signal
import sys
import traceback
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any

from cdk_app.local.call_counter import installed_from_environment
from cdk_app.local.function_runtime import LambdaContext


def serve(connection: Connection, spec: dict[str, Any]) -> None:
    if spec["code_root"] not in sys.path:
        sys.path.insert(0, spec["code_root"])
    handler: Callable[[Any, Any], Any] | None = None
    # SHOP_CALL_LOG (benchmarks): count each invocation's AWS calls and Redis round trips. Installed
    # before the handler is imported, so the clients it creates carry the hooks (call_counter.py).
    counter = installed_from_environment()
    while True:
        try:
            event = connection.recv()
        except EOFError:
            return
        if event is None:
            return
        if counter is None:
            reply, handler = _invoke(spec, handler, event)
        else:
            with counter.invocation(spec["function_name"], event) as outcome:
                reply, handler = _invoke(spec, handler, event)
                outcome[reply[0]] = reply[1]
        sys.stdout.flush()  # the invocation's logs reach the runner before its answer does
        try:
            connection.send(reply)
        except (TypeError, AttributeError, ValueError) as error:  # an answer that cannot be pickled
            connection.send(("error", {"errorType": "Runtime.MarshalError", "errorMessage": str(error)}))


def _invoke(
    spec: dict[str, Any], handler: Callable[[Any, Any], Any] | None, event: Any
) -> tuple[tuple[str, Any], Callable[[Any, Any], Any] | None]:
    """The handler's answer to `event` (importing it first on a cold start), and the handler."""
    try:
        if handler is None:
            handler = getattr(importlib.import_module(spec["module"]), spec["attribute"])
        context = LambdaContext(
            function_name=spec["function_name"],
            memory_limit_in_mb=spec["memory_mb"],
            invoked_function_arn=spec["arn"],
            timeout_seconds=spec["timeout_seconds"],
        )
        return ("result", handler(event, context)), handler
    except Exception as error:  # reported to the caller the way Lambda reports a function error
        return (
            "error",
            {
                "errorType": type(error).__name__,
                "errorMessage": str(error),
                "stackTrace": traceback.format_exc(),
            },
        ), handler


def main() -> None:
    # A terminal's Ctrl-C reaches the whole process group; the runner stops its workers itself.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    spec = json.loads(sys.argv[1])
    serve(Connection(int(sys.argv[2])), spec)


if __name__ == "__main__":
    main()
