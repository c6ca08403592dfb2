"""Two Cognito operations the web site calls that moto 5's server lacks, added to it for the local shop.

Without them moto answers `RevokeToken` (the header's "Sign out") and `ResendConfirmationCode`
("Send a new code" on sign-up) with an HTML 500 and no CORS headers, which the browser reports as the
shop being unreachable. Both follow Cognito's documented behaviour closely enough for the site:
a revoked refresh token can no longer mint tokens, and a resend answers where the code went (moto
sends no email; locally any code confirms).
"""

from __future__ import annotations

from typing import Any

_installed = False


def add_missing_cognito_operations() -> None:
    """Teach moto's Cognito responses RevokeToken and ResendConfirmationCode (idempotent)."""
    global _installed
    if _installed:
        return
    from moto.cognitoidp.models import cognitoidp_backends
    from moto.cognitoidp.responses import CognitoIdpResponse
    from moto.core.responses import ActionResult, EmptyResult

    def revoke_token(self: Any) -> Any:
        token, client_id = self._get_param("Token"), self._get_param("ClientId")
        for regions in cognitoidp_backends.values():
            for region, backend in regions.items():
                if region == "global":
                    continue
                for pool in backend.user_pools.values():
                    issued = pool.refresh_tokens.get(token)
                    if issued is not None and issued[0] == client_id:
                        pool.refresh_tokens[token] = None  # what moto's own GlobalSignOut does
        return EmptyResult()  # Cognito answers an unknown token the same way

    def resend_confirmation_code(self: Any) -> Any:
        delivery = {"DeliveryMedium": "EMAIL", "AttributeName": "email", "Destination": "local"}
        return ActionResult({"CodeDeliveryDetails": delivery})

    CognitoIdpResponse.revoke_token = revoke_token  # type: ignore[attr-defined]
    CognitoIdpResponse.resend_confirmation_code = resend_confirmation_code  # type: ignore[attr-defined]
    _installed = True
