"""The objects product_art draws, one function per kind (`SampleProduct.art`), on its 800x600 canvas.

Each returns the SVG body and its extra gradients; coordinates are whole pixels of the canvas. Shapes
are shaded with the shared `sheen` gradient and stand on a soft `shadow` ellipse (no blur filters:
cheaper to paint on a phone).
"""

from __future__ import annotations

import math
from collections.abc import Callable

from cdk_app.local.product_art_svg import (
    SANS,
    SERIF,
    canvas,
    darker,
    ink_on,
    is_light,
    lighter,
    linear,
    mix,
    shadow,
    text,
    title_lines,
    wrap,
)
from cdk_app.local.sample_products import SampleColour, SampleProduct

GOLD = "#e3c07b"
PAPER = "#fbf7ee"
DEVICE = "#1f2328"
Body = tuple[str, str]  # the SVG body, its extra <defs>

EMBLEMS = {
    "cross": '<path d="M-9-42h18v26h24v18h-24v40h-18v-40h-24v-18h24z"/>',
    "heart": '<path d="M0 34C-40 6-36-30-12-30C-4-30 0-22 0-18C0-22 4-30 12-30C36-30 40 6 0 34z"/>',
    "dove": '<path d="M-42 6C-24 2-10-12 2-30c5 9 4 18-2 25c14-7 28-6 40 2c-13 3-22 9-28 18'
    'c-9 11-30 14-54-9z"/>',
    "flame": '<path d="M0-42C14-22 30-10 22 14C18 30 6 38 0 38C-6 38-20 32-22 14C-24 0-12-8-8-22'
    'C-4-8 4-6 4-6C6-20 2-30 0-42z"/>',
    "leaf": '<path d="M-32 32C-36-10 0-40 36-38C38 0 10 34-32 32z"/>',
    "crown": '<path d="M-38 22L-42-20L-19 2L0-30L19 2L42-20L38 22z"/>',
}


def _star_points(radius: float) -> str:
    points = []
    for index in range(10):
        angle = math.pi / 2 + index * math.pi / 5
        length = radius if index % 2 == 0 else radius * 0.42
        points.append(f"{length * math.cos(angle):.0f},{-length * math.sin(angle):.0f}")
    return " ".join(points)


def _sun() -> str:
    rays = "".join(
        f'<rect x="-3" y="-42" width="6" height="14" rx="3" transform="rotate({angle})"/>'
        for angle in range(0, 360, 45)
    )
    return f'<circle r="20"/>{rays}'


EMBLEMS["star"] = f'<polygon points="{_star_points(42)}"/>'
EMBLEMS["sun"] = _sun()


def emblem(name: str, x: float, y: float, scale: float, fill: str) -> str:
    return f'<g transform="translate({x:g} {y:g}) scale({scale:g})" fill="{fill}">{EMBLEMS[name]}</g>'


def _lines(x: float, y: float, widths: list[int], gap: int, colour: str, thickness: int = 5) -> str:
    """Text suggested by grey bars: one stroke path, one segment per line."""
    segments = "".join(f"M{x:g} {y + index * gap:g}h{width}" for index, width in enumerate(widths))
    return f'<path d="{segments}" stroke="{colour}" stroke-width="{thickness}" stroke-linecap="round"/>'


def _widths(seed: str, count: int, longest: int) -> list[int]:
    """Line lengths that look like a paragraph, the same for the same seed."""
    return [
        longest - (ord(seed[index % len(seed)]) * 7 + index * 13) % (longest // 3) for index in range(count)
    ]


# -- books -------------------------------------------------------------------------------------------


def _cover(product: SampleProduct, width: int, height: int) -> str:
    """A flat front cover in local coordinates: gradient, gold frame, emblem, title, subcategory."""
    title = title_lines(
        width / 2,
        height * 0.56,
        product.name.split(" (")[0],
        width=13,
        size=width / 9.2,
        fill=PAPER,
        family=SERIF,
    )
    return (
        f'<rect width="{width}" height="{height}" rx="4" fill="url(#cover)"/>'
        f'<rect x="14" y="14" width="{width - 28}" height="{height - 28}" fill="none" stroke="{GOLD}" '
        'stroke-width="2"/>'
        f"{emblem(product.emblem, width / 2, height * 0.3, width / 260, GOLD)}{title}"
        + text(
            width / 2,
            height - 34,
            (product.subcategory or product.category).upper(),
            size=12,
            fill=GOLD,
            extra=' letter-spacing="3"',
        )
    )


def _cover_gradient(colour: str) -> str:
    return linear("cover", lighter(colour, 0.12), darker(colour, 0.3))


def book(product: SampleProduct, view: str) -> Body:
    colour = product.colour
    defs = _cover_gradient(colour)
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
        f'<g transform="matrix(1 .087 0 1 330 100)">{_cover(product, 230, 380)}'
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
        + _lines(185, 240, _widths(product.sku, 12, 180), 17, "#cbc3b3")
        + emblem(product.emblem, 525, 200, 0.5, product.colour)
        + _lines(430, 240, _widths(product.name, 12, 185), 17, "#cbc3b3")
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
    screen = f'<g transform="translate(266 104)">{_cover(product, 268, 372)}</g>'
    phone_lines = _lines(566, 268, _widths(product.name, 11, 84), 18, "#c8ccd2", 4)
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
    return body, _cover_gradient(product.colour)


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


# -- merchandise --------------------------------------------------------------------------------------


def mug(product: SampleProduct, view: str) -> Body:
    colour = product.colour
    handle_x = "M500 250C586 250 586 404 500 404" if view != "side-b" else "M260 250C174 250 174 404 260 404"
    if view == "side-b":
        lines = ("His mercies", "are new", "every morning")
        words = "".join(
            text(
                380,
                300 + index * 36,
                line,
                size=28,
                fill=darker(colour, 0.2),
                family=SERIF,
                extra=' font-style="italic"',
            )
            for index, line in enumerate(lines)
        )
        print_ = words + text(
            380, 420, "LAMENTATIONS 3:23", size=12, fill=darker(colour, 0.2), extra=' letter-spacing="2"'
        )
    else:
        print_ = (
            emblem("sun", 380, 280, 0.8, colour)
            + text(
                380,
                360,
                "Morning",
                size=34,
                fill=darker(colour, 0.2),
                family=SERIF,
                extra=' font-style="italic"',
            )
            + text(380, 406, "Grace", size=46, fill=darker(colour, 0.2), family=SERIF, weight="bold")
        )
    body = (
        shadow(390, 476, 190, 18)
        + f'<path d="{handle_x}" fill="none" stroke="#d6d0c4" stroke-width="32"/>'
        + f'<path d="{handle_x}" fill="none" stroke="#faf8f3" stroke-width="22"/>'
        + '<path id="g" d="M260 200V432C260 462 292 472 380 472C468 472 500 462 500 432V200Z" '
        'fill="#faf8f3"/>'
        + '<use href="#g" fill="url(#sheen)"/>'
        + '<ellipse cx="380" cy="200" rx="120" ry="22" fill="#e9e4da"/><ellipse cx="380" cy="202" '
        f'rx="106" ry="16" fill="{colour}"/>' + print_
    )
    return body, ""


def stickers(product: SampleProduct, view: str) -> Body:
    colour = product.colour
    white = ' stroke="#fff" stroke-width="12" paint-order="stroke"'
    body = (
        shadow(400, 500, 280, 20)
        + f'<circle cx="270" cy="230" r="86" fill="{colour}"{white}/>{emblem("cross", 270, 230, 1.2, "#fff")}'
        + '<g transform="rotate(-10 500 210)"><rect x="400" y="160" width="200" height="100" rx="20" '
        f'fill="#f59e0b"{white}/>'
        + text(500, 222, "BLESSED", size=30, fill="#3b2200", weight="bold", extra=' letter-spacing="3"')
        + "</g>"
        + '<g transform="translate(560 390) scale(2)" fill="#be185d" stroke="#fff" stroke-width="6" '
        f'paint-order="stroke">{EMBLEMS["heart"]}</g>'
        + f'<g transform="translate(300 410)" fill="#15803d"{white}><polygon '
        f'points="{_star_points(70)}"/></g>'
        + f'<circle cx="430" cy="360" r="54" fill="#1e3a8a"{white}/>{emblem("dove", 432, 362, 0.8, "#fff")}'
    )
    return body, ""


def poster(product: SampleProduct, view: str) -> Body:
    colour = product.colour
    verses = (
        "Blessed are the poor in spirit",
        "Blessed are those who mourn",
        "Blessed are the meek",
        "Blessed are the merciful",
        "Blessed are the pure in heart",
        "Blessed are the peacemakers",
    )
    lines = "".join(
        text(
            400,
            196 + index * 34,
            verse,
            size=14,
            fill=darker(colour, 0.3),
            family=SERIF,
            extra=' font-style="italic"',
        )
        for index, verse in enumerate(verses)
    )
    body = (
        '<rect x="262" y="74" width="300" height="404" fill="#000" opacity=".12"/>'
        + '<rect x="250" y="60" width="300" height="404" fill="#3b2f2a"/>'
        + '<rect x="264" y="74" width="272" height="376" fill="#fbf7ee"/>'
        + f'<rect x="284" y="94" width="232" height="336" fill="{lighter(colour, 0.84)}"/>'
        + text(400, 142, "The Beatitudes", size=26, fill=colour, family=SERIF, weight="bold")
        + f'<path d="M340 160H460" stroke="{colour}" stroke-width="2"/>'
        + lines
        + text(400, 410, "MATTHEW 5", size=11, fill=colour, extra=' letter-spacing="3"')
    )
    return body, ""


def tote(product: SampleProduct, view: str) -> Body:
    colour = product.colour
    canvas_colour = "#efe3c8"
    body = (
        shadow(400, 498, 200, 18)
        # Two straps, the back one higher and darker: one arch each side of the bag, not side by side.
        + f'<path d="M336 222C336 96 464 96 464 222" fill="none" stroke="{darker(canvas_colour, 0.45)}" '
        'stroke-width="12"/>'
        + f'<path d="M316 230C316 124 484 124 484 230" fill="none" stroke="{darker(canvas_colour, 0.22)}" '
        'stroke-width="16"/>'
        + f'<path id="g" d="M268 220H532L552 492H248Z" fill="{canvas_colour}"/><use href="#g" '
        'fill="url(#sheen)"/>'
        + f'<path d="M268 240H532" stroke="{darker(canvas_colour, 0.15)}" stroke-width="3" '
        'stroke-dasharray="6 5"/>'
        + emblem(product.emblem, 400, 320, 1.1, colour)
        + text(
            400,
            404,
            "Love one another",
            size=28,
            fill=darker(colour, 0.3),
            family=SERIF,
            extra=' font-style="italic"',
        )
        + text(400, 432, "JOHN 13:34", size=12, fill=darker(colour, 0.3), extra=' letter-spacing="3"')
    )
    return body, ""


def bookmark(product: SampleProduct, view: str) -> Body:
    colour = product.colour
    strands = "".join(f"M400 112C{396 - d} 70 {380 - d * 2} 46 {372 - d * 3} 24" for d in range(0, 10, 2))
    body = (
        shadow(400, 480, 150, 14)
        + '<g transform="rotate(-14 400 300)">'
        + f'<path d="{strands}" fill="none" stroke="{GOLD}" stroke-width="3"/>'
        + '<rect x="350" y="96" width="100" height="380" rx="10" fill="url(#leather)"/>'
        + '<rect x="360" y="106" width="80" height="360" rx="6" fill="none" '
        f'stroke="{lighter(colour, 0.35)}" stroke-width="2" stroke-dasharray="6 4"/>'
        + '<circle cx="400" cy="122" r="6" fill="#2b1a0c"/>'
        + emblem(product.emblem, 400, 210, 0.8, darker(colour, 0.3))
        + text(
            0,
            0,
            "PSALM 119:105",
            size=14,
            fill=darker(colour, 0.35),
            extra=' letter-spacing="3" transform="translate(406 360) rotate(-90)"',
        )
        + "</g>"
    )
    return body, linear("leather", lighter(colour, 0.1), darker(colour, 0.25), horizontal=True)


def calendar(product: SampleProduct, view: str) -> Body:
    colour = product.colour
    grid = "".join(f"M{x} 396V508" for x in range(290, 554, 44)) + "".join(
        f"M246 {y}H554" for y in range(396, 512, 28)
    )
    days = "".join(
        text(268 + index * 44, 386, day, size=11, fill="#57606a", weight="bold")
        for index, day in enumerate("SMTWTFS")
    )
    rings = "".join(f'<circle cx="{x}" cy="108" r="5" fill="#444c56"/>' for x in range(254, 560, 20))
    body = (
        '<path d="M300 100L400 64L500 100" fill="none" stroke="#57606a" stroke-width="3"/><circle '
        'cx="400" cy="62" r="6" fill="#57606a"/>'
        + '<rect x="238" y="108" width="340" height="420" fill="#000" opacity=".1"/>'
        + '<rect x="230" y="100" width="340" height="420" fill="#fff"/>'
        + rings
        + '<rect x="246" y="124" width="308" height="190" fill="url(#sky)"/>'
        + f'<circle cx="470" cy="180" r="24" fill="{lighter("#f59e0b", 0.2)}"/>'
        + f'<path d="M246 314L316 226L362 276L420 204L490 270L554 222V314Z" fill="{darker(colour, 0.3)}"/>'
        + f'<path d="M246 314L300 270L360 300L430 262L554 300V314Z" fill="{mix(colour, "#15803d", 0.6)}"/>'
        + text(
            400,
            340,
            "The heavens declare the glory of God",
            size=12,
            fill="#57606a",
            family=SERIF,
            extra=' font-style="italic"',
        )
        + text(400, 364, "JANUARY 2027", size=16, fill=colour, weight="bold", extra=' letter-spacing="3"')
        + days
        + f'<path d="{grid}" stroke="#d0d7de" stroke-width="1.5"/>'
    )
    return body, linear("sky", lighter(colour, 0.35), lighter(colour, 0.8))


# -- resources and ministry tools ----------------------------------------------------------------------


def booklet(product: SampleProduct, view: str) -> Body:
    colour = product.colour
    pocket = product.sku == "RS-CIVICS"
    rows = "".join(
        f'<rect x="300" y="{270 + index * 38}" width="18" height="18" rx="3" fill="none" '
        f'stroke="{colour}" stroke-width="2"/>'
        for index in range(5)
    )
    stars = "".join(emblem("star", x, 126, 0.22, "#fff") for x in (360, 400, 440))
    inner = (
        (
            text(400, 290, "We the People", size=28, fill=colour, family=SERIF, extra=' font-style="italic"')
            + _lines(310, 330, _widths(product.sku, 7, 180), 20, "#c8ccd2")
        )
        if pocket
        else rows + _lines(334, 279, _widths(product.name, 5, 170), 38, "#c8ccd2", 6)
    )
    body = (
        shadow(410, 494, 170, 16)
        + f'<rect x="292" y="96" width="250" height="390" rx="4" fill="{lighter(colour, 0.5)}" '
        'transform="rotate(5 417 291)"/>'
        + '<rect x="275" y="90" width="250" height="390" rx="4" fill="#fff"/>'
        + f'<path d="M275 94C275 92 277 90 279 90H521C523 90 525 92 525 94V236H275Z" fill="{colour}"/>'
        + stars
        + title_lines(400, 178, product.name, width=18, size=26, fill="#fff", family=SANS)
        + inner
        + '<rect x="275" y="90" width="250" height="390" fill="url(#sheen)" opacity=".5"/>'
    )
    return body, ""


def workbook(product: SampleProduct, view: str) -> Body:
    colour = product.colour
    coils = "".join(
        f'<path d="M262 {y}C248 {y} 248 {y + 12} 262 {y + 12}H290" fill="none" stroke="#57606a" '
        'stroke-width="4"/>'
        for y in range(118, 460, 22)
    )
    body = (
        shadow(410, 486, 170, 16)
        + '<rect x="270" y="100" width="270" height="372" rx="6" fill="url(#cover)"/>'
        + coils
        + emblem(product.emblem, 410, 196, 0.9, "#fff")
        + title_lines(410, 290, product.name, width=14, size=27, fill="#fff", family=SERIF)
        + '<rect x="350" y="402" width="120" height="30" rx="15" fill="#fff"/>'
        + text(410, 422, "8 SESSIONS", size=13, fill=colour, weight="bold", extra=' letter-spacing="2"')
        + '<rect x="270" y="100" width="270" height="372" fill="url(#sheen)"/>'
    )
    return body, _cover_gradient(colour)


def box(product: SampleProduct, view: str) -> Body:
    colour = product.colour
    label = (
        '<g transform="matrix(1 .278 0 1 240 250)">'
        + emblem(product.emblem, 90, 40, 0.5, "#fff")
        + title_lines(90, 84, product.name, width=12, size=17, fill="#fff", family=SANS)
        + text(90, 158, "12 WEEKS · AGES 12-17", size=10, fill="#fff", extra=' letter-spacing="1"')
        + "</g>"
    )
    body = (
        shadow(420, 478, 230, 26)
        + f'<path d="M240 250L400 200L580 250L420 300Z" fill="{lighter(colour, 0.25)}"/>'
        + f'<path d="M240 250L420 300V480L240 430Z" fill="{colour}"/>'
        + f'<path d="M420 300L580 250V430L420 480Z" fill="{darker(colour, 0.25)}"/>'
        + f'<path d="M240 272L420 322L580 272" fill="none" stroke="{darker(colour, 0.35)}" stroke-width="2"/>'
        + label
    )
    return body, ""


def papers(product: SampleProduct, view: str) -> Body:
    colour = product.colour
    outline = "".join(
        text(
            320, 240 + index * 62, numeral, size=18, fill=colour, family=SERIF, weight="bold", anchor="start"
        )
        + _lines(350, 234 + index * 62, [150, 120], 18, "#c8ccd2", 5)
        for index, numeral in enumerate(("I.", "II.", "III."))
    )
    sheet = '<rect x="290" y="110" width="260" height="350" fill="#fff" stroke="#e1ddd5" stroke-width="2"/>'
    body = (
        shadow(420, 486, 220, 18)
        + f'<rect x="250" y="120" width="290" height="360" rx="8" fill="{colour}" transform="rotate(-6 '
        '395 300)"/>'
        + f'<g transform="rotate(5 420 285)">{sheet}</g><g transform="rotate(-2 420 285)">{sheet}</g>'
        + sheet
        + "".join(f'<circle cx="304" cy="{y}" r="6" fill="#d0d7de"/>' for y in (160, 285, 410))
        + text(
            322,
            160,
            "SERMON 14",
            size=14,
            fill=colour,
            weight="bold",
            anchor="start",
            extra=' letter-spacing="2"',
        )
        + text(322, 190, "The Prodigal Son · Luke 15", size=15, fill="#24292f", family=SERIF, anchor="start")
        + outline
    )
    return body, ""


def screens(product: SampleProduct, view: str) -> Body:
    colour = product.colour
    body = (
        shadow(420, 496, 290, 18)
        + f'<rect x="170" y="90" width="400" height="250" rx="10" fill="{DEVICE}"/>'
        + '<rect x="184" y="104" width="372" height="222" fill="url(#screen)"/>'
        + text(370, 206, "Welcome", size=44, fill="#fff", family=SERIF, weight="bold")
        + text(370, 240, "SUNDAY · 10 AM", size=14, fill="#fff", extra=' letter-spacing="3"')
        + '<path d="M350 340H390L396 400H344Z" fill="#8c959f"/><rect x="300" y="398" width="140" '
        'height="10" rx="5" fill="#6e7781"/>'
        + f'<rect x="560" y="200" width="140" height="270" rx="20" fill="{DEVICE}"/>'
        + '<rect x="570" y="226" width="120" height="120" fill="url(#screen)"/>'
        + emblem(product.emblem, 630, 286, 0.7, "#fff")
        + _lines(580, 366, [90, 70, 84], 16, "#57606a", 4)
        + '<g transform="rotate(-6 190 400)"><rect x="110" y="300" width="150" height="200" fill="#fff" '
        'stroke="#e1ddd5" stroke-width="2"/>'
        + f'<rect x="110" y="300" width="150" height="70" fill="{colour}"/>'
        + _lines(126, 392, [110, 90, 118, 70], 18, "#c8ccd2", 4)
        + "</g>"
    )
    return body, linear("screen", lighter(colour, 0.15), darker(colour, 0.35))


def badge(product: SampleProduct, view: str) -> Body:
    colour = product.colour

    def one(x: float, y: float, name: str, turn: float) -> str:
        return (
            f'<g transform="rotate({turn:g} {x + 110:g} {y + 80:g})">'
            f'<rect x="{x:g}" y="{y:g}" width="220" height="160" rx="14" fill="#fff" stroke="#d0d7de" '
            'stroke-width="2"/>'
            f'<path d="M{x:g} {y + 14:g}C{x:g} {y + 6:g} {x + 6:g} {y:g} {x + 14:g} {y:g}H{x + 206:g}'
            f'C{x + 214:g} {y:g} {x + 220:g} {y + 6:g} {x + 220:g} {y + 14:g}V{y + 56:g}H{x:g}Z" '
            f'fill="{colour}"/>'
            + text(x + 110, y + 34, "HELLO", size=24, fill="#fff", weight="bold", extra=' letter-spacing="3"')
            + text(x + 110, y + 50, "my name is", size=11, fill="#fff")
            + text(
                x + 110, y + 112, name, size=40, fill="#24292f", family=SERIF, extra=' font-style="italic"'
            )
            + text(
                x + 110, y + 144, "GREETER", size=11, fill=colour, weight="bold", extra=' letter-spacing="3"'
            )
            + "</g>"
        )

    body = (
        shadow(410, 500, 240, 18)
        + one(420, 300, "Daniel", 8)
        + '<path d="M330 30C330 200 380 252 400 264M470 30C470 200 420 252 400 264" fill="none" '
        f'stroke="{colour}" stroke-width="20"/>'
        + '<rect x="388" y="254" width="24" height="36" rx="4" fill="#8c959f"/>'
        + one(290, 282, "Ruth", 0)
    )
    return body, ""


def binder(product: SampleProduct, view: str) -> Body:
    colour = product.colour
    tabs = "".join(
        f'<rect x="548" y="{y}" width="34" height="52" rx="6" fill="{tab}"/>'
        for y, tab in ((130, "#2563eb"), (196, "#16a34a"), (262, "#db2777"), (328, "#ca8a04"))
    )
    body = (
        shadow(410, 494, 200, 18)
        + tabs
        + '<rect x="300" y="100" width="260" height="380" rx="8" fill="url(#cover)"/>'
        + f'<rect x="250" y="100" width="60" height="380" rx="6" fill="{darker(colour, 0.3)}"/>'
        + '<rect x="262" y="150" width="36" height="120" rx="4" fill="#fff"/>'
        + text(
            0,
            0,
            "VBS",
            size=20,
            fill=darker(colour, 0.3),
            weight="bold",
            extra=' transform="translate(287 210) rotate(90)"',
        )
        + emblem("sun", 430, 206, 1.5, "#fde047")
        + title_lines(430, 320, product.name, width=12, size=28, fill="#fff", family=SANS)
        + '<rect x="300" y="100" width="260" height="380" fill="url(#sheen)"/>'
    )
    return body, _cover_gradient(colour)


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
