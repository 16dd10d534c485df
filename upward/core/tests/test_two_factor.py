"""Two-factor authentication is required of org admins, programme managers, safeguarding
contacts and staff.

The test settings switch the requirement off (hundreds of tests sign managers in by force);
these tests switch it on.
"""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import Client
from pytest_django.asserts import assertNotContains

from upward.core.testing.two_factor import code_for, give_totp
from upward.safety.services import add_safeguarding_contact
from upward.testing.factories import UserFactory

ACTIVATE = "/accounts/2fa/totp/activate/"
PASSWORD = "correct horse battery"  # UserFactory's
EXPLANATION = "needs two-factor authentication"


@pytest.fixture
def required(settings):  # type: ignore[no-untyped-def]
    settings.MFA_REQUIRED_FOR_STAFF = True


def pages(world) -> list[str]:  # type: ignore[no-untyped-def]
    return [
        "/dashboard/",
        "/people/",
        f"/programmes/{world.programme.pk}/",
        "/my-concerns/",
        "/admin/",
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["admin", "manager", "other_manager"])
def test_admins_and_managers_without_an_authenticator_must_set_one_up_first(world, required, who):
    client = world.client_for(getattr(world, who))
    for path in pages(world):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"] == ACTIVATE, path
    # The set-up page says why (through the sign-in check allauth asks for first).
    response = client.get("/dashboard/", follow=True)
    assert response.status_code == 200
    assert EXPLANATION in response.content.decode()


@pytest.mark.django_db
def test_staff_without_an_authenticator_must_set_one_up_first(required):
    staff = UserFactory(is_staff=True)
    client = Client()
    client.force_login(staff)
    response = client.get("/dashboard/")
    assert response.status_code == 302
    assert response["Location"] == ACTIVATE


@pytest.mark.django_db
def test_a_safeguarding_contact_without_an_authenticator_must_set_one_up_first(world, required):
    # The role made to read every programme's concerns and pulses: no password-only access.
    contact = world.other_applicant  # a plain employee: no admin, runs no programme
    client = world.client_for(contact)
    assert client.get("/dashboard/").status_code == 200
    add_safeguarding_contact(world.org, person=contact, by=world.admin.user)
    for path in ("/dashboard/", f"/programmes/{world.programme.pk}/attention/"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"] == ACTIVATE, path


def test_every_role_that_shows_other_peoples_information_is_registered():
    from upward.core.roles import privileged_roles

    assert privileged_roles() == ("programme manager or org admin", "safeguarding contact")


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["applicant", "senior"])
def test_participants_are_not_asked(world, required, who):
    response = world.client_for(getattr(world, who)).get("/dashboard/")
    assert response.status_code == 200
    assertNotContains(response, EXPLANATION)


@pytest.mark.django_db
def test_signing_out_setting_up_and_the_health_check_stay_reachable(world, required):
    client = world.client_for(world.manager)
    for path in (ACTIVATE, "/accounts/2fa/", "/accounts/logout/", "/accounts/reauthenticate/"):
        response = client.get(path)
        assert not (response.status_code == 302 and response["Location"] == ACTIVATE), path
        assert response.status_code in (200, 302), path
    assert client.get("/healthz").status_code == 200
    assert client.get("/static/css/no-such-file.css").status_code == 404  # not a redirect
    assert client.post("/accounts/logout/").status_code == 302
    assert client.get("/dashboard/")["Location"].startswith("/accounts/login/")


@pytest.mark.django_db
def test_an_htmx_request_is_told_to_navigate_to_the_set_up_page(world, required):
    client = world.client_for(world.manager)
    response = client.get("/dashboard/", HTTP_HX_REQUEST="true")
    assert response.status_code == 204
    assert response["HX-Redirect"] == ACTIVATE


@pytest.mark.django_db
def test_with_an_authenticator_a_manager_goes_about_their_work(world, required):
    give_totp(world.manager.user)
    response = world.client_for(world.manager).get(f"/programmes/{world.programme.pk}/")
    assert response.status_code == 200
    assert world.programme.name in response.content.decode()


@pytest.mark.django_db
def test_switched_off_nobody_is_asked(world, settings):
    settings.MFA_REQUIRED_FOR_STAFF = False
    response = world.client_for(world.manager).get("/dashboard/")
    assert response.status_code == 200


@pytest.mark.django_db
def test_first_sign_in_of_a_manager_sets_up_two_factor_then_carries_on(world, required):
    client = Client()
    response = client.post("/accounts/login/", {"login": world.manager.email, "password": PASSWORD})
    assert response.status_code == 302
    response = client.get("/dashboard/")
    assert response.status_code == 302 and response["Location"] == ACTIVATE
    # The password was typed a moment ago, so the set-up page opens straight away, with the
    # explanation, instead of asking for the same password again.
    response = client.get(ACTIVATE, follow=True)
    assert response.status_code == 200
    assert response.redirect_chain == []
    assert EXPLANATION in response.content.decode()
    secret = client.session["mfa.totp.secret"]
    response = client.post(ACTIVATE, {"code": code_for(secret)})
    assert response.status_code == 302
    assert client.get("/dashboard/").status_code == 200


@pytest.mark.django_db
def test_an_old_session_must_confirm_the_password_before_adding_an_authenticator(world, required):
    # A session signed in long ago (perhaps left open, perhaps stolen) cannot add a phone
    # without the password: allauth's confirmation step stays.
    client = Client()
    with time_machine.travel(dt.datetime(2027, 3, 1, 9, 0, tzinfo=dt.UTC), tick=False):
        client.post("/accounts/login/", {"login": world.manager.email, "password": PASSWORD})
    with time_machine.travel(dt.datetime(2027, 3, 1, 9, 30, tzinfo=dt.UTC), tick=False):
        response = client.get("/dashboard/")
        assert response.status_code == 302 and response["Location"] == ACTIVATE
        response = client.get(ACTIVATE, follow=True)
        assert response.status_code == 200
        assert response.redirect_chain[-1][0].startswith("/accounts/reauthenticate/")
        assert EXPLANATION in response.content.decode()
        response = client.post(response.redirect_chain[-1][0], {"password": PASSWORD})
        assert response.status_code == 302 and response["Location"] == ACTIVATE
        assert client.get(ACTIVATE).status_code == 200


@pytest.mark.django_db
def test_a_password_alone_does_not_sign_in_a_manager_who_has_an_authenticator(world, required):
    secret = give_totp(world.manager.user)
    client = Client()
    response = client.post("/accounts/login/", {"login": world.manager.email, "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/2fa/authenticate/"
    # Not signed in yet: every page still asks for the sign-in.
    response = client.get("/dashboard/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    response = client.post("/accounts/2fa/authenticate/", {"code": "000000"})
    assert response.status_code == 200  # the code form again
    assert client.get("/dashboard/").status_code == 302
    response = client.post("/accounts/2fa/authenticate/", {"code": code_for(secret)})
    assert response.status_code == 302
    assert client.get("/dashboard/").status_code == 200
