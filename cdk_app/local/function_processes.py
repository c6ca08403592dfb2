"""Run the shop's Lambda handlers in worker processes, each function in environments of its own.

Lambda gives every concurrent invocation its own execution environment: a function's module state,
environment variables and settings are never shared with another function, and two requests run at
the same time. The runner does the same with processes (`cdk_app.local.function_worker`): per
function a pool of up to `concurrency` workers, started on demand (the first invocation of each is
its cold start), kept warm afterwards, each answering one invocation at a time. A worker imports
its function from the function's own code asset in the synthesized assembly (what Lambda unzips),
so a module missing from a domain's asset fails here as it would in AWS. Compared with the
in-process runtime (`function_runtime.FunctionRuntime`, one invocation at a time process-wide) the
shop serves requests in parallel and a handler's module state is its function's alone.

Limits, compared with Lambda: memory is not limited; a worker still running 10 s after its
function's timeout is stopped and the invocation fails as `Task timed out` (the grace covers a busy
laptop); workers are not recycled after idle minutes.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Mapping
from multiprocessing.connection import Connection
from pathlib import Path
from typing import IO, Any

from cdk_app.local.function_runtime import FunctionEnvironments
from cdk_app.local.intrinsics import ResourceAddress
from cdk_app.local.synth import LAMBDA_CODE_ROOT
from cdk_app.local.template_model import FunctionModel, ShopModel

logger = logging.getLogger(__name__)

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_CONCURRENCY = 4
TIMEOUT_GRACE_SECONDS = 10


class FunctionInvocationError(RuntimeError):
    """The handler raised (or its worker died): Lambda's function error, with the worker's traceback."""

    def __init__(self, function: str, error: Mapping[str, Any]) -> None:
        self.error_type = str(error.get("errorType", "Unhandled"))
        self.error_message = str(error.get("errorMessage", ""))
        self.stack_trace = str(error.get("stackTrace", ""))
        super().__init__(f"{function}: {self.error_type}: {self.error_message}\n{self.stack_trace}".rstrip())


class _Worker:
    """One process running one function's handler; `call` sends an event and waits for the answer."""

    def __init__(
        self,
        function: FunctionModel,
        environment: Mapping[str, str],
        code_root: str,
        timeout_grace: float,
        log_sink: LogSink | None = None,
    ) -> None:
        module, attribute = function.module_and_attribute
        spec = {
            "module": module,
            "attribute": attribute,
            "code_root": code_root,
            "function_name": function.name,
            "memory_mb": function.memory_mb,
            "arn": function.arn,
            "timeout_seconds": function.timeout_seconds,
        }
        ours, theirs = socket.socketpair()
        self.function = function
        self.timeout_grace = timeout_grace
        self.process = subprocess.Popen(  # noqa: S603 - this interpreter, our own module, no shell
            [sys.executable, "-m", "cdk_app.local.function_worker", json.dumps(spec), str(theirs.fileno())],
            env={**environment, "PYTHONPATH": os.pathsep.join([str(REPO_ROOT), code_root])},
            cwd=str(REPO_ROOT),
            pass_fds=(theirs.fileno(),),
            stdout=subprocess.PIPE,
        )
        theirs.close()
        self.connection = Connection(ours.detach())
        assert self.process.stdout is not None
        self._relay = threading.Thread(
            target=_relay_lines, args=(self.process.stdout, log_sink or _to_stdout), daemon=True
        )
        self._relay.start()

    def call(self, event: Any) -> Any:
        limit = self.function.timeout_seconds + self.timeout_grace
        started = time.monotonic()
        self.connection.send(event)
        if not self.connection.poll(limit):
            raise FunctionInvocationError(
                self.function.name,
                {
                    "errorType": "Sandbox.Timedout",
                    "errorMessage": f"Task timed out after {limit:.0f} seconds",
                },
            )
        try:
            kind, value = self.connection.recv()
        except (EOFError, OSError) as error:
            raise FunctionInvocationError(
                self.function.name,
                {"errorType": "Runtime.ExitError", "errorMessage": f"worker exited: {error}"},
            ) from None
        elapsed = time.monotonic() - started
        if elapsed > self.function.timeout_seconds:
            logger.warning(
                "local runner: %s ran %.1fs, over its %ss timeout (Lambda would have stopped it)",
                self.function.name,
                elapsed,
                self.function.timeout_seconds,
            )
        if kind == "error":
            raise FunctionInvocationError(self.function.name, value)
        return value

    def stop(self) -> None:
        with contextlib.suppress(OSError):  # already gone
            self.connection.send(None)
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.connection.close()
        self._relay.join(timeout=5)

    def kill(self) -> None:
        self.process.kill()
        self.process.wait()
        self.connection.close()


# Where a worker's output lines (the handler's JSON logs and EMF metrics) go.
LogSink = Callable[[str], None]


def _to_stdout(line: str) -> None:
    """The runner's current sys.stdout, looked up per line: a benchmark may have replaced it to count
    the handlers' metrics."""
    sys.stdout.write(line)
    sys.stdout.flush()


def _relay_lines(stream: IO[bytes], sink: LogSink) -> None:
    """The worker's stdout, line by line, into `sink`."""
    for line in iter(stream.readline, b""):
        # OSError/ValueError: the runner's stdout or log file went away (shutting down).
        with contextlib.suppress(OSError, ValueError):
            sink(line.decode("utf-8", errors="replace"))
    stream.close()


class _Pool:
    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.idle: list[_Worker] = []
        self.count = 0
        self.available = threading.Condition()


class ProcessFunctionRuntime:
    """Invokes handlers by function address in worker processes; see the module docstring."""

    def __init__(
        self,
        model: ShopModel,
        overlay: Mapping[str, str],
        *,
        code_root: str | os.PathLike[str] = LAMBDA_CODE_ROOT,
        concurrency: int = DEFAULT_CONCURRENCY,
        timeout_grace_seconds: float = TIMEOUT_GRACE_SECONDS,
        log_sink: LogSink | None = None,
    ) -> None:
        self._model = model
        self._log_sink = log_sink
        self._timeout_grace = timeout_grace_seconds
        self._environments = FunctionEnvironments(model, overlay)
        self._code_root = str(code_root)
        self._concurrency = concurrency
        self._pools: dict[ResourceAddress, _Pool] = {}
        self._lock = threading.Lock()

    def environment_of(self, address: ResourceAddress) -> dict[str, str]:
        return self._environments.of(address)

    def invoke(self, address: ResourceAddress, event: Any) -> Any:
        """Call the handler of `address` with `event` in one of its workers; a function error raises
        FunctionInvocationError, as Lambda reports it to the caller."""
        function = self._model.function(address)
        if not function.is_python:
            raise RuntimeError(f"{function.name}: runtime {function.runtime} cannot run locally")
        pool = self._pool(address)
        worker = self._acquire(pool, function)
        try:
            result = worker.call(event)
        except FunctionInvocationError as error:
            if error.error_type.startswith(("Sandbox.", "Runtime.")):
                self._discard(pool, worker)  # timed out or died: Lambda throws the environment away
            else:
                self._release(pool, worker)
            raise
        except BaseException:
            self._discard(pool, worker)
            raise
        self._release(pool, worker)
        return result

    def recycle(self) -> None:
        """Stop every worker: the next invocations start cold (after a settings or flag change)."""
        with self._lock:
            pools = list(self._pools.values())
        for pool in pools:
            with pool.available:
                idle, pool.idle = pool.idle, []
                pool.count -= len(idle)
                pool.available.notify_all()
            for worker in idle:
                worker.stop()

    stop = recycle

    def _pool(self, address: ResourceAddress) -> _Pool:
        with self._lock:
            if address not in self._pools:
                self._pools[address] = _Pool(self._concurrency)
            return self._pools[address]

    def _acquire(self, pool: _Pool, function: FunctionModel) -> _Worker:
        with pool.available:
            while not pool.idle and pool.count >= pool.limit:
                pool.available.wait()
            if pool.idle:
                return pool.idle.pop()
            pool.count += 1
        try:
            environment = self._environments.process_environment(function.address)
            # Its own code asset, as Lambda has it; lambdas/ only for templates without assets (tests).
            code_root = function.code_dir or self._code_root
            return _Worker(function, environment, code_root, self._timeout_grace, self._log_sink)
        except BaseException:
            with pool.available:
                pool.count -= 1
                pool.available.notify()
            raise

    @staticmethod
    def _release(pool: _Pool, worker: _Worker) -> None:
        with pool.available:
            pool.idle.append(worker)
            pool.available.notify()

    @staticmethod
    def _discard(pool: _Pool, worker: _Worker) -> None:
        worker.kill()
        with pool.available:
            pool.count -= 1
            pool.available.notify()
