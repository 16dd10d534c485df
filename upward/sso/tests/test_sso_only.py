"""Single-sign-on-only organisations: passwords, resets and sign-ups are off for their people,
except the organisation's admins (their way back in if the provider fails)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from upward.notifications.models import OutboundEmail
from upward.sso.tests.conftest import SsoWorld
from upward.testing.factories import OrganisationFactory, person_with_account

PASSWORD = "correct horse battery"  # upward.testing.factories.UserFactory's


@pytest.fixture
def sso_only(sso: SsoWorld) -> SsoWorld:
    sso.idp.sso_only = True
    sso.idp.save()
    return sso


def sign_in_with_password(email: str, password: str = PASSWORD) -> tuple[Client, Any]:
    client = Client()
    response = client.post(reverse("account_login"), {"login": email, "password": password})
    return client, response


def is_signed_in(client: Client) -> bool:
    return bool(client.get(reverse("dashboard")).wsgi_request.user.is_authenticated)


def test_member_cannot_sign_in_with_a_password(sso_only: SsoWorld) -> None:
    client, response = sign_in_with_password("mo@acme.test")
    assert response.status_code == 200
    text = response.content.decode()
    assert "Your organisation signs in through Acme sign-in" in text
    assert 'name="password"' in text  # the page is there, with the message
    assert not is_signed_in(client)


def test_a_wrong_password_gets_the_same_answer(sso_only: SsoWorld) -> None:
    """Nobody learns from the answer whether the password was right or who is an admin."""
    _client, right = sign_in_with_password("mo@acme.test")
    _client, wrong = sign_in_with_password("mo@acme.test", "not the password")
    _client, admin_wrong = sign_in_with_password("priya@acme.test", "not the password")
    _client, nobody = sign_in_with_password("nobody@acme.test", "whatever")
    for response in (right, wrong, admin_wrong, nobody):
        assert response.status_code == 200
        assert "Your organisation signs in through Acme sign-in" in response.content.decode()


def test_admin_keeps_the_password_as_the_way_back_in(sso_only: SsoWorld) -> None:
    client, response = sign_in_with_password("priya@acme.test")
    assert response.status_code == 302
    assert is_signed_in(client)


def test_without_sso_only_passwords_still_work(sso: SsoWorld) -> None:
    client, response = sign_in_with_password("mo@acme.test")
    assert response.status_code == 302
    assert is_signed_in(client)


def test_other_organisations_are_not_affected(sso_only: SsoWorld) -> None:
    other = OrganisationFactory(slug="globex")
    person_with_account(organisation=other, email="gil@globex.test")
    client, response = sign_in_with_password("gil@globex.test")
    assert response.status_code == 302
    assert is_signed_in(client)


def test_member_with_an_address_outside_the_providers_domains_keeps_their_password(
    sso_only: SsoWorld,
) -> None:
    """The provider signs in only addresses of its domains, so blocking the password of a
    directory member with another address would leave them no way in at all (an outside
    review's finding): the rule follows the address's domain."""
    stray = person_with_account(organisation=sso_only.org, email="mo.private@mail.test")
    client, response = sign_in_with_password(stray.email)
    assert response.status_code == 302, response.content
    assert is_signed_in(client)


def _reset(email: str) -> Any:
    client = Client()
    response = client.post(reverse("account_reset_password"), {"email": email})
    assert response.status_code == 302
    return client.get(response["Location"])


def test_member_gets_no_reset_email_and_is_pointed_to_sso(sso_only: SsoWorld) -> None:
    done = _reset("mo@acme.test")
    assert done.status_code == 200
    assert "Acme sign-in" in done.content.decode()
    assert not OutboundEmail.objects.filter(to=["mo@acme.test"]).exists()


def test_admin_can_reset_their_password(sso_only: SsoWorld) -> None:
    done = _reset("priya@acme.test")
    assert done.status_code == 200
    assert "Acme sign-in" in done.content.decode()  # the same page as everyone's
    row = OutboundEmail.objects.get(to=["priya@acme.test"])
    assert "/accounts/password/reset/key/" in row.body


def test_sign_up_is_refused_for_the_domain(sso_only: SsoWorld) -> None:
    response = Client().post(
        reverse("account_signup"),
        {
            "email": "new@acme.test",
            "password1": "a long pass phrase 42",
            "password2": "a long pass phrase 42",
        },
    )
    assert response.status_code == 200
    assert "Your organisation signs in through Acme sign-in" in response.content.decode()
    from django.contrib.auth import get_user_model

    assert not get_user_model().objects.filter(email="new@acme.test").exists()


def test_sign_up_elsewhere_still_works(sso_only: SsoWorld) -> None:
    response = Client().post(
        reverse("account_signup"),
        {
            "email": "new@else.test",
            "password1": "a long pass phrase 42",
            "password2": "a long pass phrase 42",
        },
    )
    assert response.status_code == 302
