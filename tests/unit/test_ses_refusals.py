"""Which SES refusals are the recipient's (recorded on the order, never retried) and which are the
shop's own sending (DLQ and alarm): shop.email.ses_refusals."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from shop.email.ses_refusals import NOT_AN_OUTAGE, recipient_refusal

SENDER = "shop@example.com"
RECIPIENT = "buyer@example.com"


def refusal(code: str, message: str) -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": message}}, "SendEmail")


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("InvalidParameterValue", "Missing final '@domain'"),
        ("InvalidParameterValue", "Local address contains control or whitespace"),
        ("InvalidParameterValue", "Domain contains illegal character"),
        ("InvalidParameterValue", "Illegal address"),
        ("InvalidParameterValue", "Missing domain"),  # moto's words
        ("MessageRejected", "Address blacklisted."),
        ("MessageRejected", "The address is on the account-level suppression list."),
        (
            "MessageRejected",
            "Email address is not verified. The following identities failed the check in region "
            f"US-EAST-1: {RECIPIENT}",
        ),
    ],
)
def test_refusals_of_the_recipient(code: str, message: str) -> None:
    assert (
        recipient_refusal(refusal(code, message), recipient=RECIPIENT, sender=SENDER) == f"{code}: {message}"
    )


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("AccountSendingPausedException", "Sending paused for this account."),
        ("ConfigurationSetSendingPausedException", "Sending paused for this configuration set."),
        ("ConfigurationSetDoesNotExistException", "Configuration set <x> does not exist."),
        ("MailFromDomainNotVerifiedException", "MAIL FROM domain is not verified."),
        # The sandbox names the sender: the shop's identity, not the shopper's address.
        (
            "MessageRejected",
            "Email address is not verified. The following identities failed the check in region "
            f"US-EAST-1: {SENDER}, {RECIPIENT}",
        ),
        ("MessageRejected", f"Email address not verified {SENDER}"),  # moto's words
        ("MessageRejected", "Message contains a virus."),
        ("InvalidParameterValue", "The charset is not supported."),
        ("InvalidParameterValue", f"Illegal address {SENDER}"),
        ("Throttling", "Maximum sending rate exceeded."),
        ("ServiceUnavailable", "Service unavailable."),
    ],
)
def test_refusals_of_the_shops_own_sending(code: str, message: str) -> None:
    assert recipient_refusal(refusal(code, message), recipient=RECIPIENT, sender=SENDER) is None


def test_an_address_refusal_with_a_malformed_sender_is_the_shops_problem() -> None:
    """A sender SES cannot parse makes every email look undeliverable: that must page someone."""
    error = refusal("InvalidParameterValue", "Missing final '@domain'")
    assert recipient_refusal(error, recipient=RECIPIENT, sender="Shop <shop@") is None


def test_a_failure_that_is_no_client_error_is_nobodys_address() -> None:
    assert recipient_refusal(TimeoutError("read timed out"), recipient=RECIPIENT, sender=SENDER) is None


def test_throttling_and_outages_still_count_against_ses() -> None:
    assert {"Throttling", "ServiceUnavailable", "InternalFailure"}.isdisjoint(NOT_AN_OUTAGE)
