"""The base every PDF Upward makes is built on (fpdf2): font, A4 page, footer and text helpers.

Documents are laid out like ones an organisation hands out: 20 mm margins, a letterhead with the
organisation's logo (when it has set one) and name above a rule in the product's green, a title
block, then two levels of headings (`heading`, a section with a hairline under it, and
`subheading`), body text and label/value facts. The page footer names the document and the page.

The font is DejaVu Sans, bundled in `upward/core/fonts/` with its licence, so a name in any
script the font covers (Latin, Greek, Cyrillic, Arabic, ...) prints as written on any machine;
fpdf2 embeds only the glyphs a document uses. Should the font files be missing (a stripped
install), the document falls back to fpdf2's core Helvetica and folds the text to Latin-1, so
a PDF is still made rather than an error shown.
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

from django.utils import timezone
from fpdf import FPDF

FONT_DIR = Path(__file__).resolve().parent / "fonts"
REGULAR_FONT = FONT_DIR / "DejaVuSans.ttf"
BOLD_FONT = FONT_DIR / "DejaVuSans-Bold.ttf"

# Typographic characters Latin-1 lacks, for the fallback only.
LATIN1_FOLDS = {
    "‘": "'",
    "’": "'",
    "“": '"',
    "”": '"',
    "–": "-",
    "—": "-",
    "…": "...",
    "→": "->",
}
MUTED_GREY = (95, 107, 122)
BRAND_COLOUR = (31, 95, 91)  # the site's --brand, #1f5f5b
RULE_GREY = (200, 206, 214)
MARGIN = 20
# The largest a logo is printed in a letterhead, in millimetres.
LOGO_MAX_HEIGHT = 16
LOGO_MAX_WIDTH = 60


def image_size(data: bytes) -> tuple[int, int] | None:
    """Width and height of an image in pixels, or None when it cannot be read."""
    try:
        from PIL import Image

        with Image.open(io.BytesIO(data)) as image:
            return image.size
    except Exception:  # a logo that cannot be read is left out rather than failing the PDF
        return None


def fit(width: float, height: float, max_width: float, max_height: float) -> tuple[float, float]:
    """The largest size with the image's proportions that fits the box."""
    scale = min(max_width / width, max_height / height)
    return width * scale, height * scale


def find_font() -> tuple[Path, Path] | None:
    """The bundled regular and bold font files, or None when they are not there."""
    if REGULAR_FONT.exists() and BOLD_FONT.exists():
        return REGULAR_FONT, BOLD_FONT
    return None


class UpwardPDF(FPDF):
    """An A4 document with the Unicode body font and a grey page footer.

    Every piece of text goes through `t()`; the helpers below already do that.
    """

    heading_size: float = 14

    def __init__(self, orientation: str = "portrait", footer_text: str = "") -> None:
        super().__init__(orientation=orientation, format="A4")
        self.footer_text = footer_text
        self.set_margins(MARGIN, MARGIN, MARGIN)
        self.set_auto_page_break(True, margin=MARGIN)
        font = find_font()
        if font:
            self.add_font("Body", "", str(font[0]))
            self.add_font("Body", "B", str(font[1]))
            self.family, self.unicode = "Body", True
        else:
            self.family, self.unicode = "helvetica", False

    def t(self, text: Any) -> str:
        """The text as it can be written with the current font (unchanged with the bundled one)."""
        text = str(text)
        if self.unicode:
            return text
        for a, b in LATIN1_FOLDS.items():
            text = text.replace(a, b)
        return text.encode("latin-1", "replace").decode("latin-1")

    def footer_line(self) -> str:
        """The footer of the current page; empty for none."""
        return f"{self.footer_text} · {self.page_no()}" if self.footer_text else ""

    def footer(self) -> None:
        line = self.footer_line()
        if not line:
            return
        self.set_y(-12)
        self.set_font(self.family, "", 8)
        self.set_text_color(110, 110, 110)
        self.cell(0, 6, self.t(line), align="C")
        self.set_text_color(0, 0, 0)

    def logo(
        self, data: bytes | None, *, x: float, y: float, max_width: float, max_height: float
    ) -> float:
        """Print the logo with its top-left corner at (x, y); returns the width it took
        (0 when there is none or it cannot be read)."""
        size = image_size(data) if data else None
        if not data or not size:
            return 0
        width, height = fit(size[0], size[1], max_width, max_height)
        try:
            self.image(io.BytesIO(data), x=x, y=y, w=width, h=height)
        except Exception:  # an image fpdf2 cannot embed: the name alone still heads the page
            return 0
        return width

    def letterhead(
        self, organisation: str, *, logo: bytes | None = None, document: str = ""
    ) -> None:
        """The top of a first page: the logo at the left (when set), the organisation's name
        and the kind of document at the right, a rule in the product's green below."""
        top = self.get_y()
        right = self.w - self.r_margin
        logo_width = self.logo(
            logo, x=self.l_margin, y=top, max_width=LOGO_MAX_WIDTH, max_height=LOGO_MAX_HEIGHT
        )
        text_x = self.l_margin + (logo_width + 6 if logo_width else 0)
        self.set_xy(text_x, top + (1 if logo_width else 0))
        self.set_font(self.family, "B", 12)
        self.multi_cell(
            right - text_x,
            6,
            self.t(organisation),
            align="R" if logo_width else "L",
            new_x="LMARGIN",
            new_y="NEXT",
        )
        if document:
            self.set_x(text_x)
            self.set_font(self.family, "", 9)
            self.set_text_color(*MUTED_GREY)
            self.multi_cell(
                right - text_x,
                5,
                self.t(document),
                align="R" if logo_width else "L",
                new_x="LMARGIN",
                new_y="NEXT",
            )
            self.set_text_color(0, 0, 0)
        bottom = max(self.get_y(), top + (LOGO_MAX_HEIGHT if logo_width else 0)) + 3
        self.set_draw_color(*BRAND_COLOUR)
        self.set_line_width(0.8)
        self.line(self.l_margin, bottom, right, bottom)
        self.set_line_width(0.2)
        self.set_draw_color(0, 0, 0)
        self.set_y(bottom + 8)

    def title_block(self, title: str, *lines: str) -> None:
        """The document's title (the one level-1 heading) and the lines that say whose and when."""
        self.set_font(self.family, "B", 22)
        self.set_text_color(*BRAND_COLOUR)
        self.multi_cell(0, 10, self.t(title), new_x="LMARGIN", new_y="NEXT")
        self.set_text_color(0, 0, 0)
        self.ln(1)
        for line in lines:
            self.muted(line, size=10.5)
        self.ln(3)

    def heading(self, text: str, size: float | None = None) -> None:
        """A section heading with a hairline under it; `subheading` is the level below."""
        size = size or self.heading_size
        self.ln(4)
        self.set_font(self.family, "B", size)
        self.multi_cell(0, size * 0.5, self.t(text), new_x="LMARGIN", new_y="NEXT")
        y = self.get_y() + 1
        self.set_draw_color(*RULE_GREY)
        self.set_line_width(0.3)
        self.line(self.l_margin, y, self.w - self.r_margin, y)
        self.set_draw_color(0, 0, 0)
        self.set_line_width(0.2)
        self.set_y(y + 3)

    def subheading(self, text: str, size: float = 11.5) -> None:
        self.ln(2)
        self.set_font(self.family, "B", size)
        self.multi_cell(0, size * 0.5, self.t(text), new_x="LMARGIN", new_y="NEXT")
        self.ln(1)

    def para(self, text: str, size: float = 10.5, bold: bool = False) -> None:
        self.set_font(self.family, "B" if bold else "", size)
        self.multi_cell(0, 5.4, self.t(text), align="L", new_x="LMARGIN", new_y="NEXT")

    def muted(self, text: str, size: float = 9.5) -> None:
        self.set_text_color(*MUTED_GREY)
        self.para(text, size=size)
        self.set_text_color(0, 0, 0)

    def fact(self, label: str, value: str) -> None:
        """A bold label and its value on one line (wrapping under the value)."""
        self.set_font(self.family, "B", 10.5)
        self.cell(55, 6.5, self.t(label))
        self.set_font(self.family, "", 10.5)
        self.multi_cell(0, 6.5, self.t(value), new_x="LMARGIN", new_y="NEXT")


def date_text(value: dt.date | dt.datetime | None) -> str:
    """A date as documents print it ("6 December 2026"), in the site's time zone; "–" if none."""
    if value is None:
        return "–"
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value).date()
    return f"{value.day} {value:%B %Y}"
