"""Shared notes, private meeting notes and messages: who can read them, and what they do."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse
from pytest_django.asserts import assertNotContains

from upward.core.errors import Conflict, DomainError
from upward.core.models import AuditEvent
from upward.notes import services
from upward.notes.models import Message, SharedNote
from upward.notifications.kinds import KINDS
from upward.pairing.models import PairingState
from upward.testing.workspace import make_meeting, make_pairing

SECRET = "My manager keeps talking over junior staff"


def outsiders(pairs):  # type: ignore[no-untyped-def]
    """Everyone who must get 404 from a pair's workspace, including its own programme team."""
    w = pairs.world
    return {
        "other pair's mentor": w.other_applicant,
        "other pair's mentee": pairs.other_mentee,
        "programme manager": w.manager,
        "other manager": w.other_manager,
        "organisation admin": w.admin,
        "outsider admin": w.outsider_admin,
    }


def test_both_people_in_the_pair_read_and_edit_a_shared_note_with_history(pairs):
    w = pairs.world
    note = services.create_shared_note(
        pairs.pairing, title="First meeting", body="v1", author=pairs.mentor
    )
    services.update_shared_note(
        note, title="First meeting", body="v2 " + SECRET, base_version=1, person=pairs.mentee
    )
    note.refresh_from_db()
    assert note.version == 2 and note.updated_by == pairs.mentee
    assert [r.body for r in note.revisions.order_by("number")] == ["v1", "v2 " + SECRET]

    for person in (pairs.mentor, pairs.mentee):
        client = w.client_for(person)
        page = client.get(reverse("notes:shared_note", args=[pairs.pairing.pk, note.pk]))
        assert page.status_code == 200 and SECRET in page.content.decode()
        history = client.get(reverse("notes:note_history", args=[pairs.pairing.pk, note.pk]))
        body = history.content.decode()
        assert "Version 1" in body and "Version 2" in body and "v1" in body


def test_an_edit_based_on_an_old_version_does_not_overwrite_the_partner(pairs):
    note = services.create_shared_note(
        pairs.pairing, title="Plan", body="start", author=pairs.mentor
    )
    services.update_shared_note(
        note, title="Plan", body="mentee's words", base_version=1, person=pairs.mentee
    )
    with pytest.raises(Conflict, match="Your partner saved this note while you were editing"):
        services.update_shared_note(
            note, title="Plan", body="mentor's words", base_version=1, person=pairs.mentor
        )
    note.refresh_from_db()
    assert note.body == "mentee's words" and note.version == 2


def test_the_edit_page_shows_a_conflict_and_keeps_what_was_typed(pairs):
    note = services.create_shared_note(
        pairs.pairing, title="Plan", body="start", author=pairs.mentor
    )
    services.update_shared_note(
        note, title="Plan", body="mentee's words", base_version=1, person=pairs.mentee
    )
    client = pairs.world.client_for(pairs.mentor)
    url = reverse("notes:edit_shared_note", args=[pairs.pairing.pk, note.pk])
    response = client.post(url, {"title": "Plan", "body": "mentor's words", "version": "1"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "saved this note while you were editing" in body
    assert "mentee&#x27;s words" in body and "mentor&#x27;s words" in body
    # Saving again from the refreshed form works.
    response = client.post(url, {"title": "Plan", "body": "both", "version": "2"})
    assert response.status_code == 302
    assert SharedNote.objects.get(pk=note.pk).body == "both"


def test_note_form_validates_without_a_500(pairs):
    client = pairs.world.client_for(pairs.mentor)
    url = reverse("notes:new_shared_note", args=[pairs.pairing.pk])
    response = client.post(url, {"title": "", "body": "x"})
    assert response.status_code == 200 and "This field is required" in response.content.decode()
    response = client.post(url, {"title": "t" * 500, "body": "x"})
    assert response.status_code == 200 and not SharedNote.objects.exists()
    response = client.post(url, {"title": "Agenda", "body": "Questions"})
    assert response.status_code == 302 and SharedNote.objects.get().title == "Agenda"


def test_shared_notes_answer_404_to_everyone_but_the_pair(pairs):
    w = pairs.world
    note = services.create_shared_note(
        pairs.pairing, title="Notes", body=SECRET, author=pairs.mentor
    )
    urls = [
        reverse("notes:shared_notes", args=[pairs.pairing.pk]),
        reverse("notes:new_shared_note", args=[pairs.pairing.pk]),
        reverse("notes:shared_note", args=[pairs.pairing.pk, note.pk]),
        reverse("notes:edit_shared_note", args=[pairs.pairing.pk, note.pk]),
        reverse("notes:note_history", args=[pairs.pairing.pk, note.pk]),
        reverse("notes:delete_shared_note", args=[pairs.pairing.pk, note.pk]),
        reverse("notes:messages", args=[pairs.pairing.pk]),
        reverse("notes:meeting_notes", args=[pairs.pairing.pk]),
        # The other pair's id with this note's id: not theirs either.
        reverse("notes:shared_note", args=[pairs.other.pk, note.pk]),
    ]
    for who, person in outsiders(pairs).items():
        client = w.client_for(person)
        for url in urls:
            response = client.get(url)
            assert response.status_code == 404, (who, url)
            assertNotContains(response, SECRET, status_code=404)
    anonymous = w.client_for(None)
    for url in urls:
        response = anonymous.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_mentee_not_yet_paired_cannot_open_a_proposed_pairing(pairs):
    w = pairs.world
    proposed = make_pairing(
        w.other_programme, mentor=w.applicant, mentee=w.senior, state=PairingState.PROPOSED
    )
    for person in (w.applicant, w.senior):
        response = w.client_for(person).get(reverse("notes:shared_notes", args=[proposed.pk]))
        assert response.status_code == 404


def test_a_finished_pairing_is_read_only(pairs):
    note = services.create_shared_note(pairs.pairing, title="Notes", body="x", author=pairs.mentor)
    pairs.pairing.state = PairingState.COMPLETED
    pairs.pairing.save(update_fields=["state"])
    client = pairs.world.client_for(pairs.mentee)
    assert (
        client.get(reverse("notes:shared_note", args=[pairs.pairing.pk, note.pk])).status_code
        == 200
    )
    with pytest.raises(DomainError, match="finished"):
        services.send_message(pairs.pairing, body="hi", author=pairs.mentee)
    response = client.post(reverse("notes:messages", args=[pairs.pairing.pk]), {"body": "hi"})
    assert response.status_code == 200 and "finished" in response.content.decode()
    assert not Message.objects.exists()


def test_private_meeting_note_is_for_its_author_only(pairs):
    w = pairs.world
    meeting = make_meeting(pairs.pairing)
    url = reverse("notes:meeting_note", args=[meeting.pk])
    mentor = w.client_for(pairs.mentor)
    response = mentor.post(url, {"body": SECRET})
    assert response.status_code == 302
    assert SECRET in mentor.get(url).content.decode()
    # The partner opens the same meeting and sees only their own (empty) note.
    partner_page = w.client_for(pairs.mentee).get(url)
    assert partner_page.status_code == 200
    assertNotContains(partner_page, SECRET)
    for who, person in outsiders(pairs).items():
        assert w.client_for(person).get(url).status_code == 404, who
    assert w.client_for(None).get(url).status_code == 302
    # Saving it empty deletes it.
    mentor.post(url, {"body": ""})
    assertNotContains(mentor.get(url), SECRET)


def test_meeting_notes_list_marks_my_notes_only(pairs):
    meeting = make_meeting(pairs.pairing)
    services.save_meeting_note(meeting, body=SECRET, author=pairs.mentee)
    url = reverse("notes:meeting_notes", args=[pairs.pairing.pk])
    assert "Read or edit my note" in pairs.world.client_for(pairs.mentee).get(url).content.decode()
    assertNotContains(pairs.world.client_for(pairs.mentor).get(url), "Read or edit my note")


def test_message_email_names_the_sender_but_never_the_text(
    pairs, django_capture_on_commit_callbacks
):
    client = pairs.world.client_for(pairs.mentor)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("notes:messages", args=[pairs.pairing.pk]), {"body": SECRET})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == [pairs.mentee.email]
    assert "Jess Junior sent you a message" in email.subject
    assert SECRET not in email.subject and SECRET not in email.body
    assert reverse("notes:messages", args=[pairs.pairing.pk]) in email.body
    # Nor in the audit log.
    assert all(SECRET not in str(e.data) for e in AuditEvent.objects.all())


def _message_choice(delivery):
    # The one preferences page asks about every kind; only the message row changes here.
    return {kind.key: kind.default for kind in KINDS} | {"message": delivery}


def test_message_email_respects_the_preference(pairs, django_capture_on_commit_callbacks):
    w = pairs.world
    mentee = w.client_for(pairs.mentee)
    response = mentee.post(reverse("notifications:preferences"), _message_choice("in_app"))
    assert response.status_code == 302
    assert not services.wants_message_email(pairs.mentee)
    with django_capture_on_commit_callbacks(execute=True):
        services.send_message(pairs.pairing, body="hello", author=pairs.mentor)
    assert mail.outbox == []
    # The other direction still emails the mentor, whose preference is the default.
    with django_capture_on_commit_callbacks(execute=True):
        services.send_message(pairs.pairing, body="hello back", author=pairs.mentee)
    assert [m.to for m in mail.outbox] == [[pairs.mentor.email]]
    mentee.post(reverse("notifications:preferences"), _message_choice("immediately"))
    assert services.wants_message_email(pairs.mentee)


def test_the_old_email_alerts_page_sends_people_to_the_one_preferences_page(pairs):
    client = pairs.world.client_for(pairs.mentee)
    response = client.get("/account/notifications/")
    assert response.status_code == 301
    assert response["Location"] == reverse("notifications:preferences")
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "Messages from your partner" in page.content.decode()
    # No weekly summary for messages: the thread itself shows what is unread.
    refused = client.post(reverse("notifications:preferences"), _message_choice("digest"))
    assert refused.status_code == 200
    assert services.wants_message_email(pairs.mentee)


def test_opening_the_thread_marks_the_partners_messages_read(pairs):
    services.send_message(pairs.pairing, body="one", author=pairs.mentor)
    services.send_message(pairs.pairing, body="two", author=pairs.mentee)
    pairs.world.client_for(pairs.mentee).get(reverse("notes:messages", args=[pairs.pairing.pk]))
    assert Message.objects.get(body__isnull=False, sender=pairs.mentor).read_at is not None
    assert Message.objects.get(sender=pairs.mentee).read_at is None


def test_empty_or_too_long_messages_are_refused_politely(pairs):
    client = pairs.world.client_for(pairs.mentor)
    url = reverse("notes:messages", args=[pairs.pairing.pk])
    assert client.post(url, {"body": ""}).status_code == 200
    assert client.post(url, {"body": "x" * 6000}).status_code == 200
    assert not Message.objects.exists()


def test_list_pages_keep_a_flat_query_count(pairs, django_assert_max_num_queries):
    for i in range(25):
        services.create_shared_note(pairs.pairing, title=f"Note {i}", body="x", author=pairs.mentor)
        services.send_message(
            pairs.pairing, body=f"m{i}", author=pairs.mentee if i % 2 else pairs.mentor
        )
    for i in range(5):
        make_meeting(pairs.pairing, days=i + 1)
    client = pairs.world.client_for(pairs.mentor)
    for name in ("notes:shared_notes", "notes:messages", "notes:meeting_notes"):
        with django_assert_max_num_queries(12):
            assert client.get(reverse(name, args=[pairs.pairing.pk])).status_code == 200


def test_panel_tag_renders_for_the_pair_and_nothing_for_others(pairs):
    from django.template import Context, Template

    services.create_shared_note(
        pairs.pairing, title="Agenda for May", body="x", author=pairs.mentor
    )
    services.send_message(pairs.pairing, body="hi", author=pairs.mentor)
    tpl = Template("{% load notes_tags %}{% pairing_notes_panel pairing person %}")
    html = tpl.render(Context({"pairing": pairs.pairing, "person": pairs.mentee}))
    assert "Agenda for May" in html and "1 unread message" in html
    html = tpl.render(Context({"pairing": pairs.pairing, "person": pairs.world.manager}))
    assert html.strip() == ""
