"""account_api: the signed-in shopper's profile, addresses, email preferences and data, plus the audit log.

Sign-up, sign-in and passwords never reach this function: the web site talks to Cognito directly and
API Gateway's Cognito authorizer hands over the verified claims (docs/accounts.md).
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Path, Query
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

import shop.platform.snapstart  # noqa: F401 - registers the SnapStart hooks (shop/platform/snapstart.py)
from shop.accounts.model import ADDRESS_ID_PATTERN, AddressFields, ProfileChanges
from shop.accounts.privacy import DataSubject, delete, export
from shop.accounts.service import (
    Accounts,
    change_email_preferences,
    email_preferences,
    open_account,
    unsubscribe,
)
from shop.api.documented_responses import answers, json_object
from shop.api.http import build_resolver, caller_of, json_response
from shop.email.preferences import PreferenceChanges
from shop.orders.guest_orders import email_is_verified
from shop.platform import audit_log
from shop.platform.identity import Caller
from shop.platform.observability import logger, metrics, tracer
from shop.platform.rate_limiter import limit_admin

app = build_resolver()

AddressIdPath = Annotated[str, Path(pattern=ADDRESS_ID_PATTERN)]


def _claims() -> dict[str, Any]:
    authorizer = app.current_event.request_context.authorizer
    raw = authorizer.raw_event if authorizer else {}
    claims = raw.get("claims") if isinstance(raw, dict) else None
    return claims if isinstance(claims, dict) else {}


def _shopper() -> tuple[str, str | None]:
    caller: Caller = caller_of(app)
    return caller.require_signed_in(), caller.email


def _subject() -> DataSubject:
    user_id, email = _shopper()
    claims = _claims()
    username = claims.get("cognito:username")
    return DataSubject(
        user_id=user_id,
        email=email,
        email_verified=email_is_verified(claims),
        username=str(username) if username else None,
    )


# -- profile and addresses -------------------------------------------------------------------------------


@app.get(
    "/me",
    summary="The signed-in shopper's profile (created on first call)",
    tags=["account"],
    responses=answers(200, "The profile"),
)
def get_me() -> dict[str, Any]:
    user_id, email = _shopper()
    return open_account(user_id, email).public_view()


@app.put(
    "/me",
    summary="Change name and phone (the email is Cognito's)",
    tags=["account"],
    responses=answers(200, "The profile as changed", 409),
)
def update_me(changes: ProfileChanges) -> dict[str, Any]:
    user_id, email = _shopper()
    return Accounts().update_profile(user_id, email, changes).public_view()


@app.post(
    "/me/addresses",
    summary="Save a shipping or billing address",
    tags=["account"],
    responses=answers(201, "The saved `address` and every `addresses`", 409, content=json_object()),
)
def add_address(fields: AddressFields) -> Response[str]:
    user_id, email = _shopper()
    profile, address = Accounts().add_address(user_id, email, fields)
    body = {"address": address.model_dump(mode="json"), "addresses": profile.public_view()["addresses"]}
    return json_response(HTTPStatus.CREATED, body)


@app.put(
    "/me/addresses/<address_id>",
    summary="Replace a saved address",
    tags=["account"],
    responses=answers(200, "The saved `address` and every `addresses`", 404, 409),
)
def replace_address(address_id: AddressIdPath, fields: AddressFields) -> dict[str, Any]:
    user_id, email = _shopper()
    profile, address = Accounts().replace_address(user_id, email, address_id, fields)
    return {"address": address.model_dump(mode="json"), "addresses": profile.public_view()["addresses"]}


@app.delete(
    "/me/addresses/<address_id>",
    summary="Delete a saved address",
    tags=["account"],
    responses=answers(200, "The remaining `addresses`", 404, 409),
)
def delete_address(address_id: AddressIdPath) -> dict[str, Any]:
    user_id, email = _shopper()
    return {"addresses": Accounts().delete_address(user_id, email, address_id).public_view()["addresses"]}


@app.post(
    "/me/addresses/<address_id>/default",
    summary="Make an address its kind's default",
    tags=["account"],
    responses=answers(200, "The `address` and every `addresses`", 404, 409),
)
def make_default_address(address_id: AddressIdPath) -> dict[str, Any]:
    user_id, email = _shopper()
    profile, address = Accounts().make_default(user_id, email, address_id)
    return {"address": address.model_dump(mode="json"), "addresses": profile.public_view()["addresses"]}


# -- email preferences ------------------------------------------------------------------------------------


@app.get(
    "/me/preferences",
    summary="Email preferences (new accounts are opted out)",
    tags=["preferences"],
    responses=answers(200, "The preferences"),
)
def get_preferences() -> dict[str, Any]:
    user_id, email = _shopper()
    return email_preferences(user_id, email)


@app.put(
    "/me/preferences",
    summary="Change email preferences",
    tags=["preferences"],
    responses=answers(200, "The preferences as changed", 409),
)
def update_preferences(changes: PreferenceChanges) -> dict[str, Any]:
    user_id, email = _shopper()
    return change_email_preferences(user_id, email, changes)


@app.get(
    "/unsubscribe",
    summary="One-click unsubscribe from every marketing email (no sign-in)",
    tags=["preferences"],
    responses=answers(200, "Unsubscribed", 404),
)
def unsubscribe_link(token: Annotated[str, Query(min_length=1, max_length=128)]) -> dict[str, Any]:
    unsubscribe(token)
    logger.info("unsubscribed through an email link")
    return {"unsubscribed": True, "message": "You will receive no more marketing email from the shop."}


# -- privacy ------------------------------------------------------------------------------------------------


@app.get(
    "/me/export",
    summary="Everything the shop stores about the shopper, as JSON",
    tags=["privacy"],
    responses=answers(200, "Everything stored about the shopper (an attachment)", content=json_object()),
)
def export_me() -> Response[str]:
    document = export(_subject())
    return json_response(
        HTTPStatus.OK, document, {"Content-Disposition": 'attachment; filename="shop-data-export.json"'}
    )


@app.delete(
    "/me",
    summary="Delete the account and its personal data",
    tags=["privacy"],
    responses=answers(200, "What was deleted, counted"),
)
def delete_me() -> dict[str, Any]:
    counts = delete(_subject())
    return {"deleted": True, **counts}


# -- administrators -------------------------------------------------------------------------------------


@app.get(
    "/admin/audit-log",
    summary="Admin actions, newest first (administrators)",
    tags=["admin"],
    responses=answers(200, "`entries` of one page and the `next_cursor`", 400, 403, 429),
)
def list_audit_log(
    actor: Annotated[
        str | None, Query(min_length=1, max_length=128, description="an admin's user id")
    ] = None,
    entity: Annotated[
        str | None, Query(min_length=1, max_length=200, description="e.g. product#<id>")
    ] = None,
    cursor: Annotated[str | None, Query(max_length=2048)] = None,
    limit: Annotated[int, Query(ge=1, le=audit_log.MAX_PAGE)] = audit_log.DEFAULT_PAGE,
) -> dict[str, Any]:
    limit_admin(caller_of(app))
    return audit_log.entries(actor=actor, entity=entity, limit=limit, cursor=cursor).body()


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """The Lambda entry point."""
    return app.resolve(event, context)
