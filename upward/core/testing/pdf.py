"""Reading generated PDFs back in tests."""

from __future__ import annotations

import io

# Names in four scripts: each must print as written, not as "?" (the bundled font covers them).
WORLD_NAMES = ("Zoë Ålvarez-Øberg", "Олена Коваль", "Γιώργος", "محمد")
WORLD_NAME = ", ".join(WORLD_NAMES)


def assert_prints_names(pdf: bytes, names: tuple[str, ...] = WORLD_NAMES) -> None:
    """The PDF embeds the bundled font and, where pypdf is installed, its text holds each name."""
    assert pdf.startswith(b"%PDF")
    assert b"/FontFile2" in pdf and b"DejaVuSans" in pdf, "the Unicode font is not embedded"
    try:
        from pypdf import PdfReader
    except ImportError:  # pragma: no cover - pypdf is a dev dependency; the checks above remain
        return
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    text = " ".join(text.split())  # a name wrapped over two lines still counts
    for name in names:
        # Right-to-left text is laid out (and so read back) in visual order.
        assert name in text or name[::-1] in text, f"{name!r} is missing from the PDF's text"
