"""`python -m cdk_app.local [--port 8000] [--persist DIR]`: the whole shop on this machine, no AWS."""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading
from pathlib import Path

from cdk_app.local.runner import LocalShop, LocalShopOptions
from cdk_app.local.sample_catalog import ADMIN_EMAIL, LOCAL_PASSWORD, SHOPPER_EMAIL


def parse_arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m cdk_app.local", description=__doc__)
    parser.add_argument("--port", type=int, default=8000, help="HTTP port of the site and API (default 8000)")
    parser.add_argument("--host", default="127.0.0.1", help="interface to listen on (default 127.0.0.1)")
    parser.add_argument("--persist", type=Path, metavar="DIR", help="keep data in DIR between runs")
    parser.add_argument(
        "--retry-delay",
        type=int,
        metavar="SECONDS",
        help="retry failed queue messages after SECONDS instead of the queue's visibility timeout",
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


def main(argv: list[str] | None = None) -> int:
    arguments = parse_arguments(sys.argv[1:] if argv is None else argv)
    logging.basicConfig(
        level=logging.DEBUG if arguments.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    options = LocalShopOptions(
        port=arguments.port,
        host=arguments.host,
        persist_dir=arguments.persist,
        retry_delay_seconds=arguments.retry_delay,
        run_schedules=not arguments.no_schedules,
        seed=not arguments.no_seed,
        isolated_functions=not arguments.in_process,
        concurrency=arguments.concurrency,
    )
    stopping = threading.Event()

    def request_stop(_signal: int, _frame: object) -> None:
        stopping.set()

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)
    print("Synthesizing the local stage and starting the shop...", flush=True)
    shop = LocalShop(options).start()
    try:
        assert shop.server is not None
        assert shop.aws is not None
        assert shop.redis is not None
        print(f"Shop:  {shop.server.url}/", flush=True)
        print(f"API:   {shop.server.url}/api", flush=True)
        print(f"AWS:   {shop.aws.endpoint_url} ({'moto' if shop.aws.owns_server else 'AWS_ENDPOINT_URL'})")
        print(f"Redis: {shop.redis.url} ({shop.redis.kind})")
        for name, value in shop.api_keys.items():
            print(f"API key {name}: {value}")
        if options.seed:
            print(f"Sign in: {ADMIN_EMAIL} (admin) or {SHOPPER_EMAIL}, password {LOCAL_PASSWORD}")
        print("Ctrl-C stops.", flush=True)
        stopping.wait()
    finally:
        print("Stopping...", flush=True)
        shop.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
