"""The local runner reads a request's body as API Gateway accepts one (cdk_app.local.request_bodies):
framed by Content-Length or chunks, at most 10 MB, refused with a status and words otherwise."""

from __future__ import annotations

import io
from email.message import Message

import pytest

from cdk_app.local.request_bodies import UnreadableBody, read_body


def headers(**values: str) -> Message:
    message = Message()
    for name, value in values.items():
        message[name.replace("_", "-")] = value
    return message


class StalledStream(io.BytesIO):
    """A client that sent what it had and then went quiet: the socket's timeout fires."""

    def read(self, size: int | None = -1, /) -> bytes:
        data = super().read(size)
        if size is not None and size > len(data):
            raise TimeoutError("timed out")
        return data


def refusal(stream: io.BytesIO, message: Message, *, limit: int = 100) -> UnreadableBody:
    with pytest.raises(UnreadableBody) as refused:
        read_body(stream, message, limit=limit)
    return refused.value


def test_a_body_is_read_to_its_content_length_and_no_further() -> None:
    stream = io.BytesIO(b'{"a": 1}GET / HTTP/1.1')
    assert read_body(stream, headers(Content_Length="8")) == b'{"a": 1}'
    assert stream.read() == b"GET / HTTP/1.1"


def test_no_content_length_is_an_empty_body() -> None:
    assert read_body(io.BytesIO(b"ignored"), headers()) == b""


def test_over_the_limit_is_a_413_before_a_byte_is_read() -> None:
    stream = io.BytesIO(b"x" * 10)
    refused = refusal(stream, headers(Content_Length="101"))
    assert (refused.status, refused.message) == (413, "Request Too Long")
    assert stream.tell() == 0


@pytest.mark.parametrize("length", ["abc", "-1", "+5", "1.0", "", "٣"])
def test_a_content_length_that_is_not_a_decimal_number_is_a_400(length: str) -> None:
    refused = refusal(io.BytesIO(b"{}"), headers(Content_Length=length))
    assert (refused.status, refused.message) == (400, "Invalid Content-Length")


def test_two_different_content_lengths_are_a_400() -> None:
    message = headers(Content_Length="2")
    message["Content-Length"] = "3"
    assert refusal(io.BytesIO(b"{}x"), message).status == 400


def test_a_body_that_ends_early_is_a_400_and_one_that_stalls_a_408() -> None:
    assert refusal(io.BytesIO(b"{}"), headers(Content_Length="5")).status == 400
    assert refusal(StalledStream(b"{}"), headers(Content_Length="5")).status == 408


def test_a_chunked_body_is_joined_and_its_trailers_skipped() -> None:
    stream = io.BytesIO(b'2;ext=1\r\n{"\r\n3\r\na":\r\n2\r\n1}\r\n0\r\nX-Trailer: yes\r\n\r\nNEXT')
    assert read_body(stream, headers(Transfer_Encoding="chunked")) == b'{"a":1}'
    assert stream.read() == b"NEXT"


def test_a_chunked_body_over_the_limit_is_a_413_at_the_chunk_that_passes_it() -> None:
    stream = io.BytesIO(b"32\r\n" + b"x" * 50 + b"\r\n33\r\n")
    assert refusal(stream, headers(Transfer_Encoding="chunked"), limit=100).status == 413


@pytest.mark.parametrize("body", [b"zz\r\n", b"-1\r\nx\r\n0\r\n\r\n", b"2\r\n{}XX0\r\n\r\n", b""])
def test_broken_chunks_are_a_400(body: bytes) -> None:
    refused = refusal(io.BytesIO(body), headers(Transfer_Encoding="chunked"))
    assert (refused.status, refused.message) == (400, "Invalid chunked request body")


def test_a_transfer_coding_other_than_chunked_is_a_400() -> None:
    refused = refusal(io.BytesIO(b""), headers(Transfer_Encoding="gzip, chunked"))
    assert refused.status == 400
    assert "gzip" in refused.message
