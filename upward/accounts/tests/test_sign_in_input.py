"""The sign-in and sign-up pages (allauth's forms) use the shared input checks too."""

from __future__ import annotations

from django.test import Client
from pytest_django.asserts import assertContains

from upward.accounts.models import User

# A password is a single line: a pasted tab or line break is refused before allauth sees it.
PASTED = "a long password\t1"


def test_sign_up_refuses_a_control_character_with_a_clear_error(db):
    response = Client().post(
        "/accounts/signup/",
        {"email": "ada@example.test", "password1": PASTED, "password2": PASTED},
    )
    assertContains(response, "single line of ordinary text")
    assert not User.objects.filter(email="ada@example.test").exists()


def test_sign_in_refuses_a_control_character_with_a_clear_error(db):
    response = Client().post("/accounts/login/", {"login": "ada@example.test", "password": PASTED})
    assertContains(response, "single line of ordinary text")
    assert "_auth_user_id" not in response.client.session
