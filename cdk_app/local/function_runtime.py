"""Run the shop's Lambda handlers in this process, each with the environment its template gives it.

The local shop runs handlers in worker processes by default (`function_processes.py`); this in-process
runtime is `python -m cdk_app.local --in-process`, for stepping through a handler in a debugger.

Design choice: one invocation at a time, process-wide. Before an invocation `os.environ` is set to the
function's resolved environment (plus the local overlay: AWS endpoint, credentials, Redis URL), and
when the function differs from the previous one `shop.platform.settings.get_settings` (validated once
per cold start) is cleared, so each call sees exactly the settings Lambda would give that function.
Serializing is what makes this correct: `os.environ` is process-global, so two functions running at
once would read each other's settings.

Limits, compared with Lambda:
- no parallelism across functions (a local shop does not need it; a load test measures nothing real);
- module state created at import (a Powertools Logger's service name, boto3 clients) is shared by the
  functions that import the same module, and created with the environment of the first importer;
- timeouts are reported, not enforced (a Python thread cannot be killed), and memory is not limited.
"""

from __future__ import annotations

import importlib
import logging
import os
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from cdk_app.local.intrinsics import IntrinsicResolver, ResourceAddress, UnresolvableIntrinsicError
from cdk_app.local.synth import LAMBDA_CODE_ROOT
from cdk_app.local.template_model import FunctionModel, ShopModel

logger = logging.getLogger(__name__)

# In AWS these reach ElastiCache with TLS and IAM authentication; locally REDIS_URL replaces them.
DROPPED_LOCALLY = ("REDIS_HOST", "REDIS_PORT", "REDIS_CACHE_NAME", "REDIS_USER")


def resolve_environment(
    function: FunctionModel, resolver: IntrinsicResolver, overlay: Mapping[str, str]
) -> dict[str, str]:
    """The function's variables with intrinsics resolved; ones that cannot be resolved locally are dropped."""
    environment: dict[str, str] = {}
    for name, value in function.environment.items():
        if name in DROPPED_LOCALLY:
            continue
        try:
            environment[name] = resolver.resolve_string(value, function.address.stack)
        except UnresolvableIntrinsicError as error:
            logger.warning("local runner: %s: %s left out (%s)", function.name, name, error)
    environment.update(overlay)
    environment.update(
        {
            "AWS_LAMBDA_FUNCTION_NAME": function.name,
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(function.memory_mb),
            "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
            "AWS_EXECUTION_ENV": f"AWS_Lambda_{function.runtime}",
            "LAMBDA_TASK_ROOT": str(LAMBDA_CODE_ROOT),
        }
    )
    return environment


class FunctionEnvironments:
    """Each function's environment, resolved once on first use (resources exist and their moto ids are
    known by then), and the whole process environment a function runs with: the runner's own as it was
    when the shop started, overridden by the function's."""

    def __init__(self, model: ShopModel, overlay: Mapping[str, str]) -> None:
        self._model = model
        self._overlay = dict(overlay)
        self._baseline = dict(os.environ)
        self._resolved: dict[ResourceAddress, dict[str, str]] = {}
        self._lock = threading.Lock()  # pumps and HTTP threads ask at once

    def of(self, address: ResourceAddress) -> dict[str, str]:
        with self._lock:
            if address not in self._resolved:
                function = self._model.function(address)
                self._resolved[address] = resolve_environment(function, self._model.resolver, self._overlay)
            return self._resolved[address]

    def process_environment(self, address: ResourceAddress) -> dict[str, str]:
        return {**self._baseline, **self.of(address)}


@dataclass
class LambdaContext:
    """The attributes of Lambda's context object that handlers and Powertools read."""

    function_name: str
    memory_limit_in_mb: int
    invoked_function_arn: str
    timeout_seconds: int
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    function_version: str = "$LATEST"
    _started: float = field(default_factory=time.monotonic)

    @property
    def log_group_name(self) -> str:
        return f"/aws/lambda/{self.function_name}"

    @property
    def log_stream_name(self) -> str:
        return f"local/{self.aws_request_id}"

    def get_remaining_time_in_millis(self) -> int:
        elapsed = time.monotonic() - self._started
        return max(0, int((self.timeout_seconds - elapsed) * 1000))


def _clear_settings_cache() -> None:
    module_name = "shop.platform.settings"
    settings = sys.modules.get(module_name)
    if settings is None:
        # Not imported yet, so nothing is cached. A missing file is a rename that would otherwise
        # turn this clearing into a silent no-op and let one function read another's settings.
        module_file = LAMBDA_CODE_ROOT.joinpath(*module_name.split(".")).with_suffix(".py")
        if not module_file.is_file():
            raise ModuleNotFoundError(
                f"{module_name} not found at {module_file}: update _clear_settings_cache"
            )
        return
    settings.get_settings.cache_clear()


class FunctionRuntime:
    """Invokes handlers by function address; see the module docstring for the concurrency model."""

    def __init__(
        self,
        model: ShopModel,
        overlay: Mapping[str, str],
        *,
        code_root: str | os.PathLike[str] = LAMBDA_CODE_ROOT,
        on_function_switch: Iterable[Callable[[], None]] = (_clear_settings_cache,),
    ) -> None:
        self._model = model
        self._environments = FunctionEnvironments(model, overlay)
        self._code_root = str(code_root)
        self._on_switch = tuple(on_function_switch)
        self._lock = threading.RLock()
        self._handlers: dict[ResourceAddress, Callable[[Any, Any], Any]] = {}
        self._current: ResourceAddress | None = None

    def environment_of(self, address: ResourceAddress) -> dict[str, str]:
        return self._environments.of(address)

    def invoke(self, address: ResourceAddress, event: Any) -> Any:
        """Call the handler of `address` with `event`; exceptions propagate, as Lambda reports them."""
        function = self._model.function(address)
        if not function.is_python:
            raise RuntimeError(f"{function.name}: runtime {function.runtime} cannot run in-process")
        with self._lock:
            self._switch_to(address)
            handler = self._handler(function)
            context = LambdaContext(
                function_name=function.name,
                memory_limit_in_mb=function.memory_mb,
                invoked_function_arn=function.arn,
                timeout_seconds=function.timeout_seconds,
            )
            started = time.monotonic()
            try:
                return handler(event, context)
            finally:
                elapsed = time.monotonic() - started
                if elapsed > function.timeout_seconds:
                    logger.warning(
                        "local runner: %s ran %.1fs, over its %ss timeout (Lambda would have stopped it)",
                        function.name,
                        elapsed,
                        function.timeout_seconds,
                    )

    def _switch_to(self, address: ResourceAddress) -> None:
        target = self._environments.process_environment(address)
        # Compared key by key on every call, not only when the function changes: whatever else runs
        # in this process (a test fixture restoring os.environ, say) may have changed it in between.
        # Key by key rather than clear() + update(): other threads (pollers, moto) never see the shared
        # AWS variables vanish, even for an instant.
        changed = False
        for key in [key for key in os.environ if key not in target]:
            del os.environ[key]
            changed = True
        for key, value in target.items():
            if os.environ.get(key) != value:
                os.environ[key] = value
                changed = True
        if changed or self._current != address:
            for hook in self._on_switch:
                hook()
        self._current = address

    def _handler(self, function: FunctionModel) -> Callable[[Any, Any], Any]:
        if function.address not in self._handlers:
            if self._code_root not in sys.path:
                sys.path.insert(0, self._code_root)
            module_name, attribute = function.module_and_attribute
            module = importlib.import_module(module_name)  # under this function's environment: its cold start
            self._handlers[function.address] = getattr(module, attribute)
        return self._handlers[function.address]
