"""Test helpers for matching: a programme in its matching stage, built through the services."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from upward.organisations.models import Department, Person, Topic
from upward.pairing import selectors, services
from upward.pairing.models import ChoiceOption, ChoiceRound, Chooser, MatchRun, Pairing
from upward.programmes.models import Programme, State
from upward.programmes.services import transition_programme
from upward.recruitment import services as recruitment
from upward.recruitment.tests.helpers import application_data, open_recruitment
from upward.testing.factories import TopicFactory, level, person_with_account


@dataclass
class Cohort:
    programme: Programme
    jess: Person  # mentor, Digital, offers Python
    kai: Person  # mentor, Finance, offers Data literacy
    sam: Person  # mentee, Finance, wants Python
    sofia: Person  # mentee, Digital, wants Data literacy
    python: Topic
    data: Topic
    strategy: Topic
    race: Topic


def accept(programme: Programme, person: Person, role: str, **fields: Any) -> None:
    application = recruitment.submit_application(
        programme, person, role=role, by=person.user, **application_data(**fields)
    )
    if application.status != "accepted":
        recruitment.decide_application(
            application, decision="accepted", by=None, allow_overfill=True
        )


def build_cohort(world: Any, *, state: str = State.MATCHING) -> Cohort:
    org = world.org
    python = TopicFactory(organisation=org, name="Python")
    data = TopicFactory(organisation=org, name="Data literacy")
    strategy = TopicFactory(organisation=org, name="Strategy")
    race = TopicFactory(organisation=org, name="Race and ethnicity", kind="experience")
    digital = world.applicant.department
    sofia = person_with_account(
        organisation=org,
        full_name="Sofia Strand",
        job_title="Director of Operations",
        level=level(org, 9),
        department=digital,
        email="sofia@northwind.test",
    )
    world.senior.job_title = "Finance Director"
    world.senior.save(update_fields=["job_title"])
    programme = open_recruitment(
        world.programme,
        mentor_level_min=level(org, 1),
        mentor_level_max=level(org, 4),
        mentee_level_min=level(org, 6),
        mentee_level_max=level(org, 9),
        places=5,
        # Kai's lived experience is used in matching (with his consent, given on applying).
        special_category_matching=True,
    )
    accept(programme, world.applicant, "mentor", offered_topics=[python], wanted_topics=[strategy])
    accept(
        programme,
        world.other_applicant,
        "mentor",
        offered_topics=[data],
        lived_experience_topics=[race],
        lived_experience_consent=True,
    )
    accept(programme, world.senior, "mentee", wanted_topics=[python], offered_topics=[strategy])
    accept(programme, sofia, "mentee", wanted_topics=[data])
    if state != State.RECRUITING:
        transition_programme(programme, to=State.MATCHING, by=None)
    if state == State.ACTIVE:
        transition_programme(programme, to=State.ACTIVE, by=None)
    programme.refresh_from_db()
    return Cohort(
        programme=programme,
        jess=world.applicant,
        kai=world.other_applicant,
        sam=world.senior,
        sofia=sofia,
        python=python,
        data=data,
        strategy=strategy,
        race=race,
    )


def run(cohort: Cohort, by: Any = None, **kwargs: Any) -> MatchRun:
    return services.start_match_run(cohort.programme, by=by, **kwargs)


def pairs_of(run_: MatchRun) -> set[tuple[int, int]]:
    return {(p["mentee"], p["mentor"]) for p in run_.results["pairs"]}


def published(cohort: Cohort, by: Any = None) -> list[Pairing]:
    return services.publish_match_run(run(cohort, by=by), by=by)


def pairing_of(cohort: Cohort, mentee: Person) -> Pairing:
    return Pairing.objects.select_related("programme", "mentor", "mentee", "run").get(
        programme=cohort.programme,
        mentee=mentee,
        state__in=["proposed", "mentor_accepted", "active"],
    )


def add_participant(cohort: Cohort, person: Person, role: str, **fields: Any) -> None:
    """Recruitment is closed during matching, so step back to recruiting to add someone."""
    programme = cohort.programme
    state = programme.state
    if state == State.MATCHING:
        transition_programme(programme, to=State.RECRUITING, by=None)
    accept(programme, person, role, **fields)
    if state == State.MATCHING:
        transition_programme(programme, to=State.MATCHING, by=None)
    programme.refresh_from_db()


def choice_mode(cohort: Cohort, by: Any = None, **settings: Any) -> None:
    """Save the programme's matching settings with participants choosing."""
    services.save_match_setup(
        cohort.programme,
        by=by,
        weights=selectors.weights_for(cohort.programme),
        settings={"matching_mode": "choice", **settings},
    )


def open_round(cohort: Cohort, by: Any = None, *, days: int = 7, **settings: Any) -> ChoiceRound:
    choice_mode(cohort, by=by, **settings)
    return services.open_choice_round(
        cohort.programme, by=by, closes_at=timezone.now() + dt.timedelta(days=days)
    )


def seat(round_: ChoiceRound, person: Person) -> Chooser:
    return Chooser.objects.select_related("round__programme").get(round=round_, person=person)


def options_of(round_: ChoiceRound, person: Person) -> list[int]:
    """The partner ids recommended to `person`, best first."""
    return list(
        ChoiceOption.objects.filter(chooser__round=round_, chooser__person=person)
        .order_by("position")
        .values_list("partner_id", flat=True)
    )


def rank(round_: ChoiceRound, person: Person, *partners: Person) -> Chooser:
    return services.save_ranking(
        seat(round_, person), ranking=[p.pk for p in partners], by=person.user
    )


def grow(cohort: Cohort, world: Any, *, mentees: int, mentors: int, tag: str = "") -> None:
    """Add many mentors and mentees in one recruiting window (add_participant steps back per
    person). Mentors alternate Digital and Finance; every third mentee is in Estates."""
    programme = cohort.programme
    transition_programme(programme, to=State.RECRUITING, by=None)
    digital = world.applicant.department
    finance = world.senior.department
    estates, _ = Department.objects.get_or_create(organisation=world.org, name="Estates")
    for n in range(mentors):
        person = person_with_account(
            organisation=world.org,
            full_name=f"Mentor{tag} {n:02d}",
            job_title="Analyst",
            level=level(world.org, 1),
            department=digital if n % 2 else finance,
        )
        accept(programme, person, "mentor", offered_topics=[cohort.python])
    for n in range(mentees):
        person = person_with_account(
            organisation=world.org,
            full_name=f"Mentee{tag} {n:02d}",
            job_title="Director",
            level=level(world.org, 7),
            department=estates if n % 3 == 0 else finance,
        )
        accept(programme, person, "mentee", wanted_topics=[cohort.python])
    transition_programme(programme, to=State.MATCHING, by=None)
    programme.refresh_from_db()
