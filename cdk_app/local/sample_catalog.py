"""The local shop's sample data: the products (sample_products), accounts, files and promotions.

Each digital product comes with a real sample file (a PDF, or a WAV for the audiobook) that its buyers
download. The products' pictures are drawn by product_art; the reviews are in sample_reviews.
"""

from __future__ import annotations

import io
import textwrap
import wave
from dataclasses import dataclass
from typing import Any

# Re-exported: the tests and the seed import the products from here, as before the table moved out.
from cdk_app.local.sample_products import SAMPLE_PRODUCTS as SAMPLE_PRODUCTS
from cdk_app.local.sample_products import SampleProduct as SampleProduct

ADMIN_EMAIL = "admin@shop.local"
SHOPPER_EMAIL = "shopper@shop.local"
# Local-only accounts on a local user pool; printed by the runner so a newcomer can sign in.
LOCAL_PASSWORD = "Local-Shop-2026!"  # noqa: S105 - a documented demo password for the local pool only


@dataclass(frozen=True)
class SampleFile:
    file_name: str
    content_type: str
    body: bytes


def _pdf_text(text: str) -> str:
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def sample_pdf(title: str, lines: tuple[str, ...]) -> bytes:
    """A one-page PDF (Helvetica, no compression) that any reader opens: a title and a few lines."""
    text = [f"BT /F1 20 Tf 72 720 Td ({_pdf_text(title)}) Tj ET"]
    text += [f"BT /F1 12 Tf 72 {690 - 18 * n} Td ({_pdf_text(line)}) Tj ET" for n, line in enumerate(lines)]
    stream = "\n".join(text)
    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R"
        " /Resources << /Font << /F1 5 0 R >> >> >>",
        f"<< /Length {len(stream.encode('latin-1'))} >>\nstream\n{stream}\nendstream",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    document = b"%PDF-1.4\n"
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(document))
        document += f"{number} 0 obj\n{body}\nendobj\n".encode("latin-1")
    xref = len(document)
    document += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    document += "".join(f"{offset:010d} 00000 n \n" for offset in offsets).encode()
    document += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return document


def _silence_wav(seconds: float = 1.0, rate: int = 8000) -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as audio:
        audio.setnchannels(1)
        audio.setsampwidth(1)
        audio.setframerate(rate)
        audio.writeframes(b"\x80" * int(seconds * rate))
    return buffer.getvalue()


def sample_file(product: SampleProduct) -> SampleFile:
    """What a buyer of the (digital) sample product downloads."""
    stem = product.sku.lower()
    if "audio" in product.tags:
        return SampleFile(f"{stem}-sample.wav", "audio/wav", _silence_wav())
    # The description wrapped to the page's width (a PDF line does not wrap by itself).
    lines = (
        *textwrap.wrap(product.description, 80),
        "A sample file of the local shop.",
        f"SKU {product.sku}",
    )
    return SampleFile(f"{stem}.pdf", "application/pdf", sample_pdf(product.name, lines))


# The promotions the seed creates through POST /admin/promotions: the starting codes every stage gets
# (shop.contracts.starting_promotions; a unit test keeps the two lists equal, as the runner does not
# import lambdas/).
SAMPLE_PROMOTIONS: tuple[dict[str, Any], ...] = (
    {"code": "WELCOME10", "kind": "percent", "value": 10, "description": "10 % off"},
    {
        "code": "SHIP5",
        "kind": "fixed",
        "value": 500,
        "min_subtotal": 2500,
        "description": "$5 off orders from $25",
    },
)


def describe_promotion(terms: dict[str, Any]) -> str:
    """A promotion in a few words, e.g. "SHIP5 ($5 off orders from $25)" (the banner and the README)."""
    kind, value, minimum = terms["kind"], terms.get("value", 0), terms.get("min_subtotal", 0)
    if kind == "percent":
        off = f"{value}% off"
    elif kind == "fixed":
        off = f"${value / 100:g} off"
    else:
        off = "free shipping"
    return f"{terms['code']} ({off}{f' orders from ${minimum / 100:g}' if minimum else ''})"
