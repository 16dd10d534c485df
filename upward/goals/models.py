"""Goals and tasks of a pair (both people set goals: reverse mentoring is reciprocal), the
programme's skills framework and the self and partner assessments against it.

Goal and task text is private to the pair; the programme team only ever sees counts.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from upward.core.fields import EncryptedCharField, EncryptedNotEmpty, EncryptedTextField


class Term(models.TextChoices):
    SHORT = "short", _("Short term (the next few weeks)")
    LONG = "long", _("Long term (by the end of the programme or beyond)")


class GoalStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    IN_PROGRESS = "in_progress", _("In progress")
    ACHIEVED = "achieved", _("Achieved")
    DROPPED = "dropped", _("Dropped")


class Goal(models.Model):
    encryption_organisation = "pairing.programme.organisation_id"

    pairing = models.ForeignKey("pairing.Pairing", on_delete=models.CASCADE, related_name="goals")
    # Whose goal it is: the mentor's or the mentee's. Either may write it.
    owner = models.ForeignKey("organisations.Person", on_delete=models.CASCADE, related_name="+")
    statement = EncryptedCharField(
        _("goal"),
        max_length=300,
        help_text=_("Be specific: what exactly do you want to be able to do?"),
    )
    measure = EncryptedCharField(
        _("how you will know you have got there"),
        max_length=300,
        help_text=_(
            "Something you can check, e.g. “I have run two team meetings using a shared "
            "online whiteboard”."
        ),
    )
    why = EncryptedTextField(
        _("why it matters"),
        blank=True,
        help_text=_("What difference it makes to you, your team or the organisation."),
    )
    target_date = models.DateField(_("target date"))
    term = models.CharField(_("term"), max_length=10, choices=Term.choices, default=Term.SHORT)
    # Priority order within one person's goals in the pair: 1 comes first.
    position = models.PositiveIntegerField(default=1)
    status = models.CharField(
        _("status"), max_length=20, choices=GoalStatus.choices, default=GoalStatus.NOT_STARTED
    )
    progress = models.PositiveSmallIntegerField(
        _("progress (%)"), default=0, help_text=_("Your own estimate, from 0 to 100.")
    )
    created_by = models.ForeignKey(
        "organisations.Person", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["owner_id", "position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(progress__gte=0) & Q(progress__lte=100), name="goal_progress_range"
            ),
            models.CheckConstraint(
                condition=Q(status__in=GoalStatus.values), name="goal_status_valid"
            ),
            models.CheckConstraint(condition=Q(term__in=Term.values), name="goal_term_valid"),
            # A goal without a way to measure it is a wish; the database agrees.
            EncryptedNotEmpty(field="measure", name="goal_has_measure"),
            EncryptedNotEmpty(field="statement", name="goal_has_statement"),
            models.CheckConstraint(
                condition=~Q(status="achieved") | Q(progress=100),
                name="goal_achieved_is_complete",
            ),
        ]
        indexes = [models.Index(fields=["pairing", "owner", "position"])]

    def __str__(self) -> str:
        return f"Goal {self.pk}"


class Task(models.Model):
    encryption_organisation = "goal.pairing.programme.organisation_id"

    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="tasks")
    title = EncryptedCharField(_("task"), max_length=200)
    # One of the pair; the service checks it (the database cannot see the pairing from here).
    owner = models.ForeignKey(
        "organisations.Person", on_delete=models.CASCADE, related_name="+", verbose_name=_("who")
    )
    due_on = models.DateField(_("due date"))
    done_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        "organisations.Person", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["due_on", "id"]
        constraints = [EncryptedNotEmpty(field="title", name="task_has_title")]

    def __str__(self) -> str:
        return f"Task {self.pk}"

    @property
    def is_done(self) -> bool:
        return self.done_at is not None


LEVELS = (1, 2, 3, 4, 5)


class Skill(models.Model):
    """One skill in a programme's framework, with what each level 1 to 5 looks like."""

    programme = models.ForeignKey(
        "programmes.Programme", on_delete=models.CASCADE, related_name="skills"
    )
    name = models.CharField(_("skill"), max_length=120)
    description = models.CharField(_("description"), max_length=300, blank=True)
    # Five descriptors, for levels 1 to 5.
    levels = models.JSONField(default=list)
    position = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint("programme", Lower("name"), name="skill_name_unique"),
        ]

    def __str__(self) -> str:
        return self.name

    def descriptor(self, level: int) -> str:
        try:
            return str(self.levels[level - 1])
        except (IndexError, TypeError):
            return ""


class AssessmentKind(models.TextChoices):
    BASELINE = "baseline", _("At the start")
    FINAL = "final", _("At the end")


class Assessment(models.Model):
    """One person's ratings of one participant (themselves, or their partner) at one moment."""

    pairing = models.ForeignKey(
        "pairing.Pairing", on_delete=models.CASCADE, related_name="skill_assessments"
    )
    subject = models.ForeignKey("organisations.Person", on_delete=models.CASCADE, related_name="+")
    rater = models.ForeignKey("organisations.Person", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=AssessmentKind.choices)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["kind", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["pairing", "subject", "rater", "kind"], name="one_assessment_per_moment"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=AssessmentKind.values), name="assessment_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"Assessment {self.pk} ({self.kind})"

    @property
    def is_self(self) -> bool:
        return self.subject_id == self.rater_id


class Rating(models.Model):
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="ratings")
    # PROTECT: a skill somebody has rated is renamed, not deleted, so the history stays whole.
    skill = models.ForeignKey(Skill, on_delete=models.PROTECT, related_name="ratings")
    level = models.PositiveSmallIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["assessment", "skill"], name="one_rating_per_skill"),
            models.CheckConstraint(
                condition=Q(level__gte=1) & Q(level__lte=5), name="rating_level_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.skill_id}: {self.level}"
