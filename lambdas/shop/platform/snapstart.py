"""Lambda SnapStart's runtime hooks for the API functions: prime before the snapshot, renew after a restore.

With SnapStart (a stage setting, `snap_start_functions` in cdk.json) Lambda runs a published version's
init once, snapshots the process, and starts every new execution environment of that version from the
snapshot, possibly days later and many times over. So:

- `before_snapshot` does the work the first request would otherwise pay for and that a snapshot can
  keep: the X-Ray SDK (the deferred tracer's `load()`, which also patches botocore), the settings, and
  the AWS clients this function's settings name (the DynamoDB resource; SQS's and S3's service models).
  No network call that needs the VPC: Redis is not connected here (the first request connects).
- `after_restore` renews what must not be shared by every environment restored from one snapshot or
  carried across the time it sat in the cache: Python's `random` state (the retry jitter of racing
  writers would be identical everywhere), the Redis connections and their time-bound IAM token, and
  every cache with an age or a window (`process_state.run_reset_hooks`: kill switches, signing keys,
  the cache-outage window, secrets, counters). Their ages are `time.monotonic()` stamps, which do not
  count the time a snapshot waits. AWS clients are kept: their credentials refresh by expiry time and
  their connection pools are empty, since init makes no AWS call.

The hooks are registered only when Lambda initializes a SnapStart version (it then sets
AWS_LAMBDA_INITIALIZATION_TYPE=snap-start); `snapshot_restore_py` comes with the managed runtime and
is not in the dependency layer. Each API handler imports this module once.
"""

from __future__ import annotations

import os
import random
import sys
from collections.abc import Callable, Mapping
from functools import partial

from shop.platform import dynamodb, object_storage
from shop.platform.observability import logger, tracer
from shop.platform.process_state import run_reset_hooks
from shop.platform.settings import Settings, get_settings

INITIALIZATION_TYPE = "AWS_LAMBDA_INITIALIZATION_TYPE"
SNAP_START = "snap-start"


def before_snapshot() -> None:
    """Load what the first request would load: tracing, settings, the function's AWS clients.

    Priming only moves work earlier: a step that fails is logged and left to the first request (which
    would meet the same error and report it), rather than failing the version's publication.
    """
    settings = get_settings()
    steps: list[tuple[str, Callable[[], object]]] = [("tracing", tracer.load)]
    steps += [(service, partial(_prime_client, service)) for service in aws_services_of(settings)]
    if settings.redis_url or settings.redis_host:
        steps.append(("redis", _prime_redis_library))
    primed = []
    for name, step in steps:
        try:
            step()
        except Exception as error:  # any failure here is the first request's to meet and report
            logger.warning(
                "snapstart: could not prime before the snapshot", extra={"step": name, "error": repr(error)}
            )
        else:
            primed.append(name)
    logger.info("snapstart: primed before the snapshot", extra={"primed": primed})


def after_restore() -> None:
    """Forget what one snapshot would otherwise share with every environment restored from it."""
    random.seed()  # from os.urandom, different in each restored environment
    # Not imported by this module: a function without Redis would pay for importing redis-py.
    redis_connection = sys.modules.get("shop.platform.redis_connection")
    if redis_connection is not None:  # never imported: no client and no connection to forget
        redis_connection.forget_shared_client()
    run_reset_hooks()


def aws_services_of(settings: Settings) -> list[str]:
    """The AWS services this function's settings show it calls (tables, queues, buckets)."""
    services = ["dynamodb"] if settings.tables else []
    if settings.queues or settings.dead_letter_queues:
        services.append("sqs")
    if settings.product_images_bucket or settings.digital_files_bucket:
        services.append("s3")
    return services


def _prime_client(service: str) -> None:
    if service == "dynamodb":
        dynamodb.dynamodb_resource()
    elif service == "s3":
        object_storage.s3_client()
    else:
        # Domain modules build their own clients of it; one built here loads and keeps botocore's model
        # of the service in the shared session's loader, which is the slow part of building one.
        import boto3

        boto3.client(service)


def _prime_redis_library() -> None:
    """redis-py and the shop's connection code, imported but not connected: whether a version's init
    can reach the cache inside the VPC is not verified, and sockets would not survive the snapshot."""
    import shop.platform.redis_connection  # noqa: F401


def register_hooks(environ: Mapping[str, str]) -> bool:
    """Register both hooks when Lambda is initializing a SnapStart version; True if it did.

    Anywhere else (tests, the local shop, a version without SnapStart) there is no snapshot and the
    runtime's library may be absent, so nothing is imported. Under SnapStart a missing library is an
    error worth failing the init for: without the hooks, restored environments would share one state.
    """
    if environ.get(INITIALIZATION_TYPE) != SNAP_START:
        return False
    from snapshot_restore_py import register_after_restore, register_before_snapshot

    register_before_snapshot(before_snapshot)
    register_after_restore(after_restore)
    return True


HOOKS_REGISTERED = register_hooks(os.environ)
