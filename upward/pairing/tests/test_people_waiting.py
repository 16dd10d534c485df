"""Who waits for a partner: nobody before the first published run; afterwards everyone accepted
without a live or completed pairing, with why and since when, longest-waiting first."""

import pytest
import time_machine

from upward.pairing import services
from upward.pairing.selectors import WaitingReason, people_waiting
from upward.pairing.tests.helpers import pairing_of, published

pytestmark = pytest.mark.django_db


def _waiting(cohort):
    return [(w.person, w.role, w.reason) for w in people_waiting(cohort.programme)]


def test_nobody_waits_before_the_first_published_run(cohort):
    assert _waiting(cohort) == []


def test_everyone_proposed_is_not_waiting(cohort, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        published(cohort)
    assert _waiting(cohort) == []


def test_a_decline_leaves_the_other_person_waiting_until_rematched(
    cohort, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        published(cohort)
    pairing = pairing_of(cohort, cohort.sam)
    with time_machine.travel("2030-01-01 09:00Z", tick=False):
        # The rematch job is not run here: Sam waits, Jess (who said no) waits too.
        services.answer_proposal(pairing, person=cohort.jess, accept=False)
    waiting = people_waiting(cohort.programme)
    assert {(w.person, w.reason) for w in waiting} == {
        (cohort.sam, WaitingReason.DECLINED),
        (cohort.jess, WaitingReason.DECLINED),
    }
    assert all(w.since.year == 2030 for w in waiting)
    assert waiting[0].reason_label == "A proposal did not go ahead"


def test_leavers_do_not_wait(cohort, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        published(cohort)
    services.answer_proposal(pairing_of(cohort, cohort.sam), person=cohort.jess, accept=False)
    cohort.sam.is_active = False
    cohort.sam.save(update_fields=["is_active"])
    assert [w.person for w in people_waiting(cohort.programme)] == [cohort.jess]


def test_longest_waiting_first(cohort, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        published(cohort)
    with time_machine.travel("2030-01-02 09:00Z", tick=False):
        services.answer_proposal(pairing_of(cohort, cohort.sam), person=cohort.jess, accept=False)
    with time_machine.travel("2030-01-01 09:00Z", tick=False):
        services.answer_proposal(pairing_of(cohort, cohort.sofia), person=cohort.kai, accept=False)
    assert [w.person for w in people_waiting(cohort.programme)][:2] in (
        [cohort.kai, cohort.sofia],
        [cohort.sofia, cohort.kai],
    )
