"""Webhook endpoints an organisation's admins register, and every message sent to them."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from upward.core.fields import EncryptedCharField


class EventType(models.TextChoices):
    PAIRING_PUBLISHED = "pairing.published", _("A pairing is proposed (a match run is published)")
    PAIRING_ENDED = "pairing.ended", _("A pairing ends, completes or does not go ahead")
    PROGRAMME_COMPLETED = "programme.completed", _("A programme is completed")
    PERSON_LEFT = "person.left", _("A person leaves the organisation")


TEST_EVENT = "webhook.test"


class Endpoint(models.Model):
    encryption_organisation = "organisation_id"

    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="webhook_endpoints"
    )
    url = models.URLField(_("address"), max_length=500)
    description = models.CharField(_("description"), max_length=200, blank=True)
    events = models.JSONField(default=list)  # EventType values
    enabled = models.BooleanField(default=True)
    # "whsec_" + base64 of 32 random bytes; made by Upward, never typed by anyone.
    secret = EncryptedCharField(max_length=100)
    # Deliveries that gave up in a row; reset by any success. Past the limit the endpoint is
    # switched off (settings.WEBHOOK_DISABLE_AFTER_FAILURES).
    consecutive_failures = models.PositiveIntegerField(default=0)
    disabled_reason = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["url", "pk"]

    def __str__(self) -> str:
        return self.url

    def event_labels(self) -> list[str]:
        labels = dict(EventType.choices)
        return [str(labels.get(e, e)) for e in self.events]


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")


class Delivery(models.Model):
    """One message to one endpoint, with what happened at its last attempt. The payload holds
    ids and states only (docs/integrations.md), so it is stored as it was sent."""

    endpoint = models.ForeignKey(Endpoint, on_delete=models.CASCADE, related_name="deliveries")
    event_type = models.CharField(max_length=40)
    message_id = models.CharField(max_length=40, unique=True)  # the webhook-id header
    payload = models.JSONField()
    attempts = models.PositiveIntegerField(default=0)
    status = models.CharField(
        max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    last_status_code = models.PositiveIntegerField(null=True, blank=True)
    # The start of the last answer or the error, as plain text (shown escaped, never as HTML).
    last_response = models.CharField(max_length=500, blank=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"]),
            models.Index(fields=["endpoint", "-created_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["pending", "succeeded", "failed"]),
                name="webhook_delivery_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event_type} → {self.endpoint_id}"

    @property
    def badge(self) -> str:
        return STATUS_BADGES.get(self.status, "queued")


STATUS_BADGES = {"pending": "queued", "succeeded": "completed", "failed": "failed"}


class Attempt(models.Model):
    """Each try of a delivery: the log an admin reads when an integration misbehaves."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="attempt_log")
    number = models.PositiveIntegerField()
    at = models.DateTimeField()
    status_code = models.PositiveIntegerField(null=True, blank=True)
    response = models.CharField(max_length=500, blank=True)
    succeeded = models.BooleanField(default=False)
    duration_ms = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["number", "pk"]

    def __str__(self) -> str:
        return f"{self.delivery_id} #{self.number}"
