"""Who calls a route that API Gateway leaves open (no Cognito authorizer), such as the payment routes.

Guests pay too, so those routes cannot require a token; a signed-in shopper's page still sends one,
and it is verified here (shop.platform.cognito_tokens) so that the shopper is known: their orders open
without an access token and their payment limit counts per user, not per order or address.
"""

from __future__ import annotations

from aws_lambda_powertools.event_handler import APIGatewayRestResolver

from shop.api.http import caller_of
from shop.platform.cognito_tokens import id_token_verifier
from shop.platform.identity import Caller

BEARER_PREFIX = "bearer "


def sent_token(app: APIGatewayRestResolver) -> str | None:
    """The Authorization header's token (the site sends the raw ID token; `Bearer ` is accepted too)."""
    value = (app.current_event.headers.get("Authorization") or "").strip()
    if value.lower().startswith(BEARER_PREFIX):
        value = value[len(BEARER_PREFIX) :].strip()
    return value or None


def public_route_caller(app: APIGatewayRestResolver) -> Caller:
    """The verified shopper when a valid ID token is sent, a guest when none is; a token that does not
    verify is a 401 (Unauthorized), never a silent guest."""
    caller = caller_of(app)
    if caller.signed_in:
        # An authorizer checked the token already (a route variant with one, or the local runner's).
        return caller
    token = sent_token(app)
    if token is None:
        return caller
    claims = id_token_verifier().claims(token)
    groups = claims.get("cognito:groups") or []
    return Caller(
        user_id=str(claims["sub"]),
        email=str(claims["email"]) if claims.get("email") else None,
        groups=frozenset(str(group) for group in groups) if isinstance(groups, list) else frozenset(),
        email_verified=claims.get("email_verified") is True,
    )
