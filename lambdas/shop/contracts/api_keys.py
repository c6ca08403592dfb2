"""Which usage plan's API key each key-protected route accepts, as the stacks tell the functions.

API Gateway only checks that a key belongs to *some* usage plan of the stage, so on its own the
partner key opens admin routes and the admin key the partner feed. The stacks give every function
that serves such routes two things: `API_KEY_ROUTES`, a JSON object of "METHOD /resource" → plan
name, and `<PLAN>_API_KEY_ID` for each of those plans (the key's id, which API Gateway puts in
`requestContext.identity.apiKeyId`). `shop.api.api_keys` compares the two on every request.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

ADMIN_PLAN = "admin"
PARTNER_PLAN = "partner"

API_KEY_ROUTES = "API_KEY_ROUTES"


def api_key_id_variable(plan: str) -> str:
    """The environment variable holding the id of `plan`'s API key (ADMIN_API_KEY_ID, ...)."""
    return f"{plan.upper()}_API_KEY_ID"


def route_key(method: str, resource: str) -> str:
    """A route as API Gateway names it in the proxy event: `httpMethod` and `resource`."""
    return f"{method.upper()} {resource}"


def encode_key_routes(plans_by_route: Mapping[str, str]) -> str:
    """The value of API_KEY_ROUTES: compact, sorted, so a template only changes when a route does."""
    return json.dumps(dict(plans_by_route), sort_keys=True, separators=(",", ":"))


def decode_key_routes(value: str) -> dict[str, str]:
    """API_KEY_ROUTES back as a dict; raises ValueError when it is not an object of strings."""
    decoded = json.loads(value)
    if not isinstance(decoded, dict) or not all(
        isinstance(route, str) and isinstance(plan, str) for route, plan in decoded.items()
    ):
        raise ValueError(f"{API_KEY_ROUTES} must be a JSON object of route → plan name")
    return decoded
