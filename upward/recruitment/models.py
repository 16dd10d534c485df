from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from upward.core.fields import EncryptedCharField, EncryptedTextField


class Role(models.TextChoices):
    MENTOR = "mentor", _("Mentor (the junior expert)")
    MENTEE = "mentee", _("Mentee (the senior learner)")


DAYS = (
    ("mon", _("Monday")),
    ("tue", _("Tuesday")),
    ("wed", _("Wednesday")),
    ("thu", _("Thursday")),
    ("fri", _("Friday")),
)
PARTS = (("am", _("Morning")), ("pm", _("Afternoon")))
# Weekly availability slots stored in Application.availability, e.g. "mon-am".
AVAILABILITY_SLOTS: tuple[str, ...] = tuple(
    f"{day}-{part}" for day, _d in DAYS for part, _p in PARTS
)


# Choice lists stand outside their model so its Meta can name them: the CheckConstraints
# use their .values rather than a copy of the list.
class ApplicationStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    ACCEPTED = "accepted", _("Accepted")
    WAITLISTED = "waitlisted", _("Waiting list")
    DECLINED = "declined", _("Declined")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Application(models.Model):
    encryption_organisation = "programme.organisation_id"

    Status = ApplicationStatus

    programme = models.ForeignKey(
        "programmes.Programme", on_delete=models.CASCADE, related_name="applications"
    )
    person = models.ForeignKey(
        "organisations.Person", on_delete=models.CASCADE, related_name="applications"
    )
    role = models.CharField(max_length=10, choices=Role.choices)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.SUBMITTED)
    motivation = EncryptedTextField(
        help_text=_("Why you want to take part and what you hope to gain.")
    )
    offered_topics = models.ManyToManyField(
        "organisations.Topic",
        blank=True,
        related_name="+",
        help_text=_("Skills and experience you can share."),
    )
    wanted_topics = models.ManyToManyField(
        "organisations.Topic",
        blank=True,
        related_name="+",
        help_text=_("What you would like to learn."),
    )
    interests = models.ManyToManyField("organisations.Topic", blank=True, related_name="+")
    # Optional and sensitive: only used for matching when lived_experience_consent is true.
    lived_experience_topics = models.ManyToManyField(
        "organisations.Topic",
        blank=True,
        related_name="+",
    )
    lived_experience_consent = models.BooleanField(default=False)
    availability = models.JSONField(
        default=list, blank=True, help_text=_("Weekly slots such as mon-am, thu-pm.")
    )
    preferred_times = EncryptedCharField(max_length=200, blank=True)
    works_with = models.ManyToManyField(
        "organisations.Person",
        blank=True,
        related_name="+",
        help_text=_("People you work with regularly; we will not pair you with them."),
    )
    consent_terms = models.BooleanField(default=False)
    # The message the applicant reads about the decision, written by the manager.
    decision_reason = EncryptedTextField(blank=True)
    # Only the programme team sees this; never shown or emailed to the applicant.
    internal_note = EncryptedTextField(blank=True)
    reviewed_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-submitted_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "person"], name="one_application_per_person"
            ),
            models.CheckConstraint(
                condition=Q(role__in=Role.values), name="application_role_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=ApplicationStatus.values),
                name="application_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(consent_terms=True), name="application_requires_consent"
            ),
        ]
        indexes = [models.Index(fields=["programme", "status", "role"])]

    def __str__(self) -> str:
        return f"{self.person} → {self.programme} ({self.role})"

    def availability_labels(self) -> list[str]:
        """'Monday morning', … for the stored slots, in week order."""
        days, parts = dict(DAYS), dict(PARTS)
        labels = []
        for slot in AVAILABILITY_SLOTS:
            if slot in (self.availability or []):
                day, part = slot.split("-")
                labels.append(f"{days[day]} {str(parts[part]).lower()}")
        return labels


class Answer(models.Model):
    encryption_organisation = "application.programme.organisation_id"

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(
        "programmes.Question", on_delete=models.CASCADE, related_name="answers"
    )
    value = EncryptedTextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["application", "question"], name="one_answer"),
        ]

    def __str__(self) -> str:
        return f"Answer to {self.question_id}"


def _token() -> str:
    return secrets.token_urlsafe(24)


def new_invitation_token() -> str:
    return _token()


class Invitation(models.Model):
    """A personal invitation to apply to a programme, for a role."""

    encryption_organisation = "programme.organisation_id"

    programme = models.ForeignKey(
        "programmes.Programme", on_delete=models.CASCADE, related_name="invitations"
    )
    person = models.ForeignKey(
        "organisations.Person", on_delete=models.CASCADE, related_name="programme_invitations"
    )
    role = models.CharField(max_length=10, choices=Role.choices)
    token = models.CharField(max_length=64, unique=True, default=_token)
    message = EncryptedTextField(blank=True)
    invited_by = models.ForeignKey(
        "accounts.User", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "person"], name="one_invitation"),
        ]

    def __str__(self) -> str:
        return f"Invitation of {self.person_id} to {self.programme_id}"

    @staticmethod
    def issued_after() -> datetime:
        """Invitations created after this moment have links that still work."""
        return timezone.now() - timedelta(days=settings.UPWARD_RECRUITMENT_INVITATION_DAYS)

    @property
    def expires_at(self) -> datetime:
        return self.created_at + timedelta(days=settings.UPWARD_RECRUITMENT_INVITATION_DAYS)

    def is_expired(self, now: datetime | None = None) -> bool:
        return (now or timezone.now()) >= self.expires_at
