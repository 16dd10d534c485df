"""Exports in a real browser: a programme manager opens the programme's Exports tab, reads what
each file holds, downloads the pairings as XLSX and opens the column dictionary; an organisation
admin opens the organisation's exports. At 1280 and 375 pixels wide; every page screenshotted
and checked with axe-core and the CSP watch (see conftest.py)."""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
import pytest
from playwright.sync_api import expect

from upward.testing.pairs import build_pairs

NARROW = {"width": 375, "height": 800}


@pytest.mark.django_db(transaction=True)
def test_exports_pages_and_a_download(visitor_factory, world):
    world.programme.state = "active"
    world.programme.save(update_fields=["state"])
    pairs = build_pairs(world)
    pairs.mentor.full_name = '=HYPERLINK("https://evil.example","Open")'
    pairs.mentor.save(update_fields=["full_name"])

    lead = visitor_factory("manager")
    lead.sign_in(world.manager.email)
    page = lead.page
    lead.go(f"/programmes/{world.programme.pk}/")
    page.get_by_role("link", name="Exports", exact=True).click()
    expect(page.get_by_role("heading", name="Exports", level=1)).to_be_visible()
    expect(page.get_by_role("heading", name="Meeting rhythm")).to_be_visible()
    expect(
        page.get_by_text("Notes, messages and safety concerns are never exported")
    ).to_be_visible()
    lead.look("programme-exports")

    with page.expect_download() as info:
        page.locator(f'a[href="/programmes/{world.programme.pk}/exports/pairings.xlsx"]').click()
    download = info.value
    assert download.suggested_filename.startswith("digital-confidence-2027-pairings-")
    # Playwright keeps the file without its extension, which openpyxl reads by name.
    book = openpyxl.load_workbook(io.BytesIO(Path(download.path()).read_bytes()))
    assert book.sheetnames == ["Pairings", "Columns"]
    mentors = [row[0] for row in book["Pairings"].iter_rows(min_row=2, values_only=True)]
    assert "'" + pairs.mentor.full_name in mentors

    page.get_by_role("link", name="What the columns mean").first.click()
    expect(page.get_by_role("heading", name="What the export columns mean")).to_be_visible()
    expect(page.get_by_text("Meetings held in that month.")).to_be_visible()
    lead.look("column-dictionary")

    page.set_viewport_size(NARROW)
    lead.go(f"/programmes/{world.programme.pk}/exports/")
    expect(page.get_by_role("heading", name="Exports", level=1)).to_be_visible()
    lead.look("programme-exports-narrow")

    admin = visitor_factory("admin")
    admin.sign_in(world.admin.email)
    admin.go("/exports/")
    expect(admin.page.get_by_role("heading", name="People directory")).to_be_visible()
    expect(admin.page.get_by_role("heading", name="Programmes")).to_be_visible()
    admin.look("organisation-exports")
    admin.page.set_viewport_size(NARROW)
    admin.go("/exports/columns/")
    expect(admin.page.get_by_role("heading", name="People directory")).to_be_visible()
    admin.look("column-dictionary-narrow")
