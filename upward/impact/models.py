"""What the programme gives and what it changes: mentors' time and the cap that protects it,
the recognition mentors own (thank-you notes, shares with their line manager), and the
commitments people take away, followed up after the programme ends.

Commitment text is private to its author; the programme sees counts by status and by tag only.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from upward.core.fields import EncryptedNotEmpty, EncryptedTextField

DEFAULT_CAP_MINUTES = 4 * 60
MIN_CAP_MINUTES = 30
MAX_CAP_MINUTES = 40 * 60
# A mentor is "close to" the cap from this share of it.
CLOSE_TO_CAP = 0.8


class ImpactSettings(models.Model):
    """Per-programme settings. A programme without a row uses the defaults."""

    programme = models.OneToOneField(
        "programmes.Programme", on_delete=models.CASCADE, related_name="impact_settings"
    )
    monthly_cap_minutes = models.PositiveSmallIntegerField(
        _("monthly cap on a mentor's time (minutes)"),
        default=DEFAULT_CAP_MINUTES,
        help_text=_(
            "Meetings held plus programme events attended, per mentor and calendar month. "
            "Between 30 minutes and 40 hours."
        ),
    )
    updated_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "impact settings"
        constraints = [
            models.CheckConstraint(
                condition=Q(monthly_cap_minutes__gte=MIN_CAP_MINUTES)
                & Q(monthly_cap_minutes__lte=MAX_CAP_MINUTES),
                name="impact_cap_range",
            ),
        ]

    def __str__(self) -> str:
        return f"Impact settings of {self.programme_id}"


class Theme(models.TextChoices):
    """A fixed list so the programme can report themes without ever reading free text."""

    HIRING = "hiring", _("Hiring and promotion")
    MEETINGS = "meetings", _("Meetings and voice")
    LANGUAGE = "language", _("Everyday language")
    DIGITAL = "digital", _("Digital ways of working")
    DEVELOPMENT = "development", _("Development and sponsorship")
    CULTURE = "culture", _("Team culture and belonging")
    WELLBEING = "wellbeing", _("Flexibility and wellbeing")


class CommitmentKind(models.TextChoices):
    COMMITMENT = "commitment", _("A commitment: something I will do")
    INSIGHT = "insight", _("An insight: something I have learnt")


class CommitmentStatus(models.TextChoices):
    OPEN = "open", _("Not reported yet")
    DONE = "done", _("Done")
    IN_PROGRESS = "in_progress", _("In progress")
    NOT_DONE = "not_done", _("Not done")
    NO_LONGER_RELEVANT = "no_longer_relevant", _("No longer relevant")


# Statuses that need no follow-up question.
SETTLED_STATUSES = (CommitmentStatus.DONE, CommitmentStatus.NO_LONGER_RELEVANT)


class Commitment(models.Model):
    encryption_organisation = "programme.organisation_id"

    pairing = models.ForeignKey(
        "pairing.Pairing", on_delete=models.CASCADE, related_name="commitments"
    )
    # Denormalised from the pairing so programme reports are one indexed query.
    programme = models.ForeignKey(
        "programmes.Programme", on_delete=models.CASCADE, related_name="commitments"
    )
    owner = models.ForeignKey(
        "organisations.Person", on_delete=models.CASCADE, related_name="commitments"
    )
    kind = models.CharField(
        _("kind"), max_length=12, choices=CommitmentKind.choices, default=CommitmentKind.COMMITMENT
    )
    text = EncryptedTextField(
        _("what you will do, or what you learnt"),
        max_length=1000,
        help_text=_("e.g. “As an ally I will make sure everyone speaks before I do in meetings.”"),
    )
    due_on = models.DateField(_("by when"), null=True, blank=True)
    theme = models.CharField(_("theme"), max_length=20, choices=Theme.choices, blank=True)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=CommitmentStatus.choices,
        default=CommitmentStatus.OPEN,
    )
    status_updated_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=CommitmentKind.values),
                name="commitment_kind_valid",
            ),
            models.CheckConstraint(
                condition=Q(status__in=CommitmentStatus.values),
                name="commitment_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(theme="") | Q(theme__in=Theme.values),
                name="commitment_theme_valid",
            ),
            EncryptedNotEmpty(field="text", name="commitment_has_text"),
            # An insight is not something to do: no due date, no status to report.
            models.CheckConstraint(
                condition=Q(kind="commitment") | Q(due_on__isnull=True, status="open"),
                name="commitment_insight_has_no_status",
            ),
        ]
        indexes = [
            models.Index(fields=["programme", "kind", "status"]),
            models.Index(fields=["owner", "pairing"]),
        ]

    def __str__(self) -> str:
        return f"Commitment {self.pk}"

    @property
    def is_commitment(self) -> bool:
        return self.kind == CommitmentKind.COMMITMENT


# Choice lists stand outside their model so its Meta can name them: the CheckConstraints
# use their .values rather than a copy of the list.
class FollowUpStage(models.IntegerChoices):
    THREE_MONTHS = 3, _("Three months after the programme")
    SIX_MONTHS = 6, _("Six months after the programme")


class CommitmentFollowUp(models.Model):
    """One follow-up question sent about one commitment. The unique row makes sending
    idempotent: the periodic command can run as often as it likes."""

    Stage = FollowUpStage

    commitment = models.ForeignKey(Commitment, on_delete=models.CASCADE, related_name="follow_ups")
    stage = models.PositiveSmallIntegerField(choices=Stage.choices)
    sent_at = models.DateTimeField()

    class Meta:
        ordering = ["commitment", "stage"]
        constraints = [
            models.UniqueConstraint(fields=["commitment", "stage"], name="one_follow_up_per_stage"),
            models.CheckConstraint(
                condition=Q(stage__in=FollowUpStage.values), name="follow_up_stage_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"Follow-up {self.stage} of {self.commitment_id}"


class ThankYouNote(models.Model):
    """The mentee's note to their mentor. The mentor decides whether it goes on the record
    they share with their line manager."""

    encryption_organisation = "pairing.programme.organisation_id"

    pairing = models.OneToOneField(
        "pairing.Pairing", on_delete=models.CASCADE, related_name="thank_you_note"
    )
    author = models.ForeignKey("organisations.Person", on_delete=models.CASCADE, related_name="+")
    text = EncryptedTextField(_("your note"), max_length=2000)
    show_when_shared = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [EncryptedNotEmpty(field="text", name="thank_you_has_text")]

    def __str__(self) -> str:
        return f"Thank-you note of {self.pairing_id}"


class RecordShare(models.Model):
    """Each time a mentor chose to send their contribution record to their line manager."""

    pairing = models.ForeignKey("pairing.Pairing", on_delete=models.CASCADE, related_name="+")
    mentor = models.ForeignKey("organisations.Person", on_delete=models.CASCADE, related_name="+")
    # Who it went to at the time; the directory may change later.
    line_manager = models.ForeignKey(
        "organisations.Person", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    sent_to_email = models.EmailField()
    included_thank_you = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Share of {self.pairing_id} to {self.sent_to_email}"
