"""The objects of merchandise, resources and ministry tools that product_art draws (see
product_art_objects for the conventions).
"""

from __future__ import annotations

from cdk_app.local.product_art_svg import (
    DEVICE,
    EMBLEMS,
    GOLD,
    SANS,
    SERIF,
    Body,
    cover_gradient,
    darker,
    emblem,
    lighter,
    line_lengths,
    linear,
    mix,
    shadow,
    star_points,
    text,
    text_bars,
    title_lines,
)
from cdk_app.local.sample_products import SampleProduct

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
        f'points="{star_points(70)}"/></g>'
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
            + text_bars(310, 330, line_lengths(product.sku, 7, 180), 20, "#c8ccd2")
        )
        if pocket
        else rows + text_bars(334, 279, line_lengths(product.name, 5, 170), 38, "#c8ccd2", 6)
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
    return body, cover_gradient(colour)


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
        + text_bars(350, 234 + index * 62, [150, 120], 18, "#c8ccd2", 5)
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
        + text_bars(580, 366, [90, 70, 84], 16, "#57606a", 4)
        + '<g transform="rotate(-6 190 400)"><rect x="110" y="300" width="150" height="200" fill="#fff" '
        'stroke="#e1ddd5" stroke-width="2"/>'
        + f'<rect x="110" y="300" width="150" height="70" fill="{colour}"/>'
        + text_bars(126, 392, [110, 90, 118, 70], 18, "#c8ccd2", 4)
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
    return body, cover_gradient(colour)
