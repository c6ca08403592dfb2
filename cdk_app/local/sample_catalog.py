"""The local shop's sample catalog: the six categories of seed 001, about 30 products.

Stock levels cover every state a shopper can meet: plenty, low, one sold out, and a digital
download that never runs out. Each digital product comes with a real sample file (a PDF, or a WAV
for the audiobook) that its buyers download.
"""

from __future__ import annotations

import io
import wave
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class SampleProduct:
    sku: str
    name: str
    category: str
    price_cents: int
    stock: int
    description: str
    tags: tuple[str, ...]
    featured: bool = False
    digital: bool = False
    colour: str = "#3b6ea5"


SAMPLE_PRODUCTS: tuple[SampleProduct, ...] = (
    SampleProduct(
        "BK-STUDY-BIBLE",
        "Study Bible",
        "Books",
        4999,
        40,
        "Study Bible with notes, maps and a concordance.",
        ("bible", "study"),
        True,
        colour="#6b3e26",
    ),
    SampleProduct(
        "BK-DEVOTIONAL",
        "365-Day Devotional",
        "Books",
        1899,
        60,
        "A short reading and prayer for every day of the year.",
        ("devotional", "daily"),
    ),
    SampleProduct(
        "BK-HISTORY",
        "A Short History of the Early Church",
        "Books",
        2450,
        15,
        "The first four centuries in plain language.",
        ("history", "church"),
    ),
    SampleProduct(
        "BK-PRAYER",
        "Learning to Pray",
        "Books",
        1599,
        25,
        "A practical guide to a life of prayer.",
        ("prayer",),
    ),
    SampleProduct(
        "BK-FAMILY",
        "Faith at the Family Table",
        "Books",
        2199,
        8,
        "Conversation starters and readings for families.",
        ("family", "devotional"),
    ),
    SampleProduct(
        "BK-COMMENTARY",
        "Commentary on Romans",
        "Books",
        3499,
        0,
        "Verse by verse through Paul's letter. Back soon.",
        ("commentary", "study"),
    ),
    SampleProduct(
        "AP-TEE-CROSS",
        "Cross T-Shirt",
        "Apparel",
        2200,
        120,
        "Soft cotton tee with a simple cross print.",
        ("tshirt", "cotton"),
        True,
        colour="#1f6feb",
    ),
    SampleProduct(
        "AP-HOODIE",
        "Grace Hoodie",
        "Apparel",
        4500,
        35,
        "Heavyweight hoodie, embroidered front.",
        ("hoodie", "winter"),
    ),
    SampleProduct(
        "AP-CAP",
        "Embroidered Cap",
        "Apparel",
        1800,
        50,
        "Adjustable cap with an embroidered logo.",
        ("hat", "cap"),
    ),
    SampleProduct(
        "AP-BEANIE", "Knit Beanie", "Apparel", 1600, 4, "Warm knit beanie, one size.", ("hat", "winter")
    ),
    SampleProduct(
        "AP-POLO",
        "Volunteer Polo",
        "Apparel",
        2800,
        70,
        "Breathable polo for event volunteers.",
        ("polo", "events"),
    ),
    SampleProduct(
        "RS-VOTER-GUIDE",
        "Voter Guide 2026",
        "Resources",
        500,
        500,
        "Candidate positions on the issues, side by side.",
        ("voter", "guide"),
        True,
        colour="#8250df",
    ),
    SampleProduct(
        "RS-STUDY-GUIDE",
        "Small-Group Study Guide",
        "Resources",
        1200,
        80,
        "Eight sessions with questions for discussion.",
        ("study", "group"),
    ),
    SampleProduct(
        "RS-CURRICULUM",
        "Youth Curriculum Box",
        "Resources",
        8900,
        12,
        "Twelve weeks of lessons, handouts and leader notes.",
        ("youth", "curriculum"),
    ),
    SampleProduct(
        "RS-CIVICS",
        "Civics Pocket Guide",
        "Resources",
        700,
        200,
        "The Constitution and Bill of Rights in your pocket.",
        ("civics", "guide"),
    ),
    SampleProduct(
        "DD-EBOOK-HOPE",
        "Hope Rising (e-book)",
        "Digital Downloads",
        999,
        0,
        "E-book edition: read on any device, download after payment.",
        ("ebook",),
        True,
        True,
        "#0f7b6c",
    ),
    SampleProduct(
        "DD-COURSE",
        "Foundations Video Course",
        "Digital Downloads",
        4900,
        0,
        "Ten video lessons with printable notes.",
        ("video", "course"),
        digital=True,
    ),
    SampleProduct(
        "DD-PDF-PLANNER",
        "Prayer Planner (PDF)",
        "Digital Downloads",
        600,
        0,
        "A printable planner for a year of prayer.",
        ("pdf", "planner"),
        digital=True,
    ),
    SampleProduct(
        "DD-AUDIO",
        "Psalms Audiobook",
        "Digital Downloads",
        1499,
        0,
        "The Psalms read aloud, MP3.",
        ("audio",),
        digital=True,
    ),
    SampleProduct(
        "MC-MUG",
        "Morning Grace Mug",
        "Merchandise",
        1400,
        90,
        "Ceramic mug, 12 oz, dishwasher safe.",
        ("mug", "kitchen"),
        True,
        colour="#bf8700",
    ),
    SampleProduct(
        "MC-STICKERS",
        "Sticker Pack",
        "Merchandise",
        600,
        300,
        "Ten weatherproof vinyl stickers.",
        ("stickers",),
    ),
    SampleProduct(
        "MC-POSTER",
        "Beatitudes Poster",
        "Merchandise",
        1900,
        25,
        "18x24 in poster on heavy matte paper.",
        ("poster", "art"),
    ),
    SampleProduct("MC-TOTE", "Canvas Tote", "Merchandise", 1700, 3, "Sturdy canvas tote bag.", ("bag",)),
    SampleProduct(
        "MC-BOOKMARK",
        "Leather Bookmark",
        "Merchandise",
        900,
        150,
        "Hand-stamped leather bookmark.",
        ("bookmark", "leather"),
    ),
    SampleProduct(
        "MC-CALENDAR",
        "2027 Wall Calendar",
        "Merchandise",
        1500,
        45,
        "Scripture and photography for every month.",
        ("calendar",),
    ),
    SampleProduct(
        "MT-SERMONS",
        "Sermon Outline Pack",
        "Ministry Tools",
        2900,
        100,
        "52 sermon outlines with illustrations.",
        ("sermon", "pastor"),
        True,
        colour="#cf222e",
    ),
    SampleProduct(
        "MT-GRAPHICS",
        "Church Graphics Package",
        "Ministry Tools",
        3900,
        100,
        "Slides, social images and bulletin covers.",
        ("graphics", "media"),
    ),
    SampleProduct(
        "MT-GREETER",
        "Greeter Team Kit",
        "Ministry Tools",
        5500,
        10,
        "Name badges, lanyards and a training guide.",
        ("volunteers",),
    ),
    SampleProduct(
        "MT-VBS",
        "VBS Planning Binder",
        "Ministry Tools",
        6400,
        6,
        "Everything to plan a week of vacation Bible school.",
        ("vbs", "kids"),
    ),
    SampleProduct(
        "MT-COUNSEL",
        "Pastoral Care Handbook",
        "Ministry Tools",
        3200,
        20,
        "Visits, crises and care plans.",
        ("care", "pastor"),
    ),
)

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
    lines = (product.description, "A sample file of the local shop.", f"SKU {product.sku}")
    return SampleFile(f"{stem}.pdf", "application/pdf", sample_pdf(product.name, lines))


def product_image_svg(product: SampleProduct) -> str:
    """A small labelled picture per product, so the local site has real images to show."""
    initials = "".join(word[0] for word in product.name.split()[:2]).upper()
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" width="480" height="360" viewBox="0 0 480 360">'
        f'<rect width="480" height="360" fill="{product.colour}"/>'
        '<text x="240" y="200" font-family="sans-serif" font-size="120" fill="#ffffff" '
        f'text-anchor="middle">{initials}</text></svg>\n'
    )


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
