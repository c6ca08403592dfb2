"""An invoice or credit note (`shop.orders.invoicing.Document`) drawn as a one-file PDF with fpdf2.

Imported only when a document is asked for (`invoicing.render_pdf`): fpdf2 brings Pillow and
fontTools, a quarter of a second of import that no other route should pay (docs/benchmarks.md).
The PDF core fonts (Helvetica) need no font file; they cover Windows-1252, so text outside it (a
name in Cyrillic, say) is printed with its accents stripped or as "?" rather than failing the document.
"""

from __future__ import annotations

import unicodedata
from typing import TYPE_CHECKING

from fpdf import FPDF
from fpdf.enums import Align, TableBordersLayout, XPos, YPos
from fpdf.fonts import FontFace

if TYPE_CHECKING:
    from shop.orders.invoicing import Document

ENCODING = "windows-1252"
FONT = "helvetica"
MARGIN = 18  # mm
LINE = 5  # mm per line of small text
GREY = (90, 90, 90)


def printable(text: str) -> str:
    """`text` in what the core fonts can show: unchanged when it fits Windows-1252, else its letters
    without their accents, and "?" for what has no such form."""
    try:
        text.encode(ENCODING)
        return text
    except UnicodeEncodeError:
        stripped = "".join(
            char for char in unicodedata.normalize("NFKD", text) if not unicodedata.combining(char)
        )
        return stripped.encode(ENCODING, errors="replace").decode(ENCODING)


class _DocumentPdf(FPDF):
    def __init__(self, document: Document) -> None:
        super().__init__(orientation="portrait", unit="mm", format="letter")
        self.document = document
        self.core_fonts_encoding = ENCODING
        self.set_margins(MARGIN, MARGIN, MARGIN)
        self.set_auto_page_break(auto=True, margin=MARGIN)
        self.set_title(printable(f"{document.title} {document.number}"))
        self.set_author(printable(document.seller.seller_name))
        self.set_creator(printable(document.seller.shop_name))
        self.set_lang("en")

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(FONT, size=8)
        self.set_text_color(*GREY)
        text = f"{self.document.title} {self.document.number} - page {self.page_no()} of {{nb}}"
        self.cell(0, 5, printable(text), align=Align.C)

    def text_line(self, text: str, *, size: float = 9, style: str = "", width: float = 0) -> None:
        self.set_font(FONT, style=style, size=size)
        self.multi_cell(width, LINE, printable(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _rgb(colour: str) -> tuple[int, int, int]:
    """#rrggbb as fpdf's red, green, blue."""
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def _header(pdf: _DocumentPdf, document: Document) -> None:
    seller = document.seller
    top = pdf.get_y()
    half = (pdf.w - 2 * MARGIN) / 2
    # The shop's name as shoppers know it, in its colour; then the legal seller the tax document names.
    pdf.set_text_color(*_rgb(seller.colours.primary))
    pdf.text_line(seller.shop_name, size=16, style="B", width=half)
    pdf.set_text_color(0, 0, 0)
    pdf.text_line(seller.seller_name, size=11, style="B", width=half)
    contact = [*seller.address_lines, seller.email, seller.phone, seller.website, f"Tax ID: {seller.tax_id}"]
    for line in contact:
        if line:
            pdf.text_line(line, width=half)
    seller_bottom = pdf.get_y()
    pdf.set_xy(MARGIN + half, top)
    pdf.set_font(FONT, style="B", size=20)
    pdf.cell(half, 10, printable(document.title.upper()), align=Align.R, new_x=XPos.LEFT, new_y=YPos.NEXT)
    for label, value in (
        (f"{document.title} number", document.number),
        (f"{document.title} date", document.date),
    ):
        pdf.set_x(MARGIN + half)
        pdf.set_font(FONT, style="B", size=10)
        pdf.cell(
            half, LINE + 1, printable(f"{label}: {value}"), align=Align.R, new_x=XPos.LEFT, new_y=YPos.NEXT
        )
    for label, value in document.references:
        pdf.set_x(MARGIN + half)
        pdf.set_font(FONT, size=9)
        pdf.cell(half, LINE, printable(f"{label}: {value}"), align=Align.R, new_x=XPos.LEFT, new_y=YPos.NEXT)
    pdf.set_xy(MARGIN, max(seller_bottom, pdf.get_y()) + 6)


def _parties(pdf: _DocumentPdf, document: Document) -> None:
    blocks = (
        ("Bill to", (*document.buyer, *document.billing_address[1:])),
        ("Ship to", document.shipping_address),
    )
    top = pdf.get_y()
    width = (pdf.w - 2 * MARGIN) / 2
    bottom = top
    for column, (title, lines) in enumerate(blocks):
        pdf.set_xy(MARGIN + column * width, top)
        pdf.set_font(FONT, style="B", size=10)
        pdf.cell(width, LINE + 1, title, new_x=XPos.LEFT, new_y=YPos.NEXT)
        pdf.set_font(FONT, size=9)
        for line in lines:
            pdf.multi_cell(width - 4, LINE, printable(line), new_x=XPos.LEFT, new_y=YPos.NEXT)
        bottom = max(bottom, pdf.get_y())
    pdf.set_xy(MARGIN, bottom + 6)


def _lines(pdf: _DocumentPdf, document: Document) -> None:
    pdf.set_font(FONT, size=9)
    headings = FontFace(emphasis="BOLD", fill_color=(235, 235, 235))
    with pdf.table(
        col_widths=(80, 30, 28, 14, 28),
        text_align=(Align.L, Align.L, Align.R, Align.R, Align.R),
        headings_style=headings,
        borders_layout=TableBordersLayout.HORIZONTAL_LINES,
        line_height=LINE + 1,
        width=pdf.w - 2 * MARGIN,
    ) as table:
        heading = table.row()
        for title in ("Item", "SKU", "Unit price", "Qty", "Line total"):
            heading.cell(title)
        for line in document.lines:
            row = table.row()
            for value in (line.description, line.sku, line.unit_price, str(line.quantity), line.total):
                row.cell(printable(value))
    pdf.ln(4)


def _totals(pdf: _DocumentPdf, document: Document) -> None:
    label_width, amount_width = 60, 36
    left = pdf.w - MARGIN - label_width - amount_width
    for position, (label, amount) in enumerate(document.totals):
        last = position == len(document.totals) - 1
        pdf.set_x(left)
        pdf.set_font(FONT, style="B" if last else "", size=11 if last else 9)
        pdf.cell(label_width, LINE + 2, printable(label), border="T" if last else 0)
        pdf.cell(amount_width, LINE + 2, printable(amount), border="T" if last else 0, align=Align.R)
        pdf.ln(LINE + 2)
    pdf.ln(6)


def _payment(pdf: _DocumentPdf, document: Document) -> None:
    pdf.set_font(FONT, style="B", size=10)
    pdf.cell(0, LINE + 1, "Payment", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    for label, value in document.payment:
        pdf.text_line(f"{label}: {value}")
    pdf.ln(4)
    pdf.set_text_color(*GREY)
    pdf.text_line(document.note, size=8)


def render(document: Document) -> bytes:
    """The PDF bytes of `document` (Letter size; as many pages as its lines need)."""
    pdf = _DocumentPdf(document)
    pdf.add_page()
    _header(pdf, document)
    _parties(pdf, document)
    _lines(pdf, document)
    _totals(pdf, document)
    _payment(pdf, document)
    return bytes(pdf.output())
