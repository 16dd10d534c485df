"""The shared PDF base: the bundled Unicode font, so names in any script print as written."""

from __future__ import annotations

from upward.core import pdf
from upward.core.testing.pdf import WORLD_NAME, WORLD_NAMES, assert_prints_names


def test_the_font_and_its_licence_are_bundled():
    assert pdf.find_font() == (pdf.REGULAR_FONT, pdf.BOLD_FONT)
    assert (pdf.FONT_DIR / "LICENSE.txt").read_text().count("Bitstream") > 1


def test_names_in_any_script_print_as_written():
    document = pdf.UpwardPDF(footer_text=WORLD_NAMES[1])
    assert document.unicode and document.t(WORLD_NAME) == WORLD_NAME
    document.add_page()
    document.heading(WORLD_NAME)
    document.para(WORLD_NAME)
    document.fact("Name", WORLD_NAME)
    assert_prints_names(bytes(document.output()))


def test_without_the_font_the_text_is_folded_to_latin_1(monkeypatch):
    monkeypatch.setattr(pdf, "find_font", lambda: None)
    document = pdf.UpwardPDF()
    assert not document.unicode
    assert document.t("“Zoë” → Олена") == '"Zoë" -> ?????'
    document.add_page()
    document.para(document.t(WORLD_NAME))
    assert bytes(document.output()).startswith(b"%PDF")
