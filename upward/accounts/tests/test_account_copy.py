"""Account pages and emails speak as Upward, in British English: the product's name, never
the server's host name, and none of allauth's American defaults."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client
from pytest_django.asserts import assertContains, assertNotContains

from upward.accounts.models import User

PASSWORD = "a-long-unusual-passphrase"
AMERICAN = re.compile(r"\b(recognize|finalize|authorize|color|canceled|favor)\w*", re.I)


def _only_email(django_capture_on_commit_callbacks, post):  # type: ignore[no-untyped-def]
    with django_capture_on_commit_callbacks(execute=True):
        post()
    (message,) = mail.outbox
    return message


@pytest.mark.django_db
def test_the_reset_email_names_upward_not_the_host(django_capture_on_commit_callbacks) -> None:
    User.objects.create_user("nia@example.test", PASSWORD)
    client = Client()  # the request's host is "testserver"; SITE_URL is 127.0.0.1:8000
    message = _only_email(
        django_capture_on_commit_callbacks,
        lambda: client.post("/accounts/password/reset/", {"email": "nia@example.test"}),
    )
    body = str(message.body)
    assert message.subject == "[Upward] Choose a new password for Upward"
    assert "The Upward team" in body and "127.0.0.1:8000" in body
    assert "testserver" not in body
    assert "Hello from" not in body and "Thank you for using" not in body
    assert not AMERICAN.search(body)


@pytest.mark.django_db
def test_the_confirmation_email_after_sign_up_reads_as_upward(
    django_capture_on_commit_callbacks,
) -> None:
    message = _only_email(
        django_capture_on_commit_callbacks,
        lambda: Client().post(
            "/accounts/signup/",
            {"email": "new@example.test", "password1": PASSWORD, "password2": PASSWORD},
        ),
    )
    body = str(message.body)
    assert message.subject == "[Upward] Confirm your email address for Upward"
    assert "reverse mentoring" in body and "/accounts/confirm-email/" in body
    assert "example.com" not in body and "testserver" not in body
    assert not AMERICAN.search(body)


@pytest.mark.django_db
def test_an_unknown_address_gets_a_plain_explanation(django_capture_on_commit_callbacks) -> None:
    message = _only_email(
        django_capture_on_commit_callbacks,
        lambda: Client().post("/accounts/password/reset/", {"email": "nobody@example.test"}),
    )
    assert "no Upward account uses this address" in str(message.body)
    assert "database" not in str(message.body)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "heading"),
    [
        ("/accounts/login/", "Sign in"),
        ("/accounts/signup/", "Create an account"),
        ("/accounts/password/reset/", "Reset your password"),
        ("/accounts/confirm-email/", "Check your email"),
        ("/accounts/confirm-email/not-a-key/", "This link no longer works"),
    ],
)
def test_entrance_pages_use_the_product_layout_and_voice(path: str, heading: str) -> None:
    page = Client().get(path)
    assertContains(page, f"<h1>{heading}</h1>", status_code=200)
    assertContains(page, "· Upward</title>")
    assertContains(page, 'class="topbar')  # base.html, not allauth's bare layout
    for default in ("Verify Your Email Address", "Confirm Email Address", "finalize"):
        assertNotContains(page, default, status_code=200)


@pytest.mark.django_db
def test_two_factor_set_up_is_in_our_words_and_layout(world) -> None:  # type: ignore[no-untyped-def]
    client = world.client_for(world.manager)
    # Signed in by the test client, not by a password: allauth asks to confirm it is you first.
    asked = client.get("/accounts/2fa/totp/activate/")
    assert asked.status_code == 302
    reauth = client.get(asked["Location"])
    assertContains(reauth, "<h1>Confirm it is you</h1>", status_code=200)
    assertNotContains(reauth, "Confirm Access", status_code=200)
    wrong = client.post(asked["Location"], {"password": "not it"})
    assertContains(wrong, "<h1>Confirm it is you</h1>", status_code=200)
    assertContains(wrong, 'aria-invalid="true"')
    confirmed = client.post(asked["Location"], {"password": "correct horse battery"})
    assert confirmed.status_code == 302

    page = client.get("/accounts/2fa/totp/activate/")
    assertContains(page, "<h1>Set up an authenticator app</h1>", status_code=200)
    assertContains(page, 'autocomplete="one-time-code"')
    assertContains(page, 'class="topbar')
    for default in ("Activate Authenticator App", "input the verification code"):
        assertNotContains(page, default, status_code=200)


@pytest.mark.django_db
def test_signing_in_greets_once(world) -> None:  # type: ignore[no-untyped-def]
    page = Client().post(
        "/accounts/login/",
        {"login": world.applicant.email, "password": "correct horse battery"},
        follow=True,
    )
    assertContains(page, "Hello,", status_code=200)  # the dashboard's own greeting
    assertNotContains(page, "Successfully signed in", status_code=200)
    assertNotContains(page, "signed in as", status_code=200)


@pytest.mark.django_db
def test_after_sign_up_the_flash_and_the_page_say_different_things(
    django_capture_on_commit_callbacks,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        page = Client().post(
            "/accounts/signup/",
            {"email": "new@example.test", "password1": PASSWORD, "password2": PASSWORD},
            follow=True,
        )
    assertContains(page, "<h1>Check your email</h1>", status_code=200)
    assertContains(page, "We have sent a confirmation link to new@example.test.", count=1)
    assertContains(page, "We have", count=1)
