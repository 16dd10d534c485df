"""The base every PDF Upward makes is built on (fpdf2): font, A4 page, footer and text helpers.

The font is DejaVu Sans, bundled in `upward/core/fonts/` with its licence, so a name in any
script the font covers (Latin, Greek, Cyrillic, Arabic, ...) prints as written on any machine;
fpdf2 embeds only the glyphs a document uses. Should the font files be missing (a stripped
install), the document falls back to fpdf2's core Helvetica and folds the text to Latin-1, so
a PDF is still made rather than an error shown.
"""

from __future__ import annotations

import datetime as dt
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
        self.set_margins(18, 18, 18)
        self.set_auto_page_break(True, margin=18)
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

    def heading(self, text: str, size: float | None = None) -> None:
        size = size or self.heading_size
        self.ln(3)
        self.set_font(self.family, "B", size)
        self.multi_cell(0, size * 0.5, self.t(text), new_x="LMARGIN", new_y="NEXT")
        self.ln(1.5)

    def para(self, text: str, size: float = 10.5, bold: bool = False) -> None:
        self.set_font(self.family, "B" if bold else "", size)
        self.multi_cell(0, 5.4, self.t(text), new_x="LMARGIN", new_y="NEXT")

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
