"""The objects product_art draws, one function per kind (`SampleProduct.art`), on its 800x600 canvas:
books, apparel and digital downloads here, the other categories' objects in product_art_things.

Each returns the SVG body and its extra gradients; coordinates are whole pixels of the canvas. Shapes
are shaded with the shared `sheen` gradient and stand on a soft `shadow` ellipse (no blur filters:
cheaper to paint on a phone).
"""

from __future__ import annotations

import math
from collections.abc import Callable

from cdk_app.local.product_art_svg import (
    DEVICE,
    GOLD,
    PAPER,
    SERIF,
    Body,
    canvas,
    cover,
    cover_gradient,
    darker,
    emblem,
    ink_on,
    is_light,
    lighter,
    line_lengths,
    linear,
    shadow,
    text,
    text_bars,
    title_lines,
    wrap,
)
from cdk_app.local.product_art_things import (
    badge,
    binder,
    booklet,
    bookmark,
    box,
    calendar,
    mug,
    papers,
    poster,
    screens,
    stickers,
    tote,
    workbook,
)
from cdk_app.local.sample_products import SampleColour, SampleProduct

# -- books -------------------------------------------------------------------------------------------


def book(product: SampleProduct, view: str) -> Body:
    colour = product.colour
    defs = cover_gradient(colour)
    if view == "inside":
        return _spread(product), defs
    if view == "back":
        blurb = wrap(product.description.split(". ")[0] + ".", 26)[:6]
        lines = "".join(
            text(115, 110 + index * 22, line, size=15, fill=PAPER, family=SERIF)
            for index, line in enumerate(blurb)
        )
        bars = "".join(
            f'<rect x="{140 + index * 4}" y="300" width="{1 + ord(char) % 3}" height="44" fill="#111"/>'
            for index, char in enumerate(product.sku[:14])
        )
        back = (
            '<g transform="matrix(1 -.087 0 1 240 120)">'
            '<rect width="230" height="380" rx="4" fill="url(#cover)"/>'
            + title_lines(115, 52, product.name, width=24, size=14, fill=GOLD, family=SERIF)
            + lines
            + f'<rect x="132" y="292" width="74" height="66" fill="#fff"/>{bars}'
            + text(40, 340, f"${product.price_cents / 100:.2f}", size=14, fill=PAPER, anchor="start")
            + '<rect width="230" height="380" fill="url(#sheen)"/></g>'
        )
        spine = (
            '<g transform="matrix(1 .3 0 1 470 100)"><rect width="40" height="380" '
            f'fill="{darker(colour, 0.4)}"/>'
            f'<rect y="40" width="40" height="4" fill="{GOLD}"/><rect y="336" width="40" height="4" '
            f'fill="{GOLD}"/></g>'
        )
        return shadow(380, 505, 190, 22) + back + spine, defs
    spine = (
        '<g transform="matrix(1 -.3 0 1 290 112)"><rect width="40" height="380" '
        f'fill="{darker(colour, 0.4)}"/>'
        f'<rect y="40" width="40" height="4" fill="{GOLD}"/><rect y="336" width="40" height="4" '
        f'fill="{GOLD}"/>'
        + text(
            0,
            0,
            product.name,
            size=13,
            fill=GOLD,
            family=SERIF,
            extra=' transform="translate(25 190) rotate(90)"',
        )
        + "</g>"
    )
    front = (
        f'<g transform="matrix(1 .087 0 1 330 100)">{cover(product, 230, 380)}'
        '<rect width="230" height="380" fill="url(#sheen)"/></g>'
    )
    return shadow(430, 505, 190, 22) + spine + front, defs


def _spread(product: SampleProduct) -> str:
    left = "M400 150C330 128 220 128 150 150V470C220 448 330 448 400 470Z"
    right = "M400 150C470 128 580 128 650 150V470C580 448 470 448 400 470Z"
    gutter = (
        linear("gutter", "#000", "#000", horizontal=True)
        .replace(
            '<stop offset="1" stop-color="#000"/>',
            '<stop offset=".5" stop-color="#000" stop-opacity=".18"/><stop offset="1" stop-color="#000" '
            'stop-opacity="0"/>',
        )
        .replace(
            '<stop offset="0" stop-color="#000"/>', '<stop offset="0" stop-color="#000" stop-opacity="0"/>'
        )
    )
    return (
        f"<defs>{gutter}</defs>{shadow(400, 495, 280, 24)}"
        f'<path d="M140 160C220 138 330 138 400 160C470 138 580 138 660 160V482C580 460 470 460 400 482'
        f'C330 460 220 460 140 482Z" fill="{darker(product.colour, 0.2)}"/>'
        f'<path d="{left}" fill="{PAPER}"/><path d="{right}" fill="{PAPER}"/>'
        + text(
            275,
            205,
            "Chapter One",
            size=22,
            fill=darker(product.colour, 0.1),
            family=SERIF,
            extra=' font-style="italic"',
        )
        + text_bars(185, 240, line_lengths(product.sku, 12, 180), 17, "#cbc3b3")
        + emblem(product.emblem, 525, 200, 0.5, product.colour)
        + text_bars(430, 240, line_lengths(product.name, 12, 185), 17, "#cbc3b3")
        + '<rect x="370" y="140" width="60" height="340" fill="url(#gutter)"/>'
    )


# -- apparel -----------------------------------------------------------------------------------------

TEE = "M330 110C350 128 450 128 470 110L560 140L612 228L556 262L535 236V495H265V236L244 262L188 228L240 140Z"
POLO = "M335 110C355 124 445 124 465 110L556 140L600 226L552 252L535 232V495H265V232L248 252L200 226L244 140Z"
HOODIE = "M320 132H480L575 166L640 420L595 436L545 252V500H255V252L205 436L160 420L225 166Z"


def _garment(outline: str, fabric: str) -> str:
    return (
        f'<path id="g" d="{outline}" fill="{fabric}" stroke="{darker(fabric, 0.25)}" stroke-width="2"/>'
        '<use href="#g" fill="url(#sheen)"/>'
    )


def colour_suffix(product: SampleProduct, colour: SampleColour) -> str:
    """The suffix of a colour's picture: "" for the first colour (it is the main image)."""
    return "" if colour == product.colours[0] else colour.name.lower().replace(" ", "-")


def _colour_of(product: SampleProduct, view: str) -> SampleColour | None:
    if not product.colours:
        return None
    return next((c for c in product.colours if colour_suffix(product, c) == view), product.colours[0])


def apparel(product: SampleProduct, view: str) -> Body:
    colour = _colour_of(product, view)
    fabric = colour.hex if colour else product.colour
    ink, seam = ink_on(fabric), darker(fabric, 0.3)
    kind = product.art
    if kind == "tee":
        if view == "back":
            body = (
                _garment(TEE, fabric)
                + f'<path d="M330 110C350 120 450 120 470 110" fill="none" stroke="{seam}" stroke-width="6"/>'
                + text(400, 200, "JOHN 3:16", size=30, fill=ink, weight="bold", extra=' letter-spacing="4"')
                + text(400, 228, "FOR GOD SO LOVED THE WORLD", size=12, fill=ink, extra=' letter-spacing="2"')
            )
        else:
            body = (
                _garment(TEE, fabric)
                + f'<path d="M330 110C350 142 450 142 470 110" fill="none" stroke="{seam}" stroke-width="8"/>'
                + emblem("cross", 400, 262, 1.3, ink)
                + text(400, 345, "FAITH · HOPE · LOVE", size=15, fill=ink, extra=' letter-spacing="3"')
            )
        return shadow(400, 510, 210, 18) + body, ""
    if kind == "polo":
        collar = lighter(fabric, 0.12) if not is_light(fabric) else darker(fabric, 0.06)
        body = (
            _garment(POLO, fabric)
            + f'<path d="M335 110L400 152L465 110L474 130L400 178L326 130Z" fill="{collar}" '
            f'stroke="{seam}" stroke-width="2"/>'
            + f'<path d="M392 152V236H408V152" fill="none" stroke="{seam}" stroke-width="2"/>'
            + "".join(f'<circle cx="400" cy="{y}" r="4" fill="{seam}"/>' for y in (178, 202, 226))
            + emblem("cross", 470, 240, 0.35, ink if fabric != "#f4f4f2" else "#1d4e89")
        )
        return shadow(400, 510, 210, 18) + body, ""
    if kind == "hoodie":
        hood = darker(fabric, 0.12)
        body = (
            f'<path d="M320 134C300 50 500 50 480 134Z" fill="{hood}"/>'
            + _garment(HOODIE, fabric)
            + f'<ellipse cx="400" cy="134" rx="62" ry="20" fill="{darker(fabric, 0.35)}"/>'
            + f'<path d="M378 150L372 232M422 150L428 232" stroke="{lighter(fabric, 0.5)}" '
            'stroke-width="4" stroke-linecap="round"/>'
            + f'<path d="M300 392H500L518 466H282Z" fill="none" stroke="{seam}" stroke-width="3"/>'
            + f'<rect x="255" y="478" width="290" height="22" fill="{darker(fabric, 0.12)}"/>'
            + emblem(product.emblem, 400, 282, 0.9, ink)
            + text(
                400, 352, "GRACE", size=30, fill=ink, family=SERIF, weight="bold", extra=' letter-spacing="8"'
            )
        )
        return shadow(400, 512, 230, 18) + body, ""
    if kind == "cap":
        body = (
            f'<path id="g" d="M238 362C238 176 562 176 562 362Z" fill="{fabric}"/><use href="#g" '
            'fill="url(#sheen)"/>'
            + '<path d="M400 196C378 262 378 320 384 362M318 214C300 270 298 330 300 362M482 214C500 '
            f'270 502 330 500 362" fill="none" stroke="{seam}" stroke-width="2"/>'
            + '<path d="M232 352C340 332 560 336 640 380C664 396 646 418 604 418C500 418 336 398 232 '
            f'374Z" fill="{darker(fabric, 0.18)}"/>'
            + f'<circle cx="400" cy="194" r="10" fill="{darker(fabric, 0.2)}"/>'
            + emblem("cross", 400, 286, 0.7, ink)
        )
        return shadow(420, 430, 240, 20) + body, ""
    ribs = "".join(f"M{x} 372V446" for x in range(262, 546, 14))
    body = (
        f'<path id="g" d="M262 400C262 170 538 170 538 400Z" fill="{fabric}"/><use href="#g" '
        'fill="url(#sheen)"/>'
        + f'<rect x="250" y="362" width="300" height="92" rx="16" fill="{darker(fabric, 0.1)}"/>'
        + f'<path d="{ribs}" stroke="{darker(fabric, 0.3)}" stroke-width="3"/>'
        + f'<circle cx="400" cy="168" r="42" fill="{lighter(fabric, 0.15)}"/>'
        + f'<circle cx="400" cy="168" r="42" fill="none" stroke="{darker(fabric, 0.15)}" '
        'stroke-width="6" stroke-dasharray="3 5"/>'
        + f'<rect x="372" y="392" width="56" height="30" rx="4" fill="{PAPER}"/>'
        + text(400, 412, "GRACE", size=11, fill=fabric, weight="bold")
    )
    return shadow(400, 462, 190, 16) + body, ""


# -- digital downloads ----------------------------------------------------------------------------------


def tablet(product: SampleProduct, view: str) -> Body:
    screen = f'<g transform="translate(266 104)">{cover(product, 268, 372)}</g>'
    phone_lines = text_bars(566, 268, line_lengths(product.name, 11, 84), 18, "#c8ccd2", 4)
    body = (
        shadow(450, 510, 250, 20)
        + f'<rect x="250" y="80" width="300" height="420" rx="28" fill="{DEVICE}"/>{screen}'
        + '<rect x="250" y="80" width="300" height="420" rx="28" fill="url(#sheen)" opacity=".6"/>'
        + '<rect x="540" y="220" width="150" height="280" rx="22" fill="#2d333b"/>'
        + '<rect x="550" y="240" width="130" height="244" rx="8" fill="#fff"/>'
        + text(
            615, 258, product.name.split(" (")[0], size=11, fill=product.colour, family=SERIF, weight="bold"
        )
        + phone_lines
    )
    return body, cover_gradient(product.colour)


def laptop(product: SampleProduct, view: str) -> Body:
    colour = product.colour
    body = (
        shadow(400, 446, 310, 18)
        + f'<rect x="180" y="110" width="440" height="290" rx="14" fill="{DEVICE}"/>'
        + '<rect x="196" y="126" width="408" height="256" fill="url(#screen)"/>'
        + '<circle cx="400" cy="226" r="44" fill="#fff" opacity=".92"/><path d="M386 204L424 226L386 '
        f'248Z" fill="{colour}"/>'
        + text(400, 310, product.name, size=22, fill="#fff", family=SERIF, weight="bold")
        + text(400, 336, "Lesson 1 of 10 · 21 min", size=13, fill="#fff")
        + '<rect x="220" y="356" width="360" height="6" rx="3" fill="#fff" opacity=".35"/>'
        + '<rect x="220" y="356" width="120" height="6" rx="3" fill="#fff"/>'
        + '<path d="M130 400H670L700 428C700 436 694 440 686 440H114C106 440 100 436 100 428Z" '
        'fill="#d0d7de"/>' + '<rect x="360" y="400" width="80" height="8" rx="4" fill="#afb8c1"/>'
    )
    return body, linear("screen", lighter(colour, 0.1), darker(colour, 0.35))


def planner(product: SampleProduct, view: str) -> Body:
    colour = product.colour
    grid = "".join(f"M{x} 250V420" for x in range(242, 600, 52)) + "".join(
        f"M190 {y}H606" for y in range(250, 430, 42)
    )
    ticks = "".join(
        f'<path d="M{x} {y}l8 8l14-16" fill="none" stroke="{colour}" stroke-width="4"/>'
        for x, y in ((204, 276), (256, 318), (360, 276), (464, 360), (516, 318))
    )
    body = (
        shadow(400, 486, 260, 18)
        + f'<rect x="160" y="120" width="480" height="340" rx="26" fill="{DEVICE}"/>'
        + '<rect x="182" y="140" width="436" height="300" rx="4" fill="#fff"/>'
        + f'<rect x="182" y="140" width="436" height="74" rx="4" fill="{colour}"/>'
        + text(
            200,
            178,
            product.name.split(" (")[0],
            size=24,
            fill="#fff",
            family=SERIF,
            weight="bold",
            anchor="start",
        )
        + text(
            200, 202, "JANUARY · WEEK 1", size=12, fill="#fff", anchor="start", extra=' letter-spacing="2"'
        )
        + emblem("heart", 580, 178, 0.45, lighter(colour, 0.6))
        + f'<path d="{grid}" stroke="#d8dee4" stroke-width="2"/>{ticks}'
    )
    return body, ""


def audio(product: SampleProduct, view: str) -> Body:
    colour = product.colour
    bars = "".join(
        f'<rect x="{180 + index * 11}" y="{470 - height / 2:.0f}" width="6" height="{height:.0f}" rx="3"/>'
        for index in range(41)
        for height in [8 + 46 * abs(math.sin(index * 0.55) * math.cos(index * 0.21))]
    )
    body = (
        shadow(400, 430, 200, 14)
        + f'<path d="M250 330C250 140 550 140 550 330" fill="none" stroke="{darker(colour, 0.3)}" '
        'stroke-width="26" stroke-linecap="round"/>'
        + f'<rect x="212" y="296" width="76" height="124" rx="30" fill="{colour}"/><rect x="512" y="296" '
        f'width="76" height="124" rx="30" fill="{colour}"/>'
        + f'<rect x="238" y="312" width="30" height="92" rx="14" fill="{darker(colour, 0.35)}"/><rect '
        f'x="532" y="312" width="30" height="92" rx="14" fill="{darker(colour, 0.35)}"/>'
        + text(400, 300, "Psalms", size=44, fill=darker(colour, 0.25), family=SERIF, weight="bold")
        + text(
            400,
            334,
            "READ ALOUD · 150 TRACKS",
            size=12,
            fill=darker(colour, 0.25),
            extra=' letter-spacing="2"',
        )
        + f'<g fill="{colour}">{bars}</g>'
    )
    return body, ""


DRAWERS: dict[str, Callable[[SampleProduct, str], Body]] = {
    "book": book,
    "tee": apparel,
    "polo": apparel,
    "hoodie": apparel,
    "cap": apparel,
    "beanie": apparel,
    "tablet": tablet,
    "laptop": laptop,
    "planner": planner,
    "audio": audio,
    "mug": mug,
    "stickers": stickers,
    "poster": poster,
    "tote": tote,
    "bookmark": bookmark,
    "calendar": calendar,
    "booklet": booklet,
    "workbook": workbook,
    "box": box,
    "papers": papers,
    "screens": screens,
    "badge": badge,
    "binder": binder,
}


def draw(product: SampleProduct, view: str, title: str) -> str:
    """The SVG file of `product`'s `view` ("" the main picture, else an extra view or a colour)."""
    body, defs = DRAWERS[product.art](product, view)
    return canvas(title, product.colour, body, defs)
