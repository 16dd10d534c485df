"""No-fault exit, rematch requests, concerns (states, audit, encryption) and check-ins."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertNotContains

from upward.core.errors import Conflict, DomainError, InvalidTransition
from upward.core.models import AuditEvent
from upward.pairing.models import Pairing
from upward.safety import selectors, services
from upward.safety.models import CheckIn, Concern, PairingExit, RematchRequest

REASON = "REASON-he-keeps-cancelling-at-short-notice"
CONCERN = "CONCERN-comments-about-my-accent"


def test_exit_flow_confirm_step_partner_learns_only_that_it_ended(
    pairs, mailoutbox, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    url = reverse("safety:leave", args=[pairs.pairing.pk])
    mentor = pairs.world.client_for(pairs.mentor)
    page = mentor.get(url)
    assert "nobody is at fault" in page.content.decode()
    # First post: the confirmation step, nothing ended yet.
    step = mentor.post(url, {"category": "time", "reason": REASON})
    assert "Yes, end the pairing" in step.content.decode()
    pairs.pairing.refresh_from_db()
    assert pairs.pairing.state == "active"
    with django_capture_on_commit_callbacks(execute=True):
        done = mentor.post(url, {"category": "time", "reason": REASON, "confirmed": "yes"})
    assert done.status_code == 302 and done.url == reverse(
        "safety:rematch", args=[pairs.pairing.pk]
    )
    pairs.pairing.refresh_from_db()
    assert (pairs.pairing.state, pairs.pairing.closed_by) == ("ended", "mentor")
    assert REASON not in pairs.pairing.closed_reason  # the free text stays encrypted with us
    exit = PairingExit.objects.get()
    assert (exit.left_by, exit.category, exit.reason) == (pairs.mentor, "time", REASON)

    # Every email: no reason, no category text; the partner's says only that it ended.
    for m in mailoutbox:
        assert REASON not in m.body and "Finding time" not in m.body
    partner_mail = [m for m in mailoutbox if m.to == [pairs.mentee.email]]
    assert len(partner_mail) == 1 and "has ended" in partner_mail[0].body
    # The person who left needs no email about it.
    assert not [m for m in mailoutbox if m.to == [pairs.mentor.email]]
    assert any(m.to == [pairs.world.manager.email] for m in mailoutbox)

    # The partner's pages show no reason and not who ended it.
    mentee = pairs.world.client_for(pairs.mentee)
    for page_url in (
        reverse("pairing:pairing", args=[pairs.pairing.pk]),
        reverse("safety:rematch", args=[pairs.pairing.pk]),
        reverse("dashboard"),
    ):
        response = mentee.get(page_url)
        assertNotContains(response, REASON, msg_prefix=str(page_url))
        assertNotContains(response, "Finding time", msg_prefix=str(page_url))
        assertNotContains(response, "ended the pairing", msg_prefix=str(page_url))

    # The lead sees the reason.
    manager = pairs.world.client_for(pairs.world.manager)
    queue = manager.get(
        reverse("safety:attention", args=[pairs.world.programme.pk])
    ).content.decode()
    assert REASON in queue and "Jess Junior ended the pairing" in queue
    exits = manager.get(reverse("safety:exits", args=[pairs.world.programme.pk])).content.decode()
    assert REASON in exits


def test_exit_reason_encrypted_at_rest(pairs) -> None:  # type: ignore[no-untyped-def]
    services.leave_pairing(pairs.pairing, person=pairs.mentee, reason=REASON, by=None)
    with connection.cursor() as cursor:
        cursor.execute("SELECT reason FROM safety_pairingexit")
        (raw,) = cursor.fetchone()
    assert REASON not in raw and raw


def test_exit_rules(pairs) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(DomainError, match="You are not part of this pairing"):
        services.leave_pairing(pairs.pairing, person=pairs.world.other_applicant, by=None)
    with pytest.raises(DomainError, match="Choose one of the options, or none") as exc:
        services.leave_pairing(pairs.pairing, person=pairs.mentor, category="nonsense", by=None)
    assert exc.value.field == "category"
    services.leave_pairing(pairs.pairing, person=pairs.mentor, by=None)
    with pytest.raises(InvalidTransition, match="This pairing has already ended"):
        services.leave_pairing(pairs.pairing, person=pairs.mentee, by=None)
    # A bad category through the page is a form error, not a 500.
    other = pairs.world.client_for(pairs.world.other_applicant)
    response = other.post(reverse("safety:leave", args=[pairs.other.pk]), {"category": "zzz"})
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()


def test_rematch_offered_to_both_and_queued_for_the_lead(pairs) -> None:  # type: ignore[no-untyped-def]
    services.leave_pairing(pairs.pairing, person=pairs.mentor, by=None)
    for person in (pairs.mentor, pairs.mentee):
        client = pairs.world.client_for(person)
        url = reverse("safety:rematch", args=[pairs.pairing.pk])
        assert "Ask for a new partner" in client.get(url).content.decode()
        assert client.post(url).status_code == 302
    assert RematchRequest.objects.count() == 2
    with pytest.raises(Conflict, match="You have already asked; the programme team will be in"):
        services.request_rematch(pairs.pairing, person=pairs.mentor, by=None)
    manager = pairs.world.client_for(pairs.world.manager)
    queue = manager.get(
        reverse("safety:attention", args=[pairs.world.programme.pk])
    ).content.decode()
    assert (
        reverse("pairing:new_partner", args=[pairs.world.programme.pk, pairs.pairing.pk]) in queue
    )
    request = RematchRequest.objects.get(person=pairs.mentee)
    assert 'name="role" value="mentee"' in queue
    done = manager.post(reverse("safety:rematch_done", args=[pairs.world.programme.pk, request.pk]))
    assert done.status_code == 302
    request.refresh_from_db()
    assert request.status == "done" and request.closed_at is not None


def test_rematch_only_after_the_end(pairs) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InvalidTransition, match="You can ask for a new partner once this pairing"):
        services.request_rematch(pairs.pairing, person=pairs.mentor, by=None)


def test_concern_states_audit_and_encryption(
    pairs, mailoutbox, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    raiser = pairs.world.client_for(pairs.mentor)
    url = reverse("safety:raise_concern", args=[pairs.pairing.pk])
    empty = raiser.post(url, {"text": "   "})
    assert empty.status_code == 200 and "Please write a few words" in empty.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        assert raiser.post(url, {"text": CONCERN}).status_code == 302
    concern = Concern.objects.get()
    assert concern.state == "open" and not concern.may_name_me
    assert all(CONCERN not in m.body for m in mailoutbox)
    assert [m.to for m in mailoutbox] == [[pairs.world.manager.email]]

    with connection.cursor() as cursor:
        cursor.execute("SELECT text FROM safety_concern")
        (raw,) = cursor.fetchone()
    assert CONCERN not in raw

    mine = raiser.get(reverse("safety:my_concerns")).content.decode()
    assert CONCERN in mine and "Open" in mine

    manager = pairs.world.client_for(pairs.world.manager)
    move = reverse("safety:concern_move", args=[pairs.world.programme.pk, concern.pk])
    page = reverse("safety:concern", args=[pairs.world.programme.pk, concern.pk])
    assert manager.post(page, {"body": "NOTE-called-Jess"}).status_code == 302
    assert manager.post(move, {"to": "acknowledged"}).status_code == 302
    concern.refresh_from_db()
    assert concern.state == "acknowledged" and concern.acknowledged_at
    bad = manager.post(move, {"to": "open"}, follow=True)
    assert "cannot be moved there" in bad.content.decode()
    manager.post(move, {"to": "resolved"})
    concern.refresh_from_db()
    assert concern.state == "resolved" and concern.resolved_at
    verbs = list(
        AuditEvent.objects.filter(object_type="safety.concern")
        .order_by("id")
        .values_list("verb", flat=True)
    )
    assert verbs == [
        "safety.concern_raised",
        "safety.concern_acknowledged",
        "safety.concern_resolved",
    ]
    assert AuditEvent.objects.filter(verb="safety.concern_note_added").count() == 1
    assert not AuditEvent.objects.filter(data__icontains="accent").exists()

    response = raiser.get(reverse("safety:my_concerns"))
    mine = response.content.decode()
    assert "Resolved" in mine
    assertNotContains(response, "NOTE-called-Jess")
    # The partner sees nothing of it, anywhere they can go.
    partner = pairs.world.client_for(pairs.mentee)
    for u in (
        reverse("safety:my_concerns"),
        reverse("pairing:pairing", args=[pairs.pairing.pk]),
        page,
    ):
        partner_page = partner.get(u)
        status = 404 if u == page else 200  # the concern itself is the team's page
        assertNotContains(partner_page, CONCERN, status_code=status)
        assertNotContains(partner_page, "NOTE-called-Jess", status_code=status)


def test_check_in_scheduled_due_and_done(
    pairs, clock, mailoutbox, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    manager = pairs.world.client_for(pairs.world.manager)
    url = reverse("safety:check_in_new", args=[pairs.world.programme.pk, pairs.pairing.pk])
    past = manager.post(url, {"who": "pair", "due_on": "2020-01-01"})
    assert "Choose today or a later day." in past.content.decode()
    junk = manager.post(url, {"who": "nobody", "due_on": "soon"})
    assert junk.status_code == 200 and "Enter a date" in junk.content.decode()
    due = timezone.localdate() + dt.timedelta(days=2)
    assert (
        manager.post(
            url, {"who": "mentor", "due_on": due.isoformat(), "purpose": "New time"}
        ).status_code
        == 302
    )
    check_in = CheckIn.objects.get()
    assert check_in.person == pairs.mentor and check_in.lead == pairs.world.manager
    assert selectors.due_check_ins() == []
    clock.shift(dt.timedelta(days=2))
    assert selectors.due_check_ins() == [check_in]
    with django_capture_on_commit_callbacks(execute=True):
        assert services.send_safety_reminders()["check_ins"] == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert services.send_safety_reminders()["check_ins"] == 0
    assert [m.to for m in mailoutbox] == [[pairs.world.manager.email]]
    done_url = reverse("safety:check_in", args=[pairs.world.programme.pk, check_in.pk])
    assert manager.post(done_url, {"notes": "All fine now"}).status_code == 302
    check_in.refresh_from_db()
    assert check_in.is_done and check_in.notes == "All fine now"


def test_pulse_reminder_once(pairs, mailoutbox, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    from upward.safety.tests.conftest import meeting

    meeting(pairs.pairing, days_ago=1)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.send_safety_reminders(dry_run=True) == {"check_ins": 0, "pulses": 1}
    assert mailoutbox == []
    with django_capture_on_commit_callbacks(execute=True):
        services.send_safety_reminders()
    with django_capture_on_commit_callbacks(execute=True):
        services.send_safety_reminders()
    assert [m.to for m in mailoutbox] == [[pairs.mentor.email]]
    assert "Only the programme team sees your answers" in mailoutbox[0].body


def test_settings_validate(pairs) -> None:  # type: ignore[no-untyped-def]
    manager = pairs.world.client_for(pairs.world.manager)
    url = reverse("safety:settings", args=[pairs.world.programme.pk])
    bad = manager.post(url, {"no_meeting_days": "3", "missed_in_a_row": "x"})
    assert bad.status_code == 200 and "greater than or equal to 7" in bad.content.decode()
    assert manager.post(url, {"no_meeting_days": "14", "missed_in_a_row": "3"}).status_code == 302
    assert selectors.flag_settings(pairs.world.programme).no_meeting_days == 14


def test_snooze_bad_input(pairs) -> None:  # type: ignore[no-untyped-def]
    manager = pairs.world.client_for(pairs.world.manager)
    url = reverse("safety:snooze", args=[pairs.world.programme.pk, pairs.pairing.pk])
    response = manager.post(url, {"kind": "nonsense", "days": "7"}, follow=True)
    assert "not a flag we know" in response.content.decode()
    response = manager.post(url, {"kind": "no_meeting", "days": "999"}, follow=True)
    assert "Choose 7, 14 or 30 days." in response.content.decode()


def test_ended_pairing_is_still_not_a_flag(pairs) -> None:  # type: ignore[no-untyped-def]
    services.leave_pairing(pairs.pairing, person=pairs.mentor, by=None)
    assert Pairing.objects.get(pk=pairs.pairing.pk).state == "ended"
    rows, _s = selectors.flagged_pairings(pairs.world.programme, viewer=None)
    assert pairs.pairing.pk not in [r.pairing.pk for r in rows]
