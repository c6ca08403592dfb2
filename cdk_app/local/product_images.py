"""Product images on the local site: GET /product-images/<key> from the bucket, as CloudFront does in AWS.

In AWS the Web stack's distribution routes `/product-images/*` to the product-images bucket, and the
object keys carry that prefix, so the URL path is the key. Only that prefix is served: the bucket's
other objects stay private here too (and digital products' files are in a bucket of their own).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote

from botocore.exceptions import ClientError

from cdk_app.local.api_gateway import HttpResponse
from cdk_app.local.template_model import BucketModel, ShopModel

# shop.contracts.product_images.SITE_PATH_PREFIX (not imported: the runner does not depend on lambdas/).
PATH_PREFIX = "/product-images/"
_BUCKET_LOGICAL_ID_PREFIX = "ProductImages"
_NOT_FOUND = HttpResponse(404, [("Content-Type", "text/plain")], b"Not found")


def product_images_bucket(model: ShopModel) -> BucketModel | None:
    """The Data stack's product-images bucket, if the templates declare one."""
    return next(
        (
            bucket
            for bucket in model.buckets
            if bucket.address.logical_id.startswith(_BUCKET_LOGICAL_ID_PREFIX)
        ),
        None,
    )


class ProductImageFiles:
    """Reads product images out of the (moto) bucket for the local web server."""

    def __init__(self, s3: Any, bucket: str) -> None:
        self._s3 = s3
        self._bucket = bucket

    @staticmethod
    def serves(path: str) -> bool:
        return path.startswith(PATH_PREFIX)

    def get(self, path: str) -> HttpResponse:
        if not self.serves(path):
            return _NOT_FOUND
        # An S3 key is a plain string (no directories to escape): the path, decoded, is the key.
        key = unquote(path).lstrip("/")
        try:
            found = self._s3.get_object(Bucket=self._bucket, Key=key)
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in ("NoSuchKey", "404", "NoSuchBucket"):
                return _NOT_FOUND
            raise
        headers = [
            ("Content-Type", str(found.get("ContentType") or "application/octet-stream")),
            # Keys are random and never rewritten: as cacheable as CloudFront's CachingOptimized policy.
            ("Cache-Control", "public, max-age=86400"),
        ]
        return HttpResponse(200, headers, found["Body"].read())
