"""Outcomes from stored answers: pairing, breakdowns with suppression, comments, export."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

import pytest
import time_machine
from django.template import Context, Template

from upward.consent import services as consent_services
from upward.consent.purposes import Purpose as ConsentPurpose
from upward.organisations.models import Person
from upward.surveys import outcomes, reporting, selectors, services
from upward.surveys.models import Survey
from upward.surveys.tests.helpers import (
    END_DAY,
    START_DAY,
    answer,
    open_template,
    participants,
    settle,
)
from upward.testing.factories import DepartmentFactory, TopicFactory

pytestmark = pytest.mark.django_db

SIX = [(2, 4), (3, 3), (1, 3), (4, 5), (2, 2), (3, 4)]


@dataclass
class Cohort:
    mentees: list[Person]
    mentors: list[Person]
    start: Survey
    end: Survey


@pytest.fixture
def cohort(world) -> Cohort:  # type: ignore[no-untyped-def]
    programme = world.programme
    programme.state = "active"
    programme.save(update_fields=["state"])
    digital = DepartmentFactory(organisation=world.org, name="Data")
    finance = DepartmentFactory(organisation=world.org, name="Audit")
    mentees = participants(programme, 5, role="mentee", prefix="Lead", department=digital)
    mentees += participants(programme, 1, role="mentee", prefix="Chief", department=finance)
    mentors = participants(programme, 2, role="mentor", prefix="Junior")
    start = open_template(programme, "generational-start")
    end = open_template(programme, "generational-end")
    for person, (before, after) in zip(mentees, SIX, strict=True):
        answer(start, person, today=START_DAY, understanding_generations=before)
        answer(end, person, today=END_DAY, understanding_generations=after)
    for person, (before, after) in zip(mentors, [(1, 5), (2, 5)], strict=True):
        answer(start, person, today=START_DAY, understanding_generations=before)
        answer(end, person, today=END_DAY, understanding_generations=after)
    settle(start, end)
    return Cohort(mentees, mentors, start, end)


def _item(result, key):  # type: ignore[no-untyped-def]
    return next(p for p in result.paired if p.item_key == key and p.timing == "end")


def test_paired_change_from_stored_answers(world, cohort):
    result = selectors.programme_outcomes(world.programme)
    item = _item(result, "understanding-generations")
    assert item.n == 8
    expected = outcomes.paired_change([*SIX, (1, 5), (2, 5)])
    assert item.change == expected
    assert item.change.improved == 6
    # Someone who answered only at the start is left out of the pairing.
    late = participants(world.programme, 1, role="mentee", prefix="Late")[0]
    answer(cohort.start, late, today=START_DAY, understanding_generations=1)
    settle(cohort.start)
    assert _item(selectors.programme_outcomes(world.programme), "understanding-generations").n == 8


def test_role_breakdown_hides_the_small_cell_and_its_complement(world, cohort):
    item = _item(selectors.programme_outcomes(world.programme), "understanding-generations")
    by_role = next(b for b in item.breakdowns if "role" in b.title.lower())
    cells = {c.label: c for c in by_role.cells}
    assert len(cells) == 2
    # Two mentors is below five; the six mentees would give the mentors' figure away by
    # subtraction from "Everyone", so they are hidden too.
    assert all(c.hidden and c.change is None for c in cells.values())
    # In the CSV too: empty cells, with no note saying why (that would say the group is small).
    rows = list(reporting.outcome_rows(selectors.programme_outcomes(world.programme)))
    role_rows = [r for r in rows if r[0] == "paired" and "role" in r[4].lower()]
    assert role_rows and all(set(r[5:]) == {""} for r in role_rows)


def test_department_breakdown_secondary_suppression(world, cohort):
    item = _item(selectors.programme_outcomes(world.programme), "understanding-generations")
    by_dept = next(b for b in item.breakdowns if "department" in b.title.lower())
    cells = {c.label: c for c in by_dept.cells}
    # Audit has one participant, too few ever to be reported, so anonymous rows do not keep it:
    # that person counts as "Not stated" with the two mentors who have no department.
    assert set(cells) == {"Data", "Not stated"}
    assert cells["Not stated"].n == 3 and cells["Not stated"].hidden
    assert cells["Data"].hidden  # 3 < 5 would be revealed by subtraction


def test_breakdown_cells_show_when_groups_are_big_enough(world, cohort):
    more = participants(world.programme, 4, role="mentor", prefix="Extra")
    for person in more:
        answer(cohort.start, person, today=START_DAY, understanding_generations=2)
        answer(cohort.end, person, today=END_DAY, understanding_generations=3)
    settle(cohort.start, cohort.end)
    item = _item(selectors.programme_outcomes(world.programme), "understanding-generations")
    by_role = next(b for b in item.breakdowns if "role" in b.title.lower())
    assert [c.hidden for c in by_role.cells] == [False, False]
    mentees = next(c for c in by_role.cells if c.label.startswith("Mentee"))
    assert mentees.change == outcomes.paired_change(SIX)


def test_special_category_only_from_consent_and_from_ten(world):
    programme = world.programme
    programme.state = "active"
    programme.special_category_reporting = True
    programme.save(update_fields=["state", "special_category_reporting"])
    topic = TopicFactory(organisation=world.org, name="Racial identity", kind="experience")
    consenting = participants(programme, 10, role="mentor", prefix="Consent")
    others = participants(programme, 3, role="mentor", prefix="Private")
    for person in consenting + others:
        consent_services.save_about_you(person, answers={}, lived_experience=[topic], by=None)
    for person in consenting:
        consent_services.record_consent(person, ConsentPurpose.REPORTING, granted=True, by=None)
    # Topics without consent to reporting are never used (consent to matching is not enough).
    for person in others:
        consent_services.record_consent(person, ConsentPurpose.MATCHING, granted=True, by=None)
    start = open_template(programme, "generational-start")
    end = open_template(programme, "generational-end")
    for person in consenting + others:
        answer(start, person, today=START_DAY, understanding_generations=2)
        answer(end, person, today=END_DAY, understanding_generations=4)
    settle(start, end)
    item = _item(selectors.programme_outcomes(programme), "understanding-generations")
    special = next(b for b in item.breakdowns if "lived" in b.title.lower())
    assert special.threshold == 10
    cells = {c.label: c for c in special.cells}
    assert cells["Racial identity"].n == 10
    assert cells["Not stated"].n == 3
    # Three "not stated" is below ten, so the group of ten is hidden too (13 - 10 = 3).
    assert cells["Racial identity"].hidden and cells["Not stated"].hidden


def test_fewer_than_five_pairs_show_nothing(world):
    programme = world.programme
    programme.state = "active"
    programme.save(update_fields=["state"])
    people = participants(programme, 4, role="mentee", prefix="Few")
    start = open_template(programme, "digital-skills-start")
    end = open_template(programme, "digital-skills-end")
    for person in people:
        answer(start, person, today=START_DAY)
        answer(end, person, today=END_DAY)
    settle(start, end)
    result = selectors.programme_outcomes(programme)
    item = _item(result, "confidence-digital")
    assert item.n == 4 and item.change is None and item.breakdowns == []
    assert all(r.change is None for r in result.retrospective)
    assert all(p.summary is None for p in result.post_only)
    rows = list(reporting.outcome_rows(result))
    paired = [r for r in rows if r[0] == "paired" and r[1] == "confidence-digital"]
    assert paired[0][5] == "" and "fewer than 5" in paired[0][-1]


def test_retrospective_and_post_only_are_reported_apart(world):
    programme = world.programme
    programme.state = "active"
    programme.save(update_fields=["state"])
    people = participants(programme, 5, role="mentee", prefix="Ret")
    start = open_template(programme, "digital-skills-start")
    end = open_template(programme, "digital-skills-end")
    for i, person in enumerate(people):
        answer(start, person, today=START_DAY)
        answer(
            end,
            person,
            today=END_DAY,
            confidence_digital_retro=(1, 3 + i % 2),
            digital_skills_felt_change=5,
        )
    settle(start, end)
    result = selectors.programme_outcomes(programme)
    retro = next(r for r in result.retrospective if r.item_key == "confidence-digital-retro")
    assert retro.change == outcomes.paired_change([(1, 3), (1, 4), (1, 3), (1, 4), (1, 3)])
    keys = {p.item_key for p in result.post_only}
    assert "digital-skills-felt-change" in keys
    # Paired items never appear among the post-only ones, and retro items never among paired.
    assert "confidence-digital" not in keys
    assert not any(p.item_key.endswith("-retro") for p in result.paired)
    felt = next(p for p in result.post_only if p.item_key == "digital-skills-felt-change")
    assert felt.summary is not None
    assert felt.summary.mean == 5 and felt.summary.top_two == 1


def test_comments_only_from_ten_respondents_sorted_without_names(world):
    programme = world.programme
    programme.state = "active"
    programme.save(update_fields=["state"])
    survey = open_template(programme, "pulse")
    people = participants(programme, 9, role="mentor", prefix="Talk")
    middle = START_DAY.replace(month=4, day=10)
    for i, person in enumerate(people):
        answer(survey, person, today=middle, pulse_comment=f"comment {9 - i}")
    settle(survey)
    result = selectors.programme_outcomes(programme)
    assert result.comments == [] and result.hidden_comments == 1
    tenth = participants(programme, 1, role="mentee", prefix="Tenth")[0]
    answer(survey, tenth, today=middle, pulse_comment="a tenth view")
    settle(survey)
    result = selectors.programme_outcomes(programme)
    assert len(result.comments) == 1
    assert result.comments[0].comments == sorted(
        ["a tenth view"] + [f"comment {9 - i}" for i in range(9)]
    )


def test_export_is_aggregates_only(world, cohort):
    result = selectors.programme_outcomes(world.programme)
    text = "\n".join(",".join(r) for r in reporting.outcome_rows(result))
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == reporting.HEADER
    from upward.surveys.models import Response

    for response in Response.objects.all():
        assert response.pseudonym not in text
    for person in cohort.mentees + cohort.mentors:
        assert person.full_name not in text and person.email not in text
    everyone = next(
        r for r in rows if r[1] == "understanding-generations" and r[3] == "start to end"
    )
    assert everyone[5] == "8" and everyone[6] == "75"


def test_success_measure_panel(world, cohort):
    template = Template("{% load surveys_tags %}{% programme_outcomes_panel programme %}")
    html = template.render(Context({"programme": world.programme}))
    assert "Choose the survey question that measures the objective" in html
    services.set_success_measure(world.programme, item_key="understanding-generations", by=None)
    html = template.render(Context({"programme": world.programme}))
    # Differences: 2, 0, 2, 1, 0, 1 (mentees) and 4, 3 (mentors): 6 of 8 improved, mean 13/8.
    assert "75% improved (n = 8), mean +1.6" in html
    assert "confidence discussing technology" in html


def test_outcomes_query_budget(world, cohort, django_assert_max_num_queries):
    with django_assert_max_num_queries(6):
        selectors.programme_outcomes(world.programme)


def test_reminders_once_per_person_and_survey(world, cohort, mailoutbox):
    from upward.notifications.models import Notification

    survey = open_template(world.programme, "effectiveness")
    with time_machine.travel(END_DAY.isoformat() + " 09:00:00+00:00", tick=False):
        counts = services.send_survey_reminders()
        again = services.send_survey_reminders()
    # Eight participants; everyone answered the end survey already but not "effectiveness".
    assert counts == {"due": 8, "sent": 8}
    assert again == {"due": 8, "sent": 0}
    notes = Notification.objects.filter(kind="survey_due")
    assert notes.count() == 8
    note = notes.first()
    assert note is not None
    assert note.dedupe_key == f"survey_due:{survey.pk}:{note.recipient_id}"
    assert "/surveys/" in note.url and survey.title in note.body
    dry = services.send_survey_reminders(now=None, dry_run=True)
    assert dry["sent"] == 0


def test_about_you_breakdowns_are_protected_with_the_others(world):
    # 12 consenting white mentors, 3 mentees who did not consent: "Not stated" (3) is under ten
    # and would be 15 - 12, so the ethnic-group breakdown hides both; the role breakdown (12
    # mentors, 3 mentees) hides both as well, each breakdown against the same total of 15.
    programme = world.programme
    programme.state = "active"
    programme.special_category_reporting = True
    programme.save(update_fields=["state", "special_category_reporting"])
    white = participants(programme, 12, role="mentor", prefix="White")
    others = participants(programme, 3, role="mentee", prefix="Quiet")
    for person in white:
        consent_services.save_about_you(person, answers={"ethnicity": "white"}, by=None)
        consent_services.record_consent(person, ConsentPurpose.REPORTING, granted=True, by=None)
    start = open_template(programme, "generational-start")
    end = open_template(programme, "generational-end")
    for person in white + others:
        answer(start, person, today=START_DAY, understanding_generations=2)
        answer(end, person, today=END_DAY, understanding_generations=4)
    settle(start, end)
    item = _item(selectors.programme_outcomes(programme), "understanding-generations")
    by_group = next(b for b in item.breakdowns if b.category == "ethnicity")
    assert by_group.threshold == 10
    cells = {c.label: c for c in by_group.cells}
    assert cells["White"].n == 12 and cells["Not stated"].n == 3
    assert all(c.hidden and c.change is None for c in cells.values())
    by_role = next(b for b in item.breakdowns if "role" in b.title.lower())
    assert sum(c.n for c in by_role.cells) == sum(c.n for c in by_group.cells) == 15
    # Once the programme stops reporting on About-you groups, the groups its rows stored while
    # it did are no longer read: no such breakdown at all.
    programme.special_category_reporting = False
    programme.save(update_fields=["special_category_reporting"])
    item = _item(selectors.programme_outcomes(programme), "understanding-generations")
    assert item.breakdowns and not [b for b in item.breakdowns if b.category == "ethnicity"]
