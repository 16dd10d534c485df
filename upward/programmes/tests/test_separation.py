"""Separation of roles: nobody manages a programme they take part in.

Personas with overlapping roles: a manager who is a mentee in the same programme (data made
before the rule), an org admin who takes part, a participant who manages another programme.
"""

from __future__ import annotations

import pytest
from django.urls import reverse
from pytest_django.asserts import assertNotContains

from upward.core.errors import DomainError, NotEligible
from upward.programmes import access
from upward.programmes.services import set_programme_managers
from upward.programmes.tests.helpers import apply as create_application
from upward.recruitment.models import Application, Invitation
from upward.recruitment.services import invite_people
from upward.recruitment.tests.helpers import apply, open_recruitment
from upward.testing.factories import level


@pytest.fixture
def recruiting(world):  # type: ignore[no-untyped-def]
    """world.programme recruiting: mentors at levels 1-4, mentees at levels 6-9."""
    return open_recruitment(
        world.programme,
        mentor_level_min=level(world.org, 1),
        mentor_level_max=level(world.org, 4),
        mentee_level_min=level(world.org, 6),
        mentee_level_max=level(world.org, 9),
        places=5,
    )


def _manager_pages(programme_id: int) -> list[str]:
    return [
        reverse("programmes:detail", args=[programme_id]),
        reverse("programmes:edit", args=[programme_id]),
        reverse("recruitment:review", args=[programme_id]),
        reverse("recruitment:invitations", args=[programme_id]),
        reverse("pairing:matching", args=[programme_id]),
        reverse("pairing:pairings", args=[programme_id]),
    ]


def test_the_statuses_that_count_as_taking_part_follow_the_application_model():
    # programmes cannot import recruitment (layers), so it names the statuses itself: keep
    # them in step, or a new status would silently let a participant manage. Every status
    # counts: even a declined application carries the team's note about its author.
    statuses = set(Application.Status.values)
    assert set(access.TAKING_PART) == statuses


# ---------------------------------------------------------------------------------------------
# A manager who is also a mentee in the same programme (made before the rule existed)


def test_a_manager_who_takes_part_loses_every_manager_page_of_that_programme(world, recruiting):
    # Applying is refused now (below), so make the overlap the way older data has it.
    create_application(recruiting, world.manager, "mentee", "accepted")
    client = world.client_for(world.manager)
    for url in _manager_pages(recruiting.pk):
        assert client.get(url).status_code == 404, url
    listing = client.get(reverse("programmes:list"))
    assert listing.status_code == 200
    html = listing.content.decode()
    assertNotContains(listing, reverse("programmes:detail", args=[recruiting.pk]))
    assert "You take part in this programme, so it is run by its managers" in html
    assert "Digital confidence 2027" in html  # named in the explanation


def test_apply_helper_refuses_a_manager(world, recruiting):
    with pytest.raises(NotEligible, match="You are one of the managers of this programme"):
        apply(recruiting, world.manager, "mentee")
    assert not Application.objects.filter(person=world.manager).exists()


def test_the_admin_is_told_which_managers_take_part_and_cannot_keep_them(world, recruiting):
    create_application(recruiting, world.manager, "mentee", "accepted")
    client = world.client_for(world.admin)
    url = reverse("programmes:managers", args=[recruiting.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert "These managers take part in this programme" in page.content.decode()
    response = client.post(url, {"managers": [world.manager.pk, world.other_manager.pk]})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Mo Manager takes part in this programme" in html
    assert set(recruiting.managers.all()) == {world.manager}  # unchanged
    # Replacing him works, and the warning goes.
    response = client.post(url, {"managers": [world.other_manager.pk]})
    assert response.status_code == 302
    assert set(recruiting.managers.all()) == {world.other_manager}
    assertNotContains(client.get(url), "These managers take part")


# ---------------------------------------------------------------------------------------------
# Adding managers


@pytest.mark.parametrize(
    ("status", "refused"),
    [
        ("submitted", True),
        ("accepted", True),
        ("waitlisted", True),
        ("withdrawn", True),
        ("declined", True),
    ],
)
def test_adding_an_applicant_as_manager_is_refused_with_the_reason(
    world, recruiting, status, refused
):
    create_application(recruiting, world.senior, "mentee", status)
    managers = [world.manager, world.senior]
    if refused:
        with pytest.raises(DomainError, match="Sam Senior takes part in this programme") as exc:
            set_programme_managers(recruiting, managers=managers, by=world.admin.user)
        assert exc.value.field == "managers"
        assert set(recruiting.managers.all()) == {world.manager}
    else:
        set_programme_managers(recruiting, managers=managers, by=world.admin.user)
        assert set(recruiting.managers.all()) == {world.manager, world.senior}


def test_anyone_in_a_pairing_cannot_be_added_as_manager_even_a_declined_one(world, recruiting):
    from upward.pairing.models import Pairing

    create_application(recruiting, world.senior, "mentee", "withdrawn")
    Pairing.objects.create(
        programme=recruiting,
        mentor=world.applicant,
        mentee=world.senior,
        state="declined",
        closed_by="mentor",
        respond_by="2030-01-01T00:00:00Z",
    )
    for person in (world.senior, world.applicant):
        with pytest.raises(DomainError, match="takes part in this programme"):
            set_programme_managers(recruiting, managers=[person], by=world.admin.user)


def test_the_managers_form_refuses_a_participant_and_bad_input(world, recruiting):
    apply(recruiting, world.senior, "mentee")
    client = world.client_for(world.admin)
    url = reverse("programmes:managers", args=[recruiting.pk])
    response = client.post(url, {"managers": [world.senior.pk]})
    assert response.status_code == 200
    assert "Sam Senior takes part in this programme" in response.content.decode()
    for bad in (["nonsense"], [str(world.outsider_admin.pk)], []):
        response = client.post(url, {"managers": bad})
        assert response.status_code == 200, bad
    assert set(recruiting.managers.all()) == {world.manager}


# ---------------------------------------------------------------------------------------------
# A manager applying to their own programme


def test_a_manager_is_told_why_they_cannot_apply_instead_of_a_form(world, recruiting):
    client = world.client_for(world.manager)
    url = reverse("recruitment:apply", args=[recruiting.signup_token])
    for response in (client.get(url), client.get(url + "?role=mentee")):
        assert response.status_code == 200
        html = response.content.decode()
        assert "You are one of the managers of this programme" in html
        assertNotContains(response, 'name="motivation"')
    response = client.post(url, {"role": "mentee", "motivation": "Me!", "consent_terms": "on"})
    assert response.status_code == 200
    assert "You are one of the managers of this programme" in response.content.decode()
    assert not Application.objects.filter(person=world.manager).exists()


def test_an_admin_who_is_a_named_manager_is_refused_too(world, recruiting):
    recruiting.managers.add(world.admin)
    with pytest.raises(NotEligible, match="ask an organisation admin to remove you"):
        apply(recruiting, world.admin, "mentee")
    response = world.client_for(world.admin).get(
        reverse("recruitment:apply", args=[recruiting.signup_token]) + "?role=mentee"
    )
    assert response.status_code == 200
    assertNotContains(response, 'name="motivation"')


def test_managers_are_skipped_when_invited(world, recruiting):
    result = invite_people(
        recruiting, [world.manager, world.senior], role="mentee", by=world.admin.user
    )
    assert result.invited == [world.senior]
    assert [p for p, _why in result.not_eligible] == [world.manager]
    assert "they manage this programme" in result.not_eligible[0][1]
    assert not Invitation.objects.filter(person=world.manager).exists()


# ---------------------------------------------------------------------------------------------
# An org admin who takes part


def test_an_org_admin_may_take_part_and_the_programme_leaves_their_managed_set(world, recruiting):
    client = world.client_for(world.admin)
    assert client.get(reverse("programmes:detail", args=[recruiting.pk])).status_code == 200
    application = apply(recruiting, world.admin, "mentee")
    assert application.status == "submitted"
    for url in _manager_pages(recruiting.pk):
        assert client.get(url).status_code == 404, url
    # The org admin keeps running every other programme.
    assert (
        client.get(reverse("programmes:detail", args=[world.other_programme.pk])).status_code == 200
    )
    listing = client.get(reverse("programmes:list"))
    assert listing.status_code == 200
    html = listing.content.decode()
    assert reverse("programmes:detail", args=[world.other_programme.pk]) in html
    assertNotContains(listing, reverse("programmes:detail", args=[recruiting.pk]))
    assert "You take part in this programme, so it is run by its managers" in html
    # They cannot name themselves a manager of it either.
    with pytest.raises(DomainError, match="Ada Admin takes part in this programme"):
        set_programme_managers(
            recruiting, managers=[world.manager, world.admin], by=world.admin.user
        )
    # Withdrawing does not give it back: the programme's records hold notes about them.
    from upward.recruitment.services import withdraw_application

    withdraw_application(application, by=world.admin.user)
    assert client.get(reverse("programmes:detail", args=[recruiting.pk])).status_code == 404


def test_an_org_admin_cannot_decide_on_their_own_application(world, recruiting):
    from upward.recruitment.services import decide_application

    application = apply(recruiting, world.admin, "mentee")
    with pytest.raises(DomainError, match="You cannot decide on your own application"):
        decide_application(application, decision="accepted", by=world.admin.user)
    application.refresh_from_db()
    assert application.status == "submitted"
    # Through the page: 404, the programme is not theirs to run any more.
    url = reverse("recruitment:review_detail", args=[recruiting.pk, application.pk])
    response = world.client_for(world.admin).post(url, {"decision": "accepted"})
    assert response.status_code == 404
    # Another manager decides.
    decide_application(application, decision="accepted", by=world.manager.user)
    application.refresh_from_db()
    assert application.status == "accepted"


# ---------------------------------------------------------------------------------------------
# A participant who manages another programme


def test_a_participant_keeps_managing_their_other_programme(world, recruiting):
    apply(recruiting, world.other_manager, "mentee")
    client = world.client_for(world.other_manager)
    assert (
        client.get(reverse("programmes:detail", args=[world.other_programme.pk])).status_code == 200
    )
    assert client.get(reverse("programmes:detail", args=[recruiting.pk])).status_code == 404
    listing = client.get(reverse("programmes:list"))
    assert listing.status_code == 200
    html = listing.content.decode()
    assert reverse("programmes:detail", args=[world.other_programme.pk]) in html
    # Not a manager of the one they applied to, so there is nothing to explain about it.
    assertNotContains(listing, "You take part in")
    # An admin can still add them to the other programme's team, not to this one.
    set_programme_managers(
        world.other_programme, managers=[world.other_manager, world.manager], by=world.admin.user
    )
    with pytest.raises(DomainError, match="Olu Other takes part"):
        set_programme_managers(
            recruiting, managers=[world.manager, world.other_manager], by=world.admin.user
        )
