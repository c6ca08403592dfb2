"""Where product images live: the bucket key prefix the upload grant names and CloudFront serves."""

from __future__ import annotations

# The URL prefix CloudFront routes to the bucket; the objects carry it in their key.
SITE_PATH_PREFIX = "product-images"
KEY_PREFIX = f"{SITE_PATH_PREFIX}/products/"
