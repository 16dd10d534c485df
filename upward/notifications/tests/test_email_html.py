"""Every email has an HTML part beside its text: the organisation's name, one call to action,
a footer saying why it came. Everything anybody wrote is escaped in it."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from upward.accounts.models import User
from upward.accounts.services import invite_person_to_upward
from upward.core.links import absolute_url
from upward.notifications import outbox, services
from upward.notifications.models import Delivery, NotificationPreference, OutboundEmail
from upward.notifications.rendering import (
    Action,
    Block,
    ListItem,
    blocks,
    paragraphs,
    render_html,
)
from upward.testing.factories import OrganisationFactory, PersonFactory, person_with_account

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(2)>'


def _html(message) -> str:
    parts = [content for content, kind in message.alternatives if kind == "text/html"]
    assert len(parts) == 1, "one HTML part beside the text"
    return parts[0]


def _links(html: str) -> set[str]:
    return set(re.findall(r'href="([^"]+)"', html))


def _hostile_people():
    org = OrganisationFactory(name=f"Acme {SCRIPT} & Sons")
    reader = person_with_account(organisation=org, full_name=f"Rae {SCRIPT}")
    partner = person_with_account(organisation=org, full_name=f"Pat {IMG}")
    return org, reader, partner


def _notify(reader, partner, *, subject: str = "Time to book", url: str = "/pairings/1/book/"):
    return services.notify(
        reader,
        kind="booking_nudge",
        subject=subject,
        template="journey/email/booking_reminder.txt",
        context={"person": reader, "partner": partner, "link": absolute_url(url) if url else ""},
        url=url,
        dedupe_key="test:html",
    )


def test_user_written_text_is_escaped_in_the_html_part(django_capture_on_commit_callbacks):
    _org, reader, partner = _hostile_people()
    with django_capture_on_commit_callbacks(execute=True):
        _notify(reader, partner, subject=f"Book with {IMG} {SCRIPT}")
    (message,) = mail.outbox
    html = _html(message)
    # The names, the subject and the organisation's name all arrive, as text.
    assert "Rae &lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "Pat &quot;&gt;&lt;img src=x onerror=alert(2)&gt;" in html
    assert "Acme &lt;script&gt;alert(1)&lt;/script&gt; &amp; Sons" in html
    assert "<script" not in html
    assert "<img" not in html
    assert "onerror=alert(2)>" not in html
    # The text part is plain text: the same names, unescaped.
    assert f"Pat {IMG}" in message.body


def test_html_and_text_parts_carry_the_same_call_to_action(django_capture_on_commit_callbacks):
    _org, reader, partner = _hostile_people()
    with django_capture_on_commit_callbacks(execute=True):
        _notify(reader, partner)
    (message,) = mail.outbox
    html = _html(message)
    action = absolute_url("/pairings/1/book/")
    preferences = absolute_url(reverse("notifications:preferences"))
    assert _links(html) == {action, preferences}
    assert action in message.body
    assert preferences in message.body
    # One button: the link appears once as the button and once as the copyable fallback.
    assert html.count(f'href="{action}"') == 2
    assert ">Open it in Upward</a>" in html
    # The footer says why, and the text's own footer and link lines are not repeated.
    assert "asked to hear about “No next meeting booked” straight away" in html
    assert "Open it in Upward:" not in html
    assert html.count("weekly summary") == 1


def test_a_notification_without_a_link_has_no_button(django_capture_on_commit_callbacks):
    _org, reader, partner = _hostile_people()
    with django_capture_on_commit_callbacks(execute=True):
        _notify(reader, partner, url="")
    html = _html(mail.outbox[0])
    assert _links(html) == {absolute_url(reverse("notifications:preferences"))}


def test_rows_queued_without_html_are_still_sent_as_text(django_capture_on_commit_callbacks):
    reader = person_with_account(full_name="Old Row")
    with django_capture_on_commit_callbacks(execute=False):
        row = outbox.queue_email(to=[reader.email], subject="Before", body="Hello", person=reader)
    # A row stored before HTML parts existed.
    OutboundEmail.objects.filter(pk=row.pk).update(html="")
    outbox.send_batch(row.batch)
    (message,) = mail.outbox
    assert message.body == "Hello"
    assert getattr(message, "alternatives", []) == []


def test_the_account_invitation_has_a_set_up_button_and_no_preferences_link(
    world, django_capture_on_commit_callbacks
):
    newcomer = PersonFactory(organisation=world.org, full_name=f"Nia {IMG}")
    with django_capture_on_commit_callbacks(execute=True):
        invitation = invite_person_to_upward(newcomer, by=world.admin.user)
    (message,) = mail.outbox
    html = _html(message)
    link = absolute_url(reverse("accept_invitation", args=[invitation.token]))
    assert _links(html) == {link}
    assert link in message.body
    assert ">Set up your account</a>" in html
    assert "Northwind Health added you" in html
    assert "Nia &quot;&gt;&lt;img" in html
    # The text part is text: no HTML entities in the name.
    assert f"Hello Nia {IMG}," in message.body


def test_a_password_reset_email_gets_the_product_layout(django_capture_on_commit_callbacks):
    User.objects.create_user("nia@example.test", "a-long-unusual-passphrase")
    with django_capture_on_commit_callbacks(execute=True):
        Client().post("/accounts/password/reset/", {"email": "nia@example.test"})
    (message,) = mail.outbox
    html = _html(message)
    (link,) = _links(html)
    assert "/accounts/password/reset/key/" in link
    assert link in message.body
    assert ">Choose a new password</a>" in html


def test_the_weekly_summary_lists_each_notice_with_its_link(
    world, make_notification, django_capture_on_commit_callbacks
):
    NotificationPreference.objects.create(
        person=world.senior, kind="meeting_reminder", delivery=Delivery.DIGEST
    )
    with django_capture_on_commit_callbacks(execute=True):
        make_notification(world.senior, subject=f"Meet {IMG}", url="/pairings/7/")
        make_notification(world.senior, subject="Second reminder", url="/pairings/8/")
        services.send_weekly_digests()
    (message,) = mail.outbox
    html = _html(message)
    assert "<ul" in html
    assert f'<a href="{absolute_url("/pairings/7/")}"' in html
    assert "Meet &quot;&gt;&lt;img src=x onerror=alert(2)&gt;</a>" in html
    assert ">Second reminder</a>" in html
    assert "<img" not in html
    every = absolute_url(reverse("notifications:list"))
    assert ">See them all in Upward</a>" in html
    assert every in message.body
    assert "See them all:" not in html  # the button stands for it


def test_only_web_links_become_buttons():
    html = render_html(subject="Hi", text="Hello", action=Action("Click", "javascript:alert(1)"))
    assert "javascript:" not in html
    assert "Click" not in html


def test_paragraphs_leave_out_the_link_lines_and_the_text_footer():
    text = (
        "Hello,\n\nRead it here:\nhttps://x.test/a\n\nThanks\n\n"
        "Open it in Upward: https://x.test/a\n--\nprefs"
    )
    # The button stands where the link first stood, after the line that leads to it.
    assert paragraphs(text, without="https://x.test/a") == (["Hello,", "Read it here:"], ["Thanks"])
    assert paragraphs("Hello\n\nBye", without="https://x.test/a") == (["Hello", "Bye"], [])


def test_only_links_to_our_own_pages_become_list_links():
    own = absolute_url("/pairings/7/")
    before, _after = blocks(f"- Ours\n  {own}\n- Theirs\n  https://evil.test/x")
    assert before == [Block(text=f"- Ours\n  {own}\n- Theirs\n  https://evil.test/x")]
    (listed,), _after = blocks(f"- Ours\n  {own}\n- Plain")
    assert listed.items == (ListItem("Ours", own), ListItem("Plain"))
