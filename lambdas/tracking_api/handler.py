"""tracking_api: records product views, cart adds and purchases; serves recommendations and the watch list.

Track routes are public and only queue an event (202): the write to ProductViews happens in
tracking_processor, so a slow table never slows the page that reports the view.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body, Path, Query
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

import shop.platform.snapstart  # noqa: F401 - registers the SnapStart hooks (shop/platform/snapstart.py)
from shop.api.documented_responses import answers, json_object
from shop.api.http import build_resolver, caller_of, json_response
from shop.api.public_route_caller import public_route_caller
from shop.platform.cache_metrics import cache_counters
from shop.platform.errors import BadRequest, Forbidden, NotFound, ServiceUnavailable, Unauthorized
from shop.platform.observability import logger, metrics, tracer
from shop.tracking.model import (
    TrackedId,
    TrackingEventType,
    TrackRequest,
    UnwatchRequest,
    WatchRequest,
    WatchView,
)
from shop.tracking.service import (
    queue_tracking_event,
    shared_recommender,
    stop_watching,
    tracked_product,
    tracking_event_for,
    watch_list,
    watch_product,
)

app = build_resolver()
TRACKED = answers(202, "The event is queued", 404, content=json_object())


def _tracked_user() -> str | None:
    """The signed-in shopper who sent the event, or None for a guest.

    The track routes have no authorizer (guests send events too), so the page's ID token in the
    Authorization header is verified here. Unlike the payment routes, a token that fails (expired on a
    page left open, the key set unreachable) does not refuse the event: it is kept as the session's,
    which is all a guest's event carries anyway, and nothing is attributed to an unverified user.
    """
    try:
        return public_route_caller(app).user_id
    except (Unauthorized, ServiceUnavailable) as error:
        logger.info(
            "tracking event kept as a guest's: its token did not verify", extra={"reason": str(error)}
        )
        return None


def _track(event_type: TrackingEventType, request: TrackRequest) -> Response[str]:
    # Only a verified token names the user; the body's user_id (if any) was dropped by TrackRequest.
    user_id = _tracked_user()
    event = tracking_event_for(
        event_type, request, user_id=user_id, product=tracked_product(request.product_id)
    )
    message_id = queue_tracking_event(event)
    logger.debug("tracking event queued", extra={"event_type": event_type.value, "message_id": message_id})
    return json_response(
        HTTPStatus.ACCEPTED,
        {"status": "queued", "event_type": event_type.value, "signed_in": user_id is not None},
    )


@app.post("/track/view", summary="Record a product view", tags=["tracking"], responses=TRACKED)
def track_view(request: TrackRequest) -> Response[str]:
    return _track(TrackingEventType.VIEW, request)


@app.post("/track/cart-add", summary="Record an add-to-cart", tags=["tracking"], responses=TRACKED)
def track_cart_add(request: TrackRequest) -> Response[str]:
    return _track(TrackingEventType.CART_ADD, request)


@app.post("/track/purchase", summary="Record a purchase", tags=["tracking"], responses=TRACKED)
def track_purchase(request: TrackRequest) -> Response[str]:
    return _track(TrackingEventType.PURCHASE, request)


@app.get(
    "/track/recommendations/<user_id>",
    summary="Recommendations for a user",
    tags=["tracking"],
    responses=answers(200, "The user's `recommendations`", 403),
)
def recommendations(user_id: Annotated[str, Path(min_length=1, max_length=128)]) -> dict[str, Any]:
    caller = caller_of(app)
    caller_id = caller.require_signed_in()
    if caller_id != user_id and not caller.is_admin:
        raise Forbidden("you can only read your own recommendations")
    return {"user_id": user_id, "recommendations": shared_recommender().for_user(user_id)}


@app.get(
    "/track/watchlist",
    summary="The signed-in shopper's watch list, newest first",
    tags=["watchlist"],
    responses=answers(
        200, "`items` (each product as the catalog has it now, and the watch) and `count`", 401
    ),
)
def list_watches() -> dict[str, Any]:
    user_id = caller_of(app).require_signed_in()
    views = watch_list(user_id)
    return {"items": [view.model_dump(mode="json") for view in views], "count": len(views)}


@app.post(
    "/track/watchlist/add",
    summary="Watch a product for price drops and restocks (again: replaces the target)",
    tags=["watchlist"],
    responses=answers(201, "The watch list entry", 404, model=WatchView),
)
def watch(request: WatchRequest) -> Response[str]:
    user_id = caller_of(app).require_signed_in()
    view = watch_product(user_id, tracked_product(request.product_id), request)
    return json_response(HTTPStatus.CREATED, view.model_dump(mode="json"))


@app.delete(
    "/track/watchlist/remove",
    summary="Stop watching a product",
    tags=["watchlist"],
    responses=answers(200, "The product is no longer watched", 400, 404),
)
def unwatch(
    request: Annotated[UnwatchRequest | None, Body()] = None,
    product_id: Annotated[TrackedId | None, Query(description="when no body is sent")] = None,
) -> dict[str, Any]:
    user_id = caller_of(app).require_signed_in()
    # The API's schema sends a JSON body; the query parameter serves clients that drop DELETE bodies.
    wanted = request.product_id if request else product_id
    if wanted is None:
        raise BadRequest("name the product to stop watching", field="product_id")
    if not stop_watching(user_id, wanted):
        raise NotFound(f"product {wanted} is not on your watch list", field="product_id", product_id=wanted)
    return {"product_id": wanted, "watching": False}


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """The Lambda entry point."""
    try:
        return app.resolve(event, context)
    finally:
        cache_counters.publish()
