"""Work per request (issue 20): the AWS calls a request makes, counted in the local shop's workers.

The shop runs with SHOP_CALL_LOG, so each function worker records every invocation's AWS calls
(cdk_app/local/call_counter.py); each request carries an X-Call-Tag header to find its record. The
targets: a cached catalog read makes no DynamoDB call, a cart change at most two, and an order makes
exactly the calls docs/benchmarks.md lists and justifies ("Work per request"), so a new call on
that path fails here until it is justified there.

Two reads are per process, not per request: the kill switches (RuntimeFlags, at most once per 30 s,
shop.platform.runtime_flags) and the link-signing key (SigningKeys, at most once per 5 min,
shop.platform.signing_keys). Any request may carry one of each: they are taken apart, allowed once.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from cdk_app.local.call_counter import CALL_LOG_VARIABLE, TAG_HEADER, CallLog
from cdk_app.local.sample_catalog import LOCAL_PASSWORD, SHOPPER_EMAIL
from cdk_app.local.seed import sign_in
from tests.e2e.conftest import running_shop

ADDRESS = {
    "name": "Work Counter",
    "line1": "1 Test Street",
    "city": "Springfield",
    "postal_code": "12345",
    "country": "US",
}
PER_PROCESS_READS = ("dynamodb.GetItem RuntimeFlags", "dynamodb.GetItem SigningKeys")


class CountedShop:
    def __init__(self, shop: Any, log: CallLog) -> None:
        self.shop = shop
        self.log = log
        self.api = shop.server.url.rstrip("/") + "/api"
        self.session = requests.Session()
        self.session.trust_env = False

    def call(self, method: str, path: str, **kwargs: Any) -> tuple[requests.Response, dict[str, Any] | None]:
        """The response and the request's own record (None: no function ran, e.g. a stage-cache hit)."""
        self.log.new()
        tag = uuid.uuid4().hex
        headers = {**kwargs.pop("headers", {}), TAG_HEADER: tag}
        response = self.session.request(method, self.api + path, headers=headers, timeout=60, **kwargs)
        # A worker writes its record before it answers: it is in the log once the response is here.
        records = [record for record in self.log.new() if record.get("tag") == tag]
        assert len(records) <= 1
        return response, records[0] if records else None

    def flush_stage_cache(self) -> None:
        self.session.delete(self.shop.server.url.rstrip("/") + "/_local/cache", timeout=10)


def per_request(record: dict[str, Any] | None) -> list[str]:
    """The request's AWS calls in order, each with its table or queue, without the per-process reads."""
    calls: list[str] = (record or {}).get("calls", [])
    assert all(calls.count(read) <= 1 for read in PER_PROCESS_READS), calls
    return [call for call in calls if call not in PER_PROCESS_READS]


def dynamodb_calls(record: dict[str, Any] | None) -> list[str]:
    return [call for call in per_request(record) if call.startswith("dynamodb.")]


@pytest.fixture(scope="module")
def counted(
    local_templates: dict[str, dict[str, Any]], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[CountedShop]:
    from cdk_app.local.redis_server import free_port
    from cdk_app.local.runner import LocalShopOptions

    log_path = Path(tmp_path_factory.mktemp("calls")) / "calls.jsonl"
    # Set before the shop starts: the workers inherit the runner's environment.
    os.environ[CALL_LOG_VARIABLE] = str(log_path)
    try:
        options = LocalShopOptions(
            port=free_port(), templates=local_templates, run_schedules=False, seed=True
        )
        with running_shop(options) as shop:
            yield CountedShop(shop, CallLog(log_path))
    finally:
        os.environ.pop(CALL_LOG_VARIABLE, None)


@pytest.fixture(scope="module")
def product(counted: CountedShop) -> dict[str, Any]:
    page = counted.session.get(counted.api + "/products", params={"limit": "100"}, timeout=30).json()
    return next(p for p in page["items"] if p["availability"] == "in_stock" and not p.get("digital_download"))


def test_a_cached_catalog_read_makes_no_dynamodb_call(counted: CountedShop, product: dict[str, Any]) -> None:
    for path, params in ((f"/products/{product['product_id']}", {}), ("/products", {"limit": "12"})):
        # Twice with the stage cache flushed, so the function runs both times: the second is Redis's.
        for _ in range(2):
            counted.flush_stage_cache()
            response, record = counted.call("GET", path, params=params)
            assert response.status_code == 200
        assert record is not None
        assert per_request(record) == [], (path, record["calls"])  # nor any other AWS call
        # The third from the stage cache: no function, no call at all.
        response, record = counted.call("GET", path, params=params)
        assert response.status_code == 200
        assert record is None


def test_a_cart_change_makes_at_most_two_dynamodb_calls(
    counted: CountedShop, product: dict[str, Any]
) -> None:
    product_id = product["product_id"]
    counted.call("GET", f"/products/{product_id}")  # the shopper saw the product page
    # The shop's first guest cart makes the link-signing key (once per shop, not per request).
    counted.call("POST", "/guest/cart/add", json={"product_id": product_id, "quantity": 1})
    token = sign_in(counted.shop, SHOPPER_EMAIL, LOCAL_PASSWORD)["IdToken"]
    # The rate limit's count and the cart's conditional write; nothing is read from DynamoDB.
    expected = ["dynamodb.UpdateItem RateLimits", "dynamodb.PutItem Cart"]

    added, record = counted.call("POST", "/guest/cart/add", json={"product_id": product_id, "quantity": 1})
    assert added.status_code == 200, added.text
    assert dynamodb_calls(record) == expected
    guest = {"X-Cart-Id": added.json()["cart_id"]}
    changes = [
        ("PUT", "/guest/cart/update", guest, {"product_id": product_id, "quantity": 2}),
        ("DELETE", "/guest/cart/remove", guest, {"product_id": product_id}),
        # The signed-in shopper's cart page first (it remembers there is no cart), then a change.
        ("GET", "/cart", {"Authorization": token}, None),
        ("POST", "/cart/add", {"Authorization": token}, {"product_id": product_id, "quantity": 1}),
        ("PUT", "/cart/update", {"Authorization": token}, {"product_id": product_id, "quantity": 2}),
    ]
    for method, path, headers, body in changes:
        response, record = counted.call(method, path, headers=headers, json=body)
        assert response.status_code == 200, (path, response.text)
        calls = dynamodb_calls(record)
        if method == "GET":
            assert calls == ["dynamodb.UpdateItem RateLimits", "dynamodb.GetItem Cart"], calls
        else:
            assert calls == expected, (path, calls)


@pytest.mark.parametrize("signed_in", [False, True], ids=["guest", "signed-in"])
def test_placing_an_order_from_the_cart_makes_exactly_the_listed_calls(
    counted: CountedShop, product: dict[str, Any], signed_in: bool
) -> None:
    product_id = product["product_id"]
    if signed_in:
        headers = {"Authorization": sign_in(counted.shop, SHOPPER_EMAIL, LOCAL_PASSWORD)["IdToken"]}
        prefix, body = "", {"shipping_address": ADDRESS}
    else:
        headers, prefix = {}, "/guest"
        body = {"shipping_address": ADDRESS, "email": f"work-{uuid.uuid4().hex[:8]}@example.com"}
    added, _ = counted.call(
        "POST", f"{prefix}/cart/add", headers=headers, json={"product_id": product_id, "quantity": 1}
    )
    assert added.status_code == 200, added.text
    if not signed_in:
        headers = {"X-Cart-Id": added.json()["cart_id"]}

    # As the checkout page places it (web/js/checkout.js): from the cart, with an Idempotency-Key.
    placed, record = counted.call(
        "POST", f"{prefix}/orders/create", headers={**headers, "Idempotency-Key": uuid.uuid4().hex}, json=body
    )

    assert placed.status_code == 202, placed.text
    assert record is not None
    # docs/benchmarks.md, "Work per request", justifies each of these, in this order.
    assert per_request(record) == [
        "dynamodb.PutItem Idempotency",  # the access token, claimed once per Idempotency-Key
        "dynamodb.GetItem Cart",  # the cart's lines, as stored (the order is exactly the cart)
        "dynamodb.BatchGetItem Products",  # prices and stock, consistent
        "dynamodb.TransactWriteItems [Put:Orders,Update:Products]",  # the order and its stock, together
        "dynamodb.BatchGetItem Products",  # the products as written: catalog cache, low-stock alert
        "sqs.SendMessage order-processing-queue",  # the order to the pipeline
        "dynamodb.UpdateItem Orders",  # the message id on the order: a retry knows it was sent
        "dynamodb.DeleteItem Cart",  # the cart became the order
    ]
    assert record["errors"] == []
