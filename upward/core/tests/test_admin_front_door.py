"""The admin site is no side door: it signs people in through the app's sign-in (allauth, with
its rate limits and two-factor step) and admits only active staff whose session passed
two-factor authentication."""

from __future__ import annotations

import pytest
from django.test import Client

from config.settings import base
from upward.core.testing.two_factor import code_for, give_totp
from upward.testing.factories import UserFactory

PASSWORD = "correct horse battery"  # UserFactory's
ACTIVATE = "/accounts/2fa/totp/activate/"
ADMIN_HOME = "Site administration"


@pytest.fixture
def staff(db):  # type: ignore[no-untyped-def]
    return UserFactory(email="root@northwind.test", is_staff=True, is_superuser=True)


def reaches_admin(client: Client) -> bool:
    response = client.get("/admin/")
    return response.status_code == 200 and ADMIN_HOME in response.content.decode()


@pytest.mark.django_db
def test_the_admin_login_sends_everyone_to_the_apps_sign_in(staff):
    client = Client()
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"] == "/admin/login/?next=/admin/"
    response = client.get(response["Location"])
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=%2Fadmin%2F"
    # No password form remains at /admin/login/: a posted password signs nobody in.
    response = client.post(
        "/admin/login/?next=/admin/", {"username": staff.email, "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert not reaches_admin(client)
    # An outside address in `next` is not followed.
    response = client.get("/admin/login/?next=https://evil.example/admin/")
    assert response["Location"] == "/accounts/login/?next=%2Fadmin%2F"


@pytest.mark.django_db
def test_the_old_fifteen_tries_reproduction_fails(staff, settings):
    settings.ACCOUNT_RATE_LIMITS = base.ACCOUNT_RATE_LIMITS
    client = Client()
    for _ in range(15):
        client.post("/admin/login/", {"username": staff.email, "password": "wrong"})
        client.post("/accounts/login/?next=/admin/", {"login": staff.email, "password": "wrong"})
    # The right password, at either door, now gets nobody in.
    client.post("/admin/login/", {"username": staff.email, "password": PASSWORD})
    response = client.post(
        "/accounts/login/?next=/admin/", {"login": staff.email, "password": PASSWORD}
    )
    assert response.status_code == 200
    assert "Too many failed login attempts" in response.content.decode()
    assert not reaches_admin(client)


@pytest.mark.django_db
def test_staff_without_two_factor_cannot_reach_admin_pages(staff, settings):
    settings.MFA_REQUIRED_FOR_STAFF = False  # the admin asks whatever the setting says
    client = Client()
    client.force_login(staff)
    for path in ("/admin/", "/admin/accounts/user/", f"/admin/accounts/user/{staff.pk}/change/"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith("/admin/login/"), path
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"] == ACTIVATE


@pytest.mark.django_db
def test_staff_with_an_authenticator_but_no_code_in_this_session_is_asked_for_one(staff):
    secret = give_totp(staff)
    client = Client()
    client.force_login(staff)  # a session that never saw the second factor
    assert not reaches_admin(client)
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/2fa/reauthenticate/?next=%2Fadmin%2F"
    response = client.post(response["Location"], {"code": code_for(secret)})
    assert response.status_code == 302
    assert response["Location"] == "/admin/"
    assert reaches_admin(client)


@pytest.mark.django_db
def test_staff_who_signed_in_with_two_factor_reach_the_admin(staff):
    secret = give_totp(staff)
    client = Client()
    response = client.post(
        "/accounts/login/?next=/admin/", {"login": staff.email, "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/2fa/authenticate/")
    assert not reaches_admin(client)
    response = client.post("/accounts/2fa/authenticate/", {"code": code_for(secret)})
    assert response.status_code == 302
    assert response["Location"] == "/admin/"
    assert reaches_admin(client)


@pytest.mark.django_db
def test_people_who_are_not_staff_find_no_admin(world):
    give_totp(world.admin.user)  # an org admin is not Django staff
    client = world.client_for(world.admin)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert client.get(response["Location"]).status_code == 404
