from __future__ import annotations

import functools
import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from upward.core.fields import EncryptedCharField
from upward.organisations.domains import validate_domain


@functools.cache
def _known_time_zones() -> frozenset[str]:
    # Reading the time zone database takes tens of milliseconds: once per process, not per row
    # of an import or an API upsert.
    return frozenset(zoneinfo.available_timezones())


def validate_time_zone(value: str) -> None:
    if value and value not in _known_time_zones():
        raise ValidationError(
            _("“%(tz)s” is not a known time zone, e.g. Europe/London."), params={"tz": value}
        )


class Organisation(models.Model):
    name = models.CharField(max_length=150)
    slug = models.SlugField(max_length=60, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class OrganisationDomain(models.Model):
    """An email domain the organisation owns, as confirmed by the deployment operator.

    Open sign-up links an address only to a person in the organisation owning its domain, and
    no other organisation may add people with addresses in it. Org admins cannot change these:
    a domain claimed by the wrong organisation would hand it other people's accounts.
    """

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="domains")
    domain = models.CharField(max_length=253, unique=True, validators=[validate_domain])
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["domain"]
        constraints = [
            # Stored lower case so the unique index also holds case-insensitively.
            models.CheckConstraint(
                condition=Q(domain=Lower("domain")), name="organisation_domain_lower_case"
            ),
            models.CheckConstraint(condition=~Q(domain=""), name="organisation_domain_not_empty"),
        ]

    def __str__(self) -> str:
        return self.domain


class Level(models.Model):
    """A grade band. Lower rank means more junior (1 = most junior)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="levels")
    rank = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=80)

    class Meta:
        ordering = ["organisation", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "rank"], name="level_rank_unique"),
            models.UniqueConstraint(fields=["organisation", "name"], name="level_name_unique"),
            models.CheckConstraint(condition=Q(rank__gte=1), name="level_rank_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.rank} {self.name}"


class Department(models.Model):
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="departments"
    )
    name = models.CharField(max_length=120)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="department_name_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class Team(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="teams")
    department = models.ForeignKey(Department, on_delete=models.CASCADE, related_name="teams")
    name = models.CharField(max_length=120)

    class Meta:
        ordering = ["department__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["department", "name"], name="team_name_unique"),
        ]

    def __str__(self) -> str:
        return self.name


# Choice lists stand outside their model so its Meta can name them: the CheckConstraints
# use their .values rather than a copy of the list.
class TopicKind(models.TextChoices):
    SKILL = "skill", _("Skill")
    EXPERIENCE = "experience", _("Lived experience")
    INTEREST = "interest", _("Interest")


class Topic(models.Model):
    """A skill, experience or interest in the organisation's taxonomy. Topics may nest."""

    Kind = TopicKind

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="topics")
    name = models.CharField(max_length=120)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.SKILL)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="children",
        help_text=_("A broader topic; related topics count partly when matching."),
    )
    description = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["kind", "name"]
        constraints = [
            models.UniqueConstraint(
                "organisation", Lower("name"), "kind", name="topic_name_unique"
            ),
            models.CheckConstraint(condition=Q(kind__in=TopicKind.values), name="topic_kind_valid"),
            models.CheckConstraint(condition=~Q(parent=F("id")), name="topic_not_own_parent"),
        ]

    def __str__(self) -> str:
        return self.name


class Person(models.Model):
    """Someone in the organisation's directory. May or may not have an Upward account yet."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="people")
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="person",
    )
    email = models.EmailField()
    # The person's id in the HR or identity system that provisions them (an employee number,
    # SCIM's externalId): imports, SCIM and the API match on it before the email, so a changed
    # address updates the same person. Unique in the organisation when set.
    external_id = models.CharField(max_length=100, blank=True, default="")
    full_name = models.CharField(max_length=150)
    job_title = models.CharField(max_length=150, blank=True)
    level = models.ForeignKey(
        Level, null=True, blank=True, on_delete=models.PROTECT, related_name="people"
    )
    department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.PROTECT, related_name="people"
    )
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="people"
    )
    manager = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="reports"
    )
    location = models.CharField(max_length=120, blank=True)
    time_zone = models.CharField(
        max_length=64, default="Europe/London", validators=[validate_time_zone]
    )
    start_date = models.DateField(null=True, blank=True)
    is_active = models.BooleanField(default=True, help_text=_("Untick when the person has left."))
    # The day they were last marked as left (services._announce_left, for every way of leaving:
    # the form, "Mark as left", an import). Kept when they come back, so a rehire leaves a
    # trace; reports read it only for people who are inactive. Retention figures use it.
    left_on = models.DateField(null=True, blank=True, editable=False)
    is_org_admin = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["full_name", "id"]
        verbose_name_plural = "people"
        constraints = [
            models.UniqueConstraint("organisation", Lower("email"), name="person_email_unique"),
            models.UniqueConstraint(
                fields=["organisation", "external_id"],
                condition=~Q(external_id=""),
                name="person_external_id_unique",
            ),
            models.CheckConstraint(condition=~Q(manager=F("id")), name="person_not_own_manager"),
        ]
        indexes = [
            models.Index(fields=["organisation", "full_name"]),
            models.Index(fields=["organisation", "is_active"]),
        ]

    def __str__(self) -> str:
        return self.full_name


class ImportStatus(models.TextChoices):
    READY = "ready", _("Ready to apply")
    INVALID = "invalid", _("Has errors")
    QUEUED = "queued", _("Waiting to start")
    RUNNING = "running", _("Being applied")
    APPLIED = "applied", _("Applied")
    FAILED = "failed", _("Stopped part-way")
    CANCELLED = "cancelled", _("Cancelled")


# An import being applied holds the organisation's directory: a second waits for it to end.
IMPORT_BUSY_STATUSES = (ImportStatus.QUEUED, ImportStatus.RUNNING)


class PeopleImport(models.Model):
    """An uploaded people file, kept between the dry-run preview and the confirmed apply, and
    the job that applies it in the background (status, progress and what it changed).

    The parsed rows are stored (not the raw file) so the confirm step re-validates exactly what
    the admin previewed against the directory as it is at that moment.
    """

    Status = ImportStatus

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="people_imports"
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    filename = models.CharField(max_length=255)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.READY)
    columns = models.JSONField(default=list, blank=True)
    rows = models.JSONField(default=list, blank=True)
    # Counts, the change table, errors and notes of the latest dry run (or of the apply).
    preview = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    applied_at = models.DateTimeField(null=True, blank=True)
    # The background apply: who asked for it, when, how far it got and what it changed.
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    queued_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    progress_at = models.DateTimeField(null=True, blank=True)
    total_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    # Applied so far: {"new": .., "updated": .., "unchanged": .., "left": ..}.
    result = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=ImportStatus.values),
                name="people_import_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(processed_rows__lte=F("total_rows")),
                name="people_import_progress_within_total",
            ),
            # One apply at a time per organisation, even if two admins press Apply together.
            models.UniqueConstraint(
                fields=["organisation"],
                condition=Q(status__in=IMPORT_BUSY_STATUSES),
                name="people_import_one_busy_per_organisation",
            ),
        ]

    def __str__(self) -> str:
        return self.filename

    @property
    def counts(self) -> dict[str, int]:
        return self.preview.get("counts", {})

    @property
    def is_busy(self) -> bool:
        return self.status in IMPORT_BUSY_STATUSES

    @property
    def percent_done(self) -> int:
        if not self.total_rows:
            return 100 if self.status == ImportStatus.APPLIED else 0
        return self.processed_rows * 100 // self.total_rows


class Unavailability(models.Model):
    """A period when a person is away (leave, a busy season). While it lasts they are not
    proposed as a partner and reminders to them pause. The note is for the programme team only.
    One period per person: setting a new one replaces it, clearing deletes it."""

    encryption_organisation = "person.organisation_id"

    person = models.OneToOneField(Person, on_delete=models.CASCADE, related_name="unavailability")
    starts_on = models.DateField()
    ends_on = models.DateField()
    note = EncryptedCharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")), name="unavailability_ends_after_start"
            ),
        ]
        indexes = [models.Index(fields=["starts_on", "ends_on"])]

    def __str__(self) -> str:
        return f"{self.person} away {self.starts_on} to {self.ends_on}"


class OrganisationLogo(models.Model):
    """The organisation's logo for the documents Upward makes (workbooks, contribution records,
    certificates). Kept in its own row, so loading an organisation never loads the image.
    Always a PNG: uploads are checked with Pillow and saved again, which also drops whatever
    metadata the original carried (camera, location)."""

    organisation = models.OneToOneField(Organisation, on_delete=models.CASCADE, related_name="logo")
    image = models.BinaryField()
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    uploaded_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(width__gt=0, height__gt=0), name="organisation_logo_has_size"
            ),
        ]

    def __str__(self) -> str:
        return f"Logo of {self.organisation}"
