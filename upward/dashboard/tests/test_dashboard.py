from django.test import Client
from pytest_django.asserts import assertNotContains


def test_dashboard_requires_sign_in(db):
    response = Client().get("/dashboard/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_manager_dashboard_lists_only_their_programmes(world):
    response = world.client_for(world.manager).get("/dashboard/")
    body = response.content.decode()
    assert response.status_code == 200
    assert world.programme.name in body
    assertNotContains(response, world.other_programme.name)


def test_admin_dashboard_lists_all_programmes_of_their_organisation(world):
    body = world.client_for(world.admin).get("/dashboard/").content.decode()
    assert world.programme.name in body and world.other_programme.name in body


def test_participant_dashboard_shows_no_management(world):
    response = world.client_for(world.applicant).get("/dashboard/")
    assertNotContains(response, "Programmes you run")
    assertNotContains(response, world.programme.name)  # still a draft: not open for sign-up


def test_outsider_admin_sees_nothing_of_another_organisation(world):
    response = world.client_for(world.outsider_admin).get("/dashboard/")
    assertNotContains(response, world.programme.name)
    assertNotContains(response, world.other_programme.name)


def test_dashboard_query_count_is_flat(world, django_assert_max_num_queries):
    client = world.client_for(world.admin)
    # 13: the home also looks for personal invitations to apply (dashboard/home.py).
    with django_assert_max_num_queries(13):
        response = client.get("/dashboard/")
    assert response.status_code == 200
