"""In-app notifications, how each person wants to hear about each kind, and weekly digests."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from upward.core.fields import EncryptedBinaryField, EncryptedTextField
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


class OutboundState(models.TextChoices):
    QUEUED = "queued", _("Waiting to be sent")
    SENT = "sent", _("Sent")
    GIVEN_UP = "given_up", _("Given up")
    CANCELLED = "cancelled", _("Cancelled")


class OutboundEmail(models.Model):
    """One email on its way out (see upward.notifications.outbox, the only sender).

    Written in the caller's transaction, so an email exists exactly when the change it tells of
    was committed. Body, HTML and attachment bytes are encrypted at rest and cleared once the
    email is sent, given up or cancelled: what stays is a small record of who was sent what
    subject, when, after how many attempts, until it too is deleted.
    """

    encryption_organisation = "person.organisation_id"

    to = models.JSONField(default=list)
    reply_to = models.JSONField(default=list, blank=True)
    # Whom the email is for, when that is a person: checked again at send time, so an email
    # never goes to an address the person has since corrected, or to someone who has left.
    # Deleting the person deletes their emails, queued and sent.
    person = models.ForeignKey(
        Person,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="outbound_emails",
    )
    subject = models.CharField(max_length=300)
    body = EncryptedTextField(blank=True)
    html = EncryptedTextField(blank=True)
    # Emails queued together (one transaction's invites) share a batch and are sent by one task.
    batch = models.CharField(max_length=32, db_index=True)
    state = models.CharField(
        max_length=20, choices=OutboundState.choices, default=OutboundState.QUEUED
    )
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    # When it was sent, given up or cancelled; finished rows are deleted some days later.
    finished_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    # The last failure (its type and message, never the email's text), or why it was cancelled.
    last_error = models.CharField(max_length=500, blank=True)
    # Not before this moment: a sender's lease while it works, or the back-off after a failure.
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    # Which sender holds the lease, so two workers never send the same row.
    claim = models.CharField(max_length=32, blank=True)

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(state="queued"),
                name="outbound_email_pending",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=OutboundState.values), name="outbound_email_state_valid"
            ),
            models.CheckConstraint(
                condition=Q(state=OutboundState.QUEUED, finished_at__isnull=True)
                | (~Q(state=OutboundState.QUEUED) & Q(finished_at__isnull=False)),
                name="outbound_email_finished_when_not_queued",
            ),
        ]

    def __str__(self) -> str:
        return self.subject


class OutboundAttachment(models.Model):
    encryption_organisation = "email.person.organisation_id"

    email = models.ForeignKey(OutboundEmail, on_delete=models.CASCADE, related_name="attachments")
    filename = models.CharField(max_length=200)
    # A full content type, parameters included ("text/calendar; method=REQUEST").
    mimetype = models.CharField(max_length=200)
    content = EncryptedBinaryField(blank=True, default=b"")
    size = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.filename


# ---------------------------------------------------------------------------------------------
# Chat (Slack, Microsoft Teams): see upward.notifications.chat


class ChatSettings(models.Model):
    """How one organisation's Upward reaches its chat tools. Every address and token is
    encrypted with the organisation's key and never shown back in full.

    - Slack incoming webhook: posts to one channel (organisation-wide programme news only).
    - Slack bot token (xoxb-…): direct messages to people who opted in, found by work email.
    - Teams Workflows webhook: posts an Adaptive Card to one channel (programme news only).
    """

    encryption_organisation = "organisation_id"

    organisation = models.OneToOneField(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="chat_settings"
    )
    slack_webhook_url = EncryptedTextField(blank=True)
    slack_bot_token = EncryptedTextField(blank=True)
    teams_webhook_url = EncryptedTextField(blank=True)
    # Post a neutral line to the channel(s) when a programme publishes news.
    post_programme_news = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "chat settings"

    def __str__(self) -> str:
        return f"Chat settings of organisation {self.organisation_id}"

    @property
    def has_channel(self) -> bool:
        return bool(self.slack_webhook_url or self.teams_webhook_url)

    @property
    def is_configured(self) -> bool:
        return bool(self.slack_webhook_url or self.slack_bot_token or self.teams_webhook_url)


class ChatPreference(models.Model):
    """A person's opt-in to Slack direct messages (no row: off)."""

    person = models.OneToOneField(Person, on_delete=models.CASCADE, related_name="chat_preference")
    slack_direct = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.person}: Slack {'on' if self.slack_direct else 'off'}"


class ChatDestination(models.TextChoices):
    SLACK_WEBHOOK = "slack_webhook", _("Slack channel")
    SLACK_DIRECT = "slack_direct", _("Slack direct message")
    TEAMS = "teams", _("Teams channel")


class ChatState(models.TextChoices):
    QUEUED = "queued", _("Waiting to be sent")
    SENT = "sent", _("Sent")
    GIVEN_UP = "given_up", _("Failed")


class ChatMessage(models.Model):
    """One chat message on its way out, and afterwards the organisation's delivery log (the last
    50 are kept). It holds no text: the words are rebuilt from `kind` at send time, and kinds
    only ever map to a neutral title."""

    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="chat_messages"
    )
    # The person a direct message is for; empty for channel posts. Deleting the person deletes
    # their messages and log lines.
    person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.CASCADE, related_name="chat_messages"
    )
    destination = models.CharField(max_length=20, choices=ChatDestination.choices)
    kind = models.CharField(max_length=60)
    # Channel posts are made once per organisation and key (one announcement, many recipients).
    dedupe_key = models.CharField(max_length=200, blank=True)
    state = models.CharField(max_length=20, choices=ChatState.choices, default=ChatState.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    # The last failure, in our own words plus the status code: never a token or an address.
    last_error = models.CharField(max_length=300, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "destination", "dedupe_key"],
                condition=~Q(dedupe_key=""),
                name="chat_message_channel_once",
            ),
        ]
        indexes = [
            models.Index(
                fields=["next_attempt_at"], condition=Q(state="queued"), name="chat_message_due"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_destination_display()} {self.kind}: {self.state}"
