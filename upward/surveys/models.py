"""Surveys of a programme, their questions, and the answers people give.

Anonymity, in short (docs/surveys-and-outcomes.md has the full reasoning):
- `Submission` says *who* has answered a survey (so nobody is asked twice); it holds no link to
  the answers.
- An anonymous answer first waits in `PendingResponse` (encrypted, no time, random key, shuffled
  on every write) and is written to `Response`/`Answer` later, in shuffled batches of at least
  the group threshold, so insertion order, row ids and times cannot line it up with its
  Submission.
- `Response` holds *what* was answered. For an anonymous survey it has no person. In the
  surveys that pair start and later answers it carries a one-way pseudonym keyed by
  SURVEY_PSEUDONYM_SECRET and the organisation's salt (`PseudonymSalt`); in every other
  anonymous survey a random one. It keeps only coarse groups (role; department and
  lived-experience topics only when big enough to be reported).
"""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from upward.core.fields import EncryptedTextField
from upward.surveys.fields import SealedTextField


class Timing(models.TextChoices):
    START = "start", _("At the start of the programme")
    AFTER_SESSION = "after_session", _("After each session")
    MIDPOINT = "midpoint", _("Halfway through")
    END = "end", _("At the end of the programme")
    FOLLOW_UP_3 = "follow_up_3", _("Three months after the end")
    FOLLOW_UP_6 = "follow_up_6", _("Six months after the end")


class Audience(models.TextChoices):
    BOTH = "both", _("Mentors and mentees")
    MENTOR = "mentor", _("Mentors only")
    MENTEE = "mentee", _("Mentees only")


class SurveyState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class QuestionKind(models.TextChoices):
    LIKERT = "likert", _("Agreement scale, 1 to 5")
    SCALE = "scale", _("0 to 10 scale (how likely to recommend)")
    SINGLE = "single", _("Choose one")
    MULTIPLE = "multiple", _("Choose any")
    TEXT = "text", _("Free text")
    RETROSPECTIVE = "retrospective", _("Retrospective: before and now, 1 to 5")


# The numeric kinds and their ranges; the database checks the same ranges on Answer.
SCALE_RANGES: dict[str, tuple[int, int]] = {
    QuestionKind.LIKERT: (1, 5),
    QuestionKind.SCALE: (0, 10),
    QuestionKind.RETROSPECTIVE: (1, 5),
}

DEFAULT_LIKERT_LABELS = [
    _("Strongly disagree"),
    _("Disagree"),
    _("Neither agree nor disagree"),
    _("Agree"),
    _("Strongly agree"),
]


class Survey(models.Model):
    programme = models.ForeignKey(
        "programmes.Programme", on_delete=models.CASCADE, related_name="surveys"
    )
    title = models.CharField(_("title"), max_length=150)
    intro = models.TextField(
        _("introduction"),
        blank=True,
        help_text=_("Shown above the questions: why you ask and how answers are used."),
    )
    timing = models.CharField(_("when it is due"), max_length=20, choices=Timing.choices)
    audience = models.CharField(
        _("who answers"), max_length=10, choices=Audience.choices, default=Audience.BOTH
    )
    is_anonymous = models.BooleanField(
        _("anonymous"),
        default=True,
        help_text=_(
            "Nobody, including the programme team, can see who gave an anonymous answer. "
            "Start and end answers are still paired so change can be measured."
        ),
    )
    state = models.CharField(max_length=10, choices=SurveyState.choices, default=SurveyState.DRAFT)
    # The library template it was made from, if any (see upward/surveys/library.py).
    template_key = models.SlugField(max_length=60, blank=True)
    created_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # Set when the team sent the survey now ("Send it now"): it is due from that day, whatever
    # its usual window (see selectors.survey_window_of).
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["programme", "created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(timing__in=Timing.values), name="survey_timing_valid"
            ),
            models.CheckConstraint(
                condition=Q(audience__in=Audience.values),
                name="survey_audience_valid",
            ),
            models.CheckConstraint(
                condition=Q(state__in=SurveyState.values), name="survey_state_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_editable(self) -> bool:
        # Questions freeze once anyone can answer, so every answer matches what was asked.
        return self.state == SurveyState.DRAFT

    def asks(self, role: str) -> bool:
        return self.audience in (Audience.BOTH, role)


class Question(models.Model):
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveSmallIntegerField(default=0)
    item_key = models.SlugField(
        _("item key"),
        max_length=60,
        blank=True,
        help_text=_(
            "Give the same key to the same question in the start and end surveys so answers "
            "can be compared, e.g. confidence-race."
        ),
    )
    text = models.CharField(_("question"), max_length=300)
    help_text = models.CharField(_("hint"), max_length=300, blank=True)
    kind = models.CharField(_("answer type"), max_length=20, choices=QuestionKind.choices)
    # Five labels for a Likert scale, lowest first.
    labels = models.JSONField(default=list, blank=True)
    choices = models.JSONField(default=list, blank=True)
    required = models.BooleanField(_("required"), default=True)

    class Meta:
        ordering = ["survey", "position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=QuestionKind.values),
                name="survey_question_kind_valid",
            ),
            models.UniqueConstraint(
                fields=["survey", "item_key"],
                condition=~Q(item_key=""),
                name="survey_item_key_unique",
            ),
        ]

    def __str__(self) -> str:
        return self.text

    @property
    def is_numeric(self) -> bool:
        return self.kind in SCALE_RANGES

    def scale_labels(self) -> list[str]:
        if self.kind == QuestionKind.SCALE:
            return []
        labels = [str(label) for label in (self.labels or [])]
        return labels if len(labels) == 5 else [str(label) for label in DEFAULT_LIKERT_LABELS]


class Submission(models.Model):
    """Who has answered a survey, once per occasion. Holds no link to the answers.

    `occasion` is "" for a one-off survey and "meeting-<id>" for feedback after a session.
    """

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="submissions")
    person = models.ForeignKey(
        "organisations.Person", on_delete=models.CASCADE, related_name="survey_submissions"
    )
    occasion = models.CharField(max_length=40, blank=True)
    submitted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["survey", "submitted_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "person", "occasion"], name="survey_one_submission"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} answered {self.survey_id}"


class Response(models.Model):
    """One set of answers. See the module docstring for why it has no timestamp and a UUID key."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="responses")
    is_anonymous = models.BooleanField()
    # Only for identified surveys; always empty for anonymous ones (checked below).
    person = models.ForeignKey(
        "organisations.Person",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Anonymous surveys that pair (services.PAIRED_TIMINGS): keyed by SURVEY_PSEUDONYM_SECRET and
    # the organisation's salt; other anonymous surveys: random; named: the "identified:" namespace.
    pseudonym = models.CharField(max_length=64)
    # Identified: the occasion itself. Anonymous: always empty, so a session's mentor and mentee
    # answers cannot be tied to that meeting (or to each other). Rows written before issue 15
    # held a keyed hash here; the migration that re-keyed pseudonyms (0003) emptied it.
    occasion_key = models.CharField(max_length=64, blank=True)
    # Coarse attributes for breakdowns; shown only through small-group suppression.
    role = models.CharField(max_length=10)
    department = models.ForeignKey(
        "organisations.Department",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Lived-experience topic ids the person consented to share on their application.
    groups = models.JSONField(default=list, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "pseudonym", "occasion_key"], name="survey_one_response"
            ),
            models.CheckConstraint(
                condition=Q(is_anonymous=False) | Q(person__isnull=True),
                name="survey_anonymous_has_no_person",
            ),
            models.CheckConstraint(
                condition=Q(role__in=["mentor", "mentee"]), name="survey_response_role_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"Response to {self.survey_id}"


class Answer(models.Model):
    encryption_organisation = "response.survey.programme.organisation_id"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers")
    number = models.SmallIntegerField(null=True, blank=True)
    # The "before" half of a retrospective question.
    number_before = models.SmallIntegerField(null=True, blank=True)
    choices = models.JSONField(default=list, blank=True)
    text = EncryptedTextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["response", "question"], name="survey_one_answer"),
            models.CheckConstraint(
                condition=Q(number__isnull=True) | Q(number__gte=0, number__lte=10),
                name="survey_answer_number_range",
            ),
            models.CheckConstraint(
                condition=Q(number_before__isnull=True)
                | Q(number_before__gte=1, number_before__lte=5),
                name="survey_answer_before_range",
            ),
        ]

    def __str__(self) -> str:
        return f"Answer to {self.question_id}"


class SuccessMeasure(models.Model):
    """The survey item that measures the programme's objective (its start/end change)."""

    programme = models.OneToOneField(
        "programmes.Programme", on_delete=models.CASCADE, related_name="success_measure"
    )
    item_key = models.SlugField(max_length=60)
    set_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    set_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return self.item_key


class PseudonymSalt(models.Model):
    """A random salt per organisation for anonymous survey pseudonyms (see pseudonyms.py).

    With SURVEY_PSEUDONYM_SECRET it keys the pseudonyms; on its own (in a database copy) it is
    useless. Made on first use; never shown or exported.
    """

    organisation = models.OneToOneField(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    salt = models.CharField(max_length=64)

    def __str__(self) -> str:
        return f"Pseudonym salt of {self.organisation_id}"


class PendingResponse(models.Model):
    """An anonymous answer waiting to be written to Response/Answer in a shuffled batch.

    No timestamp, a random key and an encrypted payload (JSON: pseudonym, coarse groups and the
    cleaned answers), and the rows of a survey are rewritten in random order on every new one,
    so neither their content nor their physical order lines them up with a Submission.
    See services.write_pending_answers.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="+")
    # Sealed with a key from SURVEY_PSEUDONYM_SECRET, not the organisation's key (surveys/fields.py).
    payload = SealedTextField()

    def __str__(self) -> str:
        return f"Answers waiting for {self.survey_id}"
