"""The junior mentor's private pulse: asked after a held meeting, once, never visible to the
mentee; the programme team sees flags, and averages only from five answers."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError
from django.urls import reverse
from pytest_django.asserts import assertNotContains

from upward.core.errors import Conflict, DomainError, InvalidTransition
from upward.core.models import AuditEvent
from upward.journey.models import MeetingStatus
from upward.journey.tests.factories import active_pairing
from upward.safety import selectors, services
from upward.safety.models import PulseResponse
from upward.safety.tests.conftest import meeting
from upward.testing.factories import level, person_with_account

COMMENT = "PULSE-COMMENT-my-mentee-talks-over-me"


def answer(pairs, held, **kw):  # type: ignore[no-untyped-def]
    values = dict(spoke_openly=4, felt_listened_to=4, worth_my_time=5, by=pairs.mentor.user)
    values.update(kw)
    return services.submit_pulse(held, person=pairs.mentor, **values)


def test_pulse_due_after_a_held_meeting_only_for_the_mentor(pairs) -> None:  # type: ignore[no-untyped-def]
    held = meeting(pairs.pairing, days_ago=1)
    meeting(pairs.pairing, days_ago=8, status=MeetingStatus.MISSED)
    meeting(pairs.pairing, days_ago=-2, status=MeetingStatus.SCHEDULED)
    assert selectors.pulse_due(pairs.mentor) == [held]
    assert selectors.pulse_due(pairs.mentee) == []
    answer(pairs, held)
    assert selectors.pulse_due(pairs.mentor) == []


def test_one_pulse_per_meeting(pairs) -> None:  # type: ignore[no-untyped-def]
    held = meeting(pairs.pairing, days_ago=1)
    answer(pairs, held)
    with pytest.raises(Conflict, match="You have already answered for this meeting"):
        answer(pairs, held)
    with pytest.raises(IntegrityError):
        PulseResponse.objects.create(
            meeting=held,
            pairing=pairs.pairing,
            mentor=pairs.mentor,
            spoke_openly=3,
            felt_listened_to=3,
            worth_my_time=3,
        )


def test_bad_answers_are_refused(pairs) -> None:  # type: ignore[no-untyped-def]
    held = meeting(pairs.pairing, days_ago=1)
    for bad in (0, 6, "x", None):
        with pytest.raises(DomainError, match="Choose an answer from 1 to 5") as exc:
            answer(pairs, held, spoke_openly=bad)
        assert exc.value.field == "spoke_openly"
    with pytest.raises(DomainError, match="Only the mentor in this pairing answers this check-in"):
        services.submit_pulse(
            held,
            person=pairs.mentee,
            spoke_openly=3,
            felt_listened_to=3,
            worth_my_time=3,
            by=pairs.mentee.user,
        )
    future = meeting(pairs.pairing, days_ago=-1, status=MeetingStatus.SCHEDULED)
    with pytest.raises(InvalidTransition, match="You can answer once the meeting has been"):
        answer(pairs, future)


def test_audit_holds_no_answers(pairs) -> None:  # type: ignore[no-untyped-def]
    pulse = answer(pairs, meeting(pairs.pairing, days_ago=1), spoke_openly=1, comment=COMMENT)
    event = AuditEvent.objects.get(verb="safety.pulse_submitted", object_id=str(pulse.pk))
    assert event.data == {}


def test_pulse_page_form_and_errors(pairs) -> None:  # type: ignore[no-untyped-def]
    held = meeting(pairs.pairing, days_ago=1)
    url = reverse("safety:pulse", args=[pairs.pairing.pk, held.pk])
    client = pairs.world.client_for(pairs.mentor)
    page = client.get(url)
    assert page.status_code == 200
    assert "Your mentee never sees your answers" in page.content.decode()
    bad = client.post(url, {"spoke_openly": "9", "felt_listened_to": "", "worth_my_time": "3"})
    assert bad.status_code == 200
    assert "Choose an answer from 1 to 5." in bad.content.decode()
    assert not PulseResponse.objects.exists()
    ok = client.post(
        url,
        {"spoke_openly": "2", "felt_listened_to": "4", "worth_my_time": "3", "comment": COMMENT},
    )
    assert ok.status_code == 302
    pulse = PulseResponse.objects.get()
    assert (pulse.spoke_openly, pulse.comment) == (2, COMMENT)
    again = client.get(url)
    assert "already answered" in again.content.decode()


def test_mentee_never_sees_a_pulse_or_that_one_exists(pairs) -> None:  # type: ignore[no-untyped-def]
    held = meeting(pairs.pairing, days_ago=1)
    mentee = pairs.world.client_for(pairs.mentee)
    # Before the pulse: the mentee cannot reach the page.
    assert mentee.get(reverse("safety:pulse", args=[pairs.pairing.pk, held.pk])).status_code == 404
    answer(pairs, held, spoke_openly=1, wants_support=True, comment=COMMENT)
    pulse_page = reverse("safety:pulse", args=[pairs.pairing.pk, held.pk])
    urls = [
        reverse("dashboard"),
        reverse("pairing:pairing", args=[pairs.pairing.pk]),
        reverse("journey:pairing", args=[pairs.pairing.pk]),
        reverse("journey:meetings", args=[pairs.pairing.pk]),
        reverse("safety:my_concerns"),
        reverse("safety:raise_concern", args=[pairs.pairing.pk]),
        reverse("safety:leave", args=[pairs.pairing.pk]),
        pulse_page,
    ]
    for url in urls:
        response = mentee.get(url)
        body = response.content.decode()
        status = 404 if url == pulse_page else 200  # every page but the pulse is hers to see
        assertNotContains(response, COMMENT, status_code=status, msg_prefix=str(url))
        assertNotContains(response, "How did it feel", status_code=status, msg_prefix=str(url))
        assert "pulse" not in body.lower() or response.status_code == 404, url


def test_panel_shows_the_pulse_link_to_the_mentor_only(pairs) -> None:  # type: ignore[no-untyped-def]
    from django.template import Context, Template

    held = meeting(pairs.pairing, days_ago=1)
    tpl = Template("{% load safety_tags %}{% pairing_safety_panel pairing person %}")
    as_mentor = tpl.render(Context({"pairing": pairs.pairing, "person": pairs.mentor}))
    as_mentee = tpl.render(Context({"pairing": pairs.pairing, "person": pairs.mentee}))
    as_other = tpl.render(
        Context({"pairing": pairs.pairing, "person": pairs.world.other_applicant})
    )
    pulse_url = reverse("safety:pulse", args=[pairs.pairing.pk, held.pk])
    assert pulse_url in as_mentor
    assert pulse_url not in as_mentee and "How did it feel" not in as_mentee
    for html in (as_mentor, as_mentee):
        assert reverse("safety:raise_concern", args=[pairs.pairing.pk]) in html
        assert reverse("safety:leave", args=[pairs.pairing.pk]) in html
    assert as_other.strip() == ""


def test_manager_sees_the_flag_and_the_comment_but_no_answers(pairs) -> None:  # type: ignore[no-untyped-def]
    answer(pairs, meeting(pairs.pairing, days_ago=1), spoke_openly=1, wants_support=True)
    body = (
        pairs.world.client_for(pairs.world.manager)
        .get(reverse("safety:attention", args=[pairs.world.programme.pk]))
        .content.decode()
    )
    assert "would like a word with the programme team" in body
    assert "Jess Junior" in body
    assert "Not enough answers yet." in body


def _mentor_pairs(world, n):  # type: ignore[no-untyped-def]
    result = []
    for i in range(n):
        mentor = person_with_account(
            organisation=world.org, full_name=f"Mentor {i}", level=level(world.org, 2)
        )
        mentee = person_with_account(
            organisation=world.org, full_name=f"Mentee {i}", level=level(world.org, 8)
        )
        result.append(active_pairing(world.programme, mentor=mentor, mentee=mentee))
    return result


def test_aggregates_only_from_five_answers(world, clock) -> None:  # type: ignore[no-untyped-def]
    pairings = _mentor_pairs(world, 5)
    for i, pairing in enumerate(pairings[:4]):
        services.submit_pulse(
            meeting(pairing, days_ago=1),
            person=pairing.mentor,
            spoke_openly=2 + i % 3,
            felt_listened_to=4,
            worth_my_time=4,
            by=None,
        )
    summary = selectors.pulse_summary(world.programme, viewer=None)
    assert (summary.responses, summary.enough, summary.spoke_openly) == (4, False, None)
    url = reverse("safety:attention", args=[world.programme.pk])
    assert "Not enough answers yet." in world.client_for(world.manager).get(url).content.decode()
    services.submit_pulse(
        meeting(pairings[4], days_ago=1),
        person=pairings[4].mentor,
        spoke_openly=5,
        felt_listened_to=4,
        worth_my_time=4,
        by=None,
    )
    summary = selectors.pulse_summary(world.programme, viewer=None)
    assert summary.enough and summary.felt_listened_to == 4.0
    assert summary.low_share == 40  # two of five answered 2 (i = 0 and 3)
    response = world.client_for(world.manager).get(url)
    body = response.content.decode()
    assertNotContains(response, "Not enough answers yet.")
    assert "felt listened to" in body


def test_support_request_notifies_leads_neutrally(
    pairs, mailoutbox, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    with django_capture_on_commit_callbacks(execute=True):
        answer(pairs, meeting(pairs.pairing, days_ago=1), wants_support=True, comment=COMMENT)
    assert [m.to for m in mailoutbox] == [[pairs.world.manager.email]]
    assert COMMENT not in mailoutbox[0].body
    assert "would like a word" in mailoutbox[0].body


def test_pulse_window(pairs, clock) -> None:  # type: ignore[no-untyped-def]
    old = meeting(pairs.pairing, days_ago=1)
    clock.shift(dt.timedelta(days=40))
    assert old not in selectors.pulse_due(pairs.mentor)


def test_after_sending_a_pulse_the_mentor_lands_back_in_the_pair_space(pairs) -> None:  # type: ignore[no-untyped-def]
    held = meeting(pairs.pairing, days_ago=1)
    client = pairs.world.client_for(pairs.mentor)
    url = reverse("safety:pulse", args=[pairs.pairing.pk, held.pk])
    answers = {"spoke_openly": "4", "felt_listened_to": "4", "worth_my_time": "5"}
    sent = client.post(url, answers)
    workspace = reverse("journey:pairing", args=[pairs.pairing.pk])
    assert sent.status_code == 302
    assert sent["Location"] == workspace
    landed = client.get(workspace)
    assert landed.status_code == 200
    assert "Only the people named on the form read your answers." in landed.content.decode()


def test_many_answers_from_few_mentors_stay_private(world, clock) -> None:  # type: ignore[no-untyped-def]
    """Six answers from four mentors are still a few people's private answers: no averages
    until five different mentors have answered."""
    pairings = _mentor_pairs(world, 5)
    for days_ago, pairing in [(1, pairings[0]), (2, pairings[0]), (3, pairings[0])] + [
        (1, p) for p in pairings[1:4]
    ]:
        services.submit_pulse(
            meeting(pairing, days_ago=days_ago),
            person=pairing.mentor,
            spoke_openly=1,
            felt_listened_to=2,
            worth_my_time=2,
            by=None,
        )
    summary = selectors.pulse_summary(world.programme, viewer=None)
    assert (summary.responses, summary.enough, summary.felt_listened_to) == (6, False, None)
    services.submit_pulse(
        meeting(pairings[4], days_ago=1),
        person=pairings[4].mentor,
        spoke_openly=5,
        felt_listened_to=5,
        worth_my_time=5,
        by=None,
    )
    summary = selectors.pulse_summary(world.programme, viewer=None)
    assert summary.enough and summary.responses == 7
