"""The 'people you work with' picker: a few active colleagues by name, while recruiting only."""

from __future__ import annotations

import pytest
from django.urls import reverse

from upward.core.testing.factories import PersonFactory
from upward.programmes.models import Programme, State
from upward.recruitment import selectors

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
    assert b"Kai Keen" not in response.content


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
        assert "Rae Ridley" not in response.content.decode(), query
        assert "No one in the directory matches" in response.content.decode()
    response = search(world, programme, people_q="Ridley")
    assert response.status_code == 200
    assert "Rae Ridley" in response.content.decode()
    assert "Head of Payroll" not in response.content.decode()


def test_search_needs_three_letters(world, programme):
    response = search(world, programme, people_q="Ka")
    assert response.status_code == 200
    assert "Kai Keen" not in response.content.decode()
    assert "No one in the directory matches" not in response.content.decode()
    assert "Kai Keen" in search(world, programme, people_q="Kai").content.decode()


def test_search_shows_a_handful_of_active_colleagues_never_the_applicant(world, programme):
    for n in range(12):
        PersonFactory(organisation=world.org, full_name=f"Sam Sample {n:02}")
    PersonFactory(organisation=world.org, full_name="Sam Sample Leaver", is_active=False)
    html = search(world, programme, people_q="Sam Sample").content.decode()
    assert html.count('name="works_with"') == selectors.COLLEAGUE_RESULTS == 8
    assert "Sam Sample Leaver" not in html
    assert "Jess Junior" not in search(world, programme, people_q="Jess").content.decode()


def test_ticked_ids_echo_back_only_active_colleagues_capped(world, programme):
    leaver = PersonFactory(organisation=world.org, full_name="Lee Leaver", is_active=False)
    others = [PersonFactory(organisation=world.org, full_name=f"Tick {n:02}") for n in range(40)]
    elsewhere = PersonFactory(organisation=world.outsider_admin.organisation, full_name="Far Away")
    ids = [leaver.pk, world.applicant.pk, elsewhere.pk, *[p.pk for p in others[:5]]]
    response = search(world, programme, works_with=ids)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Lee Leaver" not in html and "Far Away" not in html and "Jess Junior" not in html
    assert html.count("checked") == 5
    html = search(world, programme, works_with=[p.pk for p in others]).content.decode()
    assert html.count("checked") == selectors.COLLEAGUES_TICKED == 30


def test_huge_and_junk_ids_in_the_picker_are_ignored(world, programme):
    response = search(world, programme, people_q="Kai", works_with=[str(2**70), "-1", "x"])
    assert response.status_code == 200
    assert "Kai Keen" in response.content.decode()
