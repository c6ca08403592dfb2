"""`python -m cdk_app.local [--port 8000] [--persist DIR]`: the whole shop on this machine, no AWS."""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading
from pathlib import Path

from cdk_app.local.runner import LocalShop, LocalShopOptions
from cdk_app.local.sample_catalog import (
    ADMIN_EMAIL,
    LOCAL_PASSWORD,
    SAMPLE_PROMOTIONS,
    SHOPPER_EMAIL,
    describe_promotion,
)
from cdk_app.local.seed import admin_otpauth_uri, admin_totp_secret
from cdk_app.local.synth import PROJECT_ROOT


def parse_arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m cdk_app.local", description=__doc__)
    parser.add_argument("--port", type=int, default=8000, help="HTTP port of the site and API (default 8000)")
    parser.add_argument("--host", default="127.0.0.1", help="interface to listen on (default 127.0.0.1)")
    parser.add_argument("--persist", type=Path, metavar="DIR", help="keep data in DIR between runs")
    parser.add_argument(
        "--retry-delay",
        type=int,
        metavar="SECONDS",
        help="retry failed queue messages after SECONDS instead of the consumer's backoff",
    )
    parser.add_argument("--no-schedules", action="store_true", help="fire schedules only by hand")
    parser.add_argument("--no-seed", action="store_true", help="do not load the sample catalog")
    parser.add_argument(
        "--in-process",
        action="store_true",
        help="run every handler in this process, one at a time (for a debugger), not in function workers",
    )
    parser.add_argument(
        "--concurrency", type=int, default=4, metavar="N", help="worker processes per function (default 4)"
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    return parser.parse_args(argv)


LOG_DIR = PROJECT_ROOT / ".local-shop" / "logs"
ADMIN_KEY_SUFFIX = "-admin"
PARTNER_KEY_SUFFIX = "-partner"


def configure_logging(verbose: bool) -> None:
    """Verbose: everything on the terminal. Otherwise the runner's log goes to a file and the terminal
    shows warnings only, so the banner stays in view."""
    root = logging.getLogger()
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    formatter = logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    terminal = logging.StreamHandler()
    terminal.setLevel(logging.DEBUG if verbose else logging.WARNING)
    terminal.setFormatter(formatter)
    root.addHandler(terminal)
    if not verbose:
        LOG_DIR.mkdir(parents=True, exist_ok=True)
        runner_log = logging.FileHandler(LOG_DIR / "runner.log", mode="w", encoding="utf-8")
        runner_log.setFormatter(formatter)
        root.addHandler(runner_log)


def discount_codes(options: LocalShopOptions) -> list[str]:
    """The promotions the seed creates (the admin page's Promotions section manages them)."""
    return [describe_promotion(terms) for terms in SAMPLE_PROMOTIONS] if options.seed else []


def banner(shop: LocalShop, options: LocalShopOptions, *, verbose: bool) -> str:
    assert shop.server is not None
    url = shop.server.url
    keys = shop.api_keys
    admin_key = next((value for name, value in keys.items() if name.endswith(ADMIN_KEY_SUFFIX)), "")
    partner_key = next((value for name, value in keys.items() if name.endswith(PARTNER_KEY_SUFFIX)), "")
    rows = [f"The shop is running at {url}/"]
    if options.seed:
        rows.append(f"  Sign in      {SHOPPER_EMAIL} or {ADMIN_EMAIL} (admin), password {LOCAL_PASSWORD}")
        secret = admin_totp_secret(shop)
        if secret:
            # Admins sign in with an authenticator code (issue #19): the seed set one up for the admin.
            rows.append(
                f"  Admin code   authenticator secret {secret}, or run: python -m cdk_app.local.totp {secret}"
            )
            rows.append(f"               {admin_otpauth_uri(shop)}")
    rows += [
        f"  Admin page   {url}/admin-shop.html  (it asks once for the admin key: {admin_key})",
        f"  Marketing    {url}/admin-marketing.html  (campaign emails, conversions, attributed revenue)",
        "  Pay with     card 4242 4242 4242 4242, any future date and CVC "
        "(4000 0025 0000 3155: 3-D Secure; 4000 0000 0000 0002: declined)",
    ]
    if shop.payments is not None:
        rows.append(f"  Payments     {shop.payments.describe()}")
    codes = discount_codes(options)
    if codes:
        rows.append(f"  Codes        {', '.join(codes)}")
    rows += [
        f"  Emails sent  {url}/_local/emails",
        f"  API          {url}/api  (partner key: {partner_key})",
    ]
    if not verbose and options.function_log is not None:
        rows.append(
            f"  Logs         {options.function_log.parent.relative_to(PROJECT_ROOT)}/ (-v shows them here)"
        )
    rows.append("Enter shows this again; Ctrl-C stops.")
    rule = "-" * max(len(row) for row in rows)
    return "\n".join([rule, *rows, rule])


def _reprint_on_enter(text: str, stopping: threading.Event) -> None:
    for _line in sys.stdin:
        if stopping.is_set():
            return
        print(text, flush=True)


def main(argv: list[str] | None = None) -> int:
    arguments = parse_arguments(sys.argv[1:] if argv is None else argv)
    configure_logging(arguments.verbose)
    options = LocalShopOptions(
        port=arguments.port,
        host=arguments.host,
        persist_dir=arguments.persist,
        retry_delay_seconds=arguments.retry_delay,
        run_schedules=not arguments.no_schedules,
        seed=not arguments.no_seed,
        isolated_functions=not arguments.in_process,
        concurrency=arguments.concurrency,
        function_log=None if arguments.verbose else LOG_DIR / "functions.log",
    )
    stopping = threading.Event()

    def request_stop(_signal: int, _frame: object) -> None:
        stopping.set()

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)
    print("Synthesizing the local stage and starting the shop (about 20 s)...", flush=True)
    shop = LocalShop(options).start()
    try:
        text = banner(shop, options, verbose=arguments.verbose)
        print(text, flush=True)
        if sys.stdin is not None and sys.stdin.isatty():
            threading.Thread(target=_reprint_on_enter, args=(text, stopping), daemon=True).start()
        stopping.wait()
    finally:
        print("Stopping...", flush=True)
        shop.stop()
        print("Stopped.", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
