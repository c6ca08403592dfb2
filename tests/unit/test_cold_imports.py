"""Importing an API handler (a cold start's init) loads none of the libraries its requests load on demand.

Each of them was once imported at module level somewhere under the handler and cost the cold start
(bench/bench_cold_start.py, docs/benchmarks.md "Cold import of the seven API handlers"): an eager
import added back anywhere fails here, naming the handler and the module.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]

API_HANDLERS = (
    "shop_api.handler",
    "cart_api.handler",
    "order_api.handler",
    "payment_api.handler",
    "account_api.handler",
    "tracking_api.handler",
    "marketing_automation_api.handler",
)
# Module -> what loads it now, and when.
DEFERRED = {
    "aws_xray_sdk": "shop.platform.deferred_tracer: the first traced invocation, or SnapStart's prime",
    "boto3": "shop.platform.dynamodb and the other clients: the first AWS call",
    "botocore.session": "boto3's session (and the X-Ray SDK's sampler): the first AWS call",
    "redis": "shop.platform.cache.shared_redis_client: the first cache call",
    "email_validator": "shop.platform.email_addresses.normalized_email: the first address checked",
    "jwt": "shop.platform.cognito_tokens: the first ID token verified",
    "stripe": "the Stripe gateway: the first Stripe call",
    "paypalserversdk": "the PayPal gateway: the first PayPal call",
    "jinja2": "the email renderer (email_sender only)",
    "fpdf": "shop.orders.invoice_pdf: the first invoice or credit note",
}

PROBE = """
import importlib, json, sys
watched = json.loads(sys.argv[1])
loaded_by = {}
for handler in sys.argv[2:]:
    importlib.import_module(handler)
    for module in watched:
        if module in sys.modules and module not in loaded_by:
            loaded_by[module] = handler
print(json.dumps(loaded_by))
"""


def test_no_api_handler_imports_a_deferred_library() -> None:
    # As in Lambda with active tracing: a real function's environment, tracing not switched off. One
    # interpreter imports the seven in turn; a module is blamed on the first handler after which it
    # appears, which is the one whose import tree holds the eager import.
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in ("POWERTOOLS_TRACE_DISABLED", "AWS_LAMBDA_INITIALIZATION_TYPE")
    }
    environment.update(
        {
            "PYTHONPATH": str(REPO_ROOT / "lambdas"),
            "LAMBDA_TASK_ROOT": str(REPO_ROOT / "lambdas"),
            "AWS_LAMBDA_FUNCTION_NAME": "shop-cold-import-test",
            "AWS_DEFAULT_REGION": "us-east-1",
        }
    )
    loaded_by = loaded_by_probe(sorted(DEFERRED), API_HANDLERS, environment)
    assert loaded_by == {}, "\n".join(
        f"importing {handler} loads {module}; it should load with {DEFERRED[module]}"
        for module, handler in sorted(loaded_by.items())
    )


def test_the_probe_names_an_eager_import() -> None:
    # The check above passes vacuously if the probe cannot see imports: a module that does load one of
    # the watched ones (the invoice renderer imports fpdf2 at module level) must be reported.
    environment = {**os.environ, "PYTHONPATH": str(REPO_ROOT / "lambdas")}
    assert loaded_by_probe(["fpdf"], ["shop.orders.invoice_pdf"], environment) == {
        "fpdf": "shop.orders.invoice_pdf"
    }


def loaded_by_probe(
    watched: list[str], modules: Sequence[str], environment: dict[str, str]
) -> dict[str, str]:
    """Import `modules` in a fresh interpreter: which of the `watched` modules each one loaded."""
    result = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(watched), *modules],
        cwd=REPO_ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    loaded: dict[str, str] = json.loads(result.stdout.strip().splitlines()[-1])
    return loaded
