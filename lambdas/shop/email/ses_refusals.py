"""What an SES refusal is about: the one recipient (permanent for that address) or the shop's sending.

A refusal about the recipient is the shopper's typo or a dead mailbox: no retry can change it and no
one on call can fix it, so it is recorded where the shop can see it and the message is done. Every
other refusal (sending paused, the sender's identity or MAIL FROM domain, a configuration set, a
message SES finds malformed) is about the shop itself and must still reach the DLQ and its alarm.
"""

from __future__ import annotations

import re

from shop.platform.email_addresses import InvalidEmailAddress, normalized_email

# SendEmail's own errors (botocore's SES model) plus the common InvalidParameterValue; a refusal
# listed here is the request's fault, so it does not count as an SES outage in the circuit breaker.
NOT_AN_OUTAGE = frozenset(
    {
        "MessageRejected",
        "InvalidParameterValue",
        "MailFromDomainNotVerifiedException",
        "AccountSendingPausedException",
        "ConfigurationSetSendingPausedException",
        "ConfigurationSetDoesNotExistException",
    }
)
# SES over the account's sending rate or daily quota: the API's `Throttling` ("Maximum sending rate
# exceeded" / "Daily message quota exceeded"; the developer guide calls it ThrottlingException), and
# SESv2's TooManyRequestsException (429) should the shop move to it. Not an outage and not a refusal:
# the same email is accepted later (SES asks to wait up to 10 minutes).
THROTTLES = frozenset({"Throttling", "ThrottlingException", "TooManyRequestsException"})
# SES's words for a malformed address: "Missing final '@domain'", "Local address contains control or
# whitespace", "Domain contains illegal character", "Illegal address", moto's "Missing domain".
_ADDRESS_PROBLEM = re.compile(r"address|domain|@", re.IGNORECASE)
# MessageRejected for one address: on the account's suppression list, or (sandbox) not verified.
_SUPPRESSED = re.compile(r"blacklist|suppress", re.IGNORECASE)
_NOT_VERIFIED = re.compile(r"not verified", re.IGNORECASE)


def error_code(error: BaseException) -> str | None:
    """The AWS error code of a botocore ClientError; None for anything else."""
    code = getattr(error, "response", {}).get("Error", {}).get("Code")
    return str(code) if code else None


def recipient_refusal(error: BaseException, *, recipient: str, sender: str) -> str | None:
    """SES's words when `error` refuses `recipient` for good; None when it is about anything else."""
    code = error_code(error)
    message = str(getattr(error, "response", {}).get("Error", {}).get("Message") or error)
    mentions_sender = sender.lower() in message.lower()
    if code == "InvalidParameterValue" and _ADDRESS_PROBLEM.search(message):
        # A malformed sender would make every email look undeliverable: that one must page someone.
        return f"{code}: {message}" if _well_formed(sender) and not mentions_sender else None
    if code == "MessageRejected":
        if _SUPPRESSED.search(message):
            return f"{code}: {message}"
        # The sandbox names every identity that failed: only the recipient's is the recipient's problem.
        if _NOT_VERIFIED.search(message) and recipient.lower() in message.lower() and not mentions_sender:
            return f"{code}: {message}"
    return None


def _well_formed(address: str) -> bool:
    try:
        normalized_email(address)
    except InvalidEmailAddress:
        return False
    return True
