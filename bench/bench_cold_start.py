"""Cold start: median time to import each of the seven API handlers in a fresh interpreter, against

  (a) importing every dependency of the layer eagerly (Powertools with its event handler and X-Ray
      SDK, pydantic, redis, and the heavy SDKs as the code that uses them imports them: stripe's client,
      PayPal's client module, jinja2, PyJWT's JWKS client) plus boto3, which the runtime provides.

    .venv/bin/python bench/bench_cold_start.py [--runs 9] [--baseline OTHER_CHECKOUT]
    .venv/bin/python bench/bench_cold_start.py --first-request [--runs 5] [--baseline OTHER_CHECKOUT]
    .venv/bin/python bench/bench_cold_start.py --invoice [--runs 9] [--baseline OTHER_CHECKOUT]

Every figure is a median over `--runs` rounds; a round measures (a), each handler and, with
`--baseline`, each handler imported from another checkout's `lambdas/` (a `git worktree` of an older
commit), one after the other, the order shifted each round, so every ratio compares figures that
shared the machine's load. Issue 20's target: each handler at or under 0.5x of (a).

`--first-request` measures import + the first request instead (bench/first_request.py: one fresh
interpreter per measurement, a representative route against moto's server and redis-server on
loopback), with tracing off (the local shop, the tests) and on as in Lambda with X-Ray active tracing:
what the import no longer loads, the first request does, and this shows what it pays.

`--invoice` measures order_api's import alone and with the invoice route's renderer
(`shop.orders.invoice_pdf`: fpdf2, Pillow, fontTools), which only a request for an invoice or credit
note imports; with `--baseline`, order_api is compared with the other checkout's too.
"""

from __future__ import annotations

import argparse
import ast
import os
import statistics
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HANDLERS = (
    "shop_api.handler",
    "cart_api.handler",
    "order_api.handler",
    "payment_api.handler",
    "account_api.handler",
    "tracking_api.handler",
    "marketing_automation_api.handler",
)
TARGET_RATIO = 0.5
ORDER_API = "order_api.handler"
# What GET /orders/{id}/invoice imports on its first call, and nothing else does.
INVOICE_RENDERER = "shop.orders.invoice_pdf"
PDF_MODULES = ("fpdf", "PIL", "fontTools", INVOICE_RENDERER)
# Loaded on demand since issue 20 (tests/unit/test_cold_imports.py keeps them out of every import).
DEFERRED_MODULES = (
    "aws_xray_sdk",
    "boto3",
    "botocore.session",
    "redis",
    "email_validator",
    "jwt",
    "stripe",
    "paypalserversdk",
    "jinja2",
)
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
EAGER = "(a)"

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


def interleaved_medians(probes: dict[str, Callable[[], float]], runs: int) -> dict[str, float]:
    """Each probe's median over `runs` rounds; a round runs every probe once, starting one further on
    each round, so no probe always follows the same one (or always runs first, on a quieter machine)."""
    for probe in probes.values():
        probe()  # bytecode caches written and the OS file cache warm before anything counts
    labels = list(probes)
    samples: dict[str, list[float]] = {label: [] for label in labels}
    for round_number in range(runs):
        shift = round_number % len(labels)
        for label in labels[shift:] + labels[:shift]:
            samples[label].append(probes[label]())
    return {label: statistics.median(values) for label, values in samples.items()}


def _import_probe(statements: tuple[str, ...], lambdas_dir: Path = ROOT / "lambdas") -> Callable[[], float]:
    return lambda: import_seconds(statements, lambdas_dir)


def cold_imports(runs: int, baseline: Path | None) -> None:
    """The seven handlers' imports and (a), side by side; with the baseline's handlers when given."""
    probes = {EAGER: _import_probe(ALL_LAYER_IMPORTS)}
    for handler in HANDLERS:
        probes[handler] = _import_probe((f"import {handler}",))
        if baseline is not None:
            probes[f"baseline {handler}"] = _import_probe((f"import {handler}",), baseline / "lambdas")
    medians = interleaved_medians(probes, runs)
    eager = medians[EAGER]
    print(
        f"median of {runs} fresh interpreters each; {EAGER} all layer dependencies eagerly: "
        f"{eager * 1000:.0f} ms"
    )
    header = "| handler | import | vs (a) |"
    if baseline is not None:
        header += " baseline import | baseline vs (a) | this / baseline |"
    print(header)
    print("|---" * (header.count("|") - 1) + "|")
    for handler in HANDLERS:
        now = medians[handler]
        mark = "" if now / eager <= TARGET_RATIO else " (over 0.5x)"
        row = f"| `{handler}` | {now * 1000:.0f} ms | {now / eager:.2f}x{mark} |"
        if baseline is not None:
            then = medians[f"baseline {handler}"]
            row += f" {then * 1000:.0f} ms | {then / eager:.2f}x | {now / then:.2f}x |"
        print(row)
    print(f"deferred modules loaded by importing all seven: {loaded_modules(HANDLERS, DEFERRED_MODULES)}")


def loaded_modules(imports: tuple[str, ...], watched: tuple[str, ...]) -> list[str]:
    code = f"import sys, {', '.join(imports)}; print(sorted(m for m in {watched!r} if m in sys.modules))"
    loaded: list[str] = ast.literal_eval(
        subprocess.run(
            [sys.executable, "-c", code],
            cwd=ROOT,
            check=True,
            capture_output=True,
            text=True,
            env={**os.environ, "PYTHONPATH": str(ROOT / "lambdas")},
        ).stdout.strip()
    )
    return loaded


def first_requests(runs: int, baseline: Path | None) -> None:
    """Import + first request of each handler, tracing off and on, this checkout beside the baseline."""
    sys.path.insert(0, str(ROOT / "bench"))
    from first_request import BenchShop, FirstRequest

    trees = {"this": ROOT / "lambdas"} | ({"baseline": baseline / "lambdas"} if baseline is not None else {})
    with BenchShop().running() as shop:
        for traced in (False, True):
            print(
                "\ntracing "
                + ("on (as Lambda, X-Ray active tracing):" if traced else "off (local shop, tests):")
            )
            header = "| handler | route status |" + "".join(
                f" {tree}: import + first request = total |" for tree in trees
            )
            print(header)
            print("|---" * (header.count("|") - 1) + "|")
            for handler in HANDLERS:
                samples: dict[str, list[FirstRequest]] = {tree: [] for tree in trees}
                for lambdas_dir in trees.values():
                    shop.measure(handler, lambdas_dir, traced=traced)  # bytecode caches written once
                for _ in range(runs):
                    for tree, lambdas_dir in trees.items():
                        samples[tree].append(shop.measure(handler, lambdas_dir, traced=traced))
                statuses = sorted({sample.status for values in samples.values() for sample in values})
                row = f"| `{handler}` | {', '.join(map(str, statuses))} |"
                for values in samples.values():
                    imported = statistics.median(sample.import_seconds for sample in values) * 1000
                    first = statistics.median(sample.request_seconds for sample in values) * 1000
                    total = statistics.median(sample.total_seconds for sample in values) * 1000
                    row += f" {imported:.0f} + {first:.0f} = **{total:.0f} ms** |"
                print(row, flush=True)


def invoice_path(runs: int, baseline: Path | None) -> None:
    """order_api's cold import without the invoice renderer (as every cold start pays it) and with it
    (what the first invoice request of a function instance adds), interleaved run by run."""
    probes = {
        ORDER_API: _import_probe((f"import {ORDER_API}",)),
        f"{ORDER_API} + {INVOICE_RENDERER}": _import_probe(
            (f"import {ORDER_API}", f"import {INVOICE_RENDERER}")
        ),
    }
    if baseline is not None:
        probes[f"baseline {ORDER_API}"] = _import_probe((f"import {ORDER_API}",), baseline / "lambdas")
    medians = interleaved_medians(probes, runs)
    without, with_it = medians[ORDER_API], medians[f"{ORDER_API} + {INVOICE_RENDERER}"]
    print(f"{ORDER_API}: {without * 1000:.0f} ms (median of {runs})")
    print(
        f"{ORDER_API} + {INVOICE_RENDERER}: {with_it * 1000:.0f} ms "
        f"(+{(with_it - without) * 1000:.0f} ms, only on the first invoice request of an instance)"
    )
    if baseline is not None:
        then = medians[f"baseline {ORDER_API}"]
        print(
            f"{ORDER_API}: this checkout {without * 1000:.0f} ms, baseline {then * 1000:.0f} ms: "
            f"{without / then:.2f}x"
        )
    print(f"PDF modules loaded by {ORDER_API}: {loaded_modules((ORDER_API,), PDF_MODULES)}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--baseline", type=Path, help="another checkout to measure side by side")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument(
        "--invoice", action="store_true", help="order_api with and without the invoice renderer"
    )
    mode.add_argument(
        "--first-request", action="store_true", help="import + first request, against moto and redis-server"
    )
    args = parser.parse_args()
    baseline = args.baseline.resolve() if args.baseline is not None else None
    print(f"load average at start: {' '.join(f'{load:.2f}' for load in os.getloadavg())}")
    if args.invoice:
        invoice_path(args.runs, baseline)
    elif args.first_request:
        first_requests(args.runs, baseline)
    else:
        cold_imports(args.runs, baseline)
    print(f"load average at end: {' '.join(f'{load:.2f}' for load in os.getloadavg())}")


if __name__ == "__main__":
    main()
