"""In-app notifications, how each person wants to hear about each kind, and weekly digests."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from upward.organisations.models import Person


class Delivery(models.TextChoices):
    IMMEDIATELY = "immediately", _("Email me straight away")
    DIGEST = "digest", _("Put it in my weekly summary email")
    IN_APP = "in_app", _("Only show it in Upward, no email")


class Notification(models.Model):
    """Something a person should know. Shown in the app; emailed according to preferences.

    `body` is the rendered plain text of the email template. The templates that produce it never
    carry note, message, pulse, concern, survey-answer or special-category content, so storing
    it here does not copy private content out of its encrypted home.
    """

    recipient = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="notifications")
    # Free text (not choices) so apps can add kinds without a migration here; the preference page
    # lists the known kinds from upward.notifications.kinds.
    kind = models.CharField(max_length=60)
    subject = models.CharField(max_length=200)
    body = models.TextField()
    url = models.CharField(max_length=500, blank=True)
    # What the caller promises is unique for this recipient, e.g. "meeting-reminder:42".
    dedupe_key = models.CharField(max_length=200)
    # The delivery chosen when the notification was made, so a later preference change does not
    # re-send or drop what was already decided.
    delivery = models.CharField(max_length=20, choices=Delivery.choices)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)
    digest = models.ForeignKey(
        "Digest",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="notifications",
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "dedupe_key"], name="notification_dedupe_per_recipient"
            ),
        ]
        indexes = [
            models.Index(fields=["recipient", "-created_at"], name="notification_recent"),
            models.Index(
                fields=["recipient"],
                condition=Q(read_at__isnull=True),
                name="notification_unread",
            ),
        ]

    def __str__(self) -> str:
        return self.subject


class NotificationPreference(models.Model):
    """A person's choice for one kind. No row means the kind's default applies."""

    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    kind = models.CharField(max_length=60)
    delivery = models.CharField(max_length=20, choices=Delivery.choices)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["person", "kind"], name="notification_preference_once_per_kind"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} / {self.kind}: {self.delivery}"


class Digest(models.Model):
    """One weekly summary email per person per ISO week; the row makes sending idempotent."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="digests")
    week = models.CharField(max_length=8, help_text=_("ISO year and week, e.g. 2025-W07."))
    created_at = models.DateTimeField(auto_now_add=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["person", "week"], name="digest_once_per_week"),
        ]

    def __str__(self) -> str:
        return f"{self.person} {self.week}"
