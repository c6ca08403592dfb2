"""50 shoppers check out at once for 10 units: how many orders are accepted, refused, paid and refunded.

    .venv/bin/python bench/bench_stock_race.py [--shoppers 50] [--stock 10]

Starts the local shop (localstripe for Stripe, schedules off), creates a product with `--stock` units
as the administrator, then `--shoppers` threads place a guest order for one unit at the same moment
over HTTP. Every accepted shopper pays by card as the checkout page does (Stripe's test card
tokenized at localstripe, then /payment/stripe/intent); the run waits until every accepted order is
paid, then counts the shop's orders by status and localstripe's PaymentIntents and refunds. Before
issue 15 the same race on main gave 27 accepted, 27 paid and 17 refunded (stock was taken after
payment). Traffic stays on 127.0.0.1.
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "lambdas")]

ADDRESS = {
    "name": "Race Tester",
    "line1": "1 Race Street",
    "city": "Springfield",
    "postal_code": "12345",
    "country": "US",
}
CARD = {"number": "4242424242424242", "exp_month": "12", "exp_year": "2034", "cvc": "123"}
PAID_WAIT_SECONDS = 120


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--shoppers", type=int, default=50)
    parser.add_argument("--stock", type=int, default=10)
    args = parser.parse_args()

    from cdk_app.local.redis_server import free_port
    from cdk_app.local.runner import LocalShop, LocalShopOptions
    from tests.browser.conftest import admin_request

    shop = LocalShop(LocalShopOptions(port=free_port(), run_schedules=False)).start()
    try:
        assert shop.server is not None
        assert shop.payments is not None
        assert shop.payments.api_base
        stripe = shop.payments.api_base
        product = admin_request(
            shop,
            "POST",
            "/products",
            {
                "name": "Race Candle",
                "description": "A candle fifty shoppers want at once",
                "category": "Merchandise",
                "price": 1500,
                "currency": "USD",
                "sku": f"RACE-{uuid.uuid4().hex[:6].upper()}",
                "stock_quantity": args.stock,
            },
        )
        api = f"{shop.server.url}/api"
        start = threading.Barrier(args.shoppers)
        answers: list[tuple[int, dict[str, Any]]] = []
        lock = threading.Lock()

        def shopper(index: int) -> None:
            session = requests.Session()
            start.wait()
            response = session.post(
                f"{api}/guest/orders/create",
                headers={"Idempotency-Key": uuid.uuid4().hex},
                json={
                    "email": f"racer-{index}@example.com",
                    "shipping_address": ADDRESS,
                    "items": [{"product_id": product["product_id"], "quantity": 1}],
                },
                timeout=60,
            )
            body = response.json()
            if response.status_code == 202:
                token = session.post(
                    f"{stripe}/v1/tokens",
                    data={f"card[{name}]": value for name, value in CARD.items()}
                    | {"key": shop.payments.stripe_publishable_key},  # type: ignore[union-attr]
                    timeout=30,
                ).json()["id"]
                session.post(
                    f"{api}/payment/stripe/intent",
                    json={
                        "order_id": body["order_id"],
                        "access_token": body["access_token"],
                        "card_token": token,
                    },
                    timeout=60,
                )
            with lock:
                answers.append((response.status_code, body))

        threads = [threading.Thread(target=shopper, args=(index,)) for index in range(args.shoppers)]
        began = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        placed_seconds = time.perf_counter() - began
        accepted = [body for status, body in answers if status == 202]

        def order_of(body: dict[str, Any]) -> dict[str, Any]:
            reply = requests.get(
                f"{api}/guest/orders/{body['order_id']}", params={"token": body["access_token"]}, timeout=30
            )
            document: dict[str, Any] = reply.json()
            return document

        deadline = time.monotonic() + PAID_WAIT_SECONDS
        orders = [order_of(body) for body in accepted]
        while time.monotonic() < deadline and any(order["payment_status"] != "paid" for order in orders):
            time.sleep(1)
            orders = [order_of(body) for body in accepted]
        secret = {"Authorization": f"Bearer {shop.payments.stripe_secret_key}"}
        intents = requests.get(f"{stripe}/v1/payment_intents?limit=100", headers=secret, timeout=30).json()
        refunds = requests.get(f"{stripe}/v1/refunds?limit=100", headers=secret, timeout=30).json()
        stock = requests.get(f"{api}/products/{product['product_id']}", timeout=30).json()["stock_quantity"]
        report = {
            "shoppers": args.shoppers,
            "in_stock": args.stock,
            "answers": dict(Counter(str(status) for status, _ in answers)),
            "refusals_naming_the_product": sum(
                1
                for status, body in answers
                if status == 409 and body.get("product_id") == product["product_id"]
            ),
            "orders_paid": sum(1 for order in orders if order["payment_status"] == "paid"),
            "payment_intents_created": len(intents["data"]),
            "refunds": len(refunds["data"]),
            "stock_left": stock,
            "seconds_to_place_all": round(placed_seconds, 2),
        }
        print(json.dumps(report, indent=2))
    finally:
        shop.stop()


if __name__ == "__main__":
    main()
