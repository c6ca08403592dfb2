"""The README's "Try it" list states what the local stage really has: accounts, codes, card, emails, logs."""

from __future__ import annotations

import json
import re
from pathlib import Path
from types import SimpleNamespace

from cdk_app.local.__main__ import LOG_DIR
from cdk_app.local.sample_catalog import ADMIN_EMAIL, LOCAL_PASSWORD, SAMPLE_PROMOTIONS, SHOPPER_EMAIL
from cdk_app.local.sent_emails import EMAILS_PATH

ROOT = Path(__file__).resolve().parents[2]
LOCAL_STAGE = json.loads((ROOT / "cdk.json").read_text())["context"]["shop:stages"]["local"]


def try_it() -> str:
    readme = (ROOT / "README.md").read_text()
    start = readme.index("### Try it")
    # Whitespace as one space: the facts below do not depend on where the README wraps its lines.
    return " ".join(readme[start : readme.index("\n### ", start + 1)].split())


def test_the_sample_accounts_and_password_are_the_seeded_ones() -> None:
    section = try_it()
    for fact in (f"`{SHOPPER_EMAIL}`", f"`{ADMIN_EMAIL}`", f"`{LOCAL_PASSWORD}`"):
        assert fact in section


def test_every_discount_code_is_listed_with_what_it_takes_off() -> None:
    section = try_it()
    pricing = LOCAL_STAGE["pricing"]
    for terms in SAMPLE_PROMOTIONS:
        if terms["kind"] == "percent":
            expected = f"`{terms['code']}` ({terms['value']}% off)"
        else:
            amount, minimum = terms["value"] / 100, terms["min_subtotal"] / 100
            expected = f"`{terms['code']}` (${amount:g} off orders from ${minimum:g})"
        assert expected in section
    assert f"free from ${pricing['free_shipping_threshold_cents'] / 100:g}" in section
    assert f"tax is {pricing['tax_rate_bps'] / 100:g}%" in section


def test_the_card_emails_sign_up_and_logs_are_as_described() -> None:
    section = try_it()
    # The cards the README names are the ones localstripe (like Stripe) treats that way.
    from localstripe.resources import PaymentMethod

    def card(number: str) -> SimpleNamespace:
        return SimpleNamespace(type="card", _card_number=number)

    assert PaymentMethod._requires_authentication(card("4000002500003155"))
    assert PaymentMethod._attaching_is_declined(card("4000000000000002"))
    assert not PaymentMethod._requires_authentication(card("4242424242424242"))
    assert "`4242 4242 4242 4242` pays" in section
    assert "`4000 0025 0000 3155` asks for 3-D Secure" in section
    assert "`4000 0000 0000 0002` is declined" in section
    assert f"http://127.0.0.1:8000{EMAILS_PATH}" in section
    assert f"`{LOG_DIR.relative_to(ROOT)}/`" in section
    # The sign-up page's local hint says the same: moto accepts any confirmation code.
    assert re.search(r"any code works", (ROOT / "web" / "signup.html").read_text())
    assert "any code confirms" in section


def test_the_download_limits_are_the_local_stages() -> None:
    section = try_it()
    assert f"{LOCAL_STAGE['download_limit']} downloads within {LOCAL_STAGE['download_days']} days" in section
    assert "Hope Rising (e-book)" in section


def test_the_local_seed_creates_the_codes_every_stage_starts_with() -> None:
    from shop.contracts.starting_promotions import STARTING_PROMOTIONS

    assert SAMPLE_PROMOTIONS == STARTING_PROMOTIONS
