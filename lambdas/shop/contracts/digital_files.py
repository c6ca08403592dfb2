"""Digital products' files: the private bucket's key layout, what may be uploaded, and the download
routes. Shared by the stacks (grants, request models) and the Lambda code (presigns, links)."""

from __future__ import annotations

# Every file is stored under this prefix of the DigitalFiles bucket (Data stack): shop_api may put
# objects here, order_api may get them, nothing else may do either (and nothing may list them).
KEY_PREFIX = "files/"
# `files/<file id>/<version id>`: a replaced file keeps its id (buyers' links keep working) and gets
# a new version key; neither part is ever derived from the file's name.
KEY_PATTERN = r"^files/[0-9a-f]{32}/[0-9a-f]{32}$"
FILE_ID_PATTERN = r"^[0-9a-f]{32}$"

# What an administrator may upload as a product's file (the presign's Content-Type condition).
CONTENT_TYPES = (
    "application/pdf",
    "application/epub+zip",
    "application/zip",
    "audio/mpeg",
    "audio/wav",
    "video/mp4",
    "image/png",
    "image/jpeg",
    "text/plain",
)
MAX_FILE_BYTES = 2 * 1024 * 1024 * 1024  # 2 GiB: a video course; S3 POST allows 5 GiB

# The download routes (answers: 302 to a presigned GET of the file). The guest variant takes the
# order's access token, its emailed link token, or the download token of the orders page.
DOWNLOAD_PATH = "/orders/{id}/downloads/{product_id}"
GUEST_DOWNLOAD_PATH = f"/guest{DOWNLOAD_PATH}"
