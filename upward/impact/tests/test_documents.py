"""The documents people are handed look like their organisation's: letterhead with its name and
logo, a title block, and on the certificate a signature line for the programme lead and a date.
Read back with pypdf: the text and where on the page it stands."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from pypdf import PdfReader

from upward.goals.workbook import build_workbook
from upward.impact import pdf, selectors
from upward.impact.tests.helpers import at, complete, meeting
from upward.organisations.logo import set_organisation_logo
from upward.pairing.workspace import seat_for
from upward.programmes.models import Programme

pytestmark = pytest.mark.django_db


def _logo(world) -> None:  # type: ignore[no-untyped-def]
    out = io.BytesIO()
    Image.new("RGB", (600, 200), (200, 40, 40)).save(out, format="PNG")
    upload = SimpleUploadedFile("logo.png", out.getvalue(), content_type="image/png")
    set_organisation_logo(world.org, upload=upload, by=None)


def _lines(document: bytes, page: int = 0) -> list[tuple[float, str]]:
    """Each piece of text on the page with its height on the page (larger is higher)."""
    found: list[tuple[float, str]] = []

    def visit(text, _cm, tm, _font, _size):  # type: ignore[no-untyped-def]
        if text.strip():
            found.append((tm[5], text.strip()))

    PdfReader(io.BytesIO(document)).pages[page].extract_text(visitor_text=visit)
    return found


def _y(lines: list[tuple[float, str]], text: str) -> float:
    return next(y for y, piece in lines if text in piece)


def _images(document: bytes) -> int:
    return sum(len(page.images) for page in PdfReader(io.BytesIO(document)).pages)


@pytest.fixture
def finished(pairs, world):  # type: ignore[no-untyped-def]
    meeting(pairs.pairing, at("2027-02-10"), minutes=60)
    complete(pairs.pairing)
    return pairs


def test_the_certificate_has_the_organisation_a_signature_line_and_a_date(finished, world):
    record = selectors.contribution_record(finished.pairing)
    document = pdf.certificate_pdf(record)
    lines = _lines(document)
    text = " ".join(piece for _y, piece in lines)
    assert "Northwind Health" in text
    assert "Certificate of completion" in text
    assert finished.mentor.full_name in text
    # The programme's manager signs as its lead, beside the date of completion.
    assert world.manager.full_name in text
    assert "Programme lead, Digital confidence 2027" in text
    assert "Date" in text
    assert "1 session ·" in text  # one, not "1 sessions"
    # Layout: organisation above the title, the title above the mentor, the signature below.
    assert _y(lines, "Northwind Health") > _y(lines, "Certificate of completion")
    assert _y(lines, "Certificate of completion") > _y(lines, finished.mentor.full_name)
    assert _y(lines, finished.mentor.full_name) > _y(lines, world.manager.full_name)
    assert _images(document) == 0  # no logo set


def test_the_certificate_prints_the_logo_when_one_is_set(finished, world):
    _logo(world)
    document = pdf.certificate_pdf(selectors.contribution_record(finished.pairing))
    assert _images(document) == 1


def test_without_a_manager_the_signature_line_is_for_the_programme_team(finished, world):
    Programme.objects.get(pk=world.programme.pk).managers.clear()
    document = pdf.certificate_pdf(selectors.contribution_record(finished.pairing))
    text = " ".join(piece for _y, piece in _lines(document))
    assert "For the programme team" in text
    assert "Signature" in text
    assert world.manager.full_name not in text


def test_the_contribution_record_has_a_letterhead_and_a_title_block(finished, world):
    _logo(world)
    document = pdf.contribution_pdf(selectors.contribution_record(finished.pairing))
    lines = _lines(document)
    assert _y(lines, "Northwind Health") > _y(lines, "Contribution record")
    assert _y(lines, "Reverse mentoring contribution record") > _y(lines, "What they gave")
    assert _images(document) == 1


def test_the_workbook_has_a_letterhead_and_a_title_block(pairs, world):
    seat = seat_for(pairs.pairing, pairs.mentee)
    assert seat is not None
    plain = build_workbook(seat)
    lines = _lines(plain)
    name = pairs.mentee.full_name
    assert _y(lines, "Northwind Health") > _y(lines, f"Workbook of {name}")
    assert _y(lines, f"Workbook of {name}") > _y(lines, "Your journey so far")
    assert any("Mentee in Digital confidence 2027, paired with" in piece for _y, piece in lines)
    assert _images(plain) == 0
    _logo(world)
    assert _images(build_workbook(seat)) == 1


def test_a_logo_that_cannot_be_read_leaves_the_name_alone(finished, world, monkeypatch):
    monkeypatch.setattr(pdf, "logo_png", lambda organisation: b"not an image")
    document = pdf.certificate_pdf(selectors.contribution_record(finished.pairing))
    assert "Northwind Health" in " ".join(piece for _y, piece in _lines(document))
    assert _images(document) == 0


def test_a_long_organisation_name_wraps_inside_the_certificate(finished, world):
    # A real trust name near the 150-character limit: wider than the page if set on one line.
    long_name = (
        "Northbridge and District Community Health and Social Care Partnership NHS "
        "Foundation Trust (Shared Services Division)"
    )
    type(world.org).objects.filter(pk=world.org.pk).update(name=long_name)
    record = selectors.contribution_record(finished.pairing)
    document = pdf.certificate_pdf(record)
    lines = _lines(document)
    heights = {y for y, piece in lines if "Northbridge" in piece or "Shared Services" in piece}
    # Two lines at two heights, every word kept, and the title still below the name.
    assert len(heights) >= 2
    text = " ".join(piece for _y, piece in lines)
    assert "Shared Services Division" in text
    # (The name appears again in the sentence under the mentor's name; the letterhead is on top.)
    letterhead = sorted(heights, reverse=True)[:2]
    assert min(letterhead) > _y(lines, "Certificate of completion")
