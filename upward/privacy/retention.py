"""Retention: how long each category of data is kept, per organisation, and the job that removes
what has outlived its rule (`manage.py apply_retention`, also a `run_scheduled` job).

Each category names its clock (what "N months after" counts from), its default, its range and
whether an organisation may keep it for good. The job reports counts only, never content.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from upward.core import audit
from upward.core.errors import DomainError
from upward.impact.models import Commitment, ThankYouNote
from upward.notes.models import CohortPost, MeetingNote, Message, SharedNote
from upward.notifications.models import OutboundEmail, OutboundState
from upward.organisations.models import Organisation, PeopleImport
from upward.privacy.models import RetentionRule
from upward.programmes.models import Programme, State
from upward.recruitment.models import Application, ApplicationStatus
from upward.safety.models import CheckIn, Concern, PairingExit, PulseResponse
from upward.surveys.models import Answer as SurveyAnswer
from upward.surveys.models import SurveyState

MIN_MONTHS, MAX_MONTHS = 1, 120
REMOVED = "(removed)"  # a commitment must have wording: this stands where it was


@dataclass(frozen=True)
class Category:
    key: str
    label: StrOrPromise
    clock: StrOrPromise  # what the months count from, for the settings page
    default: int | None  # None: kept unless the organisation sets a rule
    may_keep: bool  # an organisation may choose to keep it for good
    remove: Callable[[Organisation, dt.datetime, bool], int]


def months_before(moment: dt.datetime, months: int) -> dt.datetime:
    """The same day and time `months` whole months earlier (the last day of a shorter month)."""
    year, month0 = divmod(moment.year * 12 + moment.month - 1 - months, 12)
    day = min(moment.day, calendar.monthrange(year, month0 + 1)[1])
    return moment.replace(year=year, month=month0 + 1, day=day)


def _ended_programmes(organisation: Organisation, cutoff: dt.datetime) -> QuerySet[Programme]:
    """Programmes of the organisation that ended on or before the cutoff's date."""
    return (
        Programme.objects.filter(
            organisation=organisation, state__in=[State.COMPLETED, State.ARCHIVED]
        )
        .annotate(end=Coalesce("ended_on", "ends_on"))
        .filter(end__lte=cutoff.date())
    )


def _delete(queryset: QuerySet, dry_run: bool) -> int:  # type: ignore[type-arg]
    count = queryset.count()
    if not dry_run and count:
        queryset.delete()
    return count


def _blank(queryset: QuerySet, dry_run: bool, **values: object) -> int:  # type: ignore[type-arg]
    count = queryset.count()
    if not dry_run and count:
        queryset.update(**values)
    return count


def _notes(org: Organisation, cutoff: dt.datetime, dry_run: bool) -> int:
    ended = _ended_programmes(org, cutoff)
    return _delete(SharedNote.objects.filter(pairing__programme__in=ended), dry_run) + _delete(
        MeetingNote.objects.filter(meeting__pairing__programme__in=ended), dry_run
    )


def _messages(org: Organisation, cutoff: dt.datetime, dry_run: bool) -> int:
    ended = _ended_programmes(org, cutoff)
    return _delete(Message.objects.filter(pairing__programme__in=ended), dry_run) + _delete(
        CohortPost.objects.filter(programme__in=ended), dry_run
    )


def _pair_writing(org: Organisation, cutoff: dt.datetime, dry_run: bool) -> int:
    """Goals keep their status (the programme's figures), commitments theirs; their words go."""
    ended = _ended_programmes(org, cutoff)
    count = 0
    # The wording is encrypted (it cannot be filtered on): read each, seal the marker in its place.
    for commitment in Commitment.objects.filter(programme__in=ended).select_related("programme"):
        if commitment.text != REMOVED:
            count += 1
            if not dry_run:
                commitment.text = REMOVED
                commitment.save(update_fields=["text"])
    return count + _delete(ThankYouNote.objects.filter(pairing__programme__in=ended), dry_run)


def _survey_text(org: Organisation, cutoff: dt.datetime, dry_run: bool) -> int:
    answers = SurveyAnswer.objects.filter(
        response__survey__programme__organisation=org,
        response__survey__state=SurveyState.CLOSED,
        response__survey__closed_at__lte=cutoff,
    ).exclude(text="")
    return _blank(answers, dry_run, text="")


def _safety(org: Organisation, cutoff: dt.datetime, dry_run: bool) -> int:
    ended = _ended_programmes(org, cutoff)
    count = _delete(Concern.objects.filter(programme__in=ended), dry_run)
    count += _delete(CheckIn.objects.filter(programme__in=ended), dry_run)
    count += _delete(PulseResponse.objects.filter(pairing__programme__in=ended), dry_run)
    # The exit row says a pairing ended (the programme's figures); its reason goes.
    count += _blank(
        PairingExit.objects.filter(pairing__programme__in=ended).exclude(reason=""),
        dry_run,
        reason="",
    )
    return count


def _not_selected(org: Organisation, cutoff: dt.datetime, dry_run: bool) -> int:
    applications = Application.objects.filter(
        programme__organisation=org,
        status__in=[ApplicationStatus.DECLINED, ApplicationStatus.WITHDRAWN],
    ).filter(Q(programme__in=_ended_programmes(org, cutoff)) | Q(updated_at__lte=cutoff))
    return _delete(applications, dry_run)


def _imports(org: Organisation, cutoff: dt.datetime, dry_run: bool) -> int:
    return _delete(PeopleImport.objects.filter(organisation=org, created_at__lte=cutoff), dry_run)


def _outbox(org: Organisation, cutoff: dt.datetime, dry_run: bool) -> int:
    done = [OutboundState.SENT, OutboundState.GIVEN_UP, OutboundState.CANCELLED]
    emails = OutboundEmail.objects.filter(
        person__organisation=org, state__in=done, created_at__lte=cutoff
    )
    return _delete(emails, dry_run)


CATEGORIES: tuple[Category, ...] = (
    Category(
        "notes",
        _("Shared notes and private meeting notes"),
        _("months after the programme ends"),
        12,
        False,
        _notes,
    ),
    Category(
        "messages",
        _("Messages and cohort space posts"),
        _("months after the programme ends"),
        12,
        False,
        _messages,
    ),
    Category(
        "pair_writing",
        _("Commitment wording and thank-you notes"),
        _("months after the programme ends"),
        24,
        True,
        _pair_writing,
    ),
    Category(
        "survey_text",
        _("Survey free-text answers"),
        _("months after the survey closes"),
        12,
        False,
        _survey_text,
    ),
    Category(
        "safety",
        _("Safety items: concerns, check-ins, pulses and exit reasons"),
        _("months after the programme ends"),
        24,
        False,
        _safety,
    ),
    Category(
        "not_selected",
        _("Applications of people not selected (declined or withdrawn)"),
        _("months after the programme ends or the application last changed"),
        6,
        False,
        _not_selected,
    ),
    Category(
        "imports",
        _("People import files"),
        _("months after the upload"),
        1,
        False,
        _imports,
    ),
    Category(
        "outbox",
        _("Sent email bodies in the outbox"),
        _("months after the email was written"),
        3,
        False,
        _outbox,
    ),
)
BY_KEY = {category.key: category for category in CATEGORIES}


def rules_for(organisation: Organisation) -> dict[str, int | None]:
    """Each category's months for the organisation: its own rule, or the default."""
    saved = {
        rule.category: rule.months
        for rule in RetentionRule.objects.filter(organisation=organisation)
        if rule.category in BY_KEY
    }
    return {c.key: saved.get(c.key, c.default) for c in CATEGORIES}


def validate_months(category: Category, months: int | None) -> str | None:
    """Why `months` is not allowed for the category, or None."""
    if months is None:
        return None if category.may_keep else str(_("This must be removed after some months."))
    if not MIN_MONTHS <= months <= MAX_MONTHS:
        return str(
            _("Choose a whole number of months from %(min)d to %(max)d.")
            % {"min": MIN_MONTHS, "max": MAX_MONTHS}
        )
    return None


def set_rules(organisation: Organisation, months: dict[str, int | None], *, by: object) -> None:
    for key, value in months.items():
        problem = validate_months(BY_KEY[key], value) if key in BY_KEY else "unknown"
        if problem:
            raise DomainError(problem, field=key)
    with transaction.atomic():
        for key, value in months.items():
            RetentionRule.objects.update_or_create(
                organisation=organisation, category=key, defaults={"months": value}
            )
        audit.record(
            "privacy.retention_set",
            organisation,
            by=by,
            organisation=organisation,
            data={"categories": sorted(months)},
        )


def apply_retention(*, dry_run: bool = False, now: dt.datetime | None = None) -> dict[str, int]:
    """Remove, in every organisation, what has outlived its rule. Returns counts per category."""
    now = now or timezone.now()
    totals = {c.key: 0 for c in CATEGORIES}
    for organisation in Organisation.objects.order_by("pk"):
        rules = rules_for(organisation)
        for category in CATEGORIES:
            months = rules[category.key]
            if months is None:
                continue
            with transaction.atomic():
                totals[category.key] += category.remove(
                    organisation, months_before(now, months), dry_run
                )
    return totals
