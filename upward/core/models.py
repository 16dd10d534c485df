from django.conf import settings
from django.db import models


class AuditEvent(models.Model):
    """Who did what, when. Written by services inside the same transaction as the change."""

    organisation = models.ForeignKey(
        "organisations.Organisation",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="audit_events",
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    verb = models.CharField(max_length=80)
    object_type = models.CharField(max_length=80)
    object_id = models.CharField(max_length=40)
    # Never put note contents, messages or special-category data here.
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["organisation", "object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.verb} {self.object_type}:{self.object_id}"


class OrganisationKey(models.Model):
    """An organisation's data key, stored only wrapped (encrypted) by the master keys.

    Every encrypted value written for the organisation is under its active key. Destroying the
    key (crypto-shredding) empties `wrapped` and sets `shredded_at`; the row stays as a tombstone
    so those values read as "[erased]" instead of failing. See docs/privacy.md.
    """

    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    # A Fernet token of the data key under the first master key; "" once shredded.
    wrapped = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    rewrapped_at = models.DateTimeField(null=True, blank=True)
    shredded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation"],
                condition=models.Q(shredded_at__isnull=True),
                name="core_one_live_key_per_organisation",
            )
        ]

    def __str__(self) -> str:
        state = "shredded" if self.shredded_at else "live"
        return f"key {self.pk} of organisation {self.organisation_id} ({state})"
