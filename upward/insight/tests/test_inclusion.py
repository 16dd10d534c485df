"""The inclusion page: consent respected, small groups hidden across breakdowns and filters,
organisation admins only, a fixed number of queries."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st
from pytest_django.asserts import assertContains, assertNotContains

from upward.consent import services as consent_services
from upward.consent.models import ConsentEvent
from upward.consent.purposes import Purpose
from upward.insight.inclusion import MEASURES, _protected_table, inclusion_report
from upward.insight.tests.helpers import applied, matched, reporting
from upward.testing.factories import TopicFactory

URL = reverse("insight:inclusion")


def _table(report: Any, key: str) -> dict[str, Any]:
    table = next(t for t in report.tables if t.key == key)
    return {r.label: r for r in [*table.rows, table.everyone]}


# --- figures, by hand -------------------------------------------------------------------------


def test_figures_by_group_from_a_hand_made_programme(world):
    reporting(world.programme)
    # White: 10 not matched, 5 pairs going on, 5 pairs completed: applied 30, matched 20,
    # completed 10. Asian: 12 not matched, 5 pairs going on, 5 completed: 32, 20, 10.
    # Not stated (answers, but no consent): 10 not matched.
    applied(world, world.programme, 10, ethnicity="white")
    matched(world, world.programme, 5, ethnicity="white")
    matched(world, world.programme, 5, completed=True, ethnicity="white")
    applied(world, world.programme, 12, ethnicity="asian")
    matched(world, world.programme, 5, ethnicity="asian")
    matched(world, world.programme, 5, completed=True, ethnicity="asian")
    applied(world, world.programme, 10, ethnicity="asian", consent=False)
    rows = _table(inclusion_report(world.org, scope=None), "ethnicity")
    everyone = rows["Everyone"]
    assert (everyone.applied, everyone.matched, everyone.completed) == (72, 40, 20)
    white = rows["White"]
    assert (white.applied, white.matched, white.completed) == (30, 20, 10)
    assert white.matched_share == 67 and white.completed_share == 50
    # Asian applied 32 shows; in the matched and completed columns everyone else is zero, so
    # one of the two tens (or twenties) must go with the zeros, and a tie goes alphabetically.
    asian = rows["Asian or Asian British"]
    assert asian.applied == 32 and asian.matched is None and asian.completed is None
    assert asian.matched_share is None  # a share is hidden with its cell
    # Not stated is 10 (not below ten) but alone beside the empty groups it would be
    # 72 - 30 - 32, so it is hidden; the empty groups are hidden too, never shown as 0.
    assert rows["Not stated"].applied is None
    assert rows["Black, Black British, Caribbean or African"].applied is None
    # Every breakdown counts the same 72 participations.
    for table in inclusion_report(world.org, scope=None).tables:
        assert table.everyone.applied == 72


def test_not_stated_is_a_cell_so_a_lone_small_cell_takes_another_with_it(world):
    reporting(world.programme)
    applied(world, world.programme, 12, ethnicity="white")
    applied(world, world.programme, 15, ethnicity="asian")
    applied(world, world.programme, 3, consent=False)
    rows = _table(inclusion_report(world.org, scope=None), "ethnicity")
    assert rows["Not stated"].applied is None
    # The three, with the empty groups, hold under ten: the smallest visible group goes too.
    assert rows["White"].applied is None and rows["Asian or Asian British"].applied == 15
    assert rows["Everyone"].applied == 30


def test_breakdowns_share_one_total_and_not_stated_is_protected(world):
    reporting(world.programme)
    applied(world, world.programme, 12, ethnicity="white", disability="no")
    applied(world, world.programme, 15, ethnicity="asian", disability="yes")
    applied(world, world.programme, 3, ethnicity="white")  # no answer on disability
    report = inclusion_report(world.org, scope=None)
    ethnicity, disability = _table(report, "ethnicity"), _table(report, "disability")
    assert ethnicity["Everyone"].applied == disability["Everyone"].applied == 30
    # Disability: 3 not stated is hidden, and with it the smallest other group, else the
    # shared total 30 - 15 - 12 would give it back.
    assert disability["Not stated"].applied is None and disability["No"].applied is None
    assert disability["Yes, I am disabled or have a long-term health condition"].applied == 15
    assert ethnicity["White"].applied == 15


@pytest.mark.parametrize(("without", "shown"), [(15, 12), (3, None)])
def test_lived_experience_rows_and_everyone_else_left_off_the_page(world, without, shown):
    reporting(world.programme)
    topic = TopicFactory(organisation=world.org, name="Caring for a relative", kind="experience")
    applied(world, world.programme, 12, lived=topic)
    applied(world, world.programme, without, ethnicity="white")
    rows = _table(inclusion_report(world.org, scope=None), "lived_experience")
    assert set(rows) == {"Caring for a relative", "Everyone"}
    # With 3 people without it, showing 12 beside 15 would tell that 3 do not share it.
    assert rows["Caring for a relative"].applied == shown
    assert rows["Everyone"].applied == 12 + without


# --- consent ----------------------------------------------------------------------------------


def test_only_answers_consented_under_the_inclusion_wording_count(world):
    reporting(world.programme)
    applied(world, world.programme, 10, ethnicity="asian")
    applied(world, world.programme, 12, ethnicity="white")
    applied(world, world.programme, 10, consent=False)
    withdrawn = applied(world, world.programme, 1, ethnicity="white")[0]
    consent_services.record_consent(withdrawn, Purpose.REPORTING, granted=False, by=None)
    never_asked = applied(world, world.programme, 1, ethnicity="white", consent=False)[0]
    matching_only = applied(world, world.programme, 1, ethnicity="white", consent=False)[0]
    consent_services.record_consent(matching_only, Purpose.MATCHING, granted=True, by=None)
    # Agreed only to the first wording (anonymous survey reports), which never mentioned
    # counting who applied, was matched and completed.
    old = applied(world, world.programme, 1, ethnicity="white", consent=False)[0]
    ConsentEvent.objects.create(
        person=old, purpose=Purpose.REPORTING, granted=True, version="reporting-2026-12"
    )
    prefer_not = applied(world, world.programme, 1, ethnicity="prefer_not")[0]
    assert never_asked and prefer_not
    rows = _table(inclusion_report(world.org, scope=None), "ethnicity")
    # Had any of the five counted as white, White would read 13 or more.
    assert rows["White"].applied == 12
    assert rows["Not stated"].applied == 15
    assert rows["Asian or Asian British"].applied is None  # the smallest goes with the zeros
    assert rows["Everyone"].applied == 37


# --- differencing across programme filters ----------------------------------------------------


def test_a_programme_cannot_be_subtracted_from_the_organisation(world):
    reporting(world.programme, world.other_programme)
    applied(world, world.programme, 12, ethnicity="white")
    applied(world, world.programme, 20, ethnicity="asian")
    applied(world, world.other_programme, 3, ethnicity="white")
    applied(world, world.other_programme, 25, ethnicity="asian")
    whole = _table(inclusion_report(world.org, scope=None), "ethnicity")
    first = _table(inclusion_report(world.org, scope=world.programme), "ethnicity")
    second = _table(inclusion_report(world.org, scope=world.other_programme), "ethnicity")
    assert second["White"].applied is None
    # 15 white in the organisation and 12 in the first programme would leave 3 in the other.
    assert whole["White"].applied is None or first["White"].applied is None
    shown = [
        (t["White"].applied, t["Asian or Asian British"].applied) for t in (whole, first, second)
    ]
    assert shown.count((None, None)) < 3  # not simply everything hidden
    for view in (whole, first, second):
        assert view["Everyone"].applied is not None


def test_views_of_one_programme_and_the_organisation_agree(world):
    # With one programme reporting, the organisation's figures are the programme's.
    reporting(world.programme)
    applied(world, world.programme, 12, ethnicity="white")
    applied(world, world.programme, 20, ethnicity="asian")
    whole = _table(inclusion_report(world.org, scope=None), "ethnicity")
    one = _table(inclusion_report(world.org, scope=world.programme), "ethnicity")
    assert [(r.applied, r.matched) for r in whole.values()] == [
        (r.applied, r.matched) for r in one.values()
    ]


# --- the page ---------------------------------------------------------------------------------


def test_the_page_shows_tables_with_dashes_and_the_explanation(world):
    reporting(world.programme)
    applied(world, world.programme, 12, ethnicity="white")
    applied(world, world.programme, 20, ethnicity="asian")
    page = world.client_for(world.admin).get(URL)
    assertContains(page, "Why some figures show “—”", status_code=200)
    assertContains(page, "Ethnic group")
    assertContains(page, '<td class="num">20</td>', html=False)
    assertContains(page, world.programme.name)
    assertNotContains(page, "fewer than", status_code=200)
    assertNotContains(page, world.other_programme.name, status_code=200)  # reporting is off


def test_empty_state_when_no_programme_reports_on_groups(world):
    applied(world, world.programme, 12, ethnicity="white")
    page = world.client_for(world.admin).get(URL)
    assertContains(page, "No programme reports on groups yet", status_code=200)
    assertNotContains(page, "Ethnic group", status_code=200)


def test_programme_scope_shows_its_name_and_outcome_section(world):
    reporting(world.programme)
    applied(world, world.programme, 12, ethnicity="white")
    page = world.client_for(world.admin).get(URL, {"programme": world.programme.pk})
    assertContains(page, f"Taking part: {world.programme.name}", status_code=200)
    assertContains(page, "No survey change by group to show yet")


@pytest.mark.parametrize("who", ["manager", "other_manager", "applicant", "senior"])
def test_only_organisation_admins(world, who):
    reporting(world.programme)
    page = world.client_for(getattr(world, who)).get(URL)
    assertContains(page, "", status_code=404)


def test_signed_out_goes_to_sign_in(world):
    page = world.client_for(None).get(URL)
    assert page.status_code == 302 and "login" in page["Location"]


def test_another_organisations_admin_sees_only_their_own(world):
    reporting(world.programme)
    applied(world, world.programme, 12, ethnicity="white")
    client = world.client_for(world.outsider_admin)
    page = client.get(URL)
    assertContains(page, "No programme reports on groups yet", status_code=200)
    assertNotContains(page, world.programme.name, status_code=200)
    assert client.get(URL, {"programme": world.programme.pk}).status_code == 404


@pytest.mark.parametrize("value", ["other", "999999", "x"])
def test_a_programme_filter_that_does_not_report_is_404(world, value):
    reporting(world.programme)
    programme = str(world.other_programme.pk) if value == "other" else value
    page = world.client_for(world.admin).get(URL, {"programme": programme})
    assert page.status_code == 404


# --- queries ----------------------------------------------------------------------------------


def _queries(client: Any, params: dict[str, Any]) -> int:
    with CaptureQueriesContext(connection) as ctx:
        page = client.get(URL, params)
    assert page.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize(("scoped", "budget"), [(False, 9), (True, 13)])
def test_query_budget_does_not_grow_with_the_data(
    world, django_assert_max_num_queries, scoped, budget
):
    reporting(world.programme, world.other_programme)
    params = {"programme": world.programme.pk} if scoped else {}
    client = world.client_for(world.admin)
    client.get(URL, params)  # sign-in and session set up once
    applied(world, world.programme, 3, ethnicity="white")
    matched(world, world.other_programme, 1, ethnicity="asian")
    small = _queries(client, params)
    applied(world, world.programme, 25, ethnicity="asian")
    matched(world, world.programme, 6, completed=True, ethnicity="white")
    matched(world, world.other_programme, 6, ethnicity="mixed")
    assert _queries(client, params) == small
    with django_assert_max_num_queries(budget):
        page = client.get(URL, params)
    assertContains(page, "Ethnic group", status_code=200)


def test_programme_scope_shows_survey_change_by_group_from_consented_answers(world):
    from upward.surveys.tests.helpers import (
        END_DAY,
        START_DAY,
        answer,
        open_template,
        participants,
        settle,
    )

    programme = world.programme
    programme.state = "active"
    programme.save(update_fields=["state"])
    reporting(programme)
    white = participants(programme, 10, role="mentor", prefix="White")
    asian = participants(programme, 10, role="mentor", prefix="Asian")
    private = participants(programme, 2, role="mentor", prefix="Private")
    for group, people in (("white", white), ("asian", asian), ("asian", private)):
        for person in people:
            consent_services.save_about_you(person, answers={"ethnicity": group}, by=None)
    for person in white + asian:
        consent_services.record_consent(person, Purpose.REPORTING, granted=True, by=None)
    start = open_template(programme, "generational-start")
    end = open_template(programme, "generational-end")
    for person in white:
        answer(start, person, today=START_DAY, understanding_generations=2)
        answer(end, person, today=END_DAY, understanding_generations=4)
    for person in asian + private:
        answer(start, person, today=START_DAY, understanding_generations=3)
        answer(end, person, today=END_DAY, understanding_generations=4)
    settle(start, end)
    report = inclusion_report(world.org, scope=programme)
    table = next(
        t for t in report.outcomes if "ethnic" in t.title.lower() and "career stage" in t.text
    )
    groups = {g.label: g for g in table.groups}
    assert table.n == 22
    # The two without consent are "Not stated": 2 is under ten, so the smaller of the two
    # groups of ten goes with it (a tie: alphabetical), and the other shows.
    assert groups["Not stated"].change is None
    assert groups["Asian or Asian British"].change is None
    assert groups["White"].change is not None and groups["White"].change.n == 10
    assert groups["White"].change.mean_change == 2.0
    page = world.client_for(world.admin).get(URL, {"programme": programme.pk})
    assertContains(page, "Change in the same people, by group", status_code=200)
    assertContains(page, "+2.00")


# --- an attacker with every view --------------------------------------------------------------

STAGES = ("unmatched", "ongoing", "completed")
# Each figure as a sum of stages (the page shows the first three; a reader can form the others).
FIGURES = {
    "applied": STAGES,
    "matched": ("ongoing", "completed"),
    "completed": ("completed",),
    "unmatched": ("unmatched",),
    "ongoing": ("ongoing",),
}


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=14), min_size=18, max_size=18))
def test_no_view_of_the_page_gives_a_small_group_back(raw):
    """Two programmes, two groups and Not stated, three stages: the organisation view and both
    programme views are read together; every shown figure is a row over the unknown stage
    counts, and no small figure may lie in their span."""
    programmes, groups = [1, 2], ["a", "b", ""]
    counts = iter(raw)
    cells = {(p, g, s): next(counts) for p in programmes for g in groups for s in STAGES}
    stages, person = [], 0
    answers: dict[int, str] = {}
    for (p, g, s), n in cells.items():
        for _ in range(n):
            person += 1
            stages.append((p, person, s))
            answers[person] = g
    shown = _protected_table(groups, lambda pid: answers[pid], stages, programmes, 10)
    base = list(cells)
    index = {k: i for i, k in enumerate(base)}

    def vector(scope: Any, group: str, figure: str) -> np.ndarray:
        v = np.zeros(len(base))
        for p in programmes if scope == "all" else [scope]:
            for g in groups if group == "*" else [group]:
                for s in FIGURES[figure]:
                    v[index[(p, g, s)]] = 1
        return v

    known = [vector(p, g, m) for (p, g, m), value in shown.items() if value is not None]
    a = np.array(known)
    rank = np.linalg.matrix_rank(a)
    for scope in [*programmes, "all"]:
        for g in groups:
            for figure in FIGURES:
                value = sum(vector(scope, g, figure) * np.array([cells[k] for k in base]))
                small = value < 10 if figure in MEASURES else 0 < value < 10
                if small:
                    together = np.vstack([a, vector(scope, g, figure)])
                    assert np.linalg.matrix_rank(together) > rank, (scope, g, figure, value)
