from __future__ import annotations

import datetime as dt
import secrets

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


def new_signup_token() -> str:
    return secrets.token_urlsafe(24)


class Objective(models.TextChoices):
    DIGITAL_SKILLS = "digital_skills", _("Digital and technology skills")
    INCLUSION = "inclusion", _("Diversity and inclusion")
    GENERATIONAL = "generational", _("Generational understanding")
    LEADERSHIP = "leadership", _("Leadership development")
    RETENTION = "retention", _("Retention of early-career staff")
    CUSTOM = "custom", _("Something else")


class InclusionFocus(models.TextChoices):
    NONE = "", _("No particular focus")
    RACE = "race", _("Race and ethnicity")
    GENDER = "gender", _("Gender")
    DISABILITY = "disability", _("Disability")
    LGBTQ = "lgbtq", _("LGBTQ+")
    SOCIAL_MOBILITY = "social_mobility", _("Social mobility")


class SelectionMode(models.TextChoices):
    OPEN = "open", _("Open sign-up: everyone eligible who applies is accepted")
    REVIEWED = "reviewed", _("Reviewed applications: the programme team decides")
    INVITATION = "invitation", _("Invitation only")


class SchedulingPolicy(models.TextChoices):
    MENTEE = "mentee", _("The senior mentee books meetings (recommended)")
    MENTOR = "mentor", _("The junior mentor books meetings")
    EITHER = "either", _("Either person books meetings")


class State(models.TextChoices):
    DRAFT = "draft", _("Draft")
    RECRUITING = "recruiting", _("Recruiting")
    MATCHING = "matching", _("Matching")
    ACTIVE = "active", _("Active")
    COMPLETED = "completed", _("Completed")
    ARCHIVED = "archived", _("Archived")


# The only moves a programme can make. Mirrored by a database constraint on StateChange.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    State.DRAFT: (State.RECRUITING,),
    State.RECRUITING: (State.MATCHING, State.DRAFT),
    State.MATCHING: (State.ACTIVE, State.RECRUITING),
    State.ACTIVE: (State.COMPLETED,),
    State.COMPLETED: (State.ARCHIVED,),
    State.ARCHIVED: (),
}


def _transition_condition() -> Q:
    condition = Q()
    for source, targets in TRANSITIONS.items():
        for target in targets:
            condition |= Q(from_state=source, to_state=target)
    return condition


class Programme(models.Model):
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="programmes"
    )
    name = models.CharField(max_length=150)
    summary = models.TextField(
        blank=True, help_text=_("Shown on the public programme page. Plain text.")
    )
    objective = models.CharField(max_length=30, choices=Objective.choices)
    inclusion_focus = models.CharField(
        max_length=30, choices=InclusionFocus.choices, blank=True, default=""
    )
    custom_objective = models.CharField(
        max_length=200, blank=True, help_text=_("Describe the objective when it is not listed.")
    )
    success_what = models.CharField(
        _("what will be measured"),
        max_length=300,
        help_text=_("e.g. Confidence of leaders discussing technology with their teams."),
    )
    success_how = models.CharField(
        _("how it will be measured"),
        max_length=300,
        help_text=_("e.g. The same survey at the start and the end."),
    )
    success_target = models.CharField(
        _("target"), max_length=200, help_text=_("e.g. 60% of mentees report more confidence.")
    )
    mentor_level_min = models.ForeignKey(
        "organisations.Level", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    mentor_level_max = models.ForeignKey(
        "organisations.Level", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    mentee_level_min = models.ForeignKey(
        "organisations.Level", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    mentee_level_max = models.ForeignKey(
        "organisations.Level", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    mentor_departments = models.ManyToManyField(
        "organisations.Department",
        blank=True,
        related_name="+",
        help_text=_("Leave empty to open the role to every department."),
    )
    mentee_departments = models.ManyToManyField(
        "organisations.Department",
        blank=True,
        related_name="+",
        help_text=_("Leave empty to open the role to every department."),
    )
    selection_mode = models.CharField(
        max_length=20, choices=SelectionMode.choices, default=SelectionMode.REVIEWED
    )
    places = models.PositiveIntegerField(
        default=10, help_text=_("How many pairs the programme has room for.")
    )
    starts_on = models.DateField()
    ends_on = models.DateField()
    # The day the programme was completed, which can be before or after the planned end
    # (ends_on). Surveys "at the end" and follow-ups count from it once it is set.
    ended_on = models.DateField(null=True, blank=True, editable=False)
    commitment = models.CharField(
        max_length=200,
        default="One hour a month for six months",
        help_text=_("What each pair commits to, e.g. one hour a month for six months."),
    )
    is_pilot = models.BooleanField(default=False)
    previous_cohort = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="next_cohorts",
        help_text=_("The earlier programme this cohort follows on from."),
    )
    scheduling_policy = models.CharField(
        max_length=20,
        choices=SchedulingPolicy.choices,
        default=SchedulingPolicy.MENTEE,
        help_text=_(
            "Who sends invitations and agendas. We recommend the senior mentee: otherwise the "
            "admin work tends to fall on the junior mentor, who already gives their time and "
            "expertise."
        ),
    )
    # Special-category data (upward.consent) is used for a purpose only where the programme
    # switches it on, and then only for people who consented to that purpose.
    special_category_matching = models.BooleanField(
        default=False,
        help_text=_(
            "Ask mentors whether their lived-experience topics may help matching. Only the "
            "topics of people who agree are used, and the team sees them only while reviewing."
        ),
    )
    special_category_reporting = models.BooleanField(
        default=False,
        help_text=_(
            "Ask participants whether their lived-experience topics may be counted in the "
            "anonymous survey reports, in groups of ten or more."
        ),
    )
    state = models.CharField(max_length=20, choices=State.choices, default=State.DRAFT)
    signup_token = models.CharField(max_length=64, unique=True, default=new_signup_token)
    signup_open = models.BooleanField(default=True)
    managers = models.ManyToManyField(
        "organisations.Person", blank=True, related_name="managed_programmes"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-starts_on", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=State.values), name="programme_state_valid"
            ),
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")), name="programme_ends_after_start"
            ),
            models.CheckConstraint(condition=Q(places__gte=1), name="programme_places_positive"),
            models.CheckConstraint(
                condition=~Q(previous_cohort=F("id")), name="programme_not_own_cohort"
            ),
            models.CheckConstraint(
                condition=Q(objective__in=Objective.values),
                name="programme_objective_valid",
            ),
            # A focus only makes sense for an inclusion programme.
            models.CheckConstraint(
                condition=Q(inclusion_focus="") | Q(objective=Objective.INCLUSION),
                name="programme_focus_needs_inclusion",
            ),
            models.CheckConstraint(
                condition=~Q(objective=Objective.CUSTOM) | ~Q(custom_objective=""),
                name="programme_custom_objective_described",
            ),
            models.CheckConstraint(
                condition=Q(selection_mode__in=SelectionMode.values),
                name="programme_selection_mode_valid",
            ),
            models.CheckConstraint(
                condition=Q(scheduling_policy__in=SchedulingPolicy.values),
                name="programme_scheduling_policy_valid",
            ),
            # Level ranges compare ranks on another table, which a CHECK cannot read; the
            # service and the form enforce min <= max and "mentors are junior" instead.
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def end_date(self) -> dt.date:
        """When the programme ended, or is planned to end while it runs."""
        return self.ended_on or self.ends_on

    def objective_label(self) -> str:
        if self.objective == Objective.CUSTOM and self.custom_objective:
            return self.custom_objective
        label = str(self.get_objective_display())
        if self.objective == Objective.INCLUSION and self.inclusion_focus:
            label += f" ({self.get_inclusion_focus_display()})"
        return label


class StateChange(models.Model):
    """Every lifecycle move. The constraint makes an invalid move impossible to record."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="state_changes")
    from_state = models.CharField(max_length=20, choices=State.choices)
    to_state = models.CharField(max_length=20, choices=State.choices)
    by = models.ForeignKey("accounts.User", null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]
        constraints = [
            models.CheckConstraint(condition=_transition_condition(), name="state_change_allowed"),
        ]

    def __str__(self) -> str:
        return f"{self.from_state} → {self.to_state}"


# Choice lists stand outside their model so its Meta can name them: the CheckConstraints
# use their .values rather than a copy of the list.
class QuestionKind(models.TextChoices):
    TEXT = "text", _("Free text")
    CHOICE = "choice", _("Choose one")


class QuestionAudience(models.TextChoices):
    BOTH = "both", _("Everyone")
    MENTOR = "mentor", _("Mentors")
    MENTEE = "mentee", _("Mentees")


class Question(models.Model):
    """An extra question the programme team adds to the application form."""

    Kind = QuestionKind

    Audience = QuestionAudience

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="questions")
    text = models.CharField(max_length=300)
    help_text = models.CharField(max_length=300, blank=True)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.TEXT)
    choices = models.JSONField(default=list, blank=True)
    audience = models.CharField(max_length=10, choices=Audience.choices, default=Audience.BOTH)
    required = models.BooleanField(default=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=QuestionKind.values), name="question_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(audience__in=QuestionAudience.values),
                name="question_audience_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.text
