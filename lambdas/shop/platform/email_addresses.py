"""E-mail addresses people type: checked with email-validator and kept in one normalized form.

Syntax only: no DNS lookup (a Lambda function has no time for one and the tests no network). Local
parts must be ASCII, because SES refuses SMTPUTF8 mailboxes; an internationalized domain is kept in
its IDNA (`xn--`) form, which SES accepts. Guest orders and personal promotions are keyed by the
address, so the whole address is lower-cased too, as the shop always has.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, Field
from pydantic_core import PydanticCustomError

# RFC 5321's limit on a forward path; email-validator checks it too, this keeps it in the schema.
MAX_EMAIL_LENGTH = 254


class InvalidEmailAddress(ValueError):
    """The text is not an address SES could deliver to; the message says what is wrong with it."""


def normalized_email(address: str) -> str:
    """`address` as the shop stores and sends to it; InvalidEmailAddress when it is not one."""
    # Imported on the first address checked, not with every model that has an email field: building
    # its RFC regular expressions is a measurable part of a handler's cold import.
    from email_validator import EmailNotValidError, validate_email

    try:
        # strict: RFC 5321's 64-character local part too, which mail servers enforce.
        checked = validate_email(
            address.strip(), check_deliverability=False, allow_smtputf8=False, strict=True
        )
    except EmailNotValidError as error:
        raise InvalidEmailAddress(f"not a valid email address: {error}") from None
    return (checked.ascii_email or checked.normalized).lower()


def _field_email(address: str) -> str:
    try:
        return normalized_email(address)
    except InvalidEmailAddress as error:
        # A custom error, not the ValueError itself: pydantic would prefix its words with "Value error, ".
        raise PydanticCustomError("email_address", str(error)) from None


# A request field holding an address: refused with a 422 naming the field, stored normalized.
EmailAddress = Annotated[
    str,
    Field(max_length=MAX_EMAIL_LENGTH, json_schema_extra={"format": "email"}),
    AfterValidator(_field_email),
]
