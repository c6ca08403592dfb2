"""schemathesis over docs/openapi.json against the whole local shop: no route answers 5xx, and every
answer's status, content type and body are the ones the document declares.

Every operation gets a few valid requests (positive mode) and a few invalid ones (negative mode), with
a real shopper's token, the administrator's token and key, or the partner key as its security asks.
Generation is derandomized: the suite sends the same requests every run, so a finding reproduces.
"""

from __future__ import annotations

import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import hypothesis
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from cdk_app.local.runner import LocalShop
from cdk_app.local.sample_catalog import ADMIN_EMAIL, LOCAL_PASSWORD
from cdk_app.local.seed import sign_in
from cdk_app.openapi import OPENAPI_DOCUMENT

ADMIN_API_KEY_NAME = "local-shop-api-admin"
PARTNER_KEY_SUFFIX = "-partner"
# Per operation and mode: about 80 operations x 2 modes x 4 requests stays near a minute here.
EXAMPLES_PER_MODE = 4
MODES = (schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE)
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
REQUEST_TIMEOUT_SECONDS = 30


@dataclass
class Credentials:
    shopper_token: str
    admin_token: str
    admin_key: str
    partner_key: str

    def headers_for(self, security: list[dict[str, list[str]]] | None) -> dict[str, str]:
        """What the operation's first security requirement asks for; public routes get nothing."""
        wanted = set((security or [{}])[0])
        headers: dict[str, str] = {}
        if "cognitoIdToken" in wanted:
            headers["Authorization"] = self.admin_token if "apiKey" in wanted else self.shopper_token
        if "apiKey" in wanted:
            headers["x-api-key"] = self.admin_key if "cognitoIdToken" in wanted else self.partner_key
        return headers


@dataclass
class Findings:
    requests: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    operations: set[str] = field(default_factory=set)
    failures: dict[tuple[str, str], str] = field(default_factory=dict)

    @property
    def server_errors(self) -> int:
        return sum(count for status, count in self.statuses.items() if status >= 500)

    def record(self, label: str, status: int) -> None:
        self.requests += 1
        self.statuses[status] += 1
        self.operations.add(label)

    def failed(self, label: str, case: Any, response: Any, error: BaseException) -> None:
        """One entry per operation and kind of failure: the first request that showed it."""
        failures = error.exceptions if isinstance(error, BaseExceptionGroup) else (error,)
        for failure in failures:
            title = getattr(failure, "title", type(failure).__name__)
            self.failures.setdefault(
                (label, title),
                f"{case.as_curl_command()}\n    answered {response.status_code} {response.text[:300]}"
                f"\n    {str(failure)[:400]}",
            )

    def report(self) -> str:
        lines = [f"{label}: {title}: {detail}" for (label, title), detail in sorted(self.failures.items())]
        return "\n".join(lines)


@pytest.fixture(scope="module")
def shop(seeded_shop: LocalShop) -> LocalShop:
    return seeded_shop


def _id_token(shop: LocalShop, email: str) -> str:
    # As the site signs in: the seeded administrator answers the authenticator-code challenge.
    token: str = sign_in(shop, email, LOCAL_PASSWORD)["IdToken"]
    return token


def _shopper_token(shop: LocalShop) -> str:
    assert shop.aws is not None
    config = shop.web_config("http://unused")
    cognito = shop.aws.client("cognito-idp")
    email = f"fuzz-{uuid.uuid4().hex[:8]}@example.com"
    cognito.sign_up(
        ClientId=config["userPoolClientId"],
        Username=email,
        Password=LOCAL_PASSWORD,
        UserAttributes=[{"Name": "email", "Value": email}],
    )
    cognito.admin_confirm_sign_up(UserPoolId=config["userPoolId"], Username=email)
    return _id_token(shop, email)


@pytest.fixture(scope="module")
def credentials(shop: LocalShop) -> Credentials:
    partner_key = next(value for name, value in shop.api_keys.items() if name.endswith(PARTNER_KEY_SUFFIX))
    return Credentials(
        shopper_token=_shopper_token(shop),
        admin_token=_id_token(shop, ADMIN_EMAIL),
        admin_key=shop.api_keys[ADMIN_API_KEY_NAME],
        partner_key=partner_key,
    )


def _fuzz(
    operation: schemathesis.APIOperation,
    mode: schemathesis.GenerationMode,
    *,
    base_url: str,
    headers: dict[str, str],
    findings: Findings,
) -> None:
    @hypothesis.settings(
        max_examples=EXAMPLES_PER_MODE,
        deadline=None,
        database=None,
        derandomize=True,
        # Generate only: a finding is reported with its first request, not shrunk (which costs minutes).
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @hypothesis.given(case=operation.as_strategy(generation_mode=mode))
    def send(case: schemathesis.Case) -> None:
        response = case.call(base_url=base_url, headers=headers, timeout=REQUEST_TIMEOUT_SECONDS)
        findings.record(operation.label, response.status_code)
        try:
            case.validate_response(response, checks=CHECKS, headers=headers)
        except (AssertionError, BaseExceptionGroup) as error:
            findings.failed(operation.label, case, response, error)

    try:
        send()
    except hypothesis.errors.Unsatisfiable:
        # Negative mode only: an operation with no parameter and no body has no invalid request.
        if mode is schemathesis.GenerationMode.POSITIVE:
            raise


def test_no_route_answers_5xx_or_outside_its_document(
    shop: LocalShop, credentials: Credentials, capsys: pytest.CaptureFixture[str]
) -> None:
    assert shop.server is not None
    schema = schemathesis.openapi.from_path(OPENAPI_DOCUMENT)
    findings = Findings()
    started = time.monotonic()
    operations = [result.ok() for result in schema.get_all_operations()]
    for operation in operations:
        security = operation.definition.raw.get("security")
        for mode in MODES:
            _fuzz(
                operation,
                mode,
                base_url=f"{shop.server.url}/api",
                headers=credentials.headers_for(security),
                findings=findings,
            )
    summary = (
        f"schemathesis: {len(findings.operations)} operations, {findings.requests} requests in "
        f"{time.monotonic() - started:.0f} s, {findings.server_errors} 5xx, {len(findings.failures)} "
        f"distinct violations; statuses {dict(sorted(findings.statuses.items()))}"
    )
    # Shown even when pytest captures output (the functions' logs stay captured).
    with capsys.disabled():
        print(f"\n{summary}")
    assert len(findings.operations) == len(operations), summary
    assert not findings.failures, f"{summary}\n{findings.report()}"
