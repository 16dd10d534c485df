"""What a pair writes: shared notes with their history, private meeting notes, the pair's
message thread, and the cohort discussion spaces.

Every free-text column here is an EncryptedTextField. Only the people the text was written for
can read it; programme managers and admins never can (see docs/notes-and-goals.md), with one
exception by design: cohort posts, which are shared with a whole cohort and moderated by the
programme team.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from upward.core.fields import EncryptedTextField


class SharedNote(models.Model):
    """A note both people in a pair can edit. Every save adds a revision."""

    encryption_organisation = "pairing.programme.organisation_id"

    pairing = models.ForeignKey(
        "pairing.Pairing", on_delete=models.CASCADE, related_name="shared_notes"
    )
    title = EncryptedTextField()
    body = EncryptedTextField(blank=True)
    # Bumped on every save; the edit form sends the version it started from, so two people
    # editing at once cannot silently overwrite each other.
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(
        "organisations.Person", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_by = models.ForeignKey(
        "organisations.Person", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(version__gte=1), name="shared_note_version_positive")
        ]
        indexes = [models.Index(fields=["pairing", "-updated_at"])]

    def __str__(self) -> str:
        # Never the title: it is private to the pair.
        return f"Shared note {self.pk}"


class SharedNoteRevision(models.Model):
    encryption_organisation = "note.pairing.programme.organisation_id"

    note = models.ForeignKey(SharedNote, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    title = EncryptedTextField()
    body = EncryptedTextField(blank=True)
    saved_by = models.ForeignKey(
        "organisations.Person", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    saved_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["note", "number"], name="one_revision_per_number"),
            models.CheckConstraint(condition=Q(number__gte=1), name="revision_number_positive"),
        ]

    def __str__(self) -> str:
        return f"Revision {self.number} of note {self.note_id}"


class MeetingNote(models.Model):
    """One person's private note about one meeting. Only its author can ever read it: not the
    partner, not the programme team, not an admin."""

    encryption_organisation = "meeting.pairing.programme.organisation_id"

    meeting = models.ForeignKey(
        "journey.Meeting", on_delete=models.CASCADE, related_name="private_notes"
    )
    author = models.ForeignKey("organisations.Person", on_delete=models.CASCADE, related_name="+")
    body = EncryptedTextField()
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "author"], name="one_private_note_per_meeting"
            )
        ]

    def __str__(self) -> str:
        return f"Private note {self.pk}"


class Message(models.Model):
    """One message in a pair's private thread."""

    encryption_organisation = "pairing.programme.organisation_id"

    pairing = models.ForeignKey(
        "pairing.Pairing", on_delete=models.CASCADE, related_name="messages"
    )
    sender = models.ForeignKey("organisations.Person", on_delete=models.CASCADE, related_name="+")
    body = EncryptedTextField()
    sent_at = models.DateTimeField(auto_now_add=True)
    # When the other person first opened the thread after this message arrived.
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["sent_at", "id"]
        indexes = [models.Index(fields=["pairing", "sent_at"])]

    def __str__(self) -> str:
        return f"Message {self.pk}"


class Cohort(models.TextChoices):
    MENTOR = "mentor", _("Mentors")
    MENTEE = "mentee", _("Mentees")


class CohortPost(models.Model):
    """A post in a programme's mentor or mentee discussion space."""

    encryption_organisation = "programme.organisation_id"

    programme = models.ForeignKey(
        "programmes.Programme", on_delete=models.CASCADE, related_name="cohort_posts"
    )
    cohort = models.CharField(max_length=10, choices=Cohort.choices)
    author = models.ForeignKey("organisations.Person", on_delete=models.CASCADE, related_name="+")
    body = EncryptedTextField()
    created_at = models.DateTimeField(auto_now_add=True)
    hidden_at = models.DateTimeField(null=True, blank=True)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(cohort__in=Cohort.values), name="cohort_post_cohort_valid"
            ),
        ]
        indexes = [models.Index(fields=["programme", "cohort", "-created_at"])]

    def __str__(self) -> str:
        return f"Cohort post {self.pk}"

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None
