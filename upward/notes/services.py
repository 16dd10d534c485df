"""Every write of the pair workspace's notes and messages, and of the cohort spaces.

Audit entries say who did what to which row, never what was written: note, message and post
text must not reach the audit log, the logs or any email.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from upward.core.audit import record
from upward.core.errors import Conflict, DomainError
from upward.core.links import absolute_url
from upward.core.types import Actor
from upward.notes.access import is_cohort_member
from upward.notes.models import (
    CohortPost,
    MeetingNote,
    Message,
    SharedNote,
    SharedNoteRevision,
)
from upward.notifications.models import Delivery
from upward.notifications.outbox import queue_email
from upward.notifications.rendering import Action
from upward.notifications.services import delivery_for
from upward.organisations.models import Person
from upward.pairing.models import Pairing
from upward.pairing.workspace import require_active

MAX_TITLE = 200
MAX_BODY = 20_000
MAX_MESSAGE = 5_000
MAX_POST = 5_000


def _require_member(pairing: Pairing, person: Person) -> None:
    if person.pk not in (pairing.mentor_id, pairing.mentee_id):
        # Views only call services through the access helpers, so this is a programming error.
        raise DomainError(_("Only the two people in a pairing can do this."))


def _clean_text(value: str, *, limit: int, field: str, required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise DomainError(_("This cannot be empty."), field=field)
    if len(value) > limit:
        raise DomainError(
            _("Please keep this under %(n)s characters.") % {"n": f"{limit:,}"}, field=field
        )
    return value


def _org(pairing: Pairing) -> Any:
    return pairing.programme.organisation


# ---------------------------------------------------------------------------------------------
# Shared notes


@transaction.atomic
def create_shared_note(pairing: Pairing, *, title: str, body: str, author: Person) -> SharedNote:
    _require_member(pairing, author)
    require_active(pairing)
    title = _clean_text(title, limit=MAX_TITLE, field="title")
    body = _clean_text(body, limit=MAX_BODY, field="body", required=False)
    note = SharedNote.objects.create(
        pairing=pairing, title=title, body=body, created_by=author, updated_by=author, version=1
    )
    SharedNoteRevision.objects.create(note=note, number=1, title=title, body=body, saved_by=author)
    record("notes.shared_note_created", note, by=author.user, organisation=_org(pairing))
    return note


@transaction.atomic
def update_shared_note(
    note: SharedNote, *, title: str, body: str, base_version: int, person: Person
) -> SharedNote:
    """Save a new revision. `base_version` is the version the editor started from: if the
    partner saved in between, nothing is overwritten and the person is asked to merge."""
    pairing = note.pairing
    _require_member(pairing, person)
    require_active(pairing)
    title = _clean_text(title, limit=MAX_TITLE, field="title")
    body = _clean_text(body, limit=MAX_BODY, field="body", required=False)
    # Conditional update on the version read: two saves racing cannot both win.
    updated = SharedNote.objects.filter(pk=note.pk, version=base_version).update(
        version=F("version") + 1, updated_by=person, updated_at=timezone.now()
    )
    if not updated:
        raise Conflict(
            _(
                "Your partner saved this note while you were editing. Their version is shown "
                "below; copy in anything of yours that is missing and save again."
            )
        )
    note.refresh_from_db()
    # Title and body go through the field (encrypted); update() above cannot encrypt an F().
    note.title, note.body = title, body
    note.save(update_fields=["title", "body"])
    SharedNoteRevision.objects.create(
        note=note, number=note.version, title=title, body=body, saved_by=person
    )
    record(
        "notes.shared_note_updated",
        note,
        by=person.user,
        organisation=_org(pairing),
        data={"version": note.version},
    )
    return note


@transaction.atomic
def delete_shared_note(note: SharedNote, *, person: Person) -> None:
    pairing = note.pairing
    _require_member(pairing, person)
    require_active(pairing)
    record("notes.shared_note_deleted", note, by=person.user, organisation=_org(pairing))
    note.delete()


# ---------------------------------------------------------------------------------------------
# Private meeting notes


@transaction.atomic
def save_meeting_note(meeting: Any, *, body: str, author: Person) -> MeetingNote | None:
    """The author's own note about a meeting. An empty note deletes it."""
    pairing = meeting.pairing
    _require_member(pairing, author)
    require_active(pairing)
    body = _clean_text(body, limit=MAX_BODY, field="body", required=False)
    note = MeetingNote.objects.select_for_update().filter(meeting=meeting, author=author).first()
    if not body:
        if note is not None:
            record("notes.meeting_note_deleted", note, by=author.user, organisation=_org(pairing))
            note.delete()
        return None
    if note is None:
        note = MeetingNote.objects.create(meeting=meeting, author=author, body=body)
        record("notes.meeting_note_created", note, by=author.user, organisation=_org(pairing))
    else:
        note.body = body
        note.save(update_fields=["body", "updated_at"])
        record("notes.meeting_note_updated", note, by=author.user, organisation=_org(pairing))
    return note


# ---------------------------------------------------------------------------------------------
# Messages


def wants_message_email(person: Person) -> bool:
    """The "message" choice on the one notification-preferences page."""
    return delivery_for(person, "message") == Delivery.IMMEDIATELY


@transaction.atomic
def send_message(pairing: Pairing, *, body: str, author: Person) -> Message:
    _require_member(pairing, author)
    require_active(pairing)
    body = _clean_text(body, limit=MAX_MESSAGE, field="body")
    message = Message.objects.create(pairing=pairing, sender=author, body=body)
    recipient = pairing.mentee if author.pk == pairing.mentor_id else pairing.mentor
    record("notes.message_sent", message, by=author.user, organisation=_org(pairing))
    if recipient.user_id and recipient.is_active and wants_message_email(recipient):
        _email_new_message(pairing, sender=author, recipient=recipient)
    return message


def _email_new_message(pairing: Pairing, *, sender: Person, recipient: Person) -> None:
    # Who and where only: the message text never leaves Upward.
    context = {
        "sender": sender.full_name,
        "recipient": recipient.full_name,
        "programme": pairing.programme.name,
        "link": absolute_url(reverse("notes:messages", args=[pairing.pk])),
        "preferences": absolute_url(reverse("notifications:preferences")),
    }
    body = render_to_string("notes/email/new_message.txt", context)
    subject = _("%(name)s sent you a message") % {"name": sender.full_name}
    queue_email(
        to=[recipient.email],
        subject=subject,
        body=body,
        person=recipient,
        action=Action(_("Read it and reply"), context["link"]),
        reason=_(
            "You are getting this email because your reverse mentoring partner wrote to you "
            "and you asked to hear about messages straight away."
        ),
    )


def mark_thread_read(pairing: Pairing, *, reader: Person) -> int:
    """Mark the partner's messages read. Returns how many were unread."""
    return (
        Message.objects.filter(pairing=pairing, read_at__isnull=True)
        .exclude(sender=reader)
        .update(read_at=timezone.now())
    )


# ---------------------------------------------------------------------------------------------
# Cohort spaces


@transaction.atomic
def post_to_cohort(programme: Any, cohort: str, *, body: str, author: Person) -> CohortPost:
    """Membership is checked author access_cohort_space; this re-checks it for callers outside
    the views (a moderator who is not a member reads and hides but does not post)."""

    if not is_cohort_member(author, programme, cohort):
        raise DomainError(_("Only members of this cohort can post here."))
    body = _clean_text(body, limit=MAX_POST, field="body")
    post = CohortPost.objects.create(programme=programme, cohort=cohort, author=author, body=body)
    record(
        "notes.cohort_post_created",
        post,
        by=author.user,
        organisation=programme.organisation,
        data={"cohort": cohort},
    )
    return post


@transaction.atomic
def hide_cohort_post(post: CohortPost, *, by: Actor) -> CohortPost:
    updated = CohortPost.objects.filter(pk=post.pk, hidden_at__isnull=True).update(
        hidden_at=timezone.now(), hidden_by=by
    )
    if not updated:
        raise Conflict(_("This post is already hidden."))
    post.refresh_from_db()
    record(
        "notes.cohort_post_hidden",
        post,
        by=by,
        organisation=post.programme.organisation,
        data={"cohort": post.cohort, "author_id": post.author_id},
    )
    return post
