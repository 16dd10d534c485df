"""An organisation's HR file source and the history of its runs (docs/integrations.md)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from upward.core.fields import EncryptedCharField
from upward.organisations.models import Organisation, PeopleImport


class FileSource(models.Model):
    """Where an organisation's HR export is fetched from, when, and what may be applied without
    an admin. One per organisation."""

    encryption_organisation = "organisation_id"

    class Kind(models.TextChoices):
        FOLDER = "folder", _("A file in the shared folder")
        URL = "url", _("A web address (https)")

    class Format(models.TextChoices):
        CSV = "csv", _("CSV")
        XLSX = "xlsx", _("Excel (.xlsx)")

    class Schedule(models.TextChoices):
        OFF = "off", _("Off: only when an admin presses Check now")
        DAILY = "daily", _("Every day")
        WEEKLY = "weekly", _("Every week")

    organisation = models.OneToOneField(
        Organisation, on_delete=models.CASCADE, related_name="file_source"
    )
    enabled = models.BooleanField(default=True)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.FOLDER)
    # Relative to the operator's FILESYNC_ROOT; may hold a glob (`hr/people-*.csv`).
    path = models.CharField(max_length=255, blank=True)
    url = models.CharField(max_length=500, blank=True)
    # The whole Authorization header value ("Bearer …"); never shown back.
    auth_header = EncryptedCharField(max_length=1000, blank=True)
    file_format = models.CharField(max_length=5, choices=Format.choices, default=Format.CSV)
    schedule = models.CharField(max_length=10, choices=Schedule.choices, default=Schedule.OFF)
    hour = models.PositiveSmallIntegerField(default=6)
    weekday = models.PositiveSmallIntegerField(default=0)  # 0 Monday … 6 Sunday
    time_zone = models.CharField(max_length=64, default="Europe/London")
    missing_have_left = models.BooleanField(default=False)
    auto_apply = models.BooleanField(default=False)
    max_changes = models.PositiveIntegerField(default=200)
    max_leavers = models.PositiveIntegerField(default=20)
    # The scheduled slot last claimed ("2026-12-07 06:00"): a slot runs once, however many
    # times the scheduler runs in it.
    last_slot = models.CharField(max_length=40, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(hour__lte=23), name="filesync_hour_valid"),
            models.CheckConstraint(condition=Q(weekday__lte=6), name="filesync_weekday_valid"),
        ]

    def __str__(self) -> str:
        return f"File sync for {self.organisation_id}"

    @property
    def location(self) -> str:
        return self.path if self.kind == self.Kind.FOLDER else self.url


class FileSyncRun(models.Model):
    """One fetch and dry run of the source; its preview is a PeopleImport."""

    class Trigger(models.TextChoices):
        SCHEDULE = "schedule", _("Scheduled")
        MANUAL = "manual", _("Check now")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting to start")
        RUNNING = "running", _("Fetching and checking")
        FAILED = "failed", _("Could not read the file")
        INVALID = "invalid", _("The file has errors")
        PREVIEW = "preview", _("Preview ready")
        WAITING = "waiting", _("Waiting for an admin")
        APPLIED = "applied", _("Applied automatically")
        UNCHANGED = "unchanged", _("No changes")

    source = models.ForeignKey(FileSource, on_delete=models.CASCADE, related_name="runs")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    trigger = models.CharField(max_length=10, choices=Trigger.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    people_import = models.ForeignKey(
        PeopleImport, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    filename = models.CharField(max_length=255, blank=True)
    size = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    # Why an automatic apply was held back for an admin, in plain words.
    held_because = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    status__in=[
                        "queued",
                        "running",
                        "failed",
                        "invalid",
                        "preview",
                        "waiting",
                        "applied",
                        "unchanged",
                    ]
                ),
                name="filesync_run_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"File sync run {self.pk}"

    @property
    def counts(self) -> dict[str, int]:
        return self.people_import.counts if self.people_import else {}
