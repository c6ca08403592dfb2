"""shop_api: the catalog (products, categories, featured, best sellers) and product reviews."""

from __future__ import annotations

from http import HTTPStatus
from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Path, Query
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

import shop.platform.snapstart  # noqa: F401 - registers the SnapStart hooks (shop/platform/snapstart.py)
from shop.api.documented_responses import answers, json_object
from shop.api.http import build_resolver, caller_of, json_response
from shop.catalog.admin_listing import (
    DEFAULT_ADMIN_PAGE_SIZE,
    MAX_ADMIN_PAGE_SIZE,
    AdminProductFilters,
    AdminProductPageView,
    AdminStatusFilter,
    admin_product_page,
)
from shop.catalog.digital_files import FileUploadRequest, FileUploadView, presign_file_upload
from shop.catalog.images import ImageUploadRequest, ImageUploadView, presign_image_upload
from shop.catalog.model import Category, ProductChanges, ProductDraft, ProductPageView, ProductView
from shop.catalog.search import ProductFilters, ProductSort, search_terms
from shop.catalog.service import (
    BESTSELLER_LIMIT,
    DEFAULT_PAGE_SIZE,
    FEATURED_LIMIT,
    MAX_PAGE_SIZE,
    MAX_SHOWCASE,
    catalog_cache_state,
    shared_catalog,
)
from shop.catalog.sitemap import SITEMAP_CONTENT_TYPE, sitemap_xml
from shop.orders.inventory import low_stock_threshold
from shop.platform import audit_log
from shop.platform.cache_metrics import cache_counters
from shop.platform.errors import BadRequest
from shop.platform.observability import logger, metrics, tracer
from shop.platform.rate_limiter import limit_admin
from shop.platform.settings import get_settings
from shop.reviews.model import ReviewId, ReviewSubmission, VoteSubmission
from shop.reviews.service import (
    ANONYMOUS_REVIEWER,
    DEFAULT_REVIEW_PAGE,
    MAX_REVIEW_PAGE,
    reviewer_name,
    shared_reviews,
)

app = build_resolver()

ProductIdPath = Annotated[str, Path(min_length=1, max_length=64)]
# As long as the stage cache keeps it (api_routes); a catalog change flushes that cache sooner.
SITEMAP_MAX_AGE_SECONDS = 3600


@app.get(
    "/health",
    summary="Liveness of the function and of its cache",
    tags=["health"],
    responses=answers(200, "The function is up: its version, stage and cache state"),
)
def health() -> dict[str, Any]:
    settings = get_settings()
    return {
        "status": "ok",
        "version": settings.version,
        "stage": settings.stage,
        "cache": catalog_cache_state(),
    }


@app.get(
    "/products",
    summary="List active products",
    tags=["catalog"],
    responses=answers(200, "One page of products", 400, model=ProductPageView),
)
def list_products(
    category: Annotated[Category | None, Query(description="one of the six categories")] = None,
    min_price: Annotated[int | None, Query(ge=0, description="cents, inclusive")] = None,
    max_price: Annotated[int | None, Query(ge=0, description="cents, inclusive")] = None,
    tags: Annotated[str | None, Query(max_length=400, description="comma-separated; all must match")] = None,
    q: Annotated[
        str | None, Query(max_length=100, description="words matched in name, description, tags")
    ] = None,
    sort: Annotated[ProductSort, Query()] = ProductSort.NEWEST,
    cursor: Annotated[
        str | None, Query(max_length=2048, description="next_cursor of the previous page")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = DEFAULT_PAGE_SIZE,
) -> Response[str]:
    if min_price is not None and max_price is not None and min_price > max_price:
        raise BadRequest("min_price must not exceed max_price", field="min_price")
    tag_list = tuple(tag.strip() for tag in (tags or "").split(",") if tag.strip())
    if q is not None and q.strip() and not search_terms(q):
        raise BadRequest("q has no searchable words", field="q")
    filters = ProductFilters(
        category=category, min_price=min_price, max_price=max_price, tags=tag_list, q=q, sort=sort
    )
    page = shared_catalog().list_products(filters, limit=limit, cursor=cursor)
    # Listings and product reads are the hot paths: a ready JSON body skips the resolver's generic
    # (and, for dozens of products, slow) response encoder.
    return json_response(
        HTTPStatus.OK,
        {
            "items": [product.public_view() for product in page.products],
            "count": len(page.products),
            "total": page.total,
            "next_cursor": page.next_cursor,
        },
    )


@app.get(
    "/products/<product_id>",
    summary="One product (administrators also see archived ones)",
    tags=["catalog"],
    responses=answers(200, "The product", 404, model=ProductView),
)
def get_product(product_id: ProductIdPath) -> Response[str]:
    # Partners call /partner/products/... with an API key and no Cognito claims: never admins.
    is_admin = caller_of(app).is_admin
    product = shared_catalog().product(product_id, include_unlisted=is_admin)
    return json_response(HTTPStatus.OK, product.public_view(for_admin=is_admin))


@app.get(
    "/categories",
    summary="The six categories with their active product counts",
    tags=["catalog"],
    responses=answers(200, "`categories`: each with its `name` and `product_count`"),
)
def list_categories() -> dict[str, Any]:
    return {
        "categories": [
            {"name": entry.name, "product_count": entry.product_count}
            for entry in shared_catalog().categories()
        ]
    }


@app.get(
    "/featured",
    summary="Featured products, newest first",
    tags=["catalog"],
    responses=answers(200, "`items`: the featured products"),
)
def list_featured(limit: Annotated[int, Query(ge=1, le=MAX_SHOWCASE)] = FEATURED_LIMIT) -> dict[str, Any]:
    return {"items": [product.public_view() for product in shared_catalog().featured(limit)]}


@app.get(
    "/bestsellers",
    summary="Best-selling products",
    tags=["catalog"],
    responses=answers(200, "`items`: the best-selling products"),
)
def list_bestsellers(
    limit: Annotated[int, Query(ge=1, le=MAX_SHOWCASE)] = BESTSELLER_LIMIT,
) -> dict[str, Any]:
    return {"items": [product.public_view() for product in shared_catalog().bestsellers(limit)]}


@app.post(
    "/products",
    summary="Create a product (administrators)",
    tags=["admin"],
    responses=answers(201, "The new product", 400, 403, 429, model=ProductView),
)
def create_product(draft: ProductDraft) -> Response[str]:
    actor = limit_admin(caller_of(app))
    product = shared_catalog().create(draft)
    logger.info("product created", extra={"product_id": product.product_id})
    view = product.public_view(for_admin=True)
    audit_log.record(actor, "product.create", f"product#{product.product_id}", None, view)
    return json_response(HTTPStatus.CREATED, view)


def _admin_view(product_id: str) -> dict[str, Any] | None:
    """The product as stored right now (not as cached): the audit log's `before`."""
    current = shared_catalog().repository.get(product_id, consistent=True)
    return current.public_view(for_admin=True) if current else None


@app.put(
    "/products/<product_id>",
    summary="Change the fields sent (administrators)",
    tags=["admin"],
    responses=answers(200, "The product as changed", 400, 403, 404, 429),
)
def update_product(product_id: ProductIdPath, changes: ProductChanges) -> dict[str, Any]:
    actor = limit_admin(caller_of(app))
    before = _admin_view(product_id)
    product = shared_catalog().update(product_id, changes)
    logger.info("product updated", extra={"product_id": product_id, "cache_version": product.cache_version})
    view = product.public_view(for_admin=True)
    audit_log.record(actor, "product.update", f"product#{product_id}", before, view)
    return view


@app.delete(
    "/products/<product_id>",
    summary="Archive a product (soft delete, administrators)",
    tags=["admin"],
    responses=answers(200, "The archived product", 403, 404, 429),
)
def archive_product(product_id: ProductIdPath) -> dict[str, Any]:
    actor = limit_admin(caller_of(app))
    before = _admin_view(product_id)
    product = shared_catalog().archive(product_id)
    logger.info("product archived", extra={"product_id": product_id})
    view = product.public_view(for_admin=True)
    audit_log.record(actor, "product.archive", f"product#{product_id}", before, view)
    return view


@app.get(
    "/admin/products",
    summary="Every product, archived ones too (administrators)",
    tags=["admin"],
    responses=answers(200, "One page of products", 400, 403, 429, model=AdminProductPageView),
)
def list_admin_products(
    status: Annotated[AdminStatusFilter, Query()] = AdminStatusFilter.ALL,
    category: Annotated[Category | None, Query(description="one of the six categories")] = None,
    q: Annotated[
        str | None, Query(max_length=100, description="words matched in name, description, tags")
    ] = None,
    low_stock: Annotated[bool, Query(description="only stock_quantity <= low_stock_threshold")] = False,
    cursor: Annotated[
        str | None, Query(max_length=2048, description="next_cursor of the previous page")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_ADMIN_PAGE_SIZE)] = DEFAULT_ADMIN_PAGE_SIZE,
) -> Response[str]:
    limit_admin(caller_of(app))
    if q is not None and q.strip() and not search_terms(q):
        raise BadRequest("q has no searchable words", field="q")
    threshold = low_stock_threshold()
    filters = AdminProductFilters(
        status=status, category=category, q=q, low_stock_threshold=threshold if low_stock else None
    )
    # Administrators edit what they list: read DynamoDB, not the catalog cache.
    page = admin_product_page(shared_catalog().repository, filters, limit=limit, cursor=cursor)
    return json_response(
        HTTPStatus.OK,
        {
            "items": [product.public_view(for_admin=True) for product in page.products],
            "next_cursor": page.next_cursor,
            "low_stock_threshold": threshold,
        },
    )


@app.post(
    "/admin/product-images",
    summary="A presigned S3 POST for one product image (administrators)",
    tags=["admin"],
    responses=answers(201, "Where and how to upload the image", 400, 403, 429, model=ImageUploadView),
)
def presign_product_image(request: ImageUploadRequest) -> Response[str]:
    actor = limit_admin(caller_of(app))
    upload = presign_image_upload(request)
    logger.info("product image upload presigned", extra={"key": upload.key})
    audit_log.record(
        actor,
        "product_image.presign",
        f"product-image#{upload.key}",
        None,
        {"content_type": request.content_type, "file_name": request.file_name},
    )
    return json_response(HTTPStatus.CREATED, upload.view())


@app.post(
    "/admin/product-files",
    summary="A presigned S3 POST for one file of a digital product, new or replacing one (administrators)",
    tags=["admin"],
    responses=answers(201, "Where and how to upload the file", 400, 403, 429, model=FileUploadView),
)
def presign_product_file(request: FileUploadRequest) -> Response[str]:
    actor = limit_admin(caller_of(app))
    upload = presign_file_upload(request)
    logger.info("product file upload presigned", extra={"key": upload.key, "replaces": request.replaces})
    # The product's own audit entry (product.update) then records which file it names from when on.
    audit_log.record(
        actor,
        "product_file.replace" if request.replaces else "product_file.upload",
        f"product-file#{upload.file_id}",
        None,
        {"key": upload.key, "content_type": request.content_type, "file_name": request.file_name},
    )
    return json_response(HTTPStatus.CREATED, upload.view())


@app.get(
    "/sitemap.xml",
    summary="The site's sitemap: home, shop, categories, every active product, the policy pages",
    tags=["catalog"],
    responses=answers(
        200, "A sitemap (sitemaps.org 0.9)", content={SITEMAP_CONTENT_TYPE: {"schema": {"type": "string"}}}
    ),
)
def sitemap() -> Response[str]:
    return Response(
        status_code=HTTPStatus.OK,
        content_type=SITEMAP_CONTENT_TYPE,
        body=sitemap_xml(_site_origin(), shared_catalog().sitemap_entries()),
        # CloudFront and crawlers may keep it an hour; the stage cache is flushed on catalog changes.
        headers={"Cache-Control": f"public, max-age={SITEMAP_MAX_AGE_SECONDS}"},
    )


def _site_origin() -> str:
    """The web site's origin (the stage's SITE_URL, else the API's one CORS origin, WEB_ORIGIN); the
    host the request came to when neither names one (a function run outside a stage)."""
    settings = get_settings()
    if settings.site_url:
        return settings.site_url
    if settings.web_origin and settings.web_origin != "*":
        return settings.web_origin
    return f"https://{app.current_event.headers.get('Host') or 'localhost'}"


@app.post(
    "/reviews",
    summary="Review a product (signed in, once per product)",
    tags=["reviews"],
    responses=answers(201, "The review as published", 400, 404, 409, content=json_object()),
)
def submit_review(submission: ReviewSubmission) -> Response[str]:
    caller = caller_of(app)
    user_id = caller.require_signed_in()
    # Only looked up when the shopper typed no name: the profile is one more read.
    display_name = (
        ANONYMOUS_REVIEWER
        if submission.user_name
        else reviewer_name(profile_name=_profile_name(user_id), token_name=_claim("name"), email=caller.email)
    )
    review = shared_reviews().submit(submission, user_id=user_id, display_name=display_name)
    return json_response(HTTPStatus.CREATED, review.public_view())


def _claim(name: str) -> str | None:
    """One claim of the verified ID token (the Caller keeps only those every route needs)."""
    authorizer = app.current_event.request_context.authorizer
    claims = (
        authorizer.raw_event.get("claims") if authorizer and isinstance(authorizer.raw_event, dict) else None
    )
    value = claims.get(name) if isinstance(claims, dict) else None
    return str(value) if value else None


def _profile_name(user_id: str) -> str | None:
    """The name on the shopper's account page (the Users table), None without a profile."""
    # Imported here: accounts is not part of the catalog's cold start, and reviews are rare.
    from shop.accounts.service import Accounts

    profile = Accounts().get(user_id)
    return profile.name if profile else None


@app.get(
    "/reviews/<product_id>",
    summary="A product's reviews, newest first",
    tags=["reviews"],
    responses=answers(200, "`reviews` of one page and the `next_cursor`", 400, 404),
)
def list_reviews(
    product_id: ProductIdPath,
    cursor: Annotated[str | None, Query(max_length=2048)] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_REVIEW_PAGE)] = DEFAULT_REVIEW_PAGE,
) -> dict[str, Any]:
    page = shared_reviews().page(product_id, limit=limit, cursor=cursor)
    return {"reviews": [review.public_view() for review in page.reviews], "next_cursor": page.next_cursor}


@app.post(
    "/reviews/<product_id>/<review_id>/vote",
    summary="Vote a review helpful or not (once)",
    tags=["reviews"],
    responses=answers(200, "The review's vote counts", 404, 409),
)
def vote_on_review(
    product_id: ProductIdPath, review_id: Annotated[ReviewId, Path()], vote: VoteSubmission
) -> dict[str, Any]:
    user_id = caller_of(app).require_signed_in()
    review = shared_reviews().vote(
        product_id=product_id, review_id=review_id, user_id=user_id, helpful=vote.helpful
    )
    return {
        "review_id": review.review_id,
        "helpful_count": review.helpful_count,
        "unhelpful_count": review.unhelpful_count,
    }


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """The Lambda entry point."""
    try:
        return app.resolve(event, context)
    finally:
        cache_counters.publish()
