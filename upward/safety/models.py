"""Relationship health and psychological safety: the junior mentor's private pulse, no-fault
exits, concerns raised privately to the programme team, snoozed risk flags and check-ins.

Privacy: nothing here is ever shown to the other person in the pair. Free text is encrypted at
rest (the notes app's EncryptedTextField) and never goes into emails or the audit log.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from upward.core.fields import EncryptedCharField, EncryptedTextField

DEFAULT_NO_MEETING_DAYS = 30
# A pulse answer at or below this on the 1-5 scale raises a flag for the programme team.
LOW_ANSWER = 2


class SafetySettings(models.Model):
    """Per-programme thresholds for the risk flags. A programme without a row uses defaults."""

    programme = models.OneToOneField(
        "programmes.Programme", on_delete=models.CASCADE, related_name="safety_settings"
    )
    no_meeting_days = models.PositiveSmallIntegerField(
        _("days without a meeting before we flag a pair"),
        default=DEFAULT_NO_MEETING_DAYS,
        help_text=_("Between 7 and 180 days. 30 suits pairs who meet about once a month."),
    )
    missed_in_a_row = models.PositiveSmallIntegerField(
        _("missed meetings in a row before we flag a pair"),
        default=2,
        help_text=_("Between 1 and 5."),
    )
    updated_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "safety settings"
        constraints = [
            models.CheckConstraint(
                condition=Q(no_meeting_days__gte=7, no_meeting_days__lte=180),
                name="safety_no_meeting_days_range",
            ),
            models.CheckConstraint(
                condition=Q(missed_in_a_row__gte=1, missed_in_a_row__lte=5),
                name="safety_missed_in_a_row_range",
            ),
        ]

    def __str__(self) -> str:
        return f"Safety settings of {self.programme_id}"


class PulseResponse(models.Model):
    """The junior mentor's private answer after a held meeting. Never shown to the mentee;
    those who may see safety data (see access.py) see flags, aggregates of five or more, and
    the comment written for them."""

    encryption_organisation = "pairing.programme.organisation_id"

    meeting = models.ForeignKey(
        "journey.Meeting", on_delete=models.CASCADE, related_name="safety_pulses"
    )
    pairing = models.ForeignKey(
        "pairing.Pairing", on_delete=models.CASCADE, related_name="safety_pulses"
    )
    mentor = models.ForeignKey(
        "organisations.Person", on_delete=models.CASCADE, related_name="safety_pulses"
    )
    spoke_openly = models.PositiveSmallIntegerField(_("I could speak openly"))
    felt_listened_to = models.PositiveSmallIntegerField(_("I felt listened to"))
    worth_my_time = models.PositiveSmallIntegerField(_("The session was worth my time"))
    wants_support = models.BooleanField(
        _("I would like a word with someone about this"), default=False
    )
    comment = EncryptedTextField(_("a private note for the people named on the form"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "mentor"], name="safety_one_pulse_per_meeting"
            ),
            *[
                models.CheckConstraint(
                    condition=Q(**{f"{name}__gte": 1, f"{name}__lte": 5}),
                    name=f"safety_pulse_{name}_range",
                )
                for name in ("spoke_openly", "felt_listened_to", "worth_my_time")
            ],
        ]
        indexes = [models.Index(fields=["pairing", "-created_at"])]

    def __str__(self) -> str:
        return f"Pulse {self.pk} of meeting {self.meeting_id}"

    @property
    def is_low(self) -> bool:
        return (
            self.wants_support
            or min(self.spoke_openly, self.felt_listened_to, self.worth_my_time) <= LOW_ANSWER
        )


class ExitCategory(models.TextChoices):
    TIME = "time", _("Finding time has become too hard")
    FIT = "fit", _("We are not a good fit")
    GOALS = "goals", _("We have done what we set out to do")
    UNCOMFORTABLE = "uncomfortable", _("I do not feel comfortable")
    CHANGE = "change", _("A change in my role or circumstances")
    OTHER = "other", _("Something else")


# Choice lists stand outside their model so its Meta can name them: the CheckConstraints
# use their .values rather than a copy of the list.
class ExitRole(models.TextChoices):
    MENTOR = "mentor", _("Mentor")
    MENTEE = "mentee", _("Mentee")


class PairingExit(models.Model):
    """A participant ended their pairing. Who, the category and the reason are safety data."""

    encryption_organisation = "pairing.programme.organisation_id"

    pairing = models.OneToOneField(
        "pairing.Pairing", on_delete=models.CASCADE, related_name="safety_exit"
    )
    left_by = models.ForeignKey(
        "organisations.Person", on_delete=models.CASCADE, related_name="safety_exits"
    )
    role = models.CharField(max_length=10, choices=ExitRole.choices)
    category = models.CharField(
        _("what fits best"), max_length=20, choices=ExitCategory.choices, blank=True
    )
    reason = EncryptedTextField(_("anything the people named on the form should know"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(role__in=ExitRole.values), name="safety_exit_role_valid"
            ),
            models.CheckConstraint(
                condition=Q(category__in=["", *ExitCategory.values]),
                name="safety_exit_category_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"Exit from {self.pairing_id}"


class RematchStatus(models.TextChoices):
    OPEN = "open", _("Waiting for the programme team")
    DONE = "done", _("Dealt with")


class RematchRequest(models.Model):
    """Someone whose pairing ended asks the programme team to find them a new partner."""

    Status = RematchStatus

    programme = models.ForeignKey(
        "programmes.Programme", on_delete=models.CASCADE, related_name="safety_rematch_requests"
    )
    pairing = models.ForeignKey(
        "pairing.Pairing", on_delete=models.CASCADE, related_name="safety_rematch_requests"
    )
    person = models.ForeignKey(
        "organisations.Person", on_delete=models.CASCADE, related_name="safety_rematch_requests"
    )
    role = models.CharField(max_length=10)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["pairing", "person"], name="safety_one_rematch_request"
            ),
            models.CheckConstraint(
                condition=Q(status__in=RematchStatus.values), name="safety_rematch_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(role__in=["mentor", "mentee"]), name="safety_rematch_role_valid"
            ),
            models.CheckConstraint(
                condition=Q(status="open", closed_at__isnull=True)
                | Q(status="done", closed_at__isnull=False),
                name="safety_rematch_closed_when_done",
            ),
        ]

    def __str__(self) -> str:
        return f"Rematch request {self.pk}"


class ConcernState(models.TextChoices):
    OPEN = "open", _("Open")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    RESOLVED = "resolved", _("Resolved")


# The only moves a concern can make (services.move_concern checks them).
CONCERN_TRANSITIONS: dict[str, tuple[str, ...]] = {
    ConcernState.OPEN: (ConcernState.ACKNOWLEDGED, ConcernState.RESOLVED),
    ConcernState.ACKNOWLEDGED: (ConcernState.RESOLVED,),
    ConcernState.RESOLVED: (ConcernState.ACKNOWLEDGED,),  # reopened if it comes back
}


class Concern(models.Model):
    """A concern raised privately. Only those who may see safety data read it (access.py);
    the partner never sees it."""

    encryption_organisation = "programme.organisation_id"

    programme = models.ForeignKey(
        "programmes.Programme", on_delete=models.CASCADE, related_name="safety_concerns"
    )
    pairing = models.ForeignKey(
        "pairing.Pairing", on_delete=models.CASCADE, related_name="safety_concerns"
    )
    raised_by = models.ForeignKey(
        "organisations.Person", on_delete=models.CASCADE, related_name="safety_concerns"
    )
    text = EncryptedTextField(_("what is worrying you"))
    # The partner never sees concerns. This says whether the team may say who raised it if
    # they speak to the partner; by default they may not.
    may_name_me = models.BooleanField(
        _("The programme team may tell my partner that I raised this"), default=False
    )
    state = models.CharField(max_length=20, choices=ConcernState.choices, default=ConcernState.OPEN)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=ConcernState.values),
                name="safety_concern_state_valid",
            ),
            models.CheckConstraint(
                condition=Q(state="open") | Q(acknowledged_at__isnull=False),
                name="safety_concern_acknowledged_has_time",
            ),
            models.CheckConstraint(
                condition=~Q(state="resolved") | Q(resolved_at__isnull=False),
                name="safety_concern_resolved_has_time",
            ),
        ]
        indexes = [models.Index(fields=["programme", "state"])]

    def __str__(self) -> str:
        return f"Concern {self.pk}"


class ConcernNote(models.Model):
    """The programme team's working notes on a concern: its readers only, never the raiser."""

    encryption_organisation = "concern.programme.organisation_id"

    concern = models.ForeignKey(Concern, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(
        "organisations.Person", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = EncryptedTextField(_("note"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"Note {self.pk} on concern {self.concern_id}"


class FlagKind(models.TextChoices):
    NO_MEETING = "no_meeting", _("No recent meeting")
    MISSED = "missed", _("Missed meetings")
    LOW_PULSE = "low_pulse", _("Mentor's pulse is low")
    BEHIND = "behind", _("Behind the meeting rhythm")
    PROPOSAL_OVERDUE = "proposal_overdue", _("Proposal not answered in time")


class FlagSnooze(models.Model):
    """The team has seen a flag and hides it until `until` (inclusive)."""

    pairing = models.ForeignKey(
        "pairing.Pairing", on_delete=models.CASCADE, related_name="safety_snoozes"
    )
    kind = models.CharField(max_length=20, choices=FlagKind.choices)
    until = models.DateField()
    by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["pairing", "kind"], name="safety_one_snooze_per_flag"),
            models.CheckConstraint(
                condition=Q(kind__in=FlagKind.values), name="safety_snooze_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} of {self.pairing_id} until {self.until}"


class CheckIn(models.Model):
    """A check-in the programme team plans with a pair or one person. Notes are for its readers only."""

    encryption_organisation = "programme.organisation_id"

    programme = models.ForeignKey(
        "programmes.Programme", on_delete=models.CASCADE, related_name="safety_check_ins"
    )
    pairing = models.ForeignKey(
        "pairing.Pairing",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="safety_check_ins",
    )
    person = models.ForeignKey(
        "organisations.Person",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="safety_check_ins",
    )
    lead = models.ForeignKey(
        "organisations.Person",
        null=True,
        on_delete=models.SET_NULL,
        related_name="safety_check_ins_to_do",
    )
    due_on = models.DateField(_("due on"))
    purpose = EncryptedCharField(_("what it is about"), max_length=200, blank=True)
    notes = EncryptedTextField(_("notes for the programme team"), blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["due_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(pairing__isnull=False) | Q(person__isnull=False),
                name="safety_check_in_has_subject",
            ),
        ]
        indexes = [models.Index(fields=["programme", "done_at", "due_on"])]

    def __str__(self) -> str:
        return f"Check-in {self.pk} due {self.due_on}"

    @property
    def is_done(self) -> bool:
        return self.done_at is not None


class SafeguardingContact(models.Model):
    """Someone the organisation names to see every programme's safety data (except about their
    own pairings), whether or not they run a programme. Org admins add and remove them; being
    an org admin alone grants no access to safety data."""

    organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.CASCADE,
        related_name="safeguarding_contacts",
    )
    person = models.ForeignKey(
        "organisations.Person", on_delete=models.CASCADE, related_name="safeguarding_roles"
    )
    added_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "person"], name="safety_one_safeguarding_role"
            ),
        ]

    def __str__(self) -> str:
        return f"Safeguarding contact {self.person_id} of {self.organisation_id}"
