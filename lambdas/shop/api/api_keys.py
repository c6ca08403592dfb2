"""Each API key opens the routes of its own usage plan only: the admin key admin routes, the partner
key the partner feed (docs/api.md, "API keys").

API Gateway accepts any key of any usage plan on the stage wherever a method requires a key, so the
binding of key to plan is checked here, for every function, by one resolver middleware.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response
from aws_lambda_powertools.event_handler.middlewares import NextMiddleware

from shop.contracts.api_keys import API_KEY_ROUTES, api_key_id_variable, decode_key_routes, route_key
from shop.platform.errors import Forbidden
from shop.platform.settings import MissingSetting


class WrongApiKey(Forbidden):
    """A key of another usage plan than the route's (or none) reached a key-protected route."""

    code = "wrong_api_key"


@dataclass(frozen=True)
class ApiKeyBindings:
    """The plan each key-protected route of this function accepts, and each plan's key id."""

    plans_by_route: Mapping[str, str]
    key_ids: Mapping[str, str]

    def check(self, method: str, resource: str, key_id: str | None) -> None:
        """Raise WrongApiKey unless `key_id` is the key of the route's plan; other routes pass."""
        plan = self.plans_by_route.get(route_key(method, resource))
        if plan is None:
            return
        if key_id != self.key_ids[plan]:
            raise WrongApiKey(
                f"{route_key(method, resource)} needs the {plan} API key; "
                + ("none was sent" if key_id is None else "the key sent belongs to another usage plan"),
                field="X-Api-Key",
            )


def bindings_from_environment(environ: Mapping[str, str]) -> ApiKeyBindings:
    """Read API_KEY_ROUTES and the plans' key ids; a plan without its key id is a wiring bug."""
    raw_routes = environ.get(API_KEY_ROUTES)
    key_ids = {
        name: value
        for name, value in ((name, environ.get(api_key_id_variable(name))) for name in _plans(raw_routes))
        if value
    }
    return _bindings(raw_routes, tuple(sorted(key_ids.items())))


def _plans(raw_routes: str | None) -> set[str]:
    return set(decode_key_routes(raw_routes).values()) if raw_routes else set()


# Keyed on the raw values: a cold start reads them once, and the in-process local runner (one process
# for every function, environment switched per call) still gets each function's own bindings.
@lru_cache(maxsize=16)
def _bindings(raw_routes: str | None, key_ids: tuple[tuple[str, str], ...]) -> ApiKeyBindings:
    plans_by_route = decode_key_routes(raw_routes) if raw_routes else {}
    missing = sorted(set(plans_by_route.values()) - dict(key_ids).keys())
    if missing:
        raise MissingSetting(
            f"{', '.join(api_key_id_variable(plan) for plan in missing)} missing for {API_KEY_ROUTES}"
        )
    return ApiKeyBindings(plans_by_route=plans_by_route, key_ids=dict(key_ids))


def require_plan_key(app: APIGatewayRestResolver, next_middleware: NextMiddleware) -> Response[str]:
    """Resolver middleware: a key-protected route runs only for its own plan's key (else 403)."""
    event = app.current_event
    bindings_from_environment(os.environ).check(
        event.http_method, event.resource, event.request_context.identity.api_key_id
    )
    return next_middleware(app)
