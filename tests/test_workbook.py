"""The personal workbook PDF (goals), with the notes section notes adds: for the participant only."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from upward.core.testing.pdf import WORLD_NAME, assert_prints_names
from upward.goals import services
from upward.notes import services as notes
from upward.testing.workspace import make_meeting


def _content(pairs):  # type: ignore[no-untyped-def]
    goal = services.create_goal(
        pairs.pairing,
        owner=pairs.mentee,
        statement="Use AI to draft a paper — “properly”",
        measure="One paper drafted",
        target_date=dt.date.today() + dt.timedelta(days=20),
        person=pairs.mentee,
    )
    services.add_task(
        goal,
        title="Try three prompts",
        due_on=dt.date.today() + dt.timedelta(days=2),
        owner=pairs.mentee,
        person=pairs.mentor,
    )
    skills = services.ensure_framework(pairs.world.programme)
    services.save_assessment(
        pairs.pairing,
        subject=pairs.mentee,
        kind="baseline",
        ratings={skills[0].pk: 2},
        person=pairs.mentee,
    )
    notes.save_meeting_note(
        make_meeting(pairs.pairing), body="Mine alone, ünïcödé", author=pairs.mentee
    )
    notes.create_shared_note(pairs.pairing, title="Shared", body="Together", author=pairs.mentor)


def test_the_participant_downloads_their_workbook(pairs):
    _content(pairs)
    client = pairs.world.client_for(pairs.mentee)
    url = reverse("goals:workbook", args=[pairs.pairing.pk])
    assert "Download workbook" in client.get(url).content.decode()
    plain = client.post(url, {})
    assert plain.status_code == 200
    assert plain["Content-Type"] == "application/pdf"
    assert plain.content.startswith(b"%PDF")
    assert "attachment" in plain["Content-Disposition"]
    assert "no-store" in plain["Cache-Control"]
    with_notes = client.post(url, {"include_notes": "on"})
    assert with_notes.content.startswith(b"%PDF")
    assert with_notes.content.count(b"/Type /Page\n") > plain.content.count(
        b"/Type /Page\n"
    ) or len(with_notes.content) > len(plain.content)


def test_the_partner_gets_their_own_workbook_and_nobody_else_gets_one(pairs):
    w = pairs.world
    _content(pairs)
    url = reverse("goals:workbook", args=[pairs.pairing.pk])
    assert w.client_for(pairs.mentor).post(url, {}).content.startswith(b"%PDF")
    for person in (w.manager, w.admin, w.other_applicant, pairs.other_mentee, w.outsider_admin):
        response = w.client_for(person).post(url, {"include_notes": "on"})
        assert response.status_code == 404
        assert not response.content.startswith(b"%PDF")
    assert w.client_for(None).post(url, {}).status_code == 302


def test_workbook_without_any_content_still_builds(pairs):
    response = pairs.world.client_for(pairs.mentor).post(
        reverse("goals:workbook", args=[pairs.pairing.pk]), {"include_notes": "on"}
    )
    assert response.content.startswith(b"%PDF")


def test_workbook_builds_with_core_fonts_when_no_unicode_font_is_installed(pairs, monkeypatch):
    from upward.goals import workbook
    from upward.pairing.workspace import seat_for

    _content(pairs)
    monkeypatch.setattr("upward.core.pdf.find_font", lambda: None)
    seat = seat_for(pairs.pairing, pairs.mentee)
    assert seat is not None
    pdf = workbook.build_workbook(seat, include_notes=True)
    assert pdf.startswith(b"%PDF")


def test_the_workbook_prints_names_in_any_script(pairs):
    from upward.goals import workbook
    from upward.pairing.workspace import seat_for

    pairs.mentee.full_name = WORLD_NAME
    pairs.mentee.save(update_fields=["full_name"])
    seat = seat_for(pairs.pairing, pairs.mentee)
    assert seat is not None
    pdf = workbook.build_workbook(seat)
    assert_prints_names(pdf)
