"""`make load` in small: locust's shoppers against the local shop for a few seconds, then the shop's side.

bench/load.py runs bench/locustfile.py in a locust subprocess against the seeded local shop (5 shoppers,
8 s, each from its own loopback address), then reads the Orders table and every queue through moto as
it reads a deployed stage's through AWS. The run must have no failed request, every order it placed
paid once the queues drained, and nothing in a dead-letter queue.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"


@pytest.fixture(scope="module")
def load_tool() -> Any:
    sys.path.insert(0, str(BENCH))
    try:
        import load

        yield load
    finally:
        sys.path.remove(str(BENCH))


def test_locust_shoppers_browse_cart_and_pay_without_failures(
    seeded_shop: Any, load_tool: Any, tmp_path: Path
) -> None:
    arguments = ["--url", seeded_shop.server.url, "--users", "5", "--minutes", str(8 / 60)]
    # Function workers start on their first calls, seconds each on a busy machine: a warm-up starts
    # them, and the shoppers come one a second.
    arguments += ["--warm-up-seconds", "8", "--spawn-rate", "1"]
    # More checkouts than the default mix, so a few seconds surely place and pay some orders.
    arguments += ["--mix", "50,20,30", "--report-dir", str(tmp_path), "--drain-seconds", "40"]

    exit_code = load_tool.main(arguments)

    result = json.loads((tmp_path / "load-summary.json").read_text())
    assert result["problems"] == [], result["problems"]
    assert exit_code == 0
    load, orders = result["load"], result["orders"]
    assert load["failures"] == 0
    # Every class ran through locust, named by route template so its tables group per route.
    assert {"browse", "cart", "checkout", "stripe"} <= set(load["by_class"])
    assert all(row["requests"] > 0 and row["failures"] == 0 for row in load["by_class"].values())
    stats = (tmp_path / "locust_stats.csv").read_text()
    assert "/products/{id}" in stats
    assert "/guest/orders/create" in stats
    assert (tmp_path / "locust.html").stat().st_size > 0
    # The shop's side: orders placed were found in the Orders table and ended paid.
    assert orders["placed"] > 0
    assert orders["paid"] == orders["placed"] == load["payments_confirmed"]
    assert orders["payment"] == {"paid": orders["placed"]}
    assert sum(orders["work_queues"].values()) == 0
    assert orders["dead_letter_queues"]
    assert sum(orders["dead_letter_queues"].values()) == 0
    # The local stage cache's counters were read before and after (browse GETs pass through it).
    assert result["caches"]["stage"]["hits"] + result["caches"]["stage"]["misses"] > 0
