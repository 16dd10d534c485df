"""The mentoring journey: versioned templates of sessions, the pair's agreement, meetings with
their agendas, programme events and personal calendar feeds."""

from __future__ import annotations

import secrets
import uuid

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from upward.core.fields import EncryptedCharField, EncryptedTextField

MIN_MINUTES = 15
MAX_MINUTES = 240
# A meeting logged after it happened may be shorter or longer than a booking allows.
MIN_LOGGED_MINUTES = 5
# The most minutes anyone may say a meeting lasted, booked or logged.
MAX_RECORDED_MINUTES = 600


def new_uid() -> str:
    # Stable for the life of a meeting or event: calendars match updates and cancellations on it.
    return f"{uuid.uuid4()}@upward"


def new_feed_token() -> str:
    return secrets.token_urlsafe(32)


class JourneyTemplate(models.Model):
    """A named journey. Built-in templates have no organisation and are read-only for everyone;
    managers clone one into their organisation and edit the clone."""

    organisation = models.ForeignKey(
        "organisations.Organisation",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="journey_templates",
    )
    name = models.CharField(_("name"), max_length=150)
    description = models.TextField(_("description"), blank=True)
    is_builtin = models.BooleanField(default=False)
    # A short stable key for built-in templates so data migrations can find them again.
    key = models.SlugField(max_length=60, blank=True)
    cloned_from = models.ForeignKey(
        "JourneyVersion",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="clones",
    )
    created_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(is_builtin=False) | Q(organisation__isnull=True),
                name="journey_builtin_is_global",
            ),
            models.UniqueConstraint(
                fields=["key"], condition=~Q(key=""), name="journey_template_key_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class JourneyVersion(models.Model):
    """One frozen edition of a template. Only the draft (number null) may be edited; publishing
    gives it the next number. Programmes pin a published version, so running pairs never see
    their journey change under them."""

    template = models.ForeignKey(JourneyTemplate, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(null=True, blank=True)
    change_note = models.CharField(
        _("what changed"),
        max_length=300,
        blank=True,
        help_text=_("A line for other managers, e.g. “Shorter agenda for session 3”."),
    )
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["template", "-number", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["template", "number"], name="journey_version_number"),
            # One draft at a time per template.
            models.UniqueConstraint(
                fields=["template"],
                condition=Q(number__isnull=True),
                name="journey_one_draft",
            ),
            models.CheckConstraint(
                condition=Q(number__isnull=True, published_at__isnull=True)
                | Q(number__isnull=False, published_at__isnull=False),
                name="journey_version_published_has_number",
            ),
        ]

    def __str__(self) -> str:
        if self.number is None:
            return f"{self.template} (draft)"
        return f"{self.template} v{self.number}"

    @property
    def is_draft(self) -> bool:
        return self.number is None


class StepKind(models.TextChoices):
    MENTOR_KICKOFF = "mentor_kickoff", _("Kick-off training for mentors")
    MENTEE_KICKOFF = "mentee_kickoff", _("Kick-off training for mentees")
    SESSION = "session", _("Pair session")
    KNOWLEDGE = "knowledge", _("Joint knowledge session")


class JourneyStep(models.Model):
    version = models.ForeignKey(JourneyVersion, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=20, choices=StepKind.choices, default=StepKind.SESSION)
    title = models.CharField(_("title"), max_length=150)
    purpose = models.TextField(_("purpose"), blank=True)
    mentor_prepares = models.TextField(_("what the mentor prepares"), blank=True)
    mentee_prepares = models.TextField(_("what the mentee prepares"), blank=True)
    activities = models.TextField(_("suggested activities"), blank=True)
    resources = models.TextField(_("resources"), blank=True)
    is_optional = models.BooleanField(_("optional"), default=False)

    class Meta:
        ordering = ["version", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["version", "position"], name="journey_step_position"),
            models.CheckConstraint(
                condition=Q(kind__in=StepKind.values), name="journey_step_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_pair_session(self) -> bool:
        return self.kind == StepKind.SESSION


class AgendaItem(models.Model):
    step = models.ForeignKey(JourneyStep, on_delete=models.CASCADE, related_name="agenda_items")
    position = models.PositiveSmallIntegerField()
    text = models.CharField(max_length=300)

    class Meta:
        ordering = ["step", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["step", "position"], name="agenda_item_position"),
        ]

    def __str__(self) -> str:
        return self.text


# Choice lists stand outside their model so its Meta can name them: the CheckConstraints
# use their .values rather than a copy of the list.
class JourneyMode(models.TextChoices):
    GUIDED = "guided", _("Guided: pairs follow the sessions in order")
    FREE = "free", _("Free flow: pairs pick any session, or none")


class ProgrammeJourney(models.Model):
    """Which journey a programme follows and the cadence pairs are held to."""

    Mode = JourneyMode

    programme = models.OneToOneField(
        "programmes.Programme", on_delete=models.CASCADE, related_name="journey"
    )
    version = models.ForeignKey(
        JourneyVersion, on_delete=models.PROTECT, related_name="programme_journeys"
    )
    mode = models.CharField(max_length=10, choices=Mode.choices, default=Mode.GUIDED)
    meetings_per_month = models.DecimalField(
        _("meetings a month"),
        max_digits=3,
        decimal_places=1,
        default=1,
        help_text=_("Used to tell pairs whether they are on track, e.g. 1, 2 or 0.5."),
    )
    minutes_per_meeting = models.PositiveSmallIntegerField(
        _("minutes a meeting"), default=60, help_text=_("Between 15 and 240.")
    )
    updated_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(mode__in=JourneyMode.values), name="programme_journey_mode_valid"
            ),
            models.CheckConstraint(
                condition=Q(meetings_per_month__gt=0, meetings_per_month__lte=8),
                name="programme_journey_cadence_range",
            ),
            models.CheckConstraint(
                condition=Q(minutes_per_meeting__gte=MIN_MINUTES)
                & Q(minutes_per_meeting__lte=MAX_MINUTES),
                name="programme_journey_minutes_range",
            ),
        ]

    def __str__(self) -> str:
        return f"Journey of {self.programme_id}"


class PairAgreement(models.Model):
    """What the pair agree at their first session. Any edit clears both confirmations."""

    encryption_organisation = "pairing.programme.organisation_id"

    pairing = models.OneToOneField(
        "pairing.Pairing", on_delete=models.CASCADE, related_name="agreement"
    )
    confidentiality = EncryptedTextField(_("confidentiality"))
    meetings_per_month = models.DecimalField(
        _("meetings a month"), max_digits=3, decimal_places=1, default=1
    )
    minutes_per_meeting = models.PositiveSmallIntegerField(_("minutes a meeting"), default=60)
    ends_on = models.DateField(_("we meet until"))
    raising_concerns = EncryptedTextField(_("if something is not working"))
    # Each saved change is a new version; a confirmation names the version the person read.
    version = models.PositiveIntegerField(default=1)
    mentor_confirmed_at = models.DateTimeField(null=True, blank=True)
    mentee_confirmed_at = models.DateTimeField(null=True, blank=True)
    updated_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(meetings_per_month__gt=0, meetings_per_month__lte=8),
                name="agreement_cadence_range",
            ),
            models.CheckConstraint(
                condition=Q(minutes_per_meeting__gte=MIN_MINUTES)
                & Q(minutes_per_meeting__lte=MAX_MINUTES),
                name="agreement_minutes_range",
            ),
        ]

    def __str__(self) -> str:
        return f"Agreement of {self.pairing_id}"

    @property
    def is_confirmed(self) -> bool:
        return self.mentor_confirmed_at is not None and self.mentee_confirmed_at is not None


class MeetingStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Booked")
    HELD = "held", _("Held")
    MISSED = "missed", _("Missed")
    CANCELLED = "cancelled", _("Cancelled")


class MeetingOutcome(models.TextChoices):
    """One person's own account of whether a meeting happened."""

    HELD = "held", _("We met")
    MISSED = "missed", _("It did not happen")


class Meeting(models.Model):
    """A pair's meeting. Times are stored in UTC; `time_zone` is the organiser's zone, used for
    the invite's VTIMEZONE. `ends_at` is stored so overlap checks are one indexed query.

    After the start time each person records their own account (`mentor_outcome` and
    `mentor_minutes`, the same for the mentee). `status` and `actual_minutes` are the figure
    everything else counts, worked out from the accounts by `services.meetings`: one account
    alone counts as given; two that agree settle the record (`settled_at`); two that differ
    count the lower figure until they agree. A settled record changes only when one person
    proposes (`proposed_*`) and the other accepts."""

    encryption_organisation = "pairing.programme.organisation_id"

    pairing = models.ForeignKey(
        "pairing.Pairing", on_delete=models.CASCADE, related_name="meetings"
    )
    step = models.ForeignKey(
        JourneyStep, null=True, blank=True, on_delete=models.PROTECT, related_name="meetings"
    )
    starts_at = models.DateTimeField(_("starts at"))
    duration_minutes = models.PositiveSmallIntegerField(_("length in minutes"), default=60)
    ends_at = models.DateTimeField()
    time_zone = models.CharField(max_length=64, default="Europe/London")
    place = EncryptedCharField(_("place"), max_length=200, blank=True)
    video_url = models.URLField(_("video link"), max_length=500, blank=True)
    organiser = models.ForeignKey(
        "organisations.Person", on_delete=models.PROTECT, related_name="organised_meetings"
    )
    status = models.CharField(
        max_length=10, choices=MeetingStatus.choices, default=MeetingStatus.SCHEDULED
    )
    actual_minutes = models.PositiveSmallIntegerField(null=True, blank=True)
    uid = models.CharField(max_length=100, unique=True, default=new_uid)
    sequence = models.PositiveIntegerField(default=0)
    reminder_sent_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    marked_at = models.DateTimeField(null=True, blank=True)
    # Set when the meeting was logged after it happened (no invitation was ever sent).
    logged_at = models.DateTimeField(null=True, blank=True)
    mentor_outcome = models.CharField(max_length=10, choices=MeetingOutcome.choices, blank=True)
    mentor_minutes = models.PositiveSmallIntegerField(null=True, blank=True)
    mentee_outcome = models.CharField(max_length=10, choices=MeetingOutcome.choices, blank=True)
    mentee_minutes = models.PositiveSmallIntegerField(null=True, blank=True)
    settled_at = models.DateTimeField(null=True, blank=True)
    proposed_outcome = models.CharField(max_length=10, choices=MeetingOutcome.choices, blank=True)
    proposed_minutes = models.PositiveSmallIntegerField(null=True, blank=True)
    proposed_by = models.ForeignKey(
        "organisations.Person",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    proposed_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=MeetingStatus.values),
                name="meeting_status_valid",
            ),
            # A booking lasts 15-240 minutes; a meeting logged afterwards 5-600.
            models.CheckConstraint(
                condition=Q(duration_minutes__gte=MIN_MINUTES, duration_minutes__lte=MAX_MINUTES)
                | Q(
                    logged_at__isnull=False,
                    duration_minutes__gte=MIN_LOGGED_MINUTES,
                    duration_minutes__lte=MAX_RECORDED_MINUTES,
                ),
                name="meeting_duration_range",
            ),
            models.CheckConstraint(
                condition=Q(mentor_outcome__in=["", *MeetingOutcome.values])
                & Q(mentee_outcome__in=["", *MeetingOutcome.values])
                & Q(proposed_outcome__in=["", *MeetingOutcome.values]),
                name="meeting_outcomes_valid",
            ),
            models.CheckConstraint(
                condition=(~Q(mentor_outcome="held") | Q(mentor_minutes__isnull=False))
                & (~Q(mentee_outcome="held") | Q(mentee_minutes__isnull=False))
                & (~Q(proposed_outcome="held") | Q(proposed_minutes__isnull=False)),
                name="meeting_held_account_has_length",
            ),
            models.CheckConstraint(
                condition=(Q(mentor_minutes__isnull=True) | Q(mentor_minutes__lte=600))
                & (Q(mentee_minutes__isnull=True) | Q(mentee_minutes__lte=600))
                & (Q(proposed_minutes__isnull=True) | Q(proposed_minutes__lte=600)),
                name="meeting_account_minutes_range",
            ),
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="meeting_ends"),
            models.CheckConstraint(
                condition=~Q(status="held") | Q(actual_minutes__isnull=False),
                name="meeting_held_has_length",
            ),
            models.CheckConstraint(
                condition=Q(actual_minutes__isnull=True) | Q(actual_minutes__lte=600),
                name="meeting_actual_minutes_range",
            ),
        ]
        indexes = [
            models.Index(fields=["pairing", "status", "starts_at"]),
            models.Index(fields=["status", "starts_at"]),
        ]

    def __str__(self) -> str:
        return f"Meeting {self.pk} of {self.pairing_id}"

    @property
    def is_scheduled(self) -> bool:
        return self.status == MeetingStatus.SCHEDULED

    @property
    def is_logged(self) -> bool:
        return self.logged_at is not None

    @property
    def is_settled(self) -> bool:
        return self.settled_at is not None

    @property
    def is_disputed(self) -> bool:
        """Both have had their say and the accounts differ."""
        return bool(self.mentor_outcome and self.mentee_outcome) and (
            self.mentor_outcome,
            self.mentor_minutes,
        ) != (self.mentee_outcome, self.mentee_minutes)

    def outcome_of(self, role: str) -> str:
        return str(getattr(self, f"{role}_outcome"))

    def minutes_of(self, role: str) -> int | None:
        value = getattr(self, f"{role}_minutes")
        return int(value) if value is not None else None

    @property
    def proposal_key(self) -> str:
        """Names the change waiting for an answer, so an answer from a page showing an earlier
        proposal is refused (services.answer_record_change)."""
        if not self.proposed_outcome or self.proposed_at is None:
            return ""
        return f"{self.proposed_at.timestamp():.6f}:{self.proposed_outcome}:{self.proposed_minutes}"

    def held_for(self, role: str) -> bool:
        """Whether the meeting happened in this person's own account; until they have said, the
        recorded figure. Their private check-in goes by this, never by the partner's mark."""
        own = self.outcome_of(role)
        if own:
            return own == MeetingOutcome.HELD
        return self.status == MeetingStatus.HELD


def held_for_q(role: str) -> Q:
    """`Meeting.held_for` as a query: the person's own account, or the record until they say."""
    return Q(**{f"{role}_outcome": MeetingOutcome.HELD}) | Q(
        **{f"{role}_outcome": "", "status": MeetingStatus.HELD}
    )


class MeetingAgendaItem(models.Model):
    """An agenda line of one meeting, ticked by either person. Unticked lines of a past meeting
    are copied to the pair's next meeting (`carried_from`), once."""

    encryption_organisation = "meeting.pairing.programme.organisation_id"

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="agenda")
    position = models.PositiveSmallIntegerField(default=0)
    text = EncryptedCharField(max_length=300)
    source_item = models.ForeignKey(
        AgendaItem, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    carried_from = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="carried_to"
    )
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        "organisations.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["meeting", "position", "id"]

    def __str__(self) -> str:
        return self.text

    @property
    def is_done(self) -> bool:
        return self.done_at is not None


class EventKind(models.TextChoices):
    KICKOFF = "kickoff", _("Kick-off training")
    KNOWLEDGE = "knowledge", _("Knowledge session")
    OTHER = "other", _("Other gathering")


class EventAudience(models.TextChoices):
    MENTORS = "mentors", _("Mentors")
    MENTEES = "mentees", _("Mentees")
    ALL = "all", _("Everyone in the programme")


class Event(models.Model):
    """A kick-off workshop or knowledge session for part of a programme."""

    Kind = EventKind

    Audience = EventAudience

    programme = models.ForeignKey(
        "programmes.Programme", on_delete=models.CASCADE, related_name="journey_events"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.KICKOFF)
    audience = models.CharField(
        _("for"), max_length=10, choices=Audience.choices, default=Audience.ALL
    )
    title = models.CharField(_("title"), max_length=150)
    description = models.TextField(_("description"), blank=True)
    starts_at = models.DateTimeField(_("starts at"))
    duration_minutes = models.PositiveSmallIntegerField(_("length in minutes"), default=90)
    ends_at = models.DateTimeField()
    time_zone = models.CharField(max_length=64, default="Europe/London")
    place = models.CharField(_("place"), max_length=200, blank=True)
    video_url = models.URLField(_("video link"), max_length=500, blank=True)
    uid = models.CharField(max_length=100, unique=True, default=new_uid)
    sequence = models.PositiveIntegerField(default=0)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    organiser = models.ForeignKey(
        "organisations.Person", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=EventKind.values), name="event_kind_valid"),
            models.CheckConstraint(
                condition=Q(audience__in=EventAudience.values),
                name="event_audience_valid",
            ),
            models.CheckConstraint(
                condition=Q(duration_minutes__gte=MIN_MINUTES) & Q(duration_minutes__lte=480),
                name="event_duration_range",
            ),
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="event_ends"),
        ]
        indexes = [models.Index(fields=["programme", "starts_at"])]

    def __str__(self) -> str:
        return self.title


class EventAnswer(models.TextChoices):
    YES = "yes", _("Yes, I will come")
    MAYBE = "maybe", _("Maybe")
    NO = "no", _("No, I cannot come")


class EventResponse(models.Model):
    """A person's RSVP to an event, and whether the programme team saw them there."""

    Answer = EventAnswer

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="responses")
    person = models.ForeignKey(
        "organisations.Person", on_delete=models.CASCADE, related_name="event_responses"
    )
    answer = models.CharField(max_length=10, choices=Answer.choices, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    attended = models.BooleanField(null=True, blank=True)
    attendance_marked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["event", "person__full_name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["event", "person"], name="one_response_per_person"),
            models.CheckConstraint(
                condition=Q(answer__in=["", *EventAnswer.values]), name="event_answer_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} → {self.event_id}: {self.answer}"


class CalendarFeed(models.Model):
    """A person's secret calendar URL. Regenerating replaces the token, so old URLs stop."""

    person = models.OneToOneField(
        "organisations.Person", on_delete=models.CASCADE, related_name="calendar_feed"
    )
    token = models.CharField(max_length=64, unique=True, default=new_feed_token)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Feed of {self.person_id}"


class PairReminder(models.Model):
    """When the organiser was last nudged to book the pair's next meeting."""

    pairing = models.OneToOneField(
        "pairing.Pairing", on_delete=models.CASCADE, related_name="journey_reminder"
    )
    booking_reminded_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Reminders of {self.pairing_id}"
