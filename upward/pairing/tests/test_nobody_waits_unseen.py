"""Nobody waits unseen: people away are skipped and their reminders pause; people without a
partner are listed with how long they have waited, counted on the overview, told kindly (once)
and shown on their dashboard; runs say what they did; whoever just left a pairing is left aside
until the team includes them."""

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from upward.organisations import services as directory
from upward.pairing import selectors, services
from upward.pairing.models import MatchRun, Pairing, PairingState
from upward.pairing.tests.helpers import pairing_of, published, run
from upward.programmes.models import State
from upward.programmes.services import transition_programme

pytestmark = pytest.mark.django_db


def _people(run_: MatchRun) -> set[int]:
    return {p[r] for p in run_.results["pairs"] for r in ("mentor", "mentee")}


def _away(person, days: int = 10) -> None:
    today = timezone.localdate()
    directory.set_unavailability(
        person, by=None, starts_on=today, ends_on=today + dt.timedelta(days=days), note="Leave"
    )


# ---------------------------------------------------------------------------------------------
# Unavailable for a period


def test_someone_away_is_not_proposed_and_the_review_says_why(cohort, world):
    _away(cohort.jess)
    first = run(cohort)
    assert cohort.jess.pk not in _people(first)
    review = selectors.run_review(first)
    (row,) = [r for r in review.left_out if r.person == cohort.jess]
    assert row.reason.startswith("Away until")
    page = world.client_for(world.manager).get(
        reverse("pairing:run", args=[cohort.programme.pk, first.pk])
    )
    assertContains(page, "Away until")
    assertNotContains(page, "Leave")  # the note is not shown in the run
    directory.clear_unavailability(cohort.jess, by=None)
    assert cohort.jess.pk in _people(run(cohort))


def test_publishing_does_not_tell_someone_away_that_nobody_was_found(
    cohort, django_capture_on_commit_callbacks
):
    _away(cohort.jess)
    with django_capture_on_commit_callbacks(execute=True):
        services.publish_match_run(run(cohort), by=None)
    bodies = [m.body for m in mail.outbox if m.to == [cohort.jess.email]]
    assert not any("find you a partner" in b for b in bodies)
    # Sam, left without a mentor by the same run, is told.
    assert any("find you a partner" in m.body for m in mail.outbox if m.to == [cohort.sam.email])


def test_the_team_sees_who_is_away_with_the_note(nobody_found, world):
    _away(nobody_found.kai)
    url = reverse("safety:attention", args=[nobody_found.programme.pk])
    page = world.client_for(world.manager).get(url)
    assertContains(page, "Away for a while")
    assert [(a.person, a.note) for a in page.context["q"].away] == [(nobody_found.kai, "Leave")]


def test_proposal_reminders_pause_while_the_mentor_is_away(cohort):
    published(cohort)
    mail.outbox.clear()
    respond_by = pairing_of(cohort, cohort.sam).respond_by
    with time_machine.travel(respond_by - dt.timedelta(days=1), tick=False):
        _away(cohort.jess, days=3)
        report = services.send_pairing_reminders()
        assert report.reminded_mentors == 1  # Kai only
        assert pairing_of(cohort, cohort.sam).mentor_reminded_at is None
        directory.clear_unavailability(cohort.jess, by=None)
        assert services.send_pairing_reminders().reminded_mentors == 1  # Jess, now back
    assert pairing_of(cohort, cohort.sam).mentor_reminded_at is not None


# ---------------------------------------------------------------------------------------------
# People waiting


@pytest.fixture
def nobody_found(cohort, django_capture_on_commit_callbacks):
    """Active programme; Jess declined Sam and the automatic rematch found nobody free."""
    with django_capture_on_commit_callbacks(execute=True):
        published(cohort)
    transition_programme(cohort.programme, to=State.ACTIVE, by=None)
    cohort.programme.refresh_from_db()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.answer_proposal(pairing_of(cohort, cohort.sam), person=cohort.jess, accept=False)
    return cohort


def test_the_attention_queue_lists_people_waiting_with_days(nobody_found, world):
    cohort = nobody_found
    url = reverse("safety:attention", args=[cohort.programme.pk])
    client = world.client_for(world.manager)
    with time_machine.travel(timezone.now() + dt.timedelta(days=3, hours=1), tick=False):
        page = client.get(url)
    assertContains(page, "Waiting for a partner")
    assertNotContains(page, "Nobody is waiting for a partner")
    queue = page.context["q"]
    sam = next(w for w in queue.waiting if w.person == cohort.sam)
    assert sam.days == 3 and sam.reason == "A proposal did not go ahead"
    assertContains(page, reverse("pairing:find_partner", args=[cohort.programme.pk, cohort.sam.pk]))


def test_the_queue_says_so_when_nobody_waits(cohort, world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        published(cohort)
    transition_programme(cohort.programme, to=State.ACTIVE, by=None)
    page = world.client_for(world.manager).get(
        reverse("safety:attention", args=[cohort.programme.pk])
    )
    assertContains(page, "Nobody is waiting for a partner")


def test_find_them_a_partner_starts_a_run_for_that_person(nobody_found, world):
    cohort = nobody_found
    client = world.client_for(world.manager)
    url = reverse("pairing:find_partner", args=[cohort.programme.pk, cohort.sam.pk])
    response = client.post(url, {"role": "mentee"})
    new = MatchRun.objects.filter(kind=MatchRun.Kind.REMATCH).get()
    assert response["Location"] == reverse("pairing:run", args=[cohort.programme.pk, new.pk])
    assert new.scope == [cohort.sam.pk]
    assert client.post(url, {"role": "nonsense"}).status_code == 302
    assert MatchRun.objects.filter(kind=MatchRun.Kind.REMATCH).count() == 1
    # Not for someone the outsider cannot see.
    outsider = world.client_for(world.outsider_admin)
    assert outsider.post(url, {"role": "mentee"}).status_code == 404


def test_the_overview_counts_pairs_formed_and_waiting(nobody_found, world):
    cohort = nobody_found
    page = world.client_for(world.manager).get(
        reverse("programmes:detail", args=[cohort.programme.pk])
    )
    # Kai's proposal to Sofia is under way; Sam and Jess wait.
    assertContains(page, "pairs formed of 5 places, 1 proposed, 2 waiting")
    assertNotContains(page, "places filled")
    # The needs-attention summary counts them too, instead of "Nothing needs your attention".
    assertContains(page, "people waiting for a partner")
    assertNotContains(page, "Nothing needs your attention right now")


def test_a_rematch_that_found_nobody_says_so(nobody_found, world):
    cohort = nobody_found
    automatic = MatchRun.objects.get(kind=MatchRun.Kind.AUTOMATIC)
    assert selectors.run_outcome(automatic) == "Found nobody for Sam Senior"
    page = world.client_for(world.manager).get(reverse("pairing:runs", args=[cohort.programme.pk]))
    assertContains(page, "Found nobody for Sam Senior")
    assertContains(page, "Proposed 2 pairs")


def test_unmatched_people_are_told_once(nobody_found):
    cohort = nobody_found
    to_sam = [m for m in mail.outbox if m.to == [cohort.sam.email]]
    assert len(to_sam) == 1 and "Your place is safe" in to_sam[0].body
    # Another automatic search that finds nobody does not tell Sam again.
    mail.outbox.clear()
    services.publish_match_run(
        services.start_match_run(
            cohort.programme, by=None, scope=[cohort.sam.pk], kind=MatchRun.Kind.AUTOMATIC
        ),
        by=None,
    )
    assert [m for m in mail.outbox if m.to == [cohort.sam.email]] == []


def test_the_waiting_persons_dashboard_says_the_team_is_looking(nobody_found, world):
    page = world.client_for(nobody_found.sam).get(reverse("dashboard"))
    assertContains(page, "looking for a partner for you")
    page = world.client_for(nobody_found.kai).get(reverse("dashboard"))
    assertNotContains(page, "looking for a partner for you")


# ---------------------------------------------------------------------------------------------
# Whoever just left a pairing


def test_someone_who_just_left_a_pairing_is_left_aside_until_included(
    cohort, world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        published(cohort)
        pairing = pairing_of(cohort, cohort.sam)
        services.answer_proposal(pairing, person=cohort.jess, accept=True)
        services.answer_pairing(pairing, person=cohort.sam, accept=True)
    transition_programme(cohort.programme, to=State.ACTIVE, by=None)
    services.end_pairing(
        pairing,
        by=cohort.jess.user,
        reason="Too busy",
        closed_by=Pairing.ClosedBy.MENTOR,
        notify_people=False,
    )
    again = run(cohort, by=world.manager.user, kind=MatchRun.Kind.FULL)
    assert cohort.jess.pk in again.left_aside
    assert cohort.jess.pk not in _people(again)
    client = world.client_for(world.manager)
    page = client.get(reverse("pairing:run", args=[cohort.programme.pk, again.pk]))
    assertContains(page, "Left a pairing on")
    assertContains(page, "Run again including them")
    response = client.post(
        reverse("pairing:include", args=[cohort.programme.pk, again.pk]),
        {"person": cohort.jess.pk},
    )
    included = MatchRun.objects.exclude(pk__in=[again.pk]).latest("created_at", "id")
    assert response["Location"] == reverse("pairing:run", args=[cohort.programme.pk, included.pk])
    assert cohort.jess.pk not in included.left_aside
    # Someone the run did not leave aside cannot be "included".
    response = client.post(
        reverse("pairing:include", args=[cohort.programme.pk, included.pk]),
        {"person": cohort.kai.pk},
    )
    assert response.status_code == 302
    assert MatchRun.objects.latest("created_at", "id").pk == included.pk


def test_a_pairing_the_team_ended_does_not_leave_anyone_aside(cohort, world):
    published(cohort)
    pairing = pairing_of(cohort, cohort.sam)
    services.answer_proposal(pairing, person=cohort.jess, accept=True)
    services.answer_pairing(pairing, person=cohort.sam, accept=True)
    services.end_pairing(pairing, by=world.manager.user, reason="Team decision")
    assert pairing.state == PairingState.ENDED
    assert cohort.jess.pk not in run(cohort, by=world.manager.user).left_aside
