"""Raw-column tests for the free text encrypted in issue 15.

Each value is written through the app's own service, for a pair in organisation A and a pair in
organisation B, and the column is read back with a cursor: no plaintext, a token naming its
organisation's key, a different key for B; after A's key is shredded, A's values read as the
placeholder and B's still read.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from upward.core import crypto, keys
from upward.goals import services as goals
from upward.goals.models import Goal, Task
from upward.impact import services as impact
from upward.impact.models import Commitment, ThankYouNote
from upward.journey import services as journey
from upward.journey.models import Meeting, MeetingAgendaItem, PairAgreement
from upward.organisations import services as organisations
from upward.organisations.models import Unavailability
from upward.pairing.models import Pairing
from upward.pairing.services.moves import end_pairing
from upward.recruitment.models import Application
from upward.safety import services as safety
from upward.safety.models import CheckIn
from upward.testing.factories import OrganisationFactory, PersonFactory, ProgrammeFactory
from upward.testing.pairs import active_pairing
from upward.testing.workspace import make_meeting

SECRET = "My manager keeps talking over me"
SOON = dt.date.today() + dt.timedelta(days=30)


@dataclass
class Pair:
    pairing: Pairing

    @property
    def mentor(self) -> Any:
        return self.pairing.mentor

    @property
    def mentee(self) -> Any:
        return self.pairing.mentee


def second_organisation_pair() -> Pair:
    org = OrganisationFactory(name="Southwind Care", slug="southwind")
    programme = ProgrammeFactory(organisation=org)
    mentor = PersonFactory(organisation=org, full_name="Mo Mentor")
    mentee = PersonFactory(organisation=org, full_name="Mia Mentee")
    return Pair(active_pairing(programme, mentor=mentor, mentee=mentee))


def _goal(pair: Pair, text: str) -> Goal:
    return goals.create_goal(
        pair.pairing,
        owner=pair.mentee,
        statement=text,
        measure=text,
        why=text,
        target_date=SOON,
        person=pair.mentee,
    )


def _task(pair: Pair, text: str) -> Task:
    goal = _goal(pair, "Goal")
    return goals.add_task(goal, title=text, due_on=SOON, owner=pair.mentee, person=pair.mentee)


def _agreement(pair: Pair, text: str) -> PairAgreement:
    journey.save_agreement(
        pair.pairing,
        person=pair.mentee,
        data={
            "confidentiality": text,
            "meetings_per_month": Decimal("1"),
            "minutes_per_meeting": 60,
            "ends_on": SOON,
            "raising_concerns": text,
        },
        by=None,
    )
    return PairAgreement.objects.get(pairing=pair.pairing)


def _agenda(pair: Pair, text: str) -> MeetingAgendaItem:
    meeting = make_meeting(pair.pairing)
    return journey.add_agenda_item(meeting, person=pair.mentor, text=text, by=None)


def _place(pair: Pair, text: str) -> Meeting:
    starts = timezone.now() + dt.timedelta(days=5)
    return journey.book_meeting(
        pair.pairing,
        person=pair.mentee,
        starts_at=starts,
        duration_minutes=60,
        by=None,
        place=text,
    )


def _commitment(pair: Pair, text: str) -> Commitment:
    return impact.add_commitment(
        pair.pairing, owner=pair.mentee, kind="commitment", text=text, by=None
    )


def _thank_you(pair: Pair, text: str) -> ThankYouNote:
    return impact.write_thank_you(pair.pairing, author=pair.mentee, text=text, by=None)


def _check_in(pair: Pair, text: str) -> CheckIn:
    return safety.schedule_check_in(
        pair.pairing.programme,
        pairing=pair.pairing,
        due_on=SOON,
        purpose=text,
        lead=None,
        by=None,
    )


def _closed_reason(pair: Pair, text: str) -> Pairing:
    return end_pairing(pair.pairing, by=None, reason=text, notify_people=False)


def _unavailability(pair: Pair, text: str) -> Unavailability:
    today = timezone.localdate()
    return organisations.set_unavailability(
        pair.mentor, by=None, starts_on=today, ends_on=today + dt.timedelta(days=7), note=text
    )


CASES: list[tuple[str, Callable[[Pair, str], Any], list[str]]] = [
    ("goals_goal", _goal, ["statement", "measure", "why"]),
    ("goals_task", _task, ["title"]),
    ("journey_pairagreement", _agreement, ["confidentiality", "raising_concerns"]),
    ("journey_meetingagendaitem", _agenda, ["text"]),
    ("journey_meeting", _place, ["place"]),
    ("impact_commitment", _commitment, ["text"]),
    ("impact_thankyounote", _thank_you, ["text"]),
    ("safety_checkin", _check_in, ["purpose"]),
    ("pairing_pairing", _closed_reason, ["closed_reason"]),
    ("organisations_unavailability", _unavailability, ["note"]),
]


def raw(table: str, column: str, pk: Any) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])  # noqa: S608
        return cursor.fetchone()[0]


@pytest.mark.parametrize(("table", "write", "columns"), CASES, ids=[c[0] for c in CASES])
def test_free_text_is_encrypted_per_organisation_and_shreddable(
    pairs: Any, table: str, write: Callable[[Pair, str], Any], columns: list[str]
) -> None:
    a, b = Pair(pairs.pairing), second_organisation_pair()
    org_a, org_b = pairs.world.org, b.pairing.programme.organisation
    row_a = write(a, SECRET)
    row_b = write(b, "Organisation B's own words")
    for column in columns:
        stored_a, stored_b = raw(table, column, row_a.pk), raw(table, column, row_b.pk)
        assert SECRET not in stored_a and "talking over" not in stored_a
        assert "own words" not in stored_b
        parsed_a, parsed_b = crypto.parse(stored_a), crypto.parse(stored_b)
        assert parsed_a is not None and parsed_a[0] == org_a.pk, column
        assert parsed_b is not None and parsed_b[0] == org_b.pk, column
        assert parsed_a[1] != parsed_b[1]  # different data keys
        assert getattr(type(row_a).objects.get(pk=row_a.pk), column) == SECRET

    keys.shred_organisation_key(org_a)

    for column in columns:
        assert getattr(type(row_a).objects.get(pk=row_a.pk), column) == crypto.ERASED
        assert getattr(type(row_b).objects.get(pk=row_b.pk), column) == "Organisation B's own words"


def test_application_text_is_encrypted_per_organisation_and_shreddable(world: Any) -> None:
    from upward.recruitment import services as recruitment
    from upward.recruitment.models import Answer, Invitation
    from upward.recruitment.tests.helpers import apply, open_recruitment, question

    org_b = OrganisationFactory(name="Southwind Care", slug="southwind")
    rows: dict[str, list[Any]] = {}
    for label, programme, applicant, invitee, manager in (
        ("a", world.programme, world.applicant, world.other_applicant, world.manager),
        (
            "b",
            ProgrammeFactory(organisation=org_b),
            PersonFactory(organisation=org_b),
            PersonFactory(organisation=org_b),
            None,
        ),
    ):
        text = SECRET if label == "a" else "Organisation B's own words"
        asked = question(programme)
        programme = open_recruitment(programme, selection_mode="reviewed")
        application = apply(
            programme,
            applicant,
            "mentor",
            motivation=text,
            preferred_times=text,
            answers={asked.pk: text},
        )
        recruitment.decide_application(
            application,
            decision="declined",
            reason=text,
            internal_note=text,
            by=manager.user if manager else None,
        )
        recruitment.invite_people(programme, [invitee], role="mentor", message=text, by=None)
        rows[label] = [
            Application.objects.get(pk=application.pk),
            Invitation.objects.get(programme=programme, person=invitee),
            Answer.objects.get(application=application),
        ]
    columns = {
        "recruitment_application": [
            "motivation",
            "preferred_times",
            "decision_reason",
            "internal_note",
        ],
        "recruitment_invitation": ["message"],
        "recruitment_answer": ["value"],
    }
    for (row_a, row_b), table in zip(zip(rows["a"], rows["b"], strict=True), columns, strict=True):
        for column in columns[table]:
            stored_a, stored_b = raw(table, column, row_a.pk), raw(table, column, row_b.pk)
            assert "talking over" not in stored_a and "own words" not in stored_b
            assert crypto.token_organisation(stored_a) == world.org.pk, column
            assert crypto.token_organisation(stored_b) == org_b.pk, column
    keys.shred_organisation_key(world.org)
    for (row_a, row_b), table in zip(zip(rows["a"], rows["b"], strict=True), columns, strict=True):
        for column in columns[table]:
            assert getattr(type(row_a).objects.get(pk=row_a.pk), column) == crypto.ERASED
            assert (
                getattr(type(row_b).objects.get(pk=row_b.pk), column)
                == "Organisation B's own words"
            )
