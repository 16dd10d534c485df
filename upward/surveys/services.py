"""Writes: building surveys, answering them, the success measure and reminders."""

from __future__ import annotations

import datetime as dt
import json
import secrets
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from upward.consent import selectors as consent_selectors
from upward.core.audit import record
from upward.core.errors import Conflict, DomainError
from upward.core.types import Actor
from upward.notifications.services import notify
from upward.organisations.models import Department, Person, Topic
from upward.programmes.models import Programme
from upward.recruitment.models import Application
from upward.surveys import library, selectors
from upward.surveys.models import (
    SCALE_RANGES,
    Answer,
    Audience,
    PendingResponse,
    Question,
    QuestionKind,
    Response,
    Submission,
    SuccessMeasure,
    Survey,
    SurveyState,
    Timing,
)
from upward.surveys.pseudonyms import pseudonym, random_pseudonym

MAX_CHOICES = 20
MAX_TEXT = 2000


class SurveyError(DomainError):
    pass


# ---------------------------------------------------------------- building


def _check_programme(programme: Programme) -> None:
    if programme.state == "archived":
        raise SurveyError(_("This programme is archived; its surveys can no longer change."))


def _check_editable(survey: Survey) -> None:
    if not survey.is_editable:
        raise SurveyError(
            _(
                "The survey is open or closed, so its questions are fixed: every answer must match "
                "the question people saw. Make a new survey to ask something else."
            )
        )


def _check_settings(timing: str, audience: str) -> None:
    if timing not in Timing.values:
        raise SurveyError(_("Choose when the survey is due."), field="timing")
    if audience not in Audience.values:
        raise SurveyError(_("Choose who answers the survey."), field="audience")


@transaction.atomic
def create_survey(
    programme: Programme,
    *,
    title: str,
    timing: str,
    audience: str,
    is_anonymous: bool,
    intro: str = "",
    template_key: str = "",
    by: Actor,
) -> Survey:
    _check_programme(programme)
    _check_settings(timing, audience)
    if not title.strip():
        raise SurveyError(_("Give the survey a title."), field="title")
    survey = Survey.objects.create(
        programme=programme,
        title=title.strip(),
        intro=intro.strip(),
        timing=timing,
        audience=audience,
        is_anonymous=is_anonymous,
        template_key=template_key,
        created_by=by if getattr(by, "is_authenticated", False) else None,
    )
    record("survey.created", survey, by=by, organisation=programme.organisation)
    return survey


@transaction.atomic
def create_survey_from_template(programme: Programme, *, template_key: str, by: Actor) -> Survey:
    template = library.get_template(template_key)
    if template is None:
        raise SurveyError(_("Choose one of the ready-made surveys."), field="template")
    survey = create_survey(
        programme,
        title=str(template.title),
        intro=str(template.intro),
        timing=template.timing,
        audience=template.audience,
        is_anonymous=template.is_anonymous,
        template_key=template.key,
        by=by,
    )
    for position, item in enumerate(template.items, start=1):
        Question.objects.create(
            survey=survey,
            position=position,
            item_key=item.key,
            text=str(item.text),
            help_text=str(item.help_text),
            kind=item.kind,
            choices=[str(c) for c in item.choices],
            required=item.required,
        )
    return survey


@transaction.atomic
def update_survey(
    survey: Survey,
    *,
    title: str,
    timing: str,
    audience: str,
    is_anonymous: bool,
    intro: str = "",
    by: Actor,
) -> Survey:
    _check_editable(survey)
    _check_settings(timing, audience)
    if not title.strip():
        raise SurveyError(_("Give the survey a title."), field="title")
    survey.title, survey.intro = title.strip(), intro.strip()
    survey.timing, survey.audience, survey.is_anonymous = timing, audience, is_anonymous
    survey.save(update_fields=["title", "intro", "timing", "audience", "is_anonymous"])
    record("survey.updated", survey, by=by, organisation=survey.programme.organisation)
    return survey


def _clean_question(
    survey: Survey,
    *,
    text: str,
    kind: str,
    item_key: str,
    labels: list[str] | None,
    choices: list[str] | None,
    exclude_pk: int | None = None,
) -> tuple[str, str, list[str], list[str]]:
    if kind not in QuestionKind.values:
        raise SurveyError(_("Choose an answer type."), field="kind")
    text = text.strip()
    if not text:
        raise SurveyError(_("Write the question."), field="text")
    key = slugify(item_key.strip())[:60] if item_key else ""
    others = survey.questions.filter(item_key=key)
    if exclude_pk is not None:
        others = others.exclude(pk=exclude_pk)
    if key and others.exists():
        raise SurveyError(
            _("Another question in this survey already uses the item key “%(key)s”.")
            % {"key": key},
            field="item_key",
        )
    clean_choices: list[str] = []
    if kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
        for choice in choices or []:
            choice = choice.strip()
            if choice and choice not in clean_choices:
                clean_choices.append(choice[:200])
        if len(clean_choices) < 2:
            raise SurveyError(_("Give at least two options, one per line."), field="choices")
        if len(clean_choices) > MAX_CHOICES:
            raise SurveyError(
                _("Give at most %(n)s options.") % {"n": MAX_CHOICES}, field="choices"
            )
    clean_labels: list[str] = []
    if kind in (QuestionKind.LIKERT, QuestionKind.RETROSPECTIVE):
        clean_labels = [label.strip()[:60] for label in (labels or []) if label.strip()]
        if clean_labels and len(clean_labels) != 5:
            raise SurveyError(
                _("Give five labels, lowest first, or leave them empty for the usual ones."),
                field="labels",
            )
    return text, key, clean_choices, clean_labels


@transaction.atomic
def add_question(
    survey: Survey,
    *,
    text: str,
    kind: str,
    item_key: str = "",
    help_text: str = "",
    labels: list[str] | None = None,
    choices: list[str] | None = None,
    required: bool = True,
    by: Actor,
) -> Question:
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    _check_editable(survey)
    text, key, clean_choices, clean_labels = _clean_question(
        survey, text=text, kind=kind, item_key=item_key, labels=labels, choices=choices
    )
    last = survey.questions.aggregate(m=Max("position"))["m"] or 0
    question = Question.objects.create(
        survey=survey,
        position=last + 1,
        item_key=key,
        text=text,
        help_text=help_text.strip(),
        kind=kind,
        labels=clean_labels,
        choices=clean_choices,
        required=required,
    )
    record(
        "survey.question_added",
        question,
        by=by,
        organisation=survey.programme.organisation,
        data={"survey": survey.pk},
    )
    return question


@transaction.atomic
def update_question(
    question: Question,
    *,
    text: str,
    kind: str,
    item_key: str = "",
    help_text: str = "",
    labels: list[str] | None = None,
    choices: list[str] | None = None,
    required: bool = True,
    by: Actor,
) -> Question:
    survey = question.survey
    _check_editable(survey)
    text, key, clean_choices, clean_labels = _clean_question(
        survey,
        text=text,
        kind=kind,
        item_key=item_key,
        labels=labels,
        choices=choices,
        exclude_pk=question.pk,
    )
    question.text, question.item_key, question.kind = text, key, kind
    question.help_text, question.required = help_text.strip(), required
    question.labels, question.choices = clean_labels, clean_choices
    question.save()
    record("survey.question_updated", question, by=by, organisation=survey.programme.organisation)
    return question


@transaction.atomic
def delete_question(question: Question, *, by: Actor) -> None:
    survey = question.survey
    _check_editable(survey)
    record("survey.question_deleted", question, by=by, organisation=survey.programme.organisation)
    question.delete()


@transaction.atomic
def move_question(question: Question, *, direction: str, by: Actor) -> None:
    survey = question.survey
    _check_editable(survey)
    siblings = list(survey.questions.order_by("position", "pk"))
    index = next(i for i, q in enumerate(siblings) if q.pk == question.pk)
    other = index - 1 if direction == "up" else index + 1 if direction == "down" else -1
    if not 0 <= other < len(siblings):
        raise SurveyError(_("The question cannot move further that way."))
    siblings[index], siblings[other] = siblings[other], siblings[index]
    for position, q in enumerate(siblings, start=1):
        if q.position != position:
            q.position = position
            q.save(update_fields=["position"])


@transaction.atomic
def open_survey(survey: Survey, *, by: Actor) -> Survey:
    survey = Survey.objects.select_for_update().select_related("programme").get(pk=survey.pk)
    _check_programme(survey.programme)
    if survey.state != SurveyState.DRAFT:
        raise SurveyError(_("Only a draft survey can be opened."))
    if not survey.questions.exists():
        raise SurveyError(_("Add at least one question before opening the survey."))
    survey.state, survey.opened_at = SurveyState.OPEN, timezone.now()
    survey.save(update_fields=["state", "opened_at"])
    record("survey.opened", survey, by=by, organisation=survey.programme.organisation)
    return survey


@transaction.atomic
def close_survey(survey: Survey, *, by: Actor) -> Survey:
    survey = Survey.objects.select_for_update().select_related("programme").get(pk=survey.pk)
    if survey.state != SurveyState.OPEN:
        raise SurveyError(_("Only an open survey can be closed."))
    survey.state, survey.closed_at = SurveyState.CLOSED, timezone.now()
    survey.save(update_fields=["state", "closed_at"])
    # Nobody else can answer, so the answers still waiting are written now, shuffled.
    write_pending_answers(survey, everything=True)
    record("survey.closed", survey, by=by, organisation=survey.programme.organisation)
    return survey


@transaction.atomic
def delete_survey(survey: Survey, *, by: Actor) -> None:
    if survey.submissions.exists():
        raise SurveyError(
            _("People have answered this survey, so it is kept with its answers. Close it instead.")
        )
    record(
        "survey.deleted",
        survey,
        by=by,
        organisation=survey.programme.organisation,
        data={"title": survey.title},
    )
    survey.delete()


# ---------------------------------------------------------------- answering


def _number(question: Question, raw: Any, *, field: str, low: int, high: int) -> int | None:
    if raw in (None, ""):
        return None
    try:
        value = int(str(raw))
    except (TypeError, ValueError):
        value = None
    if value is None or not low <= value <= high:
        raise SurveyError(
            _("Choose a whole number from %(low)s to %(high)s.") % {"low": low, "high": high},
            field=field,
        )
    return value


def clean_answers(questions: list[Question], raw: dict[int, Any]) -> dict[int, dict[str, Any]]:
    """Check raw answers (question id → value) against the questions; SurveyError names the
    field ("q<id>") of the first problem. Retrospective answers are (before, now) pairs."""
    cleaned: dict[int, dict[str, Any]] = {}
    for q in questions:
        field = f"q{q.pk}"
        value = raw.get(q.pk)
        answer: dict[str, Any] = {}
        if q.kind in (QuestionKind.LIKERT, QuestionKind.SCALE):
            low, high = SCALE_RANGES[q.kind]
            number = _number(q, value, field=field, low=low, high=high)
            if number is not None:
                answer = {"number": number}
        elif q.kind == QuestionKind.RETROSPECTIVE:
            before, now = value if isinstance(value, (tuple, list)) else (None, None)
            before = _number(q, before, field=field, low=1, high=5)
            now = _number(q, now, field=field, low=1, high=5)
            if (before is None) != (now is None):
                raise SurveyError(_("Answer both “before” and “now”, or neither."), field=field)
            if before is not None:
                answer = {"number_before": before, "number": now}
        elif q.kind == QuestionKind.SINGLE:
            if value not in (None, ""):
                if value not in q.choices:
                    raise SurveyError(_("Choose one of the options given."), field=field)
                answer = {"choices": [value]}
        elif q.kind == QuestionKind.MULTIPLE:
            picked = list(value or [])
            unknown = [c for c in picked if c not in q.choices]
            if unknown:
                raise SurveyError(_("Choose only from the options given."), field=field)
            if picked:
                # Kept in the question's order, so the stored list says nothing extra.
                answer = {"choices": [c for c in q.choices if c in picked]}
        elif q.kind == QuestionKind.TEXT:
            text = str(value or "").strip()
            if len(text) > MAX_TEXT:
                raise SurveyError(
                    _("Keep the answer under %(n)s characters.") % {"n": MAX_TEXT}, field=field
                )
            if text:
                answer = {"text": text}
        if not answer:
            if q.required:
                raise SurveyError(_("This question needs an answer."), field=field)
            continue
        cleaned[q.pk] = answer
    return cleaned


def _consented_groups(programme: Programme, person: Person) -> list[int | str]:
    # Special-category groups (lived-experience topic ids and "<category>:<code>" answers from
    # "About you", coarse by design) only where the programme reports on them and the person
    # consents to reporting now (upward.consent).
    if not programme.special_category_reporting:
        return []
    return _organisation_groups(
        programme, consent_selectors.reporting_groups_for([person.pk]).get(person.pk, [])
    )


def _organisation_groups(programme: Programme, groups: list[int | str]) -> list[int | str]:
    """Drop topic ids that are not this organisation's lived-experience topics."""
    topic_ids = [g for g in groups if isinstance(g, int)]
    if not topic_ids:
        return groups
    known = set(
        Topic.objects.filter(
            pk__in=topic_ids, organisation_id=programme.organisation_id, kind=Topic.Kind.EXPERIENCE
        ).values_list("pk", flat=True)
    )
    return [g for g in groups if not isinstance(g, int) or g in known]


# Surveys whose agreement answers are paired with the start ones (selectors.COMPARISONS): only
# these need a pseudonym that is the same for a person across surveys.
PAIRED_TIMINGS = frozenset({Timing.START, Timing.END, Timing.FOLLOW_UP_3, Timing.FOLLOW_UP_6})


def _min_group() -> int:
    return int(settings.UPWARD_MIN_GROUP_SIZE)


def _waiting_groups(survey: Survey, person: Person) -> list[int | str]:
    """The special-category groups an anonymous answer may carry while it waits: those the
    person consents to report, and only on surveys whose rows carry the person's keyed
    pseudonym (PAIRED_TIMINGS), since withdrawing consent must strip them at once
    (surveys/consent.py) and a row with a random pseudonym could never be found again. Which of
    them (and the department) a written row keeps is decided against who answered, in `_write`."""
    if survey.timing not in PAIRED_TIMINGS:
        return []
    return _consented_groups(survey.programme, person)


def _shuffled(items: list[Any]) -> list[Any]:
    items = list(items)
    secrets.SystemRandom().shuffle(items)
    return items


def _hold(survey: Survey, payload: dict[str, Any]) -> None:
    """Add an anonymous answer to the survey's waiting answers. All of them are rewritten in a
    random order with fresh keys (and freshly encrypted, so the tokens' own timestamps are all
    the same), so no row says when it arrived."""
    waiting = [row.payload for row in PendingResponse.objects.filter(survey=survey)]
    waiting.append(json.dumps(payload, sort_keys=True))
    PendingResponse.objects.filter(survey=survey).delete()
    PendingResponse.objects.bulk_create(
        PendingResponse(survey=survey, payload=text) for text in _shuffled(waiting)
    )


@dataclass(frozen=True)
class _Answerers:
    """Who has answered a survey, counted the way an attacker holding the database could: by
    role and department (from Submission, Person and Application) and by consented group."""

    by_role_department: dict[tuple[str, int], int]
    by_group: dict[int | str, int]


def _answerers(survey: Survey) -> _Answerers:
    people = dict(
        Submission.objects.filter(survey=survey)
        .values_list("person_id", "person__department_id")
        .distinct()
    )
    roles = dict(
        Application.objects.filter(
            programme_id=survey.programme_id,
            person_id__in=list(people),
            status=Application.Status.ACCEPTED,
        ).values_list("person_id", "role")
    )
    by_role_department: dict[tuple[str, int], int] = {}
    for person_id, department_id in people.items():
        if department_id and person_id in roles:
            key = (str(roles[person_id]), int(department_id))
            by_role_department[key] = by_role_department.get(key, 0) + 1
    by_group: dict[int | str, int] = {}
    if survey.programme.special_category_reporting:
        for groups in consent_selectors.reporting_groups_for(list(people)).values():
            for group in groups:
                by_group[group] = by_group.get(group, 0) + 1
    return _Answerers(by_role_department, by_group)


def _write(survey: Survey, payloads: list[dict[str, Any]]) -> None:
    responses: list[Response] = []
    answers: list[Answer] = []
    # A department deleted while the answer waited is "Not stated", as on a written row.
    departments = set(
        Department.objects.filter(
            pk__in={item["department"] for item in payloads if item["department"]}
        ).values_list("pk", flat=True)
    )
    # A row keeps its department only when at least the group threshold of people of its role
    # and department have answered this survey, and a group only when at least the special
    # threshold of answerers share it: otherwise someone comparing the rows with who answered
    # (Submissions are not secret) could narrow a row down to fewer people than a report may
    # show. Answerers only grow, so a kept attribute never becomes identifying later.
    answerers = _answerers(survey)
    min_group = _min_group()
    special = int(settings.UPWARD_SPECIAL_CATEGORY_MIN_GROUP_SIZE)
    for item in payloads:
        department = item["department"]
        if (
            department not in departments
            or answerers.by_role_department.get((item["role"], department), 0) < min_group
        ):
            item["department"] = None
        item["groups"] = [g for g in item["groups"] if answerers.by_group.get(g, 0) >= special]
    for item in _shuffled(payloads):
        response = Response(
            survey=survey,
            is_anonymous=True,
            person=None,
            pseudonym=item["pseudonym"],
            occasion_key="",
            role=item["role"],
            department_id=item["department"] if item["department"] in departments else None,
            groups=item["groups"],
        )
        responses.append(response)
        answers.extend(
            Answer(response=response, question_id=int(question_id), **values)
            for question_id, values in item["answers"]
        )
    Response.objects.bulk_create(responses)
    Answer.objects.bulk_create(answers)


@transaction.atomic
def write_pending_answers(survey: Survey, *, everything: bool = False) -> int:
    """Write waiting anonymous answers to Response/Answer, shuffled; returns how many.

    While the survey is open, a batch is written only once at least twice the group threshold
    (T) are waiting, and then a random T of them: the batch is exactly T, who is in it is
    uncertain, and T or more always stay behind. `everything` (the survey closed or its window
    ended) writes all that wait, so the last batch is never smaller than T unless fewer than T
    answered in all, and then every figure from them is held back anyway (docs/surveys-and-
    outcomes.md, "The last batch").
    """
    rows = list(PendingResponse.objects.select_for_update().filter(survey=survey))
    threshold = _min_group()
    if everything:
        chosen = rows
    elif len(rows) >= 2 * threshold:
        chosen = secrets.SystemRandom().sample(rows, threshold)
    else:
        return 0
    if not chosen:
        return 0
    _write(survey, [json.loads(row.payload) for row in chosen])
    PendingResponse.objects.filter(pk__in=[row.pk for row in chosen]).delete()
    return len(chosen)


def _anonymous_pseudonym(survey: Survey, person: Person) -> str:
    if survey.timing in PAIRED_TIMINGS:
        return pseudonym(person_id=person.pk, programme_id=survey.programme_id, anonymous=True)
    # Nothing pairs with it: a random one, so a person's answers to one survey (session after
    # session) or to several cannot be grouped and matched against their Submissions.
    return random_pseudonym()


@transaction.atomic
def submit_response(
    due: selectors.DueSurvey, *, person: Person, answers: dict[int, Any]
) -> Submission:
    """Record the person's answers once.

    Named answers are written at once. Anonymous ones are only recorded as answered (the
    Submission that stops a second answer); the answers themselves wait, encrypted, and are
    written later in shuffled batches (write_pending_answers), without the person, a time or
    the occasion."""
    survey = (
        Survey.objects.select_for_update()
        .select_related("programme__organisation")
        .get(pk=due.survey.pk)
    )
    if survey.state != SurveyState.OPEN:
        raise Conflict(_("This survey has closed."))
    if due.person_id != person.pk:
        raise SurveyError(_("This survey is not yours to answer."))
    questions = list(survey.questions.order_by("position", "pk"))
    if survey.asks(due.role) is False:
        raise SurveyError(_("This survey is not for your role."))
    cleaned = clean_answers(questions, answers)
    try:
        with transaction.atomic():
            submission = Submission.objects.create(
                survey=survey, person=person, occasion=due.occasion
            )
    except IntegrityError as exc:
        raise Conflict(_("You have already answered this survey.")) from exc
    if survey.is_anonymous:
        _hold(
            survey,
            {
                "pseudonym": _anonymous_pseudonym(survey, person),
                "role": due.role,
                "department": person.department_id,
                "groups": _waiting_groups(survey, person),
                "answers": sorted(cleaned.items()),
            },
        )
        write_pending_answers(survey)
    else:
        response = Response.objects.create(
            survey=survey,
            is_anonymous=False,
            person=person,
            pseudonym=pseudonym(
                person_id=person.pk, programme_id=survey.programme_id, anonymous=False
            ),
            occasion_key=due.occasion,
            role=due.role,
            department_id=person.department_id,
            # Never beside a name: people consent to being counted in *anonymous* reports,
            # so a named survey keeps no special-category groups.
            groups=[],
        )
        Answer.objects.bulk_create(
            Answer(response=response, question_id=question_id, **values)
            for question_id, values in cleaned.items()
        )
    # The audit entry names the Submission, never the Response.
    record(
        "survey.answered",
        submission,
        by=person.user,
        organisation=survey.programme.organisation,
        data={"survey": survey.pk},
    )
    return submission


def _window_ended(survey: Survey, today: dt.date) -> bool:
    programme = survey.programme
    window = selectors.survey_window_of(survey, programme)
    if window is not None:
        return today > window[1]
    if programme.state not in ("completed", "archived"):
        return False
    return today > programme.end_date + dt.timedelta(days=selectors.SESSION_WINDOW_DAYS)


def write_finished_surveys(
    *, now: dt.datetime | None = None, dry_run: bool = False
) -> dict[str, int]:
    """Write the last waiting answers of surveys that are closed or whose window has ended (the
    scheduled job; closing a survey writes them at once). Feedback after each session has no
    window of its own: it ends when the programme has ended and its last session's feedback
    window (SESSION_WINDOW_DAYS) has passed, or when the survey closes."""
    today = timezone.localdate(now or timezone.now())
    counts = {"surveys": 0, "written": 0}
    waiting = (
        Survey.objects.filter(pk__in=PendingResponse.objects.values("survey_id"))
        .select_related("programme")
        .order_by("pk")
    )
    for survey in waiting:
        if survey.state != SurveyState.CLOSED and not _window_ended(survey, today):
            continue
        counts["surveys"] += 1
        if dry_run:
            counts["written"] += PendingResponse.objects.filter(survey=survey).count()
        else:
            counts["written"] += write_pending_answers(survey, everything=True)
    return counts


# ---------------------------------------------------------------- outcomes


@transaction.atomic
def set_success_measure(programme: Programme, *, item_key: str, by: Actor) -> SuccessMeasure | None:
    """Tie the programme's success measure to an item asked at the start ("" clears it)."""
    if not item_key:
        SuccessMeasure.objects.filter(programme=programme).delete()
        record("survey.success_measure_cleared", programme, by=by)
        return None
    if item_key not in dict(selectors.measurable_items(programme)):
        raise SurveyError(
            _("Choose an agreement question that is asked in a start survey."), field="item_key"
        )
    measure, _created = SuccessMeasure.objects.update_or_create(
        programme=programme,
        defaults={
            "item_key": item_key,
            "set_by": by if getattr(by, "is_authenticated", False) else None,
        },
    )
    record("survey.success_measure_set", programme, by=by, data={"item_key": item_key})
    return measure


# ---------------------------------------------------------------- reminders


@dataclass(frozen=True)
class SendResult:
    survey: Survey
    asked: int  # people in the audience who have not answered
    notified: int  # notices created now (nobody is told twice)
    first_time: bool  # False when the survey had already been sent now


def _answer_path(survey: Survey, occasion: str = "") -> str:
    if occasion:
        return reverse("surveys:answer_occasion", args=[survey.pk, occasion])
    return reverse("surveys:answer", args=[survey.pk])


def _due_key(survey: Survey, person: Person, occasion: str = "") -> str:
    # One key for the daily reminder and for "send it now", so nobody is told twice.
    key = f"survey_due:{survey.pk}:{person.pk}"
    return f"{key}:{occasion}" if occasion else key


@transaction.atomic
def send_survey_now(survey: Survey, *, by: Actor, now: dt.datetime | None = None) -> SendResult:
    """Make the survey due today for its whole audience and tell everyone who has not answered.

    A draft is opened first. Sending again is harmless: the day it was first sent stays, and
    notify()'s dedupe key (shared with the daily reminder) tells nobody twice.
    """
    now = now or timezone.now()
    survey = (
        Survey.objects.select_for_update()
        .select_related("programme__organisation")
        .get(pk=survey.pk)
    )
    programme = survey.programme
    _check_programme(programme)
    if survey.timing == Timing.AFTER_SESSION:
        raise SurveyError(
            _(
                "Feedback after each session is asked after every meeting a pair holds, so it "
                "cannot be sent to everyone at once."
            )
        )
    if survey.state == SurveyState.CLOSED:
        raise SurveyError(_("This survey is closed, so it cannot be sent."))
    if programme.state == "draft":
        # Participants see surveys of programmes past their draft (selectors._participants).
        raise SurveyError(_("The programme is still a draft, so nobody takes part in it yet."))
    audience = list(selectors.survey_audience(survey))
    if not audience:
        raise SurveyError(_("Nobody would be asked: no accepted participant is in its audience."))
    first_time = survey.sent_at is None
    if survey.state == SurveyState.DRAFT:
        if not survey.questions.exists():
            raise SurveyError(_("Add at least one question before sending the survey."))
        survey.state, survey.opened_at = SurveyState.OPEN, now
        record("survey.opened", survey, by=by, organisation=programme.organisation)
    if first_time:
        survey.sent_at = now
    survey.save(update_fields=["state", "opened_at", "sent_at"])
    answered = set(
        Submission.objects.filter(survey=survey, occasion="").values_list("person_id", flat=True)
    )
    waiting = [p for p in audience if p.pk not in answered]
    notified = 0
    path = _answer_path(survey)
    for person in waiting:
        if _notify(person, survey=survey, url=path, dedupe_key=_due_key(survey, person)):
            notified += 1
    record(
        "survey.sent_now" if first_time else "survey.sent_again",
        survey,
        by=by,
        organisation=programme.organisation,
        data={"asked": len(waiting), "notified": notified},
    )
    return SendResult(survey=survey, asked=len(waiting), notified=notified, first_time=first_time)


def _notify(person: Person, *, survey: Survey, url: str, dedupe_key: str) -> bool:
    sent = notify(
        person,
        kind="survey_due",
        subject=_("A survey is waiting for you"),
        template="surveys/email/survey_due.txt",
        context={"person": person, "survey": survey, "programme": survey.programme},
        url=url,
        dedupe_key=dedupe_key,
    )
    return sent is not None


def send_survey_reminders(
    *, now: dt.datetime | None = None, dry_run: bool = False
) -> dict[str, int]:
    """Tell everyone with an unanswered survey open today, once per survey and occasion.

    Safe to run as often as you like: notify() refuses a second notice with the same key. The
    notice names the survey and links to it; it never contains answers. `dry_run` counts what
    is due without sending (for `run_scheduled --dry-run`).
    """
    now = now or timezone.now()
    due = selectors.all_due(today=timezone.localdate(now))
    counts = {"due": len(due), "sent": 0}
    if not due or dry_run:
        return counts
    people = Person.objects.in_bulk({d.person_id for d in due})
    for item in due:
        person = people.get(item.person_id)
        if person is None or not person.is_active:
            continue
        path = _answer_path(item.survey, item.occasion)
        key = _due_key(item.survey, person, item.occasion)
        if _notify(person, survey=item.survey, url=path, dedupe_key=key):
            counts["sent"] += 1
    return counts
