"""Withdrawing an application withdraws its open proposals, telling only a partner who knew;
only accepted applicants can answer a proposal."""

import pytest
from django.core import mail

from upward.core.errors import DomainError
from upward.notifications.models import Notification
from upward.pairing import services
from upward.pairing.models import Pairing
from upward.pairing.tests.helpers import pairing_of, published
from upward.recruitment import services as recruitment
from upward.recruitment.models import Application


@pytest.fixture
def proposals(cohort, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        published(cohort)
    mail.outbox.clear()
    Notification.objects.all().delete()
    return cohort


def _application(cohort, person):
    return Application.objects.get(programme=cohort.programme, person=person)


def test_mentee_withdrawing_withdraws_the_proposal_and_tells_the_mentor_neutrally(
    proposals, django_capture_on_commit_callbacks
):
    cohort = proposals
    pairing = pairing_of(cohort, cohort.sam)
    with django_capture_on_commit_callbacks(execute=True):
        recruitment.withdraw_application(_application(cohort, cohort.sam), by=cohort.sam.user)
    pairing.refresh_from_db()
    assert pairing.state == "declined" and pairing.closed_by == "mentee"
    notice = Notification.objects.get(recipient=cohort.jess, kind="pairing")
    assert "no longer going ahead" in notice.body
    assert "withdr" not in notice.body.lower()  # neutral: no reason given
    assert not Notification.objects.filter(recipient=cohort.sam, kind="pairing").exists()
    # Other pairs are undisturbed.
    assert pairing_of(cohort, cohort.sofia).state == "proposed"


def test_mentor_withdrawing_before_the_mentee_heard_tells_the_mentee_nothing(
    proposals, django_capture_on_commit_callbacks
):
    cohort = proposals
    pairing = pairing_of(cohort, cohort.sam)
    with django_capture_on_commit_callbacks(execute=True):
        recruitment.withdraw_application(_application(cohort, cohort.jess), by=cohort.jess.user)
    pairing.refresh_from_db()
    assert pairing.state == "declined" and pairing.closed_by == "mentor"
    assert not Notification.objects.filter(recipient=cohort.sam, kind="pairing").exists()


def test_mentor_withdrawing_after_saying_yes_tells_the_mentee(
    proposals, django_capture_on_commit_callbacks
):
    cohort = proposals
    pairing = pairing_of(cohort, cohort.sam)
    with django_capture_on_commit_callbacks(execute=True):
        services.answer_proposal(pairing, person=cohort.jess, accept=True)
    with django_capture_on_commit_callbacks(execute=True):
        recruitment.withdraw_application(_application(cohort, cohort.jess), by=cohort.jess.user)
    pairing.refresh_from_db()
    assert pairing.state == "declined"
    notice = Notification.objects.get(
        recipient=cohort.sam, dedupe_key=f"pairing-withdrawn:{pairing.pk}"
    )
    assert "no longer going ahead" in notice.body
    # The mentee can no longer confirm it.
    with pytest.raises(DomainError, match="already moved on"):
        services.answer_pairing(pairing, person=cohort.sam, accept=True)


def test_only_accepted_applicants_can_answer(proposals, django_capture_on_commit_callbacks):
    cohort = proposals
    pairing = pairing_of(cohort, cohort.sam)
    # The team moves the mentor back to the waiting list: the proposal stays, but cannot be
    # answered until they are accepted again.
    recruitment.decide_application(
        _application(cohort, cohort.jess), decision="waitlisted", reason="Sorry.", by=None
    )
    for accept in (True, False):
        with pytest.raises(DomainError, match="only people with a place can answer"):
            services.answer_proposal(pairing, person=cohort.jess, accept=accept)
    pairing.refresh_from_db()
    assert pairing.state == "proposed"
    recruitment.decide_application(_application(cohort, cohort.jess), decision="accepted", by=None)
    with django_capture_on_commit_callbacks(execute=True):
        services.answer_proposal(pairing, person=cohort.jess, accept=True)
    recruitment.decide_application(
        _application(cohort, cohort.sam), decision="waitlisted", reason="Sorry.", by=None
    )
    for accept in (True, False):
        with pytest.raises(DomainError, match="only people with a place can answer"):
            services.answer_pairing(pairing, person=cohort.sam, accept=accept)
    assert Pairing.objects.get(pk=pairing.pk).state == "mentor_accepted"
