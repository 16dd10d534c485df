"""Someone leaves the organisation (people directory, HR import, the leave button): they are
never proposed again, their open proposals are withdrawn, their live pairings end, each
partner is told neutrally and the programme team is told."""

import pytest
from django.core import mail
from django.urls import reverse

from upward.organisations import services as directory
from upward.pairing import services
from upward.pairing.models import MatchRun, Pairing, PairingState
from upward.pairing.selectors import build_match_inputs, settings_for
from upward.pairing.tests.helpers import pairing_of, published, run
from upward.programmes.selectors import recruitment_counts

pytestmark = pytest.mark.django_db


@pytest.fixture
def live(cohort, django_capture_on_commit_callbacks):
    """Jess mentors Sam (active); Kai's proposal to Sofia is still unanswered."""
    with django_capture_on_commit_callbacks(execute=True):
        published(cohort)
        pairing = pairing_of(cohort, cohort.sam)
        services.answer_proposal(pairing, person=cohort.jess, accept=True)
        services.answer_pairing(pairing, person=cohort.sam, accept=True)
    mail.outbox.clear()
    return cohort


def _mail_to(person):
    return [m for m in mail.outbox if m.to == [person.email]]


def _in_inputs(cohort, person) -> bool:
    inputs = build_match_inputs(cohort.programme, settings=settings_for(cohort.programme))
    ids = {p.id for p in inputs.mentors} | {p.id for p in inputs.mentees}
    return str(person.pk) in ids


def test_directory_edit_ends_the_live_pairing_and_tells_partner_and_team(
    live, world, django_capture_on_commit_callbacks
):
    cohort = live
    pairing = pairing_of(cohort, cohort.sam)
    data = {
        "full_name": cohort.jess.full_name,
        "email": cohort.jess.email,
        "level": cohort.jess.level_id,
        "department": cohort.jess.department_id,
        "time_zone": "Europe/London",
        # "is_active" left unticked: Jess has left.
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = world.client_for(world.admin).post(f"/people/{cohort.jess.pk}/edit/", data)
    assert response.status_code == 302
    pairing.refresh_from_db()
    assert pairing.state == PairingState.ENDED
    assert pairing.closed_by == Pairing.ClosedBy.MANAGER
    assert pairing.closed_reason == "Left the organisation."
    # Sam is told neutrally: no reason, and a way to ask for a new partner.
    (to_sam,) = _mail_to(cohort.sam)
    assert "has ended" in to_sam.subject
    assert "left the organisation" not in to_sam.body.lower()
    assert reverse("safety:rematch", args=[pairing.pk]) in to_sam.body
    # The programme team is told, once.
    (to_team,) = _mail_to(world.manager)
    assert to_team.subject.endswith("Jess Junior has left the organisation")
    assert "Sam Senior" in to_team.body and "Their live pairing has ended." in to_team.body
    # Jess is never proposed again, and her place no longer counts.
    assert not _in_inputs(cohort, cohort.jess)
    assert recruitment_counts(cohort.programme).accepted_mentors == 1


def test_hr_import_marking_someone_left_withdraws_their_proposal(
    live, world, django_capture_on_commit_callbacks
):
    cohort = live
    proposal = pairing_of(cohort, cohort.sofia)
    assert proposal.state == PairingState.PROPOSED and proposal.mentor == cohort.kai
    people_import = directory.start_people_import(
        world.org,
        by=world.admin.user,
        filename="hr.csv",
        content=f"email,full_name,active\n{cohort.kai.email},{cohort.kai.full_name},no\n".encode(),
    )
    with django_capture_on_commit_callbacks(execute=True):
        directory.apply_people_import(people_import, by=world.admin.user)
    proposal.refresh_from_db()
    assert proposal.state == PairingState.DECLINED
    assert proposal.closed_reason == "Left the organisation."
    # Sofia was never told of the proposal, so she hears nothing of its end.
    assert not any("no longer going ahead" in m.body for m in _mail_to(cohort.sofia))
    assert any(
        m.subject.endswith(f"{cohort.kai.full_name} has left the organisation")
        for m in _mail_to(world.manager)
    )
    assert not _in_inputs(cohort, cohort.kai)
    # The live pairing of someone else is untouched.
    assert pairing_of(cohort, cohort.sam).state == PairingState.ACTIVE


def test_a_leaver_is_never_proposed_in_a_later_run(live, world, django_capture_on_commit_callbacks):
    cohort = live
    with django_capture_on_commit_callbacks(execute=True):
        directory.mark_person_left(cohort.sam, by=world.admin.user)
    ended = Pairing.objects.get(programme=cohort.programme, mentee=cohort.sam)
    assert ended.state == PairingState.ENDED
    (to_jess,) = _mail_to(cohort.jess)
    assert "Sam Senior is no longer taking part" in to_jess.body
    new_run = run(cohort, kind=MatchRun.Kind.FULL)
    people = {p[r] for p in new_run.results["pairs"] for r in ("mentor", "mentee")}
    assert cohort.sam.pk not in people
    assert recruitment_counts(cohort.programme).accepted_mentees == 1


def test_nothing_happens_to_pairings_of_someone_who_did_not_leave(live, world):
    directory.update_person(
        live.jess,
        by=world.admin.user,
        details=directory.PersonDetails(
            email=live.jess.email,
            full_name=live.jess.full_name,
            job_title="Analyst",
            level=live.jess.level,
            department=live.jess.department,
        ),
    )
    assert pairing_of(live, live.sam).state == PairingState.ACTIVE
