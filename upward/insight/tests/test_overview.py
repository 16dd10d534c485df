"""The organisation overview (`insight:overview`): figures against a hand-computed organisation,
who may see it, small-group suppression (also across filters) and a query budget that does not
grow with the data.

The hand-computed organisation ("Brightwater", `lab` below):

People (26 in the directory): Digital d1-d8 (level 2), Finance f1-f6 (level 8) and Ann the
admin (level 7), Legal l1-l5 and Mia, who runs "Leaders listening" (level 5), Estates e1-e2 and
Ops o1-o3 (level 5).

Programmes:
- "Brightwater pilot" (pilot, completed, 2025): d1-d5 mentor f1-f5; four pairs completed, one
  ended after it started. Meetings held 3, 3, 2, 2, 0 = 10 (plus one missed and one cancelled,
  not counted): 2.0 per pair; 4 of 5 completed = 80%. Invitations: d1-d7 (mentor), f6 and e1
  (mentee). o1 applied and withdrew. Success measure "confidence-tech": f1-f5 answered at the
  start 2, 2, 3, 3, 4 and at the end 4, 3, 4, 4, 5: change +1.2 (2.8 to 4.0), 5 people.
- "Brightwater cohort 2" (follows the pilot, active, 2026): d1-d5 mentor f2, f3, f4, f5, f1,
  one meeting held each: 1.0 per pair, 0% so far. d7's proposal to f6 was declined (not a
  pair). d8 applied and was declined. Same success measure, but only four people answered both
  surveys: hidden. It also asks "confidence-ai", which the pilot did not: not compared.
- "Leaders listening" (leadership, active, 2026, run by Mia): d6 mentors f6; 2 meetings held.
  One pair: rates hidden.

Participation by department (ever asked = invited, applied or paired; Legal excluded from
secondary suppression because it is shown as never asked):
  Digital  dir 8  asked 8  invited 7  applied 7  mentor 6  mentee 0
  Finance  dir 7  asked 6  invited 1  applied 6  mentor 0  mentee 6
  Legal    dir 6  asked 0  (never asked: zeros shown)
  Estates  dir 2  asked 1  invited 1  applied 0  mentor 0  mentee 0
  Ops      dir 3  asked 1  invited 0  applied 1  mentor 0  mentee 0
Suppression (threshold 5, totals shown):
  directory: Estates 2, Ops 3 hidden (two cells, together 5): Digital 8, Finance 7, Legal 6
  asked: Estates 1, Ops 1 (2) + Finance 6: only Digital 8 shown; total 16
  invited: Finance 1, Estates 1, Ops 0 (2) + Digital 7: all hidden; total 9
  applied: Estates 0, Ops 1 (1) + Finance 6: only Digital 7 shown; total 14
  mentor / mentee: all hidden; totals 6 and 6
By level (the default ladder; the empty levels are hidden zeros): 2 → dir 8 asked 8; 5 → dir 11
  asked 2; 7 → dir 1 asked 0; 8 → dir 6 asked 6. directory: the empty levels and level 7 (1)
  + level 8 (6) hidden; asked: the empty levels, 5 (2), 7 (0) + 8 (6) hidden.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from itertools import count

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from upward.core.suppression import hidden_cells
from upward.insight import overview
from upward.journey.models import Meeting
from upward.organisations.models import Organisation, Person
from upward.pairing.models import Pairing
from upward.programmes.models import Programme
from upward.recruitment.models import Application, Invitation
from upward.surveys.models import Answer, Question, Response, SuccessMeasure, Survey
from upward.testing.factories import (
    DepartmentFactory,
    OrganisationFactory,
    PersonFactory,
    ProgrammeFactory,
    level,
    person_with_account,
)
from upward.testing.pairs import accepted, active_pairing

URL = reverse("insight:overview")
ITEM = "confidence-tech"
ITEM_TEXT = "I feel confident talking about technology with my team."

_people = count(1)


def _client(person: Person) -> Client:
    client = Client()
    assert person.user is not None
    client.force_login(person.user)
    return client


def _people_in(org: Organisation, department, rank: int, prefix: str, n: int) -> list[Person]:  # type: ignore[no-untyped-def]
    return [
        PersonFactory(
            organisation=org,
            full_name=f"{prefix}{i} Person",
            email=f"{prefix}{i}-{next(_people)}@brightwater.test",
            department=department,
            level=level(org, rank),
        )
        for i in range(1, n + 1)
    ]


def _meetings(pairing: Pairing, held: int, *, status: str = "held") -> None:
    start = timezone.now() - dt.timedelta(days=30)
    for i in range(held):
        Meeting.objects.create(
            pairing=pairing,
            starts_at=start + dt.timedelta(days=i),
            ends_at=start + dt.timedelta(days=i, hours=1),
            organiser=pairing.mentee,
            status=status,
            actual_minutes=60 if status == "held" else None,
        )


def _end(pairing: Pairing, state: str) -> None:
    closed_by = "mentee" if state == "ended" else ""
    Pairing.objects.filter(pk=pairing.pk).update(state=state, closed_by=closed_by)


def _survey_answers(
    programme: Programme, item: str, text: str, answers: dict[Person, tuple[int | None, int]]
) -> None:
    """Named start and end surveys asking `item`; `answers` maps a person to (start, end)
    (None: answered only at the end)."""
    for timing, index in (("start", 0), ("end", 1)):
        survey = Survey.objects.create(
            programme=programme, title=f"{timing} survey", timing=timing, state="closed"
        )
        question = Question.objects.create(survey=survey, item_key=item, text=text, kind="likert")
        for person, values in answers.items():
            if values[index] is None:
                continue
            response = Response.objects.create(
                survey=survey,
                is_anonymous=False,
                person=person,
                pseudonym=f"identified:{person.pk}",
                role="mentee",
            )
            Answer.objects.create(response=response, question=question, number=values[index])


@dataclass
class Lab:
    org: Organisation
    admin: Person
    mia: Person
    pilot: Programme
    cohort: Programme
    leaders: Programme
    digital: list[Person]
    finance: list[Person]


def build_lab() -> Lab:
    org = OrganisationFactory(name="Brightwater", slug="brightwater")
    digital_dept = DepartmentFactory(organisation=org, name="Digital")
    finance_dept = DepartmentFactory(organisation=org, name="Finance")
    legal_dept = DepartmentFactory(organisation=org, name="Legal")
    estates_dept = DepartmentFactory(organisation=org, name="Estates")
    ops_dept = DepartmentFactory(organisation=org, name="Ops")
    admin = person_with_account(
        organisation=org,
        full_name="Ann Admin",
        is_org_admin=True,
        department=finance_dept,
        level=level(org, 7),
        email="ann@brightwater.test",
    )
    mia = person_with_account(
        organisation=org,
        full_name="Mia Manager",
        department=legal_dept,
        level=level(org, 5),
        email="mia@brightwater.test",
    )
    d = _people_in(org, digital_dept, 2, "d", 8)
    f = _people_in(org, finance_dept, 8, "f", 6)
    _people_in(org, legal_dept, 5, "l", 5)
    e = _people_in(org, estates_dept, 5, "e", 2)
    o = _people_in(org, ops_dept, 5, "o", 3)

    pilot = ProgrammeFactory(
        organisation=org,
        name="Brightwater pilot",
        is_pilot=True,
        state="completed",
        starts_on=dt.date(2025, 2, 3),
        ends_on=dt.date(2025, 8, 1),
    )
    cohort = ProgrammeFactory(
        organisation=org,
        name="Brightwater cohort 2",
        previous_cohort=pilot,
        state="active",
        starts_on=dt.date(2026, 2, 2),
        ends_on=dt.date(2026, 8, 3),
    )
    leaders = ProgrammeFactory(
        organisation=org,
        name="Leaders listening",
        objective="leadership",
        state="active",
        starts_on=dt.date(2026, 3, 2),
        ends_on=dt.date(2026, 9, 4),
        managers=[mia],
    )

    # The pilot: five pairs, four completed and one ended after it started.
    for i, held in enumerate((3, 3, 2, 2, 0)):
        pairing = active_pairing(pilot, mentor=d[i], mentee=f[i])
        _meetings(pairing, held)
        _end(pairing, "completed" if i < 4 else "ended")
    first = Pairing.objects.filter(programme=pilot).order_by("pk").first()
    assert first is not None
    _meetings(first, 1, status="missed")
    _meetings(first, 1, status="cancelled")
    for person in d[:7]:
        Invitation.objects.create(programme=pilot, person=person, role="mentor")
    for person in (f[5], e[0]):
        Invitation.objects.create(programme=pilot, person=person, role="mentee")
    withdrawn = accepted(pilot, o[0], "mentee")
    Application.objects.filter(pk=withdrawn.pk).update(status="withdrawn")
    SuccessMeasure.objects.create(programme=pilot, item_key=ITEM)
    _survey_answers(
        pilot,
        ITEM,
        ITEM_TEXT,
        dict(zip(f[:5], [(2, 4), (2, 3), (3, 4), (3, 4), (4, 5)], strict=True)),
    )

    # Cohort 2: five active pairs, one meeting each; a declined proposal; a declined application.
    for i in range(5):
        _meetings(active_pairing(cohort, mentor=d[i], mentee=f[(i + 1) % 5]), 1)
    Pairing.objects.create(
        programme=cohort,
        mentor=d[6],
        mentee=f[5],
        state="declined",
        closed_by="mentor",
        respond_by=timezone.now(),
        mentor_responded_at=timezone.now(),
    )
    declined = accepted(cohort, d[7], "mentor")
    Application.objects.filter(pk=declined.pk).update(status="declined")
    SuccessMeasure.objects.create(programme=cohort, item_key=ITEM)
    # Four answer both surveys, one only the end: hidden.
    _survey_answers(
        cohort,
        ITEM,
        ITEM_TEXT,
        {f[0]: (1, 5), f[1]: (1, 5), f[2]: (1, 5), f[3]: (1, 5), f[4]: (None, 5)},
    )
    _survey_answers(cohort, "confidence-ai", "I understand how our teams use AI.", {})

    # Leaders listening: one pair, two meetings.
    _meetings(active_pairing(leaders, mentor=d[5], mentee=f[5]), 2)
    return Lab(org, admin, mia, pilot, cohort, leaders, d, f)


@pytest.fixture
def lab(db) -> Lab:  # type: ignore[no-untyped-def]
    return build_lab()


def _text(response) -> str:  # type: ignore[no-untyped-def]
    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())


def _section(response, start: str, end: str | None = None) -> str:  # type: ignore[no-untyped-def]
    body = response.content.decode()
    part = body.split(start, 1)[1]
    return part.split(end, 1)[0] if end else part


def _row_cells(html: str, label: str) -> list[str]:
    """The text of the cells of the table row whose header starts with `label`."""
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", html, flags=re.S):
        head = re.search(r"<th[^>]*>(.*?)</th>", row, flags=re.S)
        if head and " ".join(re.sub(r"<[^>]+>", " ", head.group(1)).split()).startswith(label):
            cells = re.findall(r"<td[^>]*>(.*?)</td>", row, flags=re.S)
            return [" ".join(re.sub(r"<[^>]+>", " ", c).split()) for c in cells]
    raise AssertionError(f"no row {label!r}")


# ---------------------------------------------------------------------------------------------
# Figures


def test_programme_rows_match_the_hand_computed_figures(lab):
    response = _client(lab.admin).get(URL)
    assertContains(response, "Brightwater pilot")
    table = _section(response, "Programmes and cohorts", "Pilot and later cohorts")
    pilot = _row_cells(table, "Brightwater pilot")
    assert pilot[2:5] == ["5", "2.0", "80%"]
    assert "+1.2" in pilot[5] and "from 2.8 to 4.0 out of 5, 5 people" in pilot[5]
    cohort = _row_cells(table, "Brightwater cohort 2")
    # Five pairs (the declined proposal is not one), 1.0 meeting each, still running.
    assert cohort[2:5] == ["5", "1.0", "0% so far"]
    assert cohort[5].endswith("—")  # four people answered both surveys: hidden
    leaders = _row_cells(table, "Leaders listening")
    assert leaders[2:5] == ["1", "—", "—"]  # one pair: rates hidden
    assert "No survey item chosen" in leaders[5]


def test_pilot_is_compared_with_its_later_cohort_on_shared_items(lab):
    response = _client(lab.admin).get(URL)
    families = _section(response, "Pilot and later cohorts", "Who is asked to take part")
    assertContains(response, "Cohorts from “Brightwater pilot”")
    assert ITEM_TEXT in families
    assert "I understand how our teams use AI." not in families  # asked by one cohort only
    assert "Leaders listening" not in families
    assert _row_cells(families, "Brightwater pilot") == ["5", "2.0", "80%", "+1.2"]
    assert _row_cells(families, "Brightwater cohort 2") == ["5", "1.0", "0% so far", "—"]
    # The same figures drawn (insight/charts.py), each chart with its table alternative, where
    # the hidden change is a dash, not a bar.
    assert "Meetings held per pair, by cohort" in families
    assert families.count('role="img"') == 2
    change_chart = families.split("Change in the average answer, start to end, by cohort")[-1]
    assert _row_cells(change_chart, "Brightwater pilot") == ["1.2"]
    assert _row_cells(change_chart, "Brightwater cohort 2") == ["—"]


def test_participation_by_department_is_suppressed_as_computed_by_hand(lab):
    response = _client(lab.admin).get(URL)
    assertContains(response, "Never asked")
    section = _section(response, "Who is asked to take part")
    by_department = section.split("By level", 1)[0]
    # in the directory, ever asked, invited, applied, mentor, mentee
    assert _row_cells(by_department, "Digital") == ["8", "8", "—", "7", "—", "—"]
    assert _row_cells(by_department, "Finance") == ["7", "—", "—", "—", "—", "—"]
    assert _row_cells(by_department, "Legal Never asked") == ["6", "0", "0", "0", "0", "0"]
    assert _row_cells(by_department, "Estates") == ["—", "—", "—", "—", "—", "—"]
    assert _row_cells(by_department, "Ops") == ["—", "—", "—", "—", "—", "—"]
    assert _row_cells(by_department, "Everyone") == ["26", "16", "9", "14", "6", "6"]
    by_level = section.split("By level", 1)[1]
    # Levels by rank (the default ladder): 2 Associate, 5 Manager, 7 Head of, 8 Director; the
    # empty levels are hidden cells too (and count towards the hidden sum).
    assert _row_cells(by_level, "Associate")[:2] == ["8", "8"]
    assert _row_cells(by_level, "Manager")[:2] == ["11", "—"]
    assert _row_cells(by_level, "Head of")[:2] == ["—", "—"]  # one person: never flagged either
    assert _row_cells(by_level, "Director")[:2] == ["—", "—"]
    assert _row_cells(by_level, "Apprentice")[:2] == ["—", "—"]
    assertNotContains(response, "fewer than")


def test_every_participation_column_hides_enough_to_stop_subtraction(lab):
    """Whatever is hidden in a column is two cells or more, together at least five people, so
    the total minus the visible cells does not give any one of them."""
    for inclusion in (False, True):
        tables = overview.participation(
            lab.org,
            programme_ids=[e.pk for e in overview.scope_entries(lab.admin.user)],
            inclusion_in_scope=inclusion,
        )
        for table in tables:
            for column in overview.COLUMNS:
                hidden = [r for r in table.rows if r.cells[column] is None]
                total = table.totals[column]
                if hidden and total is not None:
                    shown = sum(r.cells[column] or 0 for r in table.rows)
                    assert len(hidden) >= 2
                    limit = 5 if column == "directory" or not inclusion else 10
                    assert total - shown >= limit


def test_running_an_inclusion_programme_raises_the_threshold_for_asks(lab):
    """Being asked to mentor in an inclusion programme can reveal group membership: the ask
    columns then need ten people; the directory column keeps five."""
    ProgrammeFactory(
        organisation=lab.org,
        name="Race equity circle",
        objective="inclusion",
        inclusion_focus="race",
        starts_on=dt.date(2026, 5, 4),
        ends_on=dt.date(2026, 11, 2),
    )
    response = _client(lab.admin).get(URL)
    assertContains(response, "shown only from 10 people up")
    by_department = _section(response, "Who is asked to take part").split("By level", 1)[0]
    # Digital: 8 in the directory (shown), 8 asked and 7 applied (now under 10: hidden).
    assert _row_cells(by_department, "Digital") == ["8", "—", "—", "—", "—", "—"]
    assert _row_cells(by_department, "Legal Never asked") == ["6", "0", "0", "0", "0", "0"]
    assert _row_cells(by_department, "Everyone") == ["26", "16", "—", "14", "—", "—"]
    mia_page = _client(lab.mia).get(URL)  # Mia runs no inclusion programme
    assertNotContains(mia_page, "shown only from 10 people up")


def test_a_small_total_is_hidden_too(db):
    org = OrganisationFactory(name="Tiny", slug="tiny")
    dept = DepartmentFactory(organisation=org, name="Only team")
    admin = person_with_account(
        organisation=org,
        full_name="Tia Admin",
        is_org_admin=True,
        department=dept,
        level=level(org, 7),
        email="tia@tiny.test",
    )
    juniors = _people_in(org, dept, 2, "j", 5)
    programme = ProgrammeFactory(organisation=org, name="Tiny pilot", state="active")
    Invitation.objects.create(programme=programme, person=juniors[0], role="mentor")
    response = _client(admin).get(URL)
    section = _section(response, "Who is asked to take part")
    # Six in the directory; one invited, shown neither in its row nor as the total.
    assert _row_cells(section, "Only team")[:3] == ["6", "—", "—"]
    assert _row_cells(section, "Everyone")[:3] == ["6", "—", "—"]


# ---------------------------------------------------------------------------------------------
# Filters: a row is the same under every filter; participation does not move with them


def test_filters_choose_rows_without_changing_any_figure(lab):
    client = _client(lab.admin)
    everything = client.get(URL)
    year_2025 = client.get(URL, {"year": "2025"})
    leadership = client.get(URL, {"objective": "leadership"})
    table_all = _section(everything, "Programmes and cohorts", "Pilot and later cohorts")
    table_2025 = _section(year_2025, "Programmes and cohorts", "Pilot and later cohorts")
    assertContains(year_2025, "Brightwater pilot")
    assertContains(year_2025, "Clear the filters")
    assertNotContains(everything, "Clear the filters")
    assert "Leaders listening" not in table_2025
    assert _row_cells(table_2025, "Brightwater pilot") == _row_cells(table_all, "Brightwater pilot")
    table_leaders = _section(leadership, "Programmes and cohorts", "Pilot and later cohorts")
    assertContains(leadership, "Leaders listening")
    assert "Brightwater pilot" not in table_leaders


@pytest.mark.parametrize(
    "query",
    [
        {"year": "2025"},
        {"year": "2026"},
        {"objective": "leadership"},
        {"objective": "digital_skills"},
    ],
)
def test_participation_is_identical_under_every_filter(lab, query):
    """Differencing two filtered views cannot reveal a hidden cell: the counts by department and
    level are for every programme the viewer runs, whatever the filters."""
    client = _client(lab.admin)
    everything = client.get(URL)
    filtered = client.get(URL, query)
    assertContains(filtered, "Who is asked to take part")
    assert _section(filtered, "Who is asked to take part") == _section(
        everything, "Who is asked to take part"
    )


def test_unknown_filter_values_are_set_aside(lab):
    response = _client(lab.admin).get(URL, {"year": "1066", "objective": "astrology"})
    assertContains(response, "Unknown filter")
    assertContains(response, "Leaders listening")


# ---------------------------------------------------------------------------------------------
# Who may see it


def test_a_manager_sees_only_the_programmes_they_run(lab):
    response = _client(lab.mia).get(URL)
    assertContains(response, "Leaders listening")
    assertNotContains(response, "Brightwater pilot")
    section = _section(response, "Who is asked to take part")
    # Only "Leaders listening" counts: d6 and f6 were asked.
    by_department = section.split("By level", 1)[0]
    assert _row_cells(by_department, "Everyone")[:2] == ["26", "—"]


def test_world_personas(world, pairs):
    cases = {
        world.admin: 200,
        world.manager: 200,
        world.other_manager: 200,
        world.outsider_admin: 200,
        world.applicant: 404,
        world.senior: 404,
        pairs.other_mentee: 404,
    }
    for person, status in cases.items():
        response = _client(person).get(URL)
        assert response.status_code == status, person.full_name
    manager_page = _client(world.manager).get(URL)
    assertContains(manager_page, world.programme.name)
    assertNotContains(manager_page, world.other_programme.name)
    outsider_page = _client(world.outsider_admin).get(URL)
    assertContains(outsider_page, "No programmes yet")
    assertNotContains(outsider_page, world.programme.name)
    assertNotContains(outsider_page, "Finance")


def test_signed_out_visitor_is_sent_to_sign_in(db):
    response = Client().get(URL)
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_an_admin_taking_part_does_not_see_that_programme(world, pairs):
    accepted(world.other_programme, world.admin, "mentee")
    response = _client(world.admin).get(URL)
    assertContains(response, world.programme.name)
    assertNotContains(response, world.other_programme.name)


def test_the_main_navigation_links_the_overview_for_those_who_may_see_it(world):
    assertContains(_client(world.manager).get(reverse("dashboard")), f'href="{URL}"')
    assertNotContains(_client(world.applicant).get(reverse("dashboard")), f'href="{URL}"')


def test_names_are_escaped(world):
    Programme.objects.filter(pk=world.programme.pk).update(name="<script>x()</script>")
    response = _client(world.admin).get(URL)
    assertContains(response, "&lt;script&gt;x()&lt;/script&gt;")
    assertNotContains(response, "<script>x()</script>")


# ---------------------------------------------------------------------------------------------
# Paging and the query budget

BUDGET = 27  # 24 measured (with the session, the user and the nav badges), flat as data grows


def _grow(lab: Lab, n: int) -> None:
    """`n` more cohorts of the pilot, each with pairs, meetings and survey answers, and more
    people in the directory."""
    dept = DepartmentFactory(organisation=lab.org, name=f"Grown {n}")
    previous = lab.cohort
    for i in range(n):
        previous = ProgrammeFactory(
            organisation=lab.org,
            name=f"Grown cohort {i}",
            previous_cohort=previous,
            state="active",
            starts_on=dt.date(2026, 4, 1) + dt.timedelta(days=i),
            ends_on=dt.date(2026, 10, 1),
        )
        mentors = _people_in(lab.org, dept, 2, f"g{i}m", 5)
        mentees = _people_in(lab.org, dept, 8, f"g{i}s", 5)
        for mentor, mentee in zip(mentors, mentees, strict=True):
            _meetings(active_pairing(previous, mentor=mentor, mentee=mentee), 2)
        SuccessMeasure.objects.create(programme=previous, item_key=ITEM)
        _survey_answers(previous, ITEM, ITEM_TEXT, {m: (2, 4) for m in mentees})


def _queries(client: Client, **params: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(URL, params)
    assert response.status_code == 200
    return len(captured)


def test_query_count_does_not_grow_with_programmes_and_people(lab, django_assert_max_num_queries):
    client = _client(lab.admin)
    client.get(URL)  # warm the session and per-process caches
    small = _queries(client)
    _grow(lab, 4)
    large = _queries(client)
    assert small == large, (small, large)
    with django_assert_max_num_queries(BUDGET):
        response = client.get(URL)
    assertContains(response, "Grown cohort 3")


def test_the_programme_list_is_paged(lab):
    for i in range(overview.PAGE_SIZE):
        ProgrammeFactory(
            organisation=lab.org, name=f"Extra programme {i:02}", starts_on=dt.date(2027, 1, 1)
        )
    client = _client(lab.admin)
    first = client.get(URL)
    assertContains(first, "Page 1 of 2")
    assertNotContains(first, "Brightwater pilot</a>")
    second = client.get(URL, {"page": "2"})
    assertContains(second, "Brightwater pilot</a>")


def test_hidden_cells_rule_used_matches_core_suppression():
    # The overview relies on core.suppression; this pins the behaviour its fixtures expect.
    assert hidden_cells({"a": 8, "b": 7, "c": 6, "d": 2, "e": 3}, threshold=5) == {"d", "e"}


def test_cohort_families_are_paged_newest_first(lab):
    for i in range(overview.FAMILY_PAGE_SIZE):
        first = ProgrammeFactory(
            organisation=lab.org, name=f"Family {i} pilot", starts_on=dt.date(2027, 1, 1 + i)
        )
        ProgrammeFactory(
            organisation=lab.org,
            name=f"Family {i} cohort 2",
            previous_cohort=first,
            starts_on=dt.date(2028, 1, 1 + i),
            ends_on=dt.date(2028, 7, 1),
        )
    client = _client(lab.admin)
    first_page = client.get(URL)
    assertContains(first_page, "Cohorts from", count=overview.FAMILY_PAGE_SIZE)
    assertContains(first_page, "Families page 1 of 2")
    assertNotContains(first_page, "Cohorts from “Brightwater pilot”")  # its newest cohort is older
    second_page = client.get(URL, {"families": "2"})
    assertContains(second_page, "Cohorts from", count=1)
    assertContains(second_page, "Cohorts from “Brightwater pilot”")


def test_admins_are_led_on_to_inclusion_and_exports_and_managers_to_exports_only(lab):
    inclusion = reverse("insight:inclusion")
    exports = reverse("insight:exports")
    admin_page = _client(lab.admin).get(URL)
    assertContains(admin_page, f'href="{inclusion}"')
    assertContains(admin_page, f'href="{exports}"')
    manager_page = _client(lab.mia).get(URL)
    assertNotContains(manager_page, f'href="{inclusion}"')
    assertContains(manager_page, f'href="{exports}"')


def test_a_long_family_shows_its_first_cohort_and_the_most_recent_ones(lab):
    previous = ProgrammeFactory(
        organisation=lab.org, name="Termly pilot", starts_on=dt.date(2020, 1, 1)
    )
    n = overview.FAMILY_COHORTS + 2
    for i in range(2, n + 1):
        previous = ProgrammeFactory(
            organisation=lab.org,
            name=f"Termly cohort {i}",
            previous_cohort=previous,
            starts_on=dt.date(2020 + i, 1, 1),
            ends_on=dt.date(2020 + i, 7, 1),
        )
    page = _client(lab.admin).get(URL)
    families = _section(page, "Pilot and later cohorts", "Who is asked to take part")
    assert "Termly pilot" in families
    # The pilot and the five most recent: cohorts 2 and 3 are left out.
    first_recent = n - overview.FAMILY_COHORTS + 2
    for i in range(2, n + 1):
        assert (f"Termly cohort {i}<" in families) == (i >= first_recent)
    assert "2 earlier cohorts not shown" in families
