"""admin_mfa_gate: the user pool's pre token generation trigger (V2 event); `admin` only with TOTP.

Outside the VPC: it calls Cognito (AdminGetUser), which the VPC cannot reach. Cognito waits at most
five seconds for a trigger, so the client gives up early and an error fails the sign-in (closed).
"""

from __future__ import annotations

from typing import Any

import boto3
from aws_lambda_powertools.utilities.typing import LambdaContext
from botocore.config import Config

from admin_mfa_gate.gate import CognitoMfaSettings, gate_admin_group
from shop.platform.observability import logger
from shop.platform.process_state import per_process
from shop.platform.settings import get_settings

COGNITO_CALL_CONFIG = Config(
    connect_timeout=1, read_timeout=2, retries={"max_attempts": 2, "mode": "standard"}
)


@per_process
def _mfa_settings() -> CognitoMfaSettings:
    return CognitoMfaSettings(boto3.client("cognito-idp", config=COGNITO_CALL_CONFIG))


@logger.inject_lambda_context
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    answer = gate_admin_group(event, admin_group=get_settings().admin_group, mfa=_mfa_settings())
    if answer.get("response", {}).get("claimsAndScopeOverrideDetails"):
        logger.info(
            "admin group left out of the tokens: the user has no TOTP MFA",
            extra={"trigger": event.get("triggerSource")},
        )
    return answer
