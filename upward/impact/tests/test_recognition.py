"""Recognition the mentor owns: the contribution record, its PDF, the certificate, the
thank-you note and sharing with the line manager only when the mentor asks."""

from __future__ import annotations

import pytest
from django.core import mail
from pytest_django.asserts import assertNotContains

from upward.core.errors import DomainError
from upward.core.models import AuditEvent
from upward.core.testing.pdf import WORLD_NAME, assert_prints_names
from upward.goals.models import Assessment, Rating, Skill
from upward.impact import pdf, selectors, services
from upward.impact.models import RecordShare, ThankYouNote
from upward.impact.tests.helpers import at, complete, event, meeting
from upward.notifications.models import Notification, NotificationPreference
from upward.testing.factories import level, person_with_account

NOTE = "You changed how I run my leadership meetings. Thank you, Jess."


@pytest.fixture
def line_manager(pairs, world):  # type: ignore[no-untyped-def]
    boss = person_with_account(
        organisation=world.org,
        full_name="Lee Line",
        level=level(world.org, 5),
        email="lee@northwind.test",
    )
    pairs.mentor.manager = boss
    pairs.mentor.save(update_fields=["manager"])
    return boss


@pytest.fixture
def history(pairs, world):  # type: ignore[no-untyped-def]
    meeting(pairs.pairing, at("2027-02-10"), minutes=60)
    meeting(pairs.pairing, at("2027-03-02"), minutes=45)
    event(world.programme, at("2027-01-20"), minutes=90, attended=[pairs.mentor])
    skill = Skill.objects.create(programme=world.programme, name="Presenting to executives")
    for kind, value in (("baseline", 2), ("final", 4)):
        assessment = Assessment.objects.create(
            pairing=pairs.pairing, subject=pairs.mentor, rater=pairs.mentor, kind=kind
        )
        Rating.objects.create(assessment=assessment, skill=skill, level=value)
    return pairs


def test_the_record_brings_it_together(history, world):
    record = selectors.contribution_record(history.pairing)
    assert record.time.sessions_held == 2
    assert record.time.total_minutes == 195
    assert [title for title, _at, _m in record.events] == ["Kick-off for mentors"]
    assert [(s.name, s.start, s.end, s.change) for s in record.skills] == [
        ("Presenting to executives", 2, 4, 2)
    ]
    assert record.ended_on is None and not record.is_completed


def test_the_contribution_page_and_pdf(history, world):
    client = world.client_for(history.mentor)
    page = client.get(f"/pairings/{history.pairing.pk}/contribution/").content.decode()
    assert "3 h 15 min" in page and "Presenting to executives" in page
    response = client.get(f"/pairings/{history.pairing.pk}/contribution/record.pdf")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "private, no-store"


def test_the_record_and_the_certificate_print_names_in_any_script(history):
    history.mentor.full_name = WORLD_NAME
    history.mentor.save(update_fields=["full_name"])
    record = selectors.contribution_record(history.pairing)
    assert_prints_names(pdf.contribution_pdf(record))
    assert_prints_names(pdf.certificate_pdf(record))


def test_the_mentor_is_warned_on_their_page_near_the_cap(history, world):
    # 45 minutes given in March.
    services.update_impact_settings(world.programme, monthly_cap_minutes=40, by=None)
    page = world.client_for(history.mentor).get(f"/pairings/{history.pairing.pk}/contribution/")
    assert "over this month" in page.content.decode()
    services.update_impact_settings(world.programme, monthly_cap_minutes=55, by=None)
    page = world.client_for(history.mentor).get(f"/pairings/{history.pairing.pk}/contribution/")
    assert "close to this month" in page.content.decode()
    services.update_impact_settings(world.programme, monthly_cap_minutes=240, by=None)
    page = world.client_for(history.mentor).get(f"/pairings/{history.pairing.pk}/contribution/")
    assertNotContains(page, "this month's time cap")


def test_the_certificate_needs_a_completed_pairing(history, world):
    client = world.client_for(history.mentor)
    url = f"/pairings/{history.pairing.pk}/contribution/certificate.pdf"
    response = client.get(url, follow=True)
    assert "ready once the pairing has been marked as completed" in response.content.decode()
    complete(history.pairing)
    response = client.get(url)
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert selectors.contribution_record(history.pairing).ended_on is not None


# ---------------------------------------------------------------------------------------------
# Thank-you note


def test_the_mentee_writes_and_the_mentor_reads(pairs, world, django_capture_on_commit_callbacks):
    NotificationPreference.objects.create(
        person=pairs.mentor, kind="impact", delivery="immediately"
    )
    client = world.client_for(pairs.mentee)
    url = f"/pairings/{pairs.pairing.pk}/thank-you/"
    assert "Send my note" in client.get(url).content.decode()
    response = client.post(url, {"text": "   "})
    assert "Write a few words" in response.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"text": NOTE})
        client.post(url, {"text": NOTE + " Again."})  # an edit, not a second note
    note = ThankYouNote.objects.get()
    assert note.author == pairs.mentee and note.text.endswith("Again.")
    assert not note.show_when_shared
    # The mentor hears once, with a neutral line and a link.
    assert Notification.objects.get().recipient == pairs.mentor
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [pairs.mentor.email]
    assert f"/pairings/{pairs.pairing.pk}/contribution/" in mail.outbox[0].body
    assert "leadership meetings" not in mail.outbox[0].body
    page = world.client_for(pairs.mentor).get(f"/pairings/{pairs.pairing.pk}/contribution/")
    assert "leadership meetings" in page.content.decode()


def test_only_the_mentee_writes_a_note(pairs):
    with pytest.raises(DomainError, match="Only the mentee writes a thank-you note to their"):
        services.write_thank_you(pairs.pairing, author=pairs.mentor, text="Me", by=None)


# ---------------------------------------------------------------------------------------------
# Sharing with the line manager


def test_nothing_is_shared_without_the_action(history, world, line_manager):
    client = world.client_for(history.mentor)
    services.write_thank_you(history.pairing, author=history.mentee, text=NOTE, by=None)
    client.get(f"/pairings/{history.pairing.pk}/contribution/")
    client.get(f"/pairings/{history.pairing.pk}/contribution/record.pdf")
    client.get(f"/pairings/{history.pairing.pk}/contribution/share/")  # the confirmation page
    complete(history.pairing)
    client.get(f"/pairings/{history.pairing.pk}/contribution/certificate.pdf")
    assert not any(line_manager.email in m.to for m in mail.outbox)
    assert not RecordShare.objects.exists()


def test_sharing_sends_a_neutral_summary(
    history, world, line_manager, django_capture_on_commit_callbacks
):
    services.write_thank_you(history.pairing, author=history.mentee, text=NOTE, by=None)
    services.add_commitment(
        history.pairing, owner=history.mentor, kind="commitment", text="Private plan", by=None
    )
    mail.outbox.clear()
    client = world.client_for(history.mentor)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/pairings/{history.pairing.pk}/contribution/share/", follow=True)
    assert "Sent to Lee Line" in response.content.decode()
    (message,) = mail.outbox
    assert message.to == ["lee@northwind.test"]
    assert message.reply_to == [history.mentor.email]
    body = message.body
    assert "Sessions held: 2" in body and "3 h 15 min" in body
    for private in ("leadership meetings", "Private plan", "Sam Senior", "Presenting"):
        assert private not in body
    (_name, content, kind) = message.attachments[0]
    assert kind == "application/pdf" and content.startswith(b"%PDF")
    share = RecordShare.objects.get()
    assert share.line_manager == line_manager and not share.included_thank_you
    assert AuditEvent.objects.filter(verb="impact.record_shared").count() == 1


def test_the_note_goes_with_the_record_only_when_the_mentor_says(
    history, world, line_manager, django_capture_on_commit_callbacks
):
    services.write_thank_you(history.pairing, author=history.mentee, text=NOTE, by=None)
    client = world.client_for(history.mentor)
    client.post(f"/pairings/{history.pairing.pk}/contribution/thank-you-note/", {"show": "1"})
    assert ThankYouNote.objects.get().show_when_shared
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/pairings/{history.pairing.pk}/contribution/share/")
        client.post(f"/pairings/{history.pairing.pk}/contribution/share/")  # again: allowed
    assert RecordShare.objects.count() == 2
    assert all(s.included_thank_you for s in RecordShare.objects.all())
    assert len([m for m in mail.outbox if m.to == [line_manager.email]]) == 2


def test_no_line_manager_is_refused_clearly(history, world):
    client = world.client_for(history.mentor)
    page = client.get(f"/pairings/{history.pairing.pk}/contribution/share/").content.decode()
    assert "We do not know your line manager" in page
    response = client.post(f"/pairings/{history.pairing.pk}/contribution/share/", follow=True)
    assert "We do not know your line manager" in response.content.decode()
    assert not RecordShare.objects.exists() and not mail.outbox


def test_an_inactive_line_manager_counts_as_none(history, line_manager):
    type(line_manager).objects.filter(pk=line_manager.pk).update(is_active=False)
    history.mentor.refresh_from_db()
    with pytest.raises(DomainError, match="line manager"):
        services.share_record_with_line_manager(history.pairing, mentor=history.mentor, by=None)
