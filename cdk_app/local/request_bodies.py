"""Reading an HTTP request's body the way API Gateway accepts one: at most 10 MB, framed honestly.

The body is framed by its Content-Length or by chunked transfer coding. An oversized body is refused
from its declared length before a byte of it is read, a chunked one as soon as it passes the limit, so
the local shop never buffers more than the limit. Every refusal is an UnreadableBody carrying the
status and words to answer with; the caller closes the connection after it, since the rest of the
body may still be on the wire.
"""

from __future__ import annotations

import re
from email.message import Message
from typing import Protocol

from cdk_app.local.api_gateway import MAX_PAYLOAD_BYTES

_DECIMAL = re.compile(r"[0-9]+")
_HEX = re.compile(rb"[0-9A-Fa-f]+")
# A chunk-size line is a few hex digits and perhaps an extension; a longer one is not a chunk header.
MAX_CHUNK_LINE = 1024
MAX_TRAILER_LINES = 100


class ByteStream(Protocol):
    """What a body is read from: the request's buffered socket file (or BytesIO in tests)."""

    def read(self, size: int, /) -> bytes: ...

    def readline(self, size: int, /) -> bytes: ...


class UnreadableBody(Exception):
    """The request's body cannot be taken: answer `status` with `message` and close the connection."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def too_large() -> UnreadableBody:
    return UnreadableBody(413, "Request Too Long")


def declared_length(headers: Message) -> int | None:
    """The body's Content-Length, or None without one; UnreadableBody when it is not one number."""
    values = {value.strip() for value in headers.get_all("Content-Length") or []}
    if not values:
        return None
    if len(values) > 1 or not _DECIMAL.fullmatch(next(iter(values))):
        raise UnreadableBody(400, "Invalid Content-Length")
    return int(next(iter(values)))


def read_body(stream: ByteStream, headers: Message, *, limit: int = MAX_PAYLOAD_BYTES) -> bytes:
    """The request's body from `stream`, which raises TimeoutError when the client stops sending."""
    try:
        coding = (headers.get("Transfer-Encoding") or "").strip().lower()
        if coding:
            if coding != "chunked":
                raise UnreadableBody(400, f"Unsupported Transfer-Encoding: {coding}")
            return _read_chunked(stream, limit)
        length = declared_length(headers) or 0
        if length > limit:
            raise too_large()
        return _read_exactly(stream, length)
    except TimeoutError:
        raise UnreadableBody(408, "Request body incomplete: fewer bytes arrived than declared") from None


def _read_exactly(stream: ByteStream, length: int) -> bytes:
    data = stream.read(length) if length else b""
    if len(data) < length:
        raise UnreadableBody(400, "Request body shorter than its Content-Length")
    return data


def _read_chunked(stream: ByteStream, limit: int) -> bytes:
    body = bytearray()
    while True:
        size_field = stream.readline(MAX_CHUNK_LINE).split(b";", 1)[0].strip()
        if not _HEX.fullmatch(size_field):
            raise UnreadableBody(400, "Invalid chunked request body")
        size = int(size_field, 16)
        if size == 0:
            break
        if len(body) + size > limit:
            raise too_large()
        body += _read_exactly(stream, size)
        if stream.readline(MAX_CHUNK_LINE).strip():
            raise UnreadableBody(400, "Invalid chunked request body")
    for _ in range(MAX_TRAILER_LINES):
        if not stream.readline(MAX_CHUNK_LINE).strip():
            return bytes(body)
    raise UnreadableBody(400, "Invalid chunked request body")
