"""The one check of e-mail addresses people type (shop.platform.email_addresses): what SES can deliver
to, in the one normalized form the shop stores and keys guest orders by."""

from __future__ import annotations

import pytest
from pydantic import BaseModel, ValidationError

from shop.platform.email_addresses import EmailAddress, InvalidEmailAddress, normalized_email


class Form(BaseModel):
    email: EmailAddress


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("ada@example.com", "ada@example.com"),
        ("  Ada.Lovelace@Example.COM ", "ada.lovelace@example.com"),
        ("ada+shop@example.co.uk", "ada+shop@example.co.uk"),
        # SES takes an internationalized domain in its IDNA form only.
        ("ada@exämple.com", "ada@xn--exmple-cua.com"),
    ],
)
def test_good_addresses_are_stored_normalized(typed: str, stored: str) -> None:
    assert normalized_email(typed) == stored
    assert Form(email=typed).email == stored


@pytest.mark.parametrize(
    "typed",
    [
        "u<script>alert(1)</script>@example.com",  # issue #19: accepted, then refused by SES
        "ada",
        "ada@",
        "@example.com",
        "ada@example",  # no dot: not a domain on the internet
        "ada@localhost",
        "ada@@example.com",
        "ada lovelace@example.com",
        "ada@example..com",
        "ü@example.com",  # SES refuses SMTPUTF8 mailboxes
        '"quoted"@example.com',
        "ada@[127.0.0.1]",
        "Ada <ada@example.com>",  # a display name is not an address
        "a" * 65 + "@example.com",  # local part over 64 characters
    ],
)
def test_bad_addresses_are_refused_with_words_naming_the_problem(typed: str) -> None:
    with pytest.raises(InvalidEmailAddress, match=r"not a valid email address: .+"):
        normalized_email(typed)
    with pytest.raises(ValidationError) as refused:
        Form(email=typed)
    [error] = refused.value.errors()
    assert error["loc"] == ("email",)
    assert error["msg"].startswith("not a valid email address")  # no "Value error, " prefix


def test_the_schema_says_it_is_an_email() -> None:
    schema = Form.model_json_schema()["properties"]["email"]
    assert schema["format"] == "email"
    assert schema["maxLength"] == 254
