"""The country select offers exactly the codes the API accepts, each once, with a name."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from shop.contracts.countries import COUNTRY_CODES, country_code

COUNTRIES_JS = Path(__file__).resolve().parents[2] / "web" / "js" / "countries.js"
ENTRY = re.compile(r'^\s*\["([A-Z]{2})", "([^"]+)"\],$', re.MULTILINE)


def test_the_select_lists_every_iso_code_the_api_accepts_once() -> None:
    entries = ENTRY.findall(COUNTRIES_JS.read_text(encoding="utf-8"))
    codes = [code for code, _name in entries]
    assert len(codes) == len(set(codes))
    assert set(codes) == COUNTRY_CODES
    assert len(COUNTRY_CODES) == 249
    assert dict(entries)["US"] == "United States"


def test_a_code_is_upper_cased() -> None:
    assert country_code(" gb ") == "GB"


@pytest.mark.parametrize("wrong", ["UK", "ZZ", "USA", ""])
def test_anything_but_an_assigned_code_is_refused(wrong: str) -> None:
    with pytest.raises(ValueError, match="ISO 3166-1 alpha-2"):
        country_code(wrong)
