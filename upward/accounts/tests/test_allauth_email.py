"""allauth's own emails leave through the outbox, after the commit, with one subject prefix."""

from __future__ import annotations

import pytest
from allauth.account.adapter import get_adapter
from allauth.core.context import request_context
from django.core import mail
from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.test import Client, RequestFactory

from upward.accounts.models import User
from upward.notifications.models import OutboundEmail

PASSWORD = "a-long-unusual-passphrase"


@pytest.mark.django_db
def test_a_password_reset_is_queued_in_the_outbox_and_sent_after_the_commit(
    django_capture_on_commit_callbacks,
):
    User.objects.create_user("nia@example.test", PASSWORD)
    with django_capture_on_commit_callbacks() as callbacks:
        response = Client().post("/accounts/password/reset/", {"email": "nia@example.test"})
    assert response.status_code == 302
    # The request only wrote a row: nothing left before the commit.
    assert mail.outbox == []
    row = OutboundEmail.objects.get()
    assert row.to == ["nia@example.test"]
    assert row.sent_at is None
    assert "/accounts/password/reset/key/" in row.body
    assert len(callbacks) == 1

    callbacks[0]()  # the commit: the send task runs (inline in tests)

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["nia@example.test"]
    # One prefix, the outbox's: allauth adds none (neither its own setting nor the site name).
    assert message.subject == "[Upward] Choose a new password for Upward"
    assert "/accounts/password/reset/key/" in str(message.body)
    row.refresh_from_db()
    assert row.sent_at is not None


@pytest.mark.django_db
def test_the_subject_prefix_follows_the_one_setting(settings, django_capture_on_commit_callbacks):
    settings.EMAIL_SUBJECT_PREFIX = "[Mentoring] "
    User.objects.create_user("nia@example.test", PASSWORD)
    with django_capture_on_commit_callbacks(execute=True):
        Client().post("/accounts/password/reset/", {"email": "nia@example.test"})
    (message,) = mail.outbox
    assert message.subject == "[Mentoring] Choose a new password for Upward"


def _send_rendered(monkeypatch, message) -> OutboundEmail:
    adapter = get_adapter()
    monkeypatch.setattr(adapter, "render_mail", lambda *args, **kwargs: message)
    with request_context(RequestFactory().get("/")):
        adapter.send_mail("account/email/password_reset_key", "nia@example.test", {})
    return OutboundEmail.objects.get()


@pytest.mark.django_db
def test_an_html_alternative_is_queued_with_the_text(monkeypatch):
    message = EmailMultiAlternatives("Hello", "Plain text", to=["nia@example.test"])
    message.attach_alternative("<p>Rich text</p>", "text/html")
    row = _send_rendered(monkeypatch, message)
    assert (row.subject, row.body, row.html) == ("[Upward] Hello", "Plain text", "<p>Rich text</p>")
    assert mail.outbox == []


@pytest.mark.django_db
def test_an_html_only_email_gets_a_text_part(monkeypatch):
    message = EmailMessage("Hello", "<p>Rich <b>text</b></p>", to=["nia@example.test"])
    message.content_subtype = "html"
    row = _send_rendered(monkeypatch, message)
    assert (row.body, row.html) == ("Rich text", "<p>Rich <b>text</b></p>")
    assert row.to == ["nia@example.test"]


@pytest.mark.django_db
def test_allauth_links_start_with_site_url_not_the_host_header(
    settings, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "http://127.0.0.1:9000"
    User.objects.create_user("nia@example.test", PASSWORD)
    with django_capture_on_commit_callbacks(execute=True):
        response = Client().post(
            "/accounts/password/reset/", {"email": "nia@example.test"}, HTTP_HOST="localhost"
        )
    assert response.status_code == 302
    (message,) = mail.outbox
    assert "http://127.0.0.1:9000/accounts/password/reset/key/" in str(message.body)
    assert "://localhost" not in str(message.body)


@pytest.mark.django_db
def test_the_no_account_email_links_from_site_url(settings, django_capture_on_commit_callbacks):
    settings.SITE_URL = "http://127.0.0.1:9000"
    with django_capture_on_commit_callbacks(execute=True):
        response = Client().post(
            "/accounts/password/reset/", {"email": "nobody@example.test"}, HTTP_HOST="localhost"
        )
    assert response.status_code == 302
    (message,) = mail.outbox
    assert "http://127.0.0.1:9000/accounts/signup/" in str(message.body)
    assert "://localhost" not in str(message.body)


@pytest.mark.django_db
def test_the_account_exists_email_links_from_site_url(settings, django_capture_on_commit_callbacks):
    settings.SITE_URL = "http://127.0.0.1:9000"
    User.objects.create_user("nia@example.test", PASSWORD)
    data = {"email": "nia@example.test", "password1": PASSWORD, "password2": PASSWORD}
    with django_capture_on_commit_callbacks(execute=True):
        Client().post("/accounts/signup/", data, HTTP_HOST="localhost")
    (message,) = [m for m in mail.outbox if "/accounts/password/reset/" in str(m.body)]
    assert "http://127.0.0.1:9000/accounts/password/reset/" in str(message.body)
    assert "://localhost" not in str(message.body)
