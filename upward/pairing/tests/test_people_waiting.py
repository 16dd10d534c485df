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


def test_launched_without_any_run_everyone_accepted_waits(cohort):
    from upward.programmes.services import transition_programme

    transition_programme(cohort.programme, to="active", by=None, acknowledged=True)
    waiting = people_waiting(cohort.programme)
    assert {w.person for w in waiting} == {cohort.jess, cohort.kai, cohort.sam, cohort.sofia}
    assert {w.reason for w in waiting} == {WaitingReason.NOT_MATCHED}


def test_launching_before_any_run_asks_first(cohort):
    from upward.core.errors import InvalidTransition
    from upward.pairing.services.programme_end import launch_asks
    from upward.programmes.services import transition_programme

    (ask,) = launch_asks(cohort.programme)
    assert ask.startswith("4 people are still waiting for a partner")
    with pytest.raises(InvalidTransition, match="waiting for a partner"):
        transition_programme(cohort.programme, to="active", by=None)


def test_nobody_waits_in_a_completed_programme(cohort, django_capture_on_commit_callbacks):
    from upward.programmes.services import transition_programme

    with django_capture_on_commit_callbacks(execute=True):
        published(cohort)
    services.answer_proposal(pairing_of(cohort, cohort.sam), person=cohort.jess, accept=False)
    transition_programme(cohort.programme, to="active", by=None, acknowledged=True)
    assert people_waiting(cohort.programme)
    transition_programme(cohort.programme, to="completed", by=None)
    cohort.programme.refresh_from_db()
    assert people_waiting(cohort.programme) == []


def test_an_ended_pairing_says_it_ended_and_offers_a_new_partner(world, pairs):
    from pytest_django.asserts import assertContains, assertNotContains

    services.end_pairing(pairs.pairing, by=world.manager.user, reason="Moved teams.")
    page = world.client_for(pairs.mentee).get(f"/pairings/{pairs.pairing.pk}/")
    assertContains(page, "This pairing has ended.")
    assertContains(page, "Ask for a new partner")
    assertNotContains(page, "is not going ahead", status_code=200)
    assertNotContains(page, "Moved teams", status_code=200)
