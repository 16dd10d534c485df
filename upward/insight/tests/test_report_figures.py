"""Every figure of the programme report against a small programme worked out by hand."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
import time_machine

from upward.goals.models import Goal, GoalStatus, Task
from upward.impact.tests.helpers import at, meeting
from upward.insight.report import (
    MET,
    NOT_MEASURABLE,
    NOT_YET,
    FunnelRow,
    MonthRow,
    StepRow,
    programme_report,
    verdict_for,
)
from upward.journey.tests.factories import builtin_version
from upward.organisations.models import Person
from upward.organisations.services import mark_person_back, mark_person_left
from upward.pairing.models import Pairing
from upward.recruitment.models import Application, Invitation
from upward.safety.selectors import flagged_pairings
from upward.surveys.outcomes import paired_change
from upward.surveys.services import set_success_measure
from upward.surveys.tests.helpers import (
    END_DAY,
    START_DAY,
    answer,
    open_template,
    participants,
    settle,
)
from upward.testing.factories import level, person_with_account
from upward.testing.pairs import active_pairing

pytestmark = pytest.mark.django_db

NOW = at("2027-03-20", 12)


@dataclass
class Cohort:
    world: Any
    pairs: Any
    third: Pairing  # ended early
    mentor3: Any
    mentee3: Any
    mentee4: Any


def person(world: Any, name: str, rank: int = 5) -> Any:
    email = name.lower().replace(" ", ".") + "@northwind.test"
    return person_with_account(
        organisation=world.org, full_name=name, level=level(world.org, rank), email=email
    )


@pytest.fixture
def cohort(world, pairs) -> Cohort:  # type: ignore[no-untyped-def]
    """Mentors: Jess, Kai (active), Rio (ended early). Mentees: Sam, Sofia (active), Tara
    (ended early), Uma (applied, proposed to Jess, declined). Invited: Rio as mentor; Tara and
    Uma as mentees."""
    programme = world.programme
    programme.state = "active"
    programme.save()
    rio, tara, uma = person(world, "Rio Mentor", 2), person(world, "Tara Mentee", 8), None
    uma = person(world, "Uma Mentee", 8)
    third = active_pairing(programme, mentor=rio, mentee=tara)
    Pairing.objects.filter(pk=third.pk).update(state="ended", closed_by="mentor")
    Application.objects.create(
        programme=programme, person=uma, role="mentee", motivation="x", consent_terms=True
    )
    Pairing.objects.create(
        programme=programme,
        mentor=world.applicant,
        mentee=uma,
        state="declined",
        closed_by="mentor",
        respond_by=NOW,
    )
    Invitation.objects.create(programme=programme, person=rio, role="mentor")
    Invitation.objects.create(programme=programme, person=tara, role="mentee")
    Invitation.objects.create(programme=programme, person=uma, role="mentee")
    return Cohort(world, pairs, third, rio, tara, uma)


def test_funnel_counts_people_at_each_stage_by_role(cohort) -> None:  # type: ignore[no-untyped-def]
    report = programme_report(cohort.world.programme, now=NOW)
    assert report.funnel == [
        FunnelRow("invited", "Invited", 1, 2),
        FunnelRow("applied", "Applied", 3, 4),
        FunnelRow("accepted", "Accepted", 3, 3),
        FunnelRow("matched", "Matched", 3, 4),
        FunnelRow("active", "Active now", 2, 2),
        FunnelRow("completed", "Completed", 0, 0),
        FunnelRow("left_early", "Left early", 1, 1),
    ]


def test_engagement_meetings_by_month_steps_and_commitment(cohort) -> None:  # type: ignore[no-untyped-def]
    version = builtin_version()
    steps = list(version.steps.filter(kind="session").order_by("position"))
    first, second = steps[0], steps[1]
    a, b, c = cohort.pairs.pairing, cohort.pairs.other, cohort.third
    for pairing, day, step in (
        (a, "2027-01-20", first),
        (a, "2027-02-15", second),
        (a, "2027-03-10", None),
        (b, "2027-02-20", first),
        (c, "2027-01-25", first),
    ):
        held = meeting(pairing, at(day))
        held.step = step
        held.save()
    meeting(b, at("2027-03-01"), status="missed")  # not held: not counted
    meeting(a, at("2027-03-25"), status="scheduled")  # booked: not counted

    e = programme_report(cohort.world.programme, now=NOW).engagement
    # Three pairs went ahead (two active, one ended early); the declined proposal did not.
    assert e.pairs == 3
    assert e.held == 5
    assert e.held_per_pair == 1.7  # 5 / 3
    # "One hour a month": one meeting a month; 68 days from 11 January to 20 March is 2.2
    # months, so two meetings per pair by now.
    assert e.per_month == 1
    assert e.expected_per_pair == 2
    # By month, three pairs at one a month, for the part of each month the programme covers:
    # January from the 11th (21 of 31 days: 3 x 21/31 = 2.03, so 2), all of February (3),
    # March to the 20th (3 x 20/31 = 1.94, so 2).
    assert e.months == [
        MonthRow(dt.date(2027, 1, 1), 2, 2),
        MonthRow(dt.date(2027, 2, 1), 2, 3),
        MonthRow(dt.date(2027, 3, 1), 1, 2),
    ]
    assert e.steps[:3] == [
        StepRow(first.title, 3),
        StepRow(second.title, 1),
        StepRow(steps[2].title, 0),
    ]
    assert len(e.steps) == len(steps)


def test_pairs_at_risk_are_safetys_flags_counted(cohort) -> None:  # type: ignore[no-untyped-def]
    programme = cohort.world.programme
    flagged, _settings = flagged_pairings(programme, viewer=None, now=NOW)
    world = cohort.world
    e = programme_report(programme, viewer=world.manager, now=NOW).engagement
    # Neither active pair has held a meeting: both are flagged, and the ended pair is not judged.
    assert len(flagged) == 2
    assert (e.at_risk, e.at_risk_hidden) == (2, False)
    assert sum(n for _label, n in e.at_risk_kinds) == sum(len(r.flags) for r in flagged)
    # An org admin who does not lead the programme may not read its needs-attention page: no
    # kinds of flag (a low pulse is safety data), and a total under five is held back.
    admin_view = programme_report(programme, viewer=world.admin, now=NOW).engagement
    assert (admin_view.at_risk, admin_view.at_risk_hidden, admin_view.at_risk_kinds) == (
        None,
        True,
        [],
    )
    # Someone in one of the flagged pairs never has their own pair counted.
    own = programme_report(programme, viewer=cohort.pairs.mentee, now=NOW).engagement
    assert own.at_risk_kinds == [] and own.at_risk_hidden


def test_nobody_is_judged_at_risk_before_the_programme_runs(world) -> None:  # type: ignore[no-untyped-def]
    assert world.programme.state == "draft"
    assert programme_report(world.programme, now=NOW).engagement.at_risk is None


def test_goals_and_tasks_are_counted_over_the_pairs(cohort) -> None:  # type: ignore[no-untyped-def]
    a = cohort.pairs.pairing
    goals = [
        Goal.objects.create(
            pairing=a,
            owner=a.mentee,
            statement="Run a meeting on a whiteboard",
            measure="Two meetings",
            target_date=dt.date(2027, 5, 1),
            status=status,
            progress=100 if status == GoalStatus.ACHIEVED else 0,
        )
        for status in (GoalStatus.ACHIEVED, GoalStatus.IN_PROGRESS, GoalStatus.NOT_STARTED)
    ]
    for done in (NOW, NOW, None):
        Task.objects.create(
            goal=goals[0], title="Book it", owner=a.mentee, due_on=dt.date(2027, 4, 1), done_at=done
        )
    g = programme_report(cohort.world.programme, now=NOW).goals
    # Active and completed pairs: the two active ones (the ended one is not counted here).
    assert (g.pairs, g.pairs_with_goals) == (2, 1)
    assert (g.goals, g.achieved, g.in_progress) == (3, 1, 1)
    assert (g.tasks, g.tasks_done) == (3, 2)
    assert g.achieved_share == 33
    assert g.tasks_done_share == 67


def test_mentor_time_totals_and_a_hidden_average_for_few_mentors(cohort) -> None:  # type: ignore[no-untyped-def]
    meeting(cohort.pairs.pairing, at("2027-01-20"), minutes=60)
    meeting(cohort.pairs.pairing, at("2027-02-20"), minutes=45)
    meeting(cohort.third, at("2027-01-25"), minutes=30)
    t = programme_report(cohort.world.programme, now=NOW).mentor_time
    assert t.mentors == 3  # Jess, Kai and Rio
    assert t.mentors_who_gave == 2
    assert t.minutes == 135
    assert t.hours == 2.2
    assert t.sessions == 3
    # Two mentors gave time: an average over them is close to naming each one's time.
    assert t.average_minutes is None


def change(pairs: list[tuple[int, int]]) -> Any:
    return paired_change(pairs)


def test_verdict_rules() -> None:
    common: dict[str, Any] = {
        "measure_chosen": True,
        "item_text": "I feel confident",
        "min_group": 5,
    }
    unlinked = verdict_for(
        measure_chosen=False, item_text="", in_end_survey=False, change=None, min_group=5
    )
    assert unlinked.state == NOT_MEASURABLE
    assert "No survey question is linked" in unlinked.reason
    missing = verdict_for(**common, in_end_survey=False, change=None)
    assert missing.state == NOT_MEASURABLE
    assert "no answers from the end survey" in missing.reason
    few = verdict_for(**common, in_end_survey=True, change=None)
    assert few.state == NOT_MEASURABLE
    assert "at least 5 are needed" in few.reason

    rise = change([(2, 4), (2, 4), (3, 4), (2, 3), (3, 5), (2, 3)])
    met = verdict_for(**common, in_end_survey=True, change=rise)
    assert rise.ci_low > 0
    assert met.state == MET
    assert met.label == "Met"
    assert "+1.50 points" in met.reason

    unsure = change([(2, 5), (3, 2), (3, 3), (2, 4), (4, 3)])
    assert unsure.mean_change > 0 and unsure.ci_low < 0
    maybe = verdict_for(**common, in_end_survey=True, change=unsure)
    assert maybe.state == NOT_YET
    assert "could still be chance" in maybe.reason

    fall = change([(4, 3), (4, 3), (3, 3), (5, 4), (4, 4)])
    assert verdict_for(**common, in_end_survey=True, change=fall).state == NOT_YET


def test_retention_against_the_rest_of_the_organisation(world, pairs) -> None:  # type: ignore[no-untyped-def]
    programme = world.programme
    programme.state = "completed"
    programme.ended_on = dt.date(2025, 1, 31)
    programme.save()
    rio, tara = person(world, "Rio Mentor", 2), person(world, "Tara Mentee", 8)
    third = active_pairing(programme, mentor=rio, mentee=tara)
    Pairing.objects.filter(programme=programme).update(state="completed")
    world.org.people.update(start_date=dt.date(2020, 1, 1))
    # Participants: Jess, Sam, Kai, Sofia, Rio and Tara. Everyone else: Ada, Mo, Olu so far.
    with time_machine.travel(dt.datetime(2025, 3, 15, 9, tzinfo=dt.UTC), tick=False):
        mark_person_left(pairs.other_mentee, by=None)  # Sofia, a participant, two months on
    report = programme_report(programme)
    six, twelve = report.retention
    assert (six.months, six.due_on, six.available) == (6, dt.date(2025, 7, 31), True)
    assert (twelve.months, twelve.due_on) == (12, dt.date(2026, 1, 31))
    assert six.participants == 6 and six.participants_rate == 83  # 5 of 6
    assert twelve.participants_rate == 83
    # Three others: a group too small to show.
    assert six.others is None and six.others_rate is None

    pat, _quinn, rae, late = (person(world, n) for n in ("Pat", "Quinn", "Rae", "Late Joiner"))
    world.org.people.exclude(pk=late.pk).update(start_date=dt.date(2020, 1, 1))
    late.start_date = dt.date(2025, 6, 1)  # joined after the end: not in either group
    late.save()
    with time_machine.travel(dt.datetime(2024, 12, 1, 9, tzinfo=dt.UTC), tick=False):
        mark_person_left(rae, by=None)  # left before the end: not in either group
    with time_machine.travel(dt.datetime(2025, 10, 1, 9, tzinfo=dt.UTC), tick=False):
        mark_person_left(pat, by=None)  # between the 6- and 12-month marks
    six, twelve = programme_report(programme).retention
    # Others: Ada, Mo, Olu, Pat, Quinn (five), all there at 6 months, Pat gone by 12.
    assert (six.others, six.others_rate) == (5, 100)
    assert (twelve.others, twelve.others_rate) == (5, 80)
    assert third.pk  # the third pair's people count as participants above


def test_retention_waits_for_the_end_and_for_the_day(world, pairs) -> None:  # type: ignore[no-untyped-def]
    report = programme_report(world.programme)
    assert report.retention == []
    assert "after the programme has been completed" in report.retention_note
    world.programme.state = "completed"
    world.programme.ended_on = dt.date(2026, 10, 1)
    world.programme.save()
    with time_machine.travel(dt.datetime(2027, 5, 1, 9, tzinfo=dt.UTC), tick=False):
        six, twelve = programme_report(world.programme).retention
    assert six.available and not twelve.available
    assert twelve.participants_rate is None


def _surveyed(world, pairs_of_answers) -> None:  # type: ignore[no-untyped-def]
    """Start and end surveys answered by one mentee per (before, after), through the service."""
    programme = world.programme
    programme.state = "active"
    programme.save(update_fields=["state"])
    people = participants(programme, len(pairs_of_answers), role="mentee", prefix="Lead")
    start = open_template(programme, "generational-start")
    end = open_template(programme, "generational-end")
    for person, (before, after) in zip(people, pairs_of_answers, strict=True):
        answer(start, person, today=START_DAY, understanding_generations=before)
        answer(end, person, today=END_DAY, understanding_generations=after)
    settle(start, end)


def test_the_verdict_from_real_answers_is_met(world) -> None:  # type: ignore[no-untyped-def]
    six = [(2, 4), (3, 4), (1, 3), (4, 5), (2, 3), (3, 4)]  # changes 2, 1, 2, 1, 1, 1
    _surveyed(world, six)
    assert programme_report(world.programme).verdict.state == NOT_MEASURABLE  # none chosen
    set_success_measure(world.programme, item_key="understanding-generations", by=None)
    report = programme_report(world.programme)
    assert report.verdict.state == MET
    assert report.verdict.change is not None
    assert report.verdict.change.n == 6
    assert report.verdict.change.mean_change == pytest.approx(8 / 6)
    assert "+1.33 points" in report.verdict.reason
    row = report.outcomes[0]
    assert row.comparison == "start to end"
    assert (row.n, row.improved_share, row.mean_text) == (6, 100, "+1.33")


def test_the_verdict_waits_for_five_people(world) -> None:  # type: ignore[no-untyped-def]
    _surveyed(world, [(2, 4), (3, 4), (1, 3), (4, 5)])
    set_success_measure(world.programme, item_key="understanding-generations", by=None)
    report = programme_report(world.programme)
    assert report.verdict.state == NOT_MEASURABLE
    assert "at least 5 are needed" in report.verdict.reason
    assert all(row.change is None and row.mean_text == "—" for row in report.outcomes)


def test_someone_marked_back_has_not_left(world) -> None:  # type: ignore[no-untyped-def]
    pat, rae = person(world, "Pat"), person(world, "Rae")
    with time_machine.travel(dt.datetime(2025, 3, 1, 9, tzinfo=dt.UTC), tick=False):
        mark_person_left(pat, by=None)
        mark_person_left(rae, by=None)
    with time_machine.travel(dt.datetime(2025, 4, 1, 9, tzinfo=dt.UTC), tick=False):
        mark_person_back(Person.objects.get(pk=rae.pk), by=None)
    Person.objects.filter(pk__in=[pat.pk, rae.pk]).update(start_date=dt.date(2020, 1, 1))
    world.programme.state = "completed"
    world.programme.ended_on = dt.date(2025, 1, 31)
    world.programme.save()
    with time_machine.travel(dt.datetime(2026, 3, 1, 9, tzinfo=dt.UTC), tick=False):
        before = programme_report(world.programme).retention
        # Someone inactive whose leaving day nobody recorded is left out, not guessed.
        Person.objects.filter(pk=rae.pk).update(is_active=False, left_on=None)
        after = programme_report(world.programme).retention
    six_before, six_after = before[0], after[0]
    # Rae came back, so she stayed; Pat left within six months of the end.
    assert six_before.others is not None and six_after.others == six_before.others - 1
    assert six_before.others_rate is not None and six_before.others_rate < 100
