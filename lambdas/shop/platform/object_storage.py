"""S3 for the functions that presign: browser uploads (POST forms) and short-lived downloads (GET URLs).

Presigning is a local computation with the function's own credentials, so what a URL allows is what
the function's role may do, for as long as the URL says. The client is built on first use (never at
import), once per process.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from shop.platform.process_state import per_process


@dataclass(frozen=True)
class PresignedPost:
    url: str
    fields: dict[str, str]


@per_process
def s3_client() -> Any:
    import boto3
    from botocore.config import Config

    # SigV4 explicitly (this botocore still signs presigned POSTs with SigV2 by default); "virtual"
    # addressing gives the regional host outside us-east-1, where the global one would answer a
    # new bucket's uploads with a redirect the browser cannot follow. A custom AWS_ENDPOINT_URL
    # (moto locally) keeps path-style URLs either way.
    return boto3.client("s3", config=Config(signature_version="s3v4", s3={"addressing_style": "virtual"}))


def presign_post(
    *, bucket: str, key: str, content_type: str, max_bytes: int, expires_in: int
) -> PresignedPost:
    """A POST form that puts one object of this type and at most `max_bytes` at exactly `key`."""
    post = s3_client().generate_presigned_post(
        Bucket=bucket,
        Key=key,  # boto3 adds the exact-key and bucket conditions itself
        Fields={"Content-Type": content_type},
        Conditions=[{"Content-Type": content_type}, ["content-length-range", 1, max_bytes]],
        ExpiresIn=expires_in,
    )
    return PresignedPost(url=str(post["url"]), fields={k: str(v) for k, v in post["fields"].items()})


def attachment(file_name: str) -> str:
    """A Content-Disposition that saves the download under `file_name` (RFC 6266, with a UTF-8 form)."""
    plain = "".join(ch if ch.isascii() and ch.isprintable() and ch not in '"\\' else "_" for ch in file_name)
    return f"attachment; filename=\"{plain}\"; filename*=UTF-8''{quote(file_name, safe='')}"


def presign_get(*, bucket: str, key: str, expires_in: int, file_name: str, content_type: str) -> str:
    """A URL that reads `key` for `expires_in` seconds, saved by the browser as `file_name`."""
    url: str = s3_client().generate_presigned_url(
        "get_object",
        Params={
            "Bucket": bucket,
            "Key": key,
            "ResponseContentDisposition": attachment(file_name),
            "ResponseContentType": content_type,
        },
        ExpiresIn=expires_in,
    )
    return url
