"""Drawing primitives of the product pictures: colours, text, gradients and the 800x600 canvas.

Every picture is 800x600 (4:3, the box the pages reserve), has a <title>, and uses system font stacks
only (the site's CSP allows no web fonts).
"""

from __future__ import annotations

from xml.sax.saxutils import escape

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
