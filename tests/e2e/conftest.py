"""Fixtures of the local runner's end-to-end tests: one synth per session, moto per test module.

The runner sets AWS variables in os.environ (endpoint, dummy credentials) and switches function
environments; every test here restores the environment so that later tiers (moto's mock_aws) are
untouched.
"""

from __future__ import annotations

import importlib.util
import os
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from cdk_app.local.aws_services import LocalAws, start_aws

FAKE_CONSUMERS = Path(__file__).parent / "fake_consumers"


def reset_moto() -> None:
    """moto's backends are process-wide and outlive a server: start each scenario from nothing."""
    from moto.moto_api._internal.models import moto_api_backend

    moto_api_backend.reset()


def _restore_environment(saved: dict[str, str]) -> None:
    for key in [key for key in os.environ if key not in saved]:
        del os.environ[key]
    os.environ.update(saved)
    module_name = "shop.platform.settings"
    settings = sys.modules.get(module_name)
    if settings is not None:
        settings.get_settings.cache_clear()
        return
    # Not imported yet: nothing cached. A missing module is a rename that would skip this clearing.
    if importlib.util.find_spec(module_name) is None:
        raise ModuleNotFoundError(f"{module_name} not found: update _restore_environment")


@pytest.fixture(autouse=True)
def _isolated_environment() -> Iterator[None]:
    saved = dict(os.environ)
    yield
    _restore_environment(saved)


@pytest.fixture(scope="session")
def local_templates() -> dict[str, dict[str, Any]]:
    """The synthesized local stage, once per session (about five seconds)."""
    from cdk_app.local.synth import synthesize_local_templates

    return synthesize_local_templates()


@pytest.fixture(scope="module")
def moto_aws() -> Iterator[LocalAws]:
    saved = dict(os.environ)
    os.environ.pop("AWS_ENDPOINT_URL", None)
    reset_moto()
    aws = start_aws()
    try:
        yield aws
    finally:
        aws.stop()
        _restore_environment(saved)


@contextmanager
def running_shop(options: Any) -> Iterator[Any]:
    """A local shop started from nothing (moto reset, no endpoint inherited from an earlier shop) with
    these LocalShopOptions; stopped afterwards, the process environment as it was before."""
    from cdk_app.local.runner import LocalShop

    saved = dict(os.environ)
    os.environ.pop("AWS_ENDPOINT_URL", None)
    reset_moto()
    shop = LocalShop(options).start()
    try:
        yield shop
    finally:
        shop.stop()
        _restore_environment(saved)


@pytest.fixture(scope="module")
def seeded_shop(local_templates: dict[str, dict[str, Any]]) -> Iterator[Any]:
    """A fresh local shop with the sample catalog and users, no schedules, for one test module."""
    from cdk_app.local.redis_server import free_port
    from cdk_app.local.runner import LocalShopOptions

    with running_shop(
        LocalShopOptions(port=free_port(), templates=local_templates, run_schedules=False, seed=True)
    ) as shop:
        yield shop


def wait_for(what: str, probe: Callable[[], Any], seconds: float = 60) -> Any:
    """What `probe` returns once it is truthy (the queues and streams work after the answer); an
    AssertionError naming `what` and the last answer after `seconds`."""
    deadline = time.monotonic() + seconds
    last = None
    while time.monotonic() < deadline:
        last = probe()
        if last:
            return last
        time.sleep(0.5)
    raise AssertionError(f"timed out waiting for {what}; last: {last!r}")
