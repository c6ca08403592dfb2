"""What a load run's shoppers need to know of the shop before they start: where its API and Stripe are
(the site's config.json) and its catalog (product ids in list order, categories).

Read once by bench/load.py before locust starts (so the reading is not part of the measured run) and
handed to bench/locustfile.py as a JSON file; the locustfile reads it itself when run alone.
"""

from __future__ import annotations

import json
import random
from bisect import bisect
from dataclasses import dataclass, field
from itertools import accumulate
from pathlib import Path
from typing import Any

import requests

TIMEOUT_SECONDS = 30


@dataclass(frozen=True)
class Site:
    """What config.json says: where the API is and which Stripe tokenizes cards (None: no Stripe)."""

    api: str
    stripe_api: str | None
    publishable_key: str | None

    @classmethod
    def read(cls, host: str) -> Site:
        config = requests.get(f"{host.rstrip('/')}/config.json", timeout=TIMEOUT_SECONDS).json()
        key, script = config.get("stripePublishableKey"), config.get("stripeJsUrl") or ""
        stripe_api = None
        if key and script:
            # localstripe serves its Stripe.js at <its API>/js.stripe.com/v3/; Stripe's is on its own host.
            local = not script.startswith("https://js.stripe.com/")
            stripe_api = script.removesuffix("/js.stripe.com/v3/") if local else "https://api.stripe.com"
        return cls(str(config["apiUrl"]).rstrip("/"), stripe_api, key)


@dataclass
class Catalog:
    """The listed products in list order (the first ones the most popular), and the categories."""

    product_ids: list[str]
    buyable: list[str]  # in stock, no variants to choose: what carts and orders take
    categories: list[str]
    _cumulative: list[float] = field(default_factory=list)
    _buyable_cumulative: list[float] = field(default_factory=list)

    def __post_init__(self) -> None:
        # Zipf-like: the product of rank r is read 1/r as often as the first.
        self._cumulative = list(accumulate(1 / rank for rank in range(1, len(self.product_ids) + 1)))
        self._buyable_cumulative = list(accumulate(1 / rank for rank in range(1, len(self.buyable) + 1)))

    def popular(self, rng: random.Random) -> str:
        return self.product_ids[bisect(self._cumulative, rng.random() * self._cumulative[-1])]

    def popular_buyable(self, rng: random.Random) -> str:
        cumulative = self._buyable_cumulative
        return self.buyable[bisect(cumulative, rng.random() * cumulative[-1])]

    @classmethod
    def read(cls, api: str, pages: int = 40) -> Catalog:
        session = requests.Session()
        ids: list[str] = []
        buyable: list[str] = []
        params: dict[str, Any] = {"limit": 50}
        for _ in range(pages):
            body = session.get(f"{api}/products", params=params, timeout=TIMEOUT_SECONDS).json()
            for item in body.get("items") or body.get("products") or []:
                ids.append(item["product_id"])
                if item.get("availability") != "sold_out" and not item.get("variants"):
                    buyable.append(item["product_id"])
            cursor = body.get("next_cursor") or body.get("cursor")
            if not cursor:
                break
            params["cursor"] = cursor
        listed = session.get(f"{api}/categories", timeout=TIMEOUT_SECONDS).json()
        rows = listed.get("categories", []) if isinstance(listed, dict) else listed
        names = [row.get("category") or row.get("name") for row in rows if isinstance(row, dict)]
        if not buyable:
            raise RuntimeError(f"no product to buy at {api}: is the shop seeded?")
        return cls(ids, buyable, [name for name in names if name])

    def write(self, path: Path) -> None:
        fields = {"product_ids": self.product_ids, "buyable": self.buyable, "categories": self.categories}
        path.write_text(json.dumps(fields) + "\n")

    @classmethod
    def load(cls, path: Path) -> Catalog:
        fields = json.loads(path.read_text())
        return cls(fields["product_ids"], fields["buyable"], fields["categories"])
