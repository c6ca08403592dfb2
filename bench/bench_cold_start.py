"""Cold start: median time to import each API handler in a fresh interpreter, against

- (a) importing every dependency of the layer eagerly (Powertools with its event handler and X-Ray
  SDK, pydantic, redis, and the heavy SDKs as the code that uses them imports them: stripe's client,
  PayPal's client module, jinja2, PyJWT's JWKS client) plus boto3, which the runtime provides;
- (b) the handler plus the heavy dependencies it does not need at import time (stripe, PayPal's
  SDK, jinja2, PyJWT, boto3), i.e. the handler as it would be with those imported at module level.

    .venv/bin/python bench/bench_cold_start.py [--runs 9] [--baseline OTHER_CHECKOUT] [--invoice]

`--baseline` also imports each handler from another checkout's `lambdas/` (a `git worktree` of an
older commit), alternating with this one run by run, so the two medians share the machine's noise.

`--invoice` measures order_api's import alone and with the invoice route's renderer
(`shop.orders.invoice_pdf`: fpdf2, Pillow, fontTools), which only a request for an invoice or credit
note imports; with `--baseline`, order_api is compared with the other checkout's too.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HANDLERS = ("shop_api.handler", "cart_api.handler")
ORDER_API = "order_api.handler"
# What GET /orders/{id}/invoice imports on its first call, and nothing else does.
INVOICE_RENDERER = "shop.orders.invoice_pdf"
PDF_MODULES = ("fpdf", "PIL", "fontTools", INVOICE_RENDERER)
HEAVY_LAYER_MODULES = ("stripe", "paypalserversdk", "jinja2", "jwt", "boto3")
# The heavy SDKs imported the way the payment and email code paths import them. `import
# paypalserversdk` alone loads nothing (an empty package); its client module is what costs.
HEAVY_LAYER_IMPORTS = (
    "import stripe; stripe.StripeClient",
    "from paypalserversdk.paypal_serversdk_client import PaypalServersdkClient",
    "import jinja2",
    "from jwt import PyJWKClient",
    "import boto3",
)
ALL_LAYER_IMPORTS = (
    "import aws_lambda_powertools",
    "import aws_lambda_powertools.event_handler",
    "import aws_xray_sdk.core",
    "import pydantic",
    "import redis",
    *HEAVY_LAYER_IMPORTS,
)

PROBE = """
import time
started = time.perf_counter()
{imports}
print(time.perf_counter() - started)
"""


def import_seconds(statements: tuple[str, ...], lambdas_dir: Path = ROOT / "lambdas") -> float:
    code = PROBE.format(imports="\n".join(statements))
    result = subprocess.run(
        [sys.executable, "-X", "frozen_modules=on", "-c", code],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(lambdas_dir), "POWERTOOLS_TRACE_DISABLED": "true"},
    )
    return float(result.stdout.strip().splitlines()[-1])


def median_import(statements: tuple[str, ...], runs: int) -> float:
    return statistics.median(import_seconds(statements) for _ in range(runs))


def compare_with_baseline(baseline: Path, runs: int, handlers: tuple[str, ...] = HANDLERS) -> None:
    """Each handler's import from this checkout and from `baseline`, interleaved run by run."""
    for handler in handlers:
        statements = (f"import {handler}",)
        for lambdas_dir in (ROOT / "lambdas", baseline / "lambdas"):
            import_seconds(statements, lambdas_dir)  # bytecode caches written once, as above
        ours, theirs = [], []
        for _ in range(runs):
            ours.append(import_seconds(statements, ROOT / "lambdas"))
            theirs.append(import_seconds(statements, baseline / "lambdas"))
        now, then = statistics.median(ours), statistics.median(theirs)
        print(f"{handler}: this checkout {now * 1000:.0f} ms, baseline {then * 1000:.0f} ms: ", end="")
        print(f"{now / then:.2f}x")


def invoice_path(runs: int) -> None:
    """order_api's cold import without the invoice renderer (as every cold start pays it) and with it
    (what the first invoice request of a function instance adds), interleaved run by run."""
    alone_imports = (f"import {ORDER_API}",)
    with_renderer = (f"import {ORDER_API}", f"import {INVOICE_RENDERER}")
    import_seconds(with_renderer)  # bytecode caches written once
    alone, together = [], []
    for _ in range(runs):
        alone.append(import_seconds(alone_imports))
        together.append(import_seconds(with_renderer))
    without, with_it = statistics.median(alone), statistics.median(together)
    print(f"{ORDER_API}: {without * 1000:.0f} ms (median of {runs})")
    print(
        f"{ORDER_API} + {INVOICE_RENDERER}: {with_it * 1000:.0f} ms "
        f"(+{(with_it - without) * 1000:.0f} ms, only on the first invoice request of an instance)"
    )
    loaded = subprocess.run(
        [
            sys.executable,
            "-c",
            f"import sys, {ORDER_API}; print(sorted(m for m in {PDF_MODULES!r} if m in sys.modules))",
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT / "lambdas")},
    ).stdout.strip()
    print(f"PDF modules loaded by {ORDER_API}: {loaded}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--baseline", type=Path, help="another checkout to measure side by side")
    parser.add_argument(
        "--invoice", action="store_true", help="order_api with and without the invoice renderer"
    )
    args = parser.parse_args()
    if args.invoice:
        if args.baseline is not None:
            compare_with_baseline(args.baseline.resolve(), args.runs, (ORDER_API,))
        invoice_path(args.runs)
        return
    if args.baseline is not None:
        compare_with_baseline(args.baseline.resolve(), args.runs)
    handler_imports = tuple(f"import {handler}" for handler in HANDLERS)
    import_seconds(handler_imports + ALL_LAYER_IMPORTS)  # warm the OS file cache and bytecode caches once
    everything = median_import(ALL_LAYER_IMPORTS, args.runs)
    print(f"(a) all layer dependencies eagerly: {everything * 1000:.0f} ms")
    for handler in HANDLERS:
        alone = median_import((f"import {handler}",), args.runs)
        eager = median_import((*HEAVY_LAYER_IMPORTS, f"import {handler}"), args.runs)
        print(
            f"{handler}: {alone * 1000:.0f} ms; vs (a) {alone / everything:.2f}x; "
            f"vs (b) handler + {', '.join(HEAVY_LAYER_MODULES)} eagerly = {eager * 1000:.0f} ms: "
            f"{alone / eager:.2f}x (target <= 0.5x)"
        )
    leaked = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, shop_api.handler, cart_api.handler; "
            f"print(sorted(m for m in {HEAVY_LAYER_MODULES!r} if m in sys.modules))",
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT / "lambdas")},
    ).stdout.strip()
    print(f"heavy modules loaded by the handlers: {leaked}")


if __name__ == "__main__":
    main()
