"""What the local shop's Cognito (moto 5's server) needs beyond moto: two operations the web site calls,
authenticator codes that are checked, and the pool's pre token generation trigger.

Without them moto answers `RevokeToken` (the header's "Sign out") and `ResendConfirmationCode`
("Send a new code" on sign-up) with an HTML 500 and no CORS headers, which the browser reports as the
shop being unreachable. Both follow Cognito's documented behaviour closely enough for the site:
a revoked refresh token can no longer mint tokens, and a resend answers where the code went (moto
sends no email; locally any code confirms).

moto keeps a pool's LambdaConfig but never invokes a trigger. `run_pre_token_triggers` makes it run the
pool's pre token generation function (read from the template, run by the local runtime like any other
function) once per issuance and apply its answer to the tokens, so the admin group needs TOTP locally
exactly as in AWS (docs/local-run.md).
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from moto.core.exceptions import JsonRESTError

from cdk_app.local.intrinsics import ResourceAddress
from cdk_app.local.template_model import ShopModel

if TYPE_CHECKING:
    from cdk_app.local.aws_services import LocalAws

logger = logging.getLogger(__name__)

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


# -- MFA codes --------------------------------------------------------------------------------------

# moto accepts any SOFTWARE_TOKEN_MFA code unless this is set; then it checks the code against its one
# fixed secret (the SecretCode every AssociateSoftwareToken answers), as Cognito checks each user's.
MOTO_TOTP_SETTING = "MOTO_COGNITO_IDP_USER_POOL_ENABLE_TOTP"


def require_totp_codes() -> None:
    """Make moto refuse a wrong authenticator code, as Cognito does (the wrong-code test needs it)."""
    os.environ[MOTO_TOTP_SETTING] = "true"


# -- the pre token generation trigger ----------------------------------------------------------------

# The trigger versions Cognito knows; V2_0 and V3_0 send the same event for a user's sign-in.
_EVENT_VERSIONS = {"V1_0": "1", "V2_0": "2", "V3_0": "3"}
_REFRESH_FLOWS = ("REFRESH_TOKEN_AUTH", "REFRESH_TOKEN")
Invoke = Callable[[ResourceAddress, Any], Any]


@dataclass(frozen=True)
class PreTokenTrigger:
    """A pool's pre token generation trigger, read from its template's LambdaConfig."""

    pool: ResourceAddress
    function: ResourceAddress
    event_version: str  # "1", "2" or "3"


class UnexpectedLambdaError(JsonRESTError):
    """What Cognito answers when a trigger fails: the sign-in fails, no tokens are issued."""

    def __init__(self, message: str) -> None:
        super().__init__("UnexpectedLambdaException", message)


def pre_token_triggers(model: ShopModel) -> tuple[PreTokenTrigger, ...]:
    """The pools whose template attaches a pre token generation function the runner can run."""
    functions = {function.name: function.address for function in model.functions}
    triggers = []
    for address, resource in model.resources.resources_of_type("AWS::Cognito::UserPool"):
        config = (resource.get("Properties") or {}).get("LambdaConfig") or {}
        v2 = config.get("PreTokenGenerationConfig") or {}
        arn_value, version = (
            (v2.get("LambdaArn"), str(v2.get("LambdaVersion", "V1_0")))
            if v2
            else (config.get("PreTokenGeneration"), "V1_0")
        )
        if not arn_value:
            continue
        arn = model.resolver.resolve_string(arn_value, address.stack)
        # arn:aws:lambda:<region>:<account>:function:<name>[:<alias>]
        name = arn.split(":function:", 1)[-1].split(":", 1)[0]
        if name not in functions:
            raise LookupError(f"{address}: its pre token generation function {arn} is not in the templates")
        triggers.append(PreTokenTrigger(address, functions[name], _EVENT_VERSIONS.get(version, "1")))
    return tuple(triggers)


@dataclass(frozen=True)
class _Registration:
    trigger: PreTokenTrigger
    invoke: Invoke
    aws: LocalAws  # the shop's moto: once it stops, a later moto's pool of the same id runs nothing


_triggers: dict[str, _Registration] = {}  # moto's pool id -> its trigger and how to run it
_issuing = threading.local()  # per moto request thread: the auth flow, and the issuance's trigger answer
_triggers_installed = False


def run_pre_token_triggers(model: ShopModel, aws: LocalAws, invoke: Invoke) -> None:
    """From now on the pools created from `model` run their trigger before moto issues tokens, and
    the answer shapes the ID and access tokens as in Cognito. Replaces earlier registrations: one
    local shop at a time."""
    _triggers.clear()
    triggers = pre_token_triggers(model)
    if triggers and not aws.owns_server:
        # Tokens come from the endpoint the developer named, which this process cannot hook.
        logger.warning(
            "local runner: %s issues tokens: pre token generation triggers do not run", aws.endpoint_url
        )
        return
    for trigger in triggers:
        _triggers[model.resources.values[trigger.pool].ref] = _Registration(trigger, invoke, aws)
    _install_token_hooks()


def _install_token_hooks() -> None:
    global _triggers_installed
    if _triggers_installed:
        return
    from moto.cognitoidp.models import CognitoIdpBackend, CognitoIdpUserPool

    original_initiate_auth = CognitoIdpBackend.initiate_auth
    original_create_jwt = CognitoIdpUserPool.create_jwt

    def initiate_auth(self: Any, client_id: str, auth_flow: str, auth_parameters: dict[str, str]) -> Any:
        _issuing.flow = str(auth_flow)
        try:
            return original_initiate_auth(self, client_id, auth_flow, auth_parameters)
        finally:
            _issuing.flow = None

    def create_jwt(
        self: Any,
        client_id: str,
        username: str,
        token_use: str,
        expires_in: int = 60 * 60,
        extra_data: dict[str, Any] | None = None,
    ) -> Any:
        registered = _triggers.get(self.id)
        # Pool ids are derived from names (HASH strategy), so a moto started after the shop stopped
        # (another test) has a pool of the same id: only the registering shop's moto runs triggers.
        if registered is not None and registered.aws.owns_server and token_use in ("id", "access"):
            extra_data = dict(extra_data or {})
            answer = _trigger_answer(self, registered, client_id, username, token_use, extra_data)
            apply_trigger_answer(answer, token_use, extra_data, version=registered.trigger.event_version)
        return original_create_jwt(self, client_id, username, token_use, expires_in, extra_data)

    CognitoIdpBackend.initiate_auth = initiate_auth  # type: ignore[method-assign]
    CognitoIdpUserPool.create_jwt = create_jwt  # type: ignore[method-assign]
    _triggers_installed = True


def _trigger_answer(
    pool: Any,
    registered: _Registration,
    client_id: str,
    username: str,
    kind: str,
    claims: dict[str, Any],
) -> dict[str, Any]:
    """One invocation per issuance, as in Cognito: moto mints the access token, then the ID token,
    with one origin_jti; the answer is kept for the second and then dropped."""
    key = (pool.id, username, claims.get("origin_jti"))
    kept = getattr(_issuing, "answers", {})
    _issuing.answers = kept
    if key in kept:
        answer, used = kept[key]
        if kind not in used:
            used.add(kind)
            if {"id", "access"} <= used:
                del kept[key]
            kept_answer: dict[str, Any] = answer
            return kept_answer
    trigger = registered.trigger
    event = _trigger_event(pool, trigger, client_id, username, claims)
    try:
        answer = registered.invoke(trigger.function, event)
    except Exception as error:
        raise UnexpectedLambdaError(f"PreTokenGeneration failed with error {error}.") from error
    if not isinstance(answer, dict):
        raise JsonRESTError("InvalidLambdaResponseException", "Invalid lambda response: not an object")
    kept[key] = (answer, {kind})
    return answer


def _trigger_event(
    pool: Any, trigger: PreTokenTrigger, client_id: str, username: str, claims: dict[str, Any]
) -> dict[str, Any]:
    user = pool._get_user(username)
    attributes = {attribute["Name"]: attribute["Value"] for attribute in user.attributes}
    attributes.update(
        {"sub": user.id, "cognito:user_status": str(getattr(user.status, "value", user.status))}
    )
    refreshing = getattr(_issuing, "flow", None) in _REFRESH_FLOWS
    request: dict[str, Any] = {
        "userAttributes": attributes,
        "groupConfiguration": {
            "groupsToOverride": sorted(group.group_name for group in user.groups),
            "iamRolesToOverride": [],
            "preferredRole": None,
        },
    }
    if trigger.event_version != "1":
        request["scopes"] = str(claims.get("scope", "aws.cognito.signin.user.admin")).split()
    return {
        "version": trigger.event_version,
        "triggerSource": "TokenGeneration_RefreshTokens" if refreshing else "TokenGeneration_Authentication",
        "region": pool.region,
        "userPoolId": pool.id,
        "userName": user.username,
        "callerContext": {"awsSdkVersion": "aws-sdk-local", "clientId": client_id},
        "request": request,
        "response": {"claimsAndScopeOverrideDetails": None} if trigger.event_version != "1" else {},
    }


def apply_trigger_answer(answer: dict[str, Any], kind: str, claims: dict[str, Any], *, version: str) -> None:
    """Cognito's rules for the answer: groups apply to both tokens, claims to the token they name.
    Locally only moto's extra claims can be suppressed (not iss, sub, email, ...)."""
    response = answer.get("response") or {}
    if version == "1":
        details = response.get("claimsOverrideDetails") or {}
        token_details = details if kind == "id" else {}
    else:
        details = response.get("claimsAndScopeOverrideDetails") or {}
        token_details = details.get("idTokenGeneration" if kind == "id" else "accessTokenGeneration") or {}
    groups = (details.get("groupOverrideDetails") or {}).get("groupsToOverride")
    if groups is not None:
        if groups:
            claims["cognito:groups"] = list(groups)
        else:
            claims.pop("cognito:groups", None)  # Cognito leaves the claim out when no group is left
    claims.update(token_details.get("claimsToAddOrOverride") or {})
    for claim in token_details.get("claimsToSuppress") or ():
        claims.pop(claim, None)
    if kind == "access" and ("scopesToAdd" in token_details or "scopesToSuppress" in token_details):
        scopes = [
            scope
            for scope in str(claims.get("scope", "")).split()
            if scope not in token_details.get("scopesToSuppress", ())
        ]
        scopes += [scope for scope in token_details.get("scopesToAdd", ()) if scope not in scopes]
        claims["scope"] = " ".join(scopes)
