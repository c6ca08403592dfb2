"""Product images: administrators upload them from the browser straight to S3 with a presigned POST.

The key is `product-images/products/<uuid4 hex>.<ext>`, never derived from the file name (no path
tricks, no collisions). CloudFront serves the bucket's `product-images/*` at the same path of the web
site, so the key is also the image's site-relative URL. S3 enforces the policy's conditions: this key
only, the declared Content-Type, 1 byte to 5 MiB, within 5 minutes.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from shop.contracts.environment import PRODUCT_IMAGES_BUCKET
from shop.contracts.product_images import KEY_PREFIX
from shop.platform.object_storage import presign_post
from shop.platform.settings import MissingSetting, get_settings

IMAGE_CONTENT_TYPES = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp", "image/gif": "gif"}
MAX_IMAGE_BYTES = 5 * 1024 * 1024
UPLOAD_EXPIRES_SECONDS = 300

ImageContentType = Literal["image/jpeg", "image/png", "image/webp", "image/gif"]


class ImageUploadRequest(BaseModel):
    """What the admin page asks for before uploading one file."""

    model_config = ConfigDict(extra="forbid")

    content_type: ImageContentType
    file_name: str = Field(min_length=1, max_length=200, description="shown in the audit log only")


class PresignedUpload(BaseModel):
    url: str = Field(description="POST a multipart form here: every field, then `file` last")
    fields: dict[str, str]


class ImageUploadView(BaseModel):
    """The answer of POST /admin/product-images."""

    key: str = Field(description="the S3 object key the upload must use")
    image_url: str = Field(description="site-relative URL of the image once uploaded")
    upload: PresignedUpload
    max_bytes: int
    expires_in: int = Field(description="seconds the upload form stays valid")


@dataclass(frozen=True)
class ImageUpload:
    key: str
    url: str
    fields: dict[str, str]

    @property
    def image_url(self) -> str:
        return self.key

    def view(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "image_url": self.image_url,
            "upload": {"url": self.url, "fields": self.fields},
            "max_bytes": MAX_IMAGE_BYTES,
            "expires_in": UPLOAD_EXPIRES_SECONDS,
        }


def new_image_key(content_type: str) -> str:
    return f"{KEY_PREFIX}{uuid.uuid4().hex}.{IMAGE_CONTENT_TYPES[content_type]}"


def presign_image_upload(request: ImageUploadRequest) -> ImageUpload:
    """A POST form that lets the browser put one image, of the declared type and size, at a new key."""
    bucket = get_settings().product_images_bucket
    if not bucket:
        raise MissingSetting(
            f"the product-images bucket is not in this function's environment ({PRODUCT_IMAGES_BUCKET})"
        )
    key = new_image_key(request.content_type)
    post = presign_post(
        bucket=bucket,
        key=key,
        content_type=request.content_type,
        max_bytes=MAX_IMAGE_BYTES,
        expires_in=UPLOAD_EXPIRES_SECONDS,
    )
    return ImageUpload(key=key, url=post.url, fields=post.fields)
