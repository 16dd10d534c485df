"""Ending a programme: one confirmation with counts, then every effect the apps registered
(programmes/lifecycle.py); launching with people waiting asks first; the daily job completes
programmes past their end date and reminds a week before."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from email import message_from_bytes
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from upward.core.errors import InvalidTransition
from upward.core.models import AuditEvent
from upward.journey.models import Meeting, MeetingStatus
from upward.notifications.models import Notification
from upward.notifications.scheduled import registered_jobs
from upward.pairing import services as pairing_services
from upward.pairing.models import Pairing, PairingState
from upward.pairing.services.programme_end import run_programme_endings
from upward.programmes.models import Programme, StateChange
from upward.programmes.services import transition_programme
from upward.programmes.tests.helpers import put_in_state
from upward.surveys import services as survey_services
from upward.surveys.models import Survey, SurveyState
from upward.surveys.selectors import surveys_due
from upward.testing.factories import level, person_with_account
from upward.testing.pairs import Pairs, accepted, active_pairing, build_pairs
from upward.testing.workspace import make_meeting

pytestmark = pytest.mark.django_db

# world.programme runs 11 January to 9 July 2027; the manager completes it early, on 1 June.
NOW = dt.datetime(2027, 6, 1, 9, 0, tzinfo=dt.UTC)


@dataclass
class Ending:
    world: Any
    pairs: Pairs
    early: Pairing  # completed early by the team
    proposed: Pairing  # the mentor has not answered
    told: Pairing  # the mentor said yes; the mentee has not answered
    past: Meeting
    future: Meeting
    survey: Survey  # the end survey, still a draft with questions

    @property
    def programme(self) -> Programme:
        return self.world.programme


def _person(world: Any, name: str, rank: int) -> Any:
    email = name.lower().replace(" ", ".") + "@northwind.test"
    return person_with_account(
        organisation=world.org, full_name=name, level=level(world.org, rank), email=email
    )


def _proposal(world: Any, mentor: Any, mentee: Any, *, told: bool) -> Pairing:
    accepted(world.programme, mentor, "mentor")
    accepted(world.programme, mentee, "mentee")
    now = timezone.now()
    return Pairing.objects.create(
        programme=world.programme,
        mentor=mentor,
        mentee=mentee,
        state=PairingState.MENTOR_ACCEPTED if told else PairingState.PROPOSED,
        respond_by=now + dt.timedelta(days=7),
        mentor_responded_at=now if told else None,
        mentee_told_at=now if told else None,
    )


@pytest.fixture
def clock():  # type: ignore[no-untyped-def]
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def ending(world, clock) -> Ending:  # type: ignore[no-untyped-def]
    put_in_state(world.programme, "active")
    pairs = build_pairs(world)
    early = active_pairing(
        world.programme, mentor=_person(world, "Eve Early", 2), mentee=_person(world, "Ed Early", 8)
    )
    pairing_services.complete_pairing(early, by=world.manager.user)
    proposed = _proposal(
        world, _person(world, "Pia Proposed", 2), _person(world, "Pete Proposed", 8), told=False
    )
    told = _proposal(world, _person(world, "Mia Told", 2), _person(world, "Max Told", 8), told=True)
    survey = survey_services.create_survey_from_template(
        world.programme, template_key="effectiveness", by=None
    )
    return Ending(
        world=world,
        pairs=pairs,
        early=early,
        proposed=proposed,
        told=told,
        past=make_meeting(pairs.pairing, days=-2),
        future=make_meeting(pairs.pairing, days=3),
        survey=survey,
    )


def _url(programme: Programme, to: str) -> str:
    return f"/programmes/{programme.pk}/move/{to}/"


# ---------------------------------------------------------------------------------------------
# The confirmation page


def test_the_confirmation_lists_what_will_happen_with_counts(ending):
    response = ending.world.client_for(ending.world.manager).get(
        _url(ending.programme, "completed")
    )
    assertContains(response, "What will happen")
    for line in (
        "2 active pairings will be completed.",
        "1 pairing that finished early stays completed.",
        "2 proposals still waiting for an answer will be withdrawn",
        "1 future meeting will be cancelled, and both people sent a calendar cancellation.",
        # Everyone accepted: 2 pairs, the early pair and the two proposals.
        "The end survey “How well did the programme work?” opens for 10 people.",
        "Contribution records and certificates become available to 3 mentors.",
        "6 people get a closing message",
        "completing now ends the programme early",
    ):
        assertContains(response, line)
    # Nothing happened yet.
    assert Pairing.objects.filter(state=PairingState.ACTIVE).count() == 2


def test_a_programme_without_an_end_survey_says_so(ending):
    ending.survey.delete()
    response = ending.world.client_for(ending.world.manager).get(
        _url(ending.programme, "completed")
    )
    assertContains(response, "There is no end survey to open.")


# ---------------------------------------------------------------------------------------------
# Completing: every effect


def _complete_through_the_page(ending: Ending, capture: Any) -> Any:
    mail.outbox.clear()
    with capture(execute=True):
        response = ending.world.client_for(ending.world.manager).post(
            _url(ending.programme, "completed"), {"confirmed": "yes"}
        )
    assert response.status_code == 302
    return response


def test_completing_completes_the_active_pairings(ending, django_capture_on_commit_callbacks):
    _complete_through_the_page(ending, django_capture_on_commit_callbacks)
    ending.programme.refresh_from_db()
    assert ending.programme.state == "completed"
    assert ending.programme.ended_on == dt.date(2027, 6, 1)
    states = dict(Pairing.objects.values_list("pk", "state"))
    assert states[ending.pairs.pairing.pk] == PairingState.COMPLETED
    assert states[ending.pairs.other.pk] == PairingState.COMPLETED
    assert states[ending.early.pk] == PairingState.COMPLETED  # Early still counts.
    audited = AuditEvent.objects.filter(
        verb="pairing.state_changed", object_id=str(ending.pairs.pairing.pk)
    ).last()
    assert audited is not None
    assert audited.data == {"from": "active", "to": "completed"}
    assert audited.actor == ending.world.manager.user


def test_completing_withdraws_open_proposals_with_a_neutral_notice(
    ending, django_capture_on_commit_callbacks
):
    _complete_through_the_page(ending, django_capture_on_commit_callbacks)
    for pairing in (ending.proposed, ending.told):
        pairing.refresh_from_db()
        assert pairing.state == PairingState.DECLINED
        assert pairing.closed_by == Pairing.ClosedBy.MANAGER
    notices = Notification.objects.filter(dedupe_key__startswith="pairing-withdrawn-at-end:")
    # The mentee of an unanswered proposal never knew of it, so is not told.
    assert sorted(n.recipient.full_name for n in notices) == [
        "Max Told",
        "Mia Told",
        "Pia Proposed",
    ]
    body = notices.get(recipient=ending.told.mentee).body
    assert "the programme has come to an end" in body
    assert "reason" not in body.lower()


def test_completing_cancels_future_meetings_with_a_calendar_cancel(
    ending, django_capture_on_commit_callbacks
):
    _complete_through_the_page(ending, django_capture_on_commit_callbacks)
    ending.past.refresh_from_db()
    ending.future.refresh_from_db()
    assert ending.past.status == MeetingStatus.SCHEDULED
    assert ending.future.status == MeetingStatus.CANCELLED and ending.future.sequence == 1
    cancels = [m for m in mail.outbox if m.subject.startswith("[Upward] Cancelled")]
    assert sorted(m.to[0] for m in cancels) == sorted(
        [ending.pairs.mentor.email, ending.pairs.mentee.email]
    )
    for message in cancels:
        parsed = message_from_bytes(message.message().as_bytes())
        (part,) = [p for p in parsed.walk() if p.get_content_type() == "text/calendar"]
        assert part.get_param("method") == "CANCEL"
        payload = part.get_payload(decode=True)
        assert b"METHOD:CANCEL" in payload and ending.future.uid.encode() in payload
        assert "has come to an end" in message.body


def test_completing_opens_the_end_survey_now(ending, django_capture_on_commit_callbacks):
    assert not surveys_due(ending.pairs.mentee)  # A draft, and its window starts on 25 June.
    _complete_through_the_page(ending, django_capture_on_commit_callbacks)
    ending.survey.refresh_from_db()
    assert ending.survey.state == SurveyState.OPEN
    assert [d.survey for d in surveys_due(ending.pairs.mentee)] == [ending.survey]
    assert [d.survey for d in surveys_due(ending.pairs.mentor)] == [ending.survey]


def test_completing_makes_certificates_available(ending, django_capture_on_commit_callbacks):
    client = ending.world.client_for(ending.pairs.mentor)
    url = f"/pairings/{ending.pairs.pairing.pk}/contribution/certificate.pdf"
    before = client.get(url, follow=True)
    assertContains(before, "ready once the pairing has been marked as completed")
    _complete_through_the_page(ending, django_capture_on_commit_callbacks)
    response = client.get(url)
    assert response.status_code == 200 and response.content.startswith(b"%PDF")


def test_completing_sends_a_closing_message_to_everyone_who_finished(
    ending, django_capture_on_commit_callbacks
):
    _complete_through_the_page(ending, django_capture_on_commit_callbacks)
    notices = Notification.objects.filter(dedupe_key__startswith="programme-closed:")
    assert sorted(n.recipient.full_name for n in notices) == sorted(
        ["Jess Junior", "Sam Senior", "Kai Keen", "Sofia Strand", "Eve Early", "Ed Early"]
    )
    to_mentor = notices.get(recipient=ending.pairs.mentor)
    assert to_mentor.kind == "pairing"
    assert "Thank you for the time and care" in to_mentor.body
    assert f"/surveys/{ending.survey.pk}/answer/" in to_mentor.body
    assert f"/pairings/{ending.pairs.pairing.pk}/contribution/" in to_mentor.body
    to_mentee = notices.get(recipient=ending.pairs.mentee)
    assert "/contribution/" not in to_mentee.body  # The record is the mentor's.
    assert to_mentee.url == f"/surveys/{ending.survey.pk}/answer/"


def test_a_failing_effect_undoes_the_whole_completion(ending, monkeypatch):
    from upward.programmes import lifecycle

    def broken(programme: Programme, by: Any) -> None:
        raise RuntimeError("boom")

    lifecycle.register("completed", name="tests.broken", order=99, effect=broken)
    try:
        with pytest.raises(RuntimeError, match="boom"):
            transition_programme(ending.programme, to="completed", by=ending.world.manager.user)
    finally:
        lifecycle._registry["completed"].pop("tests.broken")
    assert Programme.objects.get(pk=ending.programme.pk).state == "active"
    assert Pairing.objects.filter(state=PairingState.ACTIVE).count() == 2
    assert Meeting.objects.get(pk=ending.future.pk).status == MeetingStatus.SCHEDULED


# ---------------------------------------------------------------------------------------------
# Who may complete


@pytest.mark.parametrize("persona", ["other_manager", "applicant", "senior", "outsider_admin"])
def test_only_the_programme_team_may_complete(ending, persona):
    client = ending.world.client_for(getattr(ending.world, persona))
    assert client.get(_url(ending.programme, "completed")).status_code == 404
    response = client.post(_url(ending.programme, "completed"), {"confirmed": "yes"})
    assert response.status_code == 404
    assert Programme.objects.get(pk=ending.programme.pk).state == "active"
    assert Pairing.objects.filter(state=PairingState.ACTIVE).count() == 2


def test_the_org_admin_may_complete(ending, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = ending.world.client_for(ending.world.admin).post(
            _url(ending.programme, "completed"), {"confirmed": "yes"}
        )
    assert response.status_code == 302
    assert Programme.objects.get(pk=ending.programme.pk).state == "completed"


# ---------------------------------------------------------------------------------------------
# Launching while people wait


@pytest.fixture
def waiting(world, clock):  # type: ignore[no-untyped-def]
    """A programme in matching whose only pairing ended: both people wait for a partner."""
    put_in_state(world.programme, "matching")
    pairing = active_pairing(world.programme, mentor=world.applicant, mentee=world.senior)
    Pairing.objects.filter(pk=pairing.pk).update(
        state=PairingState.ENDED, closed_by="manager", closed_at=timezone.now()
    )
    return world


def test_launching_with_people_waiting_warns_and_needs_the_tick(waiting):
    client = waiting.client_for(waiting.manager)
    url = _url(waiting.programme, "active")
    page = client.get(url)
    assertContains(page, "2 people are still waiting for a partner: Jess Junior, Sam Senior.")
    assertContains(page, 'name="acknowledged"')
    refused = client.post(url, {"confirmed": "yes"})
    assertContains(refused, "Tick the box to confirm")
    assert Programme.objects.get(pk=waiting.programme.pk).state == "matching"
    client.post(url, {"confirmed": "yes", "acknowledged": "yes"})
    assert Programme.objects.get(pk=waiting.programme.pk).state == "active"
    entry = AuditEvent.objects.filter(verb="programme.state_changed").last()
    assert entry is not None and entry.data["acknowledged"]


def test_the_service_refuses_a_launch_without_acknowledgement(waiting):
    with pytest.raises(InvalidTransition, match="still waiting for a partner"):
        transition_programme(waiting.programme, to="active", by=waiting.manager.user)
    assert Programme.objects.get(pk=waiting.programme.pk).state == "matching"


def test_launching_with_nobody_waiting_asks_nothing(world, clock):
    put_in_state(world.programme, "matching")
    active_pairing(world.programme, mentor=world.applicant, mentee=world.senior)
    page = world.client_for(world.manager).get(_url(world.programme, "active"))
    assertNotContains(page, 'name="acknowledged"', status_code=200)
    assertContains(page, "Launch the programme")
    transition_programme(world.programme, to="active", by=world.manager.user)
    assert Programme.objects.get(pk=world.programme.pk).state == "active"


# ---------------------------------------------------------------------------------------------
# The daily job


def test_the_job_is_registered_before_the_reminders():
    names = [job.name for job in registered_jobs()]
    assert "pairing.run_programme_endings" in names
    assert names.index("pairing.run_programme_endings") < names.index(
        "pairing.send_pairing_reminders"
    )


def _run_on(day: str) -> dict[str, Any]:
    with time_machine.travel(f"{day} 06:00Z", tick=False):
        return run_programme_endings()


def test_nothing_happens_until_the_end_date_has_passed(ending):
    for day in ("2027-07-08", "2027-07-09"):
        _run_on(day)
        assert Programme.objects.get(pk=ending.programme.pk).state == "active"
    assert Pairing.objects.filter(state=PairingState.ACTIVE).count() == 2


def test_the_day_after_the_end_the_programme_completes_by_itself(
    ending, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        counts = _run_on("2027-07-10")
    assert counts["completed"] == 1
    programme = Programme.objects.get(pk=ending.programme.pk)
    assert programme.state == "completed" and programme.ended_on == dt.date(2027, 7, 10)
    change = StateChange.objects.get(programme=programme, to_state="completed")
    assert change.by is None
    entry = AuditEvent.objects.filter(verb="programme.state_changed").last()
    assert entry is not None and entry.actor is None and entry.data["by_schedule"] is True
    assert Pairing.objects.filter(state=PairingState.ACTIVE).count() == 0
    assert Notification.objects.filter(dedupe_key__startswith="programme-closed:").count() == 6
    # Idempotent: a second run finds nothing to do.
    assert _run_on("2027-07-11")["completed"] == 0
    assert Notification.objects.filter(dedupe_key__startswith="programme-closed:").count() == 6


def test_a_dry_run_only_counts(ending):
    counts = run_programme_endings(now=dt.datetime(2027, 7, 10, 6, tzinfo=dt.UTC), dry_run=True)
    assert counts == {"due": 1, "ending_soon": 0}
    assert Programme.objects.get(pk=ending.programme.pk).state == "active"


def test_the_reminder_goes_once_a_week_before_the_end(ending):
    reminders = Notification.objects.filter(dedupe_key__startswith="programme-ending:")
    _run_on("2027-07-01")
    assert not reminders.exists()
    counts = _run_on("2027-07-02")  # 7 days before 9 July
    people = sorted(n.recipient.full_name for n in reminders)
    # The team, and both people of each active pair; not the proposals or the early pair.
    assert people == sorted(["Mo Manager", "Jess Junior", "Sam Senior", "Kai Keen", "Sofia Strand"])
    assert counts["reminded"] == 5
    to_mentor = reminders.get(recipient=ending.pairs.mentor)
    assert "ends on 9 July 2027" in to_mentor.body and "Sam Senior" in to_mentor.body
    assert reminders.get(recipient=ending.world.manager).kind == "programme_team"
    for day in ("2027-07-03", "2027-07-09"):
        assert _run_on(day)["reminded"] == 0
    assert reminders.count() == 5


# ---------------------------------------------------------------------------------------------
# Everyone the end touches: people who never got a partner, open requests, leavers


def _waiting_for_a_partner(ending: Ending) -> Any:
    """Wendy was accepted but her pairing ended early: she waits, and asked for a new partner."""
    from upward.safety import services as safety_services

    wendy = _person(ending.world, "Wendy Waiting", 8)
    pairing = active_pairing(
        ending.programme, mentor=_person(ending.world, "Lou Left", 2), mentee=wendy
    )
    pairing_services.end_pairing(pairing, by=ending.world.manager.user, reason="Moved on.")
    safety_services.request_rematch(pairing, person=wendy, by=wendy.user)
    return wendy


def test_people_still_waiting_are_told_kindly_and_their_requests_closed(
    ending, django_capture_on_commit_callbacks
):
    from upward.safety.models import RematchRequest

    wendy = _waiting_for_a_partner(ending)
    page = ending.world.client_for(ending.world.manager).get(_url(ending.programme, "completed"))
    assertContains(page, "still waiting for a partner will be told kindly")
    _complete_through_the_page(ending, django_capture_on_commit_callbacks)
    notice = Notification.objects.get(
        recipient=wendy, dedupe_key=f"programme-ended-unpartnered:{ending.programme.pk}"
    )
    assert "could not find you a partner" in notice.body
    assert "Moved on" not in notice.body  # never the team's reason
    assert not RematchRequest.objects.filter(programme=ending.programme, status="open").exists()
    # People who finished with a partner are not told they had none.
    assert not Notification.objects.filter(
        recipient=ending.pairs.mentor, dedupe_key__startswith="programme-ended-unpartnered:"
    ).exists()


def test_the_end_survey_count_leaves_out_people_who_left(ending):
    ending.pairs.other_mentor.is_active = False
    ending.pairs.other_mentor.save(update_fields=["is_active"])
    response = ending.world.client_for(ending.world.manager).get(
        _url(ending.programme, "completed")
    )
    assertContains(
        response, "The end survey “How well did the programme work?” opens for 9 people."
    )


def test_after_completion_the_dashboard_leads_to_the_workspace_and_certificate(
    ending, django_capture_on_commit_callbacks
):
    _complete_through_the_page(ending, django_capture_on_commit_callbacks)
    client = ending.world.client_for(ending.pairs.mentor)
    workspace = f"/pairings/{ending.pairs.pairing.pk}/journey/"
    assertContains(client.get("/dashboard/"), f'href="{workspace}"')
    assertContains(client.get(f"/pairings/{ending.pairs.pairing.pk}/"), f'href="{workspace}"')
    assertContains(client.get(workspace), "Your contribution record")
