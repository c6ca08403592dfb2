"""The stage's brand (BRAND_SETTINGS, the stage's `brand` in cdk.json) for the functions that print it:
emails, invoices and credit notes."""

from __future__ import annotations

from functools import cache

from shop.contracts.brand import Brand
from shop.platform.settings import MissingSetting, get_settings


@cache
def _parsed(raw: str) -> Brand:
    return Brand.model_validate_json(raw)


def stage_brand() -> Brand:
    """The brand of this stage; MissingSetting when the function was not given it (function_catalog's
    `brand` flag)."""
    raw = get_settings().brand_json
    if not raw:
        raise MissingSetting("BRAND_SETTINGS is not in this function's environment")
    return _parsed(raw)
