"""Powertools' Tracer, created on the first traced call rather than at import.

`Tracer()` imports `aws_xray_sdk.core` (and with it botocore's session) as it is constructed, even
when tracing is disabled: about 40 % of an API handler's cold import. `DeferredTracer` has the same
decorators; the first call of a decorated function decides, by Powertools' own rules
(POWERTOOLS_TRACE_DISABLED, outside Lambda, SAM or Chalice), whether to trace:

- tracing on (a Lambda function with X-Ray active tracing): it creates the real `Tracer()` (which
  patches boto3/botocore and the other supported libraries, class-wide, so clients built earlier are
  traced too) and only then enters the handler, so the first request's segment and every AWS call in
  it are recorded as before. The X-Ray SDK's import moves from init into that first request, unless
  `load()` ran earlier (SnapStart's before-snapshot hook calls it, so a restored instance pays nothing);
- tracing off (the local shop, the tests, POWERTOOLS_TRACE_DISABLED=true): the function runs as it
  is and the X-Ray SDK is never imported; Powertools' disabled tracer records nothing either.
"""

from __future__ import annotations

import functools
import inspect
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from aws_lambda_powertools import Tracer

F = TypeVar("F", bound=Callable[..., Any])


def tracing_enabled() -> bool:
    """Powertools' own decision (read from the environment each time), without importing the X-Ray SDK."""
    from aws_lambda_powertools.tracing.tracer import Tracer

    return not Tracer._is_tracer_disabled()


class DeferredTracer:
    """The Powertools Tracer's `capture_lambda_handler` and `capture_method`, with the Tracer itself
    (and the X-Ray SDK) created on first use. One per process, shared like the Tracer it stands for."""

    def __init__(self) -> None:
        self._tracer: Tracer | None = None
        self._lock = threading.Lock()

    def load(self) -> Tracer | None:
        """The real Tracer when tracing is enabled (created, and libraries patched, once), else None.

        Idempotent; call it ahead of the first request to take the X-Ray SDK's import out of it."""
        if self._tracer is None and tracing_enabled():
            with self._lock:
                if self._tracer is None:
                    from aws_lambda_powertools import Tracer

                    self._tracer = Tracer()
        return self._tracer

    @property
    def loaded(self) -> bool:
        return self._tracer is not None

    def capture_lambda_handler(self, handler: F) -> F:
        """Powertools' `@tracer.capture_lambda_handler`, bound on the handler's first invocation."""
        return self._bind_on_first_call(handler, lambda tracer: tracer.capture_lambda_handler(handler))

    def capture_method(self, method: F) -> F:
        """Powertools' `@tracer.capture_method`, for plain (synchronous, non-generator) functions."""
        if inspect.iscoroutinefunction(method) or inspect.isgeneratorfunction(method):
            # Powertools wraps those differently; a plain wrapper here would trace the wrong span.
            raise TypeError(f"DeferredTracer.capture_method takes plain functions, not {method!r}")
        return self._bind_on_first_call(method, lambda tracer: tracer.capture_method(method))

    def _bind_on_first_call(self, function: F, decorate: Callable[[Tracer], Callable[..., Any]]) -> F:
        bound: list[Callable[..., Any]] = []

        @functools.wraps(function)
        def call(*args: Any, **kwargs: Any) -> Any:
            if not bound:
                tracer = self.load()
                # Decided once: Powertools fixes its own disabled flag when the Tracer is made.
                bound.append(decorate(tracer) if tracer is not None else function)
            return bound[0](*args, **kwargs)

        return call  # type: ignore[return-value]
