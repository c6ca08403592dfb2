"""RFC 6238 time-based one-time codes, as an authenticator app computes them from Cognito's secret.

The local shop's seed and the tests answer Cognito's SOFTWARE_TOKEN_MFA challenge with these codes;
a developer's authenticator app gets the same secret from the `otpauth://` URI the runner prints.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import struct
import time
from urllib.parse import quote, urlencode

STEP_SECONDS = 30  # what Cognito and every authenticator app use
DIGITS = 6


def _key(secret: str) -> bytes:
    # Cognito hands out base32 without padding; b32decode wants it padded to a multiple of 8.
    cleaned = secret.replace(" ", "").upper()
    return base64.b32decode(cleaned + "=" * (-len(cleaned) % 8))


def totp_code(secret: str, *, at: float | None = None) -> str:
    """The 6-digit code for `secret` at time `at` (now by default): HMAC-SHA1 of the 30-second counter."""
    counter = int((time.time() if at is None else at) // STEP_SECONDS)
    digest = hmac.new(_key(secret), struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(value % 10**DIGITS).zfill(DIGITS)


def fresh_totp_code(secret: str) -> str:
    """A code that stays valid for the next few seconds: near the end of a step, wait for the next one,
    so a verifier that accepts only the current step (moto) does not see a code from the step before."""
    if STEP_SECONDS - time.time() % STEP_SECONDS < 3:
        time.sleep(STEP_SECONDS - time.time() % STEP_SECONDS + 0.1)
    return totp_code(secret)


def otpauth_uri(secret: str, *, account: str, issuer: str) -> str:
    """The URI authenticator apps import (Google's Key Uri Format): `otpauth://totp/Issuer:account?...`."""
    label = quote(f"{issuer}:{account}")
    query = urlencode({"secret": secret, "issuer": issuer, "digits": DIGITS, "period": STEP_SECONDS})
    return f"otpauth://totp/{label}?{query}"


def main(argv: list[str] | None = None) -> int:
    """`python -m cdk_app.local.totp SECRET`: the current code, for a developer without an app."""
    import sys

    arguments = sys.argv[1:] if argv is None else argv
    if len(arguments) != 1:
        print("usage: python -m cdk_app.local.totp SECRET", file=sys.stderr)
        return 2
    print(totp_code(arguments[0]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
