"""Digital products' files: administrators upload them from the browser to the private DigitalFiles
bucket with a presigned POST, then save the product with the file's reference (`DigitalFile`).

The key is `files/<file id>/<version id>`, both random hex and never derived from the file's name. A
new file gets a new file id; replacing a file keeps its id (so buyers' links keep naming it) and gets
a new version key, leaving the old object in place for nobody to read. S3 enforces the policy's
conditions: this key only, the declared Content-Type, 1 byte to MAX_FILE_BYTES, within 5 minutes.
Nothing here can read or list the bucket: shop_api may only put objects under `files/`.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from shop.catalog.images import PresignedUpload
from shop.catalog.model import FileName
from shop.contracts.digital_files import CONTENT_TYPES, FILE_ID_PATTERN, KEY_PREFIX, MAX_FILE_BYTES
from shop.contracts.environment import DIGITAL_FILES_BUCKET
from shop.platform.object_storage import presign_post
from shop.platform.settings import MissingSetting, get_settings

UPLOAD_EXPIRES_SECONDS = 300


class FileUploadRequest(BaseModel):
    """What the admin page asks for before uploading one file of a digital product."""

    model_config = ConfigDict(extra="forbid")

    content_type: str = Field(description="one of " + ", ".join(CONTENT_TYPES))
    file_name: FileName
    replaces: str | None = Field(
        default=None, pattern=FILE_ID_PATTERN, description="the file_id of the file this upload replaces"
    )

    @field_validator("content_type")
    @classmethod
    def _uploadable(cls, value: str) -> str:
        if value not in CONTENT_TYPES:
            raise ValueError(f"must be one of {', '.join(CONTENT_TYPES)}")
        return value


class FileUploadView(BaseModel):
    """The answer of POST /admin/product-files."""

    file_id: str = Field(description="the file's id: new, or the replaced file's")
    key: str = Field(description="the S3 object key the upload must use; save it in digital_files")
    upload: PresignedUpload
    max_bytes: int
    expires_in: int = Field(description="seconds the upload form stays valid")


@dataclass(frozen=True)
class FileUpload:
    file_id: str
    key: str
    url: str
    fields: dict[str, str]

    def view(self) -> dict[str, Any]:
        return {
            "file_id": self.file_id,
            "key": self.key,
            "upload": {"url": self.url, "fields": self.fields},
            "max_bytes": MAX_FILE_BYTES,
            "expires_in": UPLOAD_EXPIRES_SECONDS,
        }


def new_file_key(file_id: str) -> str:
    return f"{KEY_PREFIX}{file_id}/{uuid.uuid4().hex}"


def presign_file_upload(request: FileUploadRequest) -> FileUpload:
    """A POST form that lets the browser put one file, of the declared type and size, at a new key."""
    bucket = get_settings().digital_files_bucket
    if not bucket:
        raise MissingSetting(
            f"the digital-files bucket is not in this function's environment ({DIGITAL_FILES_BUCKET})"
        )
    file_id = request.replaces or uuid.uuid4().hex
    key = new_file_key(file_id)
    post = presign_post(
        bucket=bucket,
        key=key,
        content_type=request.content_type,
        max_bytes=MAX_FILE_BYTES,
        expires_in=UPLOAD_EXPIRES_SECONDS,
    )
    return FileUpload(file_id=file_id, key=key, url=post.url, fields=post.fields)
