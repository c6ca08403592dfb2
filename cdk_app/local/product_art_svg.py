"""Drawing primitives of the product pictures: colours, text, gradients and the 800x600 canvas.

Every picture is 800x600 (4:3, the box the pages reserve), has a <title>, and uses system font stacks
only (the site's CSP allows no web fonts). Also the pieces several objects share: emblems, lines of
"text" and a book's flat front cover (books, the e-book's screen).
"""

from __future__ import annotations

import math
from xml.sax.saxutils import escape

from cdk_app.local.sample_products import SampleProduct

WIDTH, HEIGHT = 800, 600
SERIF = "Georgia,'Times New Roman',serif"
SANS = "'Helvetica Neue',Arial,sans-serif"


# -- colours ------------------------------------------------------------------------------------------


def _rgb(colour: str) -> tuple[int, int, int]:
    value = colour.lstrip("#")
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


def mix(colour: str, other: str, amount: float) -> str:
    """`colour` moved `amount` (0..1) of the way to `other`."""
    a, b = _rgb(colour), _rgb(other)
    return "#" + "".join(f"{round(x + (y - x) * amount):02x}" for x, y in zip(a, b, strict=True))


def lighter(colour: str, amount: float) -> str:
    return mix(colour, "#ffffff", amount)


def darker(colour: str, amount: float) -> str:
    return mix(colour, "#000000", amount)


def is_light(colour: str) -> bool:
    red, green, blue = _rgb(colour)
    return 0.299 * red + 0.587 * green + 0.114 * blue > 150


def ink_on(colour: str) -> str:
    """Print colour that reads on `colour`: near-white on dark fabric or paper, near-black on light."""
    return "#1c1c1c" if is_light(colour) else "#fbf8f1"


# -- SVG pieces ---------------------------------------------------------------------------------------


def text(
    x: float,
    y: float,
    content: str,
    *,
    size: float,
    fill: str,
    family: str = SANS,
    weight: str = "normal",
    anchor: str = "middle",
    extra: str = "",
) -> str:
    bold = f' font-weight="{weight}"' if weight != "normal" else ""
    return (
        f'<text x="{x:g}" y="{y:g}" font-family="{family}" font-size="{size:g}"{bold} fill="{fill}" '
        f'text-anchor="{anchor}"{extra}>{escape(content)}</text>'
    )


def wrap(words: str, width: int) -> list[str]:
    """`words` broken into lines of at most `width` characters (a long word keeps its own line)."""
    lines: list[str] = []
    for word in words.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines


def title_lines(x: float, y: float, title: str, *, width: int, size: float, fill: str, family: str) -> str:
    """A title over as many centred lines as it needs, from `y` down."""
    return "".join(
        text(x, y + index * size * 1.15, line, size=size, fill=fill, family=family, weight="bold")
        for index, line in enumerate(wrap(title, width))
    )


def linear(name: str, top: str, bottom: str, *, horizontal: bool = False) -> str:
    end = 'x2="1" y2="0"' if horizontal else 'x2="0" y2="1"'
    return (
        f'<linearGradient id="{name}" x1="0" y1="0" {end}>'
        f'<stop offset="0" stop-color="{top}"/><stop offset="1" stop-color="{bottom}"/></linearGradient>'
    )


# A soft shadow without a blur filter (cheaper to paint): an ellipse fading out from its centre.
SHADOW_GRADIENT = (
    '<radialGradient id="shadow"><stop offset="0" stop-color="#000" stop-opacity=".32"/>'
    '<stop offset="1" stop-color="#000" stop-opacity="0"/></radialGradient>'
)
# A sheen for surfaces: lighter at the left, darker at the right.
SHEEN_GRADIENT = (
    '<linearGradient id="sheen" x1="0" y1="0" x2="1" y2="0">'
    '<stop offset="0" stop-color="#fff" stop-opacity=".22"/>'
    '<stop offset=".45" stop-color="#fff" stop-opacity="0"/>'
    '<stop offset="1" stop-color="#000" stop-opacity=".22"/></linearGradient>'
)


def shadow(cx: float, cy: float, rx: float, ry: float) -> str:
    return f'<ellipse cx="{cx:g}" cy="{cy:g}" rx="{rx:g}" ry="{ry:g}" fill="url(#shadow)"/>'


def canvas(title: str, backdrop: str, body: str, defs: str = "") -> str:
    """The whole file: a soft backdrop in a tint of the product's colour, a floor, then `body`."""
    top, bottom = lighter(backdrop, 0.86), lighter(backdrop, 0.7)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" role="img"><title>{escape(title)}</title>'
        f"<defs>{linear('bg', top, bottom)}{SHADOW_GRADIENT}{SHEEN_GRADIENT}{defs}</defs>"
        f'<rect width="{WIDTH}" height="{HEIGHT}" fill="url(#bg)"/>'
        f'<rect y="470" width="{WIDTH}" height="130" fill="{darker(bottom, 0.04)}" opacity=".6"/>'
        f"{body}</svg>\n"
    )


# -- shared pieces -------------------------------------------------------------------------------------

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


def star_points(radius: float) -> str:
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


EMBLEMS["star"] = f'<polygon points="{star_points(42)}"/>'
EMBLEMS["sun"] = _sun()


def emblem(name: str, x: float, y: float, scale: float, fill: str) -> str:
    return f'<g transform="translate({x:g} {y:g}) scale({scale:g})" fill="{fill}">{EMBLEMS[name]}</g>'


def text_bars(x: float, y: float, widths: list[int], gap: int, colour: str, thickness: int = 5) -> str:
    """Text suggested by grey bars: one stroke path, one segment per line."""
    segments = "".join(f"M{x:g} {y + index * gap:g}h{width}" for index, width in enumerate(widths))
    return f'<path d="{segments}" stroke="{colour}" stroke-width="{thickness}" stroke-linecap="round"/>'


def line_lengths(seed: str, count: int, longest: int) -> list[int]:
    """Line lengths that look like a paragraph, the same for the same seed."""
    return [
        longest - (ord(seed[index % len(seed)]) * 7 + index * 13) % (longest // 3) for index in range(count)
    ]


def cover(product: SampleProduct, width: int, height: int) -> str:
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


def cover_gradient(colour: str) -> str:
    return linear("cover", lighter(colour, 0.12), darker(colour, 0.3))
