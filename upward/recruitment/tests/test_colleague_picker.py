"""The 'people you work with' picker: a few active colleagues by name, while recruiting only."""

from __future__ import annotations

import pytest
from django.urls import reverse
from pytest_django.asserts import assertNotContains

from upward.programmes.models import Programme, State
from upward.recruitment import selectors
from upward.testing.factories import PersonFactory

pytestmark = pytest.mark.django_db


def search(world, programme, person=None, **params):  # type: ignore[no-untyped-def]
    url = reverse("recruitment:colleague_search", args=[programme.signup_token])
    return world.client_for(person or world.applicant).get(url, params)


@pytest.mark.parametrize(
    "state", [State.DRAFT, State.MATCHING, State.ACTIVE, State.COMPLETED, State.ARCHIVED]
)
def test_the_picker_answers_only_while_the_programme_recruits(world, programme, state):
    assert search(world, programme, people_q="Kai").status_code == 200
    Programme.objects.filter(pk=programme.pk).update(state=state)
    response = search(world, programme, people_q="Kai", works_with=[world.other_applicant.pk])
    assert response.status_code == 404
    assertNotContains(response, b"Kai Keen", status_code=404)


def test_search_is_by_name_never_by_email_or_job_title(world, programme):
    PersonFactory(
        organisation=world.org,
        full_name="Rae Ridley",
        email="secret.probe@northwind.test",
        job_title="Head of Payroll",
    )
    for query in ("secret.probe@northwind.test", "secret.probe", "northwind", "Payroll"):
        response = search(world, programme, people_q=query)
        assert response.status_code == 200
        assertNotContains(response, "Rae Ridley", msg_prefix=str(query))
        assert "No one in the directory matches" in response.content.decode()
    response = search(world, programme, people_q="Ridley")
    assert response.status_code == 200
    assert "Rae Ridley" in response.content.decode()
    assertNotContains(response, "Head of Payroll")


def test_search_needs_three_letters(world, programme):
    response = search(world, programme, people_q="Ka")
    assert response.status_code == 200
    assertNotContains(response, "Kai Keen")
    assertNotContains(response, "No one in the directory matches")
    assert "Kai Keen" in search(world, programme, people_q="Kai").content.decode()


def test_search_shows_a_handful_of_active_colleagues_never_the_applicant(world, programme):
    for n in range(12):
        PersonFactory(organisation=world.org, full_name=f"Sam Sample {n:02}")
    PersonFactory(organisation=world.org, full_name="Sam Sample Leaver", is_active=False)
    response = search(world, programme, people_q="Sam Sample")
    html = response.content.decode()
    assert html.count('name="works_with"') == selectors.COLLEAGUE_RESULTS == 8
    assertNotContains(response, "Sam Sample Leaver")
    assertNotContains(search(world, programme, people_q="Jess"), "Jess Junior")


def test_ticked_ids_echo_back_only_people_the_picker_showed_capped(world, programme):
    leaver = PersonFactory(organisation=world.org, full_name="Lee Leaver", is_active=False)
    others = [PersonFactory(organisation=world.org, full_name=f"Tick {n:02}") for n in range(40)]
    elsewhere = PersonFactory(organisation=world.outsider_admin.organisation, full_name="Far Away")
    url = reverse("recruitment:colleague_search", args=[programme.signup_token])
    client = world.client_for(world.applicant)
    # Ids the picker never showed come back as nothing: no names, nothing ticked.
    html_response = client.get(url, {"works_with": [p.pk for p in others[:5]]})
    html = html_response.content.decode()
    assert html.count("checked") == 0
    assertNotContains(html_response, "Tick")
    for person in others:  # the applicant finds each by name
        assert person.full_name in client.get(url, {"people_q": person.full_name}).content.decode()
    ids = [leaver.pk, world.applicant.pk, elsewhere.pk, *[p.pk for p in others[:5]]]
    response = client.get(url, {"works_with": ids})
    html = response.content.decode()
    assert response.status_code == 200
    assertNotContains(response, "Lee Leaver")
    assertNotContains(response, "Far Away")
    assertNotContains(response, "Jess Junior")
    assert html.count("checked") == 5
    html = client.get(url, {"works_with": [p.pk for p in others]}).content.decode()
    assert html.count("checked") == selectors.COLLEAGUES_TICKED == 30


def test_made_up_ids_never_read_the_directory(world, programme):
    # The review's reproduction: works_with=1..N echoed every colleague's name and department.
    people = [PersonFactory(organisation=world.org, full_name=f"Quiet {n:02}") for n in range(20)]
    url = reverse("recruitment:colleague_search", args=[programme.signup_token])
    client = world.client_for(world.applicant)
    every_id = list(range(1, max(p.pk for p in people) + 1))
    for start in range(0, len(every_id), 30):
        response = client.get(url, {"works_with": every_id[start : start + 30]})
        assert response.status_code == 200
        assertNotContains(response, "Quiet")
        assertNotContains(response, "Kai Keen")
        assertNotContains(response, "Sam Senior")
    # Nor can the application form be used to save, then read back, made-up colleagues.
    response = client.post(
        reverse("recruitment:apply", args=[programme.signup_token]) + "?role=mentor",
        {"works_with": [people[0].pk]},
    )
    assert response.status_code == 200
    assert "works_with" in response.context["form"].errors
    assertNotContains(response, "Quiet 00")


def test_huge_and_junk_ids_in_the_picker_are_ignored(world, programme):
    response = search(world, programme, people_q="Kai", works_with=[str(2**70), "-1", "x"])
    assert response.status_code == 200
    assert "Kai Keen" in response.content.decode()
