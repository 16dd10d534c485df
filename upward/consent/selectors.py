"""Reading special-category data and consent. Callers get data only with consent."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import Max, QuerySet
from django_stubs_ext import StrOrPromise

from upward.consent.categories import (
    BY_KEY,
    CATEGORIES,
    LIVED_EXPERIENCE,
    LIVED_EXPERIENCE_LABEL,
    PREFER_NOT,
    Category,
)
from upward.consent.models import AboutYou, ConsentEvent
from upward.consent.purposes import PARTICIPATION_VERSIONS, Purpose, Wording, wording
from upward.organisations.models import Person, Topic


def about_you(person: Person) -> AboutYou | None:
    return AboutYou.objects.filter(person=person).first()


def current_consent(person_id: int, purpose: str) -> ConsentEvent | None:
    """The person's latest answer for the purpose, or None if never asked."""
    return ConsentEvent.objects.filter(person_id=person_id, purpose=purpose).order_by("-id").first()


def has_consent(person_id: int, purpose: str) -> bool:
    event = current_consent(person_id, purpose)
    return bool(event and event.granted)


def consenting(person_ids: Iterable[int], purpose: str) -> set[int]:
    """Of these people, those whose latest answer for the purpose is a grant (one query)."""
    ids = set(person_ids)
    if not ids:
        return set()
    latest = (
        ConsentEvent.objects.filter(person_id__in=ids, purpose=purpose)
        .values("person_id")
        .annotate(last=Max("id"))
        .values_list("last", flat=True)
    )
    # Events are appended in time order, so the highest id is the latest.
    return set(
        ConsentEvent.objects.filter(pk__in=latest, granted=True).values_list("person_id", flat=True)
    )


def lived_experience_for(person_ids: Iterable[int], purpose: str) -> dict[int, list[int]]:
    """Lived-experience topic ids of the people who consent to `purpose`; nobody else."""
    allowed = consenting(person_ids, purpose)
    if not allowed:
        return {}
    found: dict[int, list[int]] = {}
    for about in AboutYou.objects.filter(person_id__in=allowed):
        ids = about.lived_topic_ids()
        if ids:
            found[about.person_id] = ids
    return found


def reporting_groups_for(person_ids: Iterable[int]) -> dict[int, list[int | str]]:
    """The groups each person may be counted in by anonymous reports, for those who consent to
    reporting now: their lived-experience topic ids (ints) and, for each "About you" question
    they answered (not "prefer not to say"), a "<category>:<code>" string. Nobody else."""
    allowed = consenting(person_ids, Purpose.REPORTING)
    if not allowed:
        return {}
    found: dict[int, list[int | str]] = {}
    for about in AboutYou.objects.filter(person_id__in=allowed):
        groups: list[int | str] = list(about.lived_topic_ids())
        for category in CATEGORIES:
            code = about.value(category.key)
            if code and code != PREFER_NOT and category.label_for(code):
                groups.append(f"{category.key}:{code}")
        if groups:
            found[about.person_id] = groups
    return found


def _among(events: QuerySet[ConsentEvent], ids: set[int]) -> QuerySet[ConsentEvent]:
    """The events of these people. On PostgreSQL the ids go as one array parameter
    (`= ANY(%s)`): thousands of ids as separate IN parameters cost more to build, send and plan
    than the query itself (the inclusion page passes every applicant of the organisation)."""
    if connection.vendor == "postgresql":
        # Unqualified: the query runs as a subquery, where Django renames the table.
        return events.extra(where=['"person_id" = ANY(%s)'], params=[sorted(ids)])
    return events.filter(person_id__in=ids)


def participation_answers_for(person_ids: Iterable[int]) -> dict[int, dict[str, Any]]:
    """For the inclusion report: each "About you" answer ({category: code}, never "prefer not
    to say"; lived experience as a tuple of topic ids under "lived_experience") of the people whose current reporting consent was given under words that cover
    counting who applied, was matched and completed (`PARTICIPATION_VERSIONS`). Nobody else:
    not those who consented only to survey reports, withdrew, or were never asked."""
    ids = set(person_ids)
    if not ids:
        return {}
    latest = (
        _among(ConsentEvent.objects.filter(purpose=Purpose.REPORTING), ids)
        .values("person_id")
        .annotate(last=Max("id"))
        .values_list("last", flat=True)
    )
    allowed = ConsentEvent.objects.filter(
        pk__in=latest, granted=True, version__in=PARTICIPATION_VERSIONS
    ).values_list("person_id", flat=True)
    found: dict[int, dict[str, Any]] = {}
    for about in AboutYou.objects.filter(person_id__in=allowed):
        answers: dict[str, Any] = {}
        for category in CATEGORIES:
            code = about.value(category.key)
            if code and code != PREFER_NOT and category.label_for(code):
                answers[category.key] = code
        topics = about.lived_topic_ids()
        if topics:
            answers[LIVED_EXPERIENCE] = tuple(topics)
        if answers:
            found[about.person_id] = answers
    return found


def experience_topic_names(organisation: Any, topic_ids: Iterable[int]) -> dict[int, str]:
    """Names of the organisation's lived-experience topics among these ids (one query)."""
    return dict(
        Topic.objects.filter(
            pk__in=list(topic_ids), organisation=organisation, kind=Topic.Kind.EXPERIENCE
        ).values_list("pk", "name")
    )


def group_label(group: str) -> StrOrPromise | None:
    """The words for a "<category>:<code>" reporting group (None when unknown)."""
    key, _sep, code = group.partition(":")
    for category in CATEGORIES:
        if category.key == key:
            return category.label_for(code) or None
    return None


def category_of(group: str) -> Category | None:
    return BY_KEY.get(group.partition(":")[0])


def lived_experience_topics(person: Person, purpose: str) -> list[Topic]:
    """The person's lived-experience topics when they consent to `purpose`, else none."""
    ids = lived_experience_for([person.pk], purpose).get(person.pk, [])
    if not ids:
        return []
    return list(
        Topic.objects.filter(
            pk__in=ids, organisation_id=person.organisation_id, kind=Topic.Kind.EXPERIENCE
        ).order_by("name")
    )


@dataclass(frozen=True)
class HistoryEntry:
    event: ConsentEvent
    wording: Wording | None

    @property
    def purpose_label(self) -> StrOrPromise:
        return Purpose(self.event.purpose).label


def history(person: Person) -> list[HistoryEntry]:
    """Every consent answer, newest first, with the words it was given under."""
    events = ConsentEvent.objects.filter(person=person).order_by("-id")
    return [HistoryEntry(e, wording(e.purpose, e.version)) for e in events]


@dataclass(frozen=True)
class SharedItem:
    label: StrOrPromise
    value: str


def shared_with_partner(person: Person) -> list[SharedItem]:
    """What the person chose to show their partner: only items they switched on and answered
    (never "prefer not to say", never an item they did not share)."""
    about = about_you(person)
    if about is None:
        return []
    shared = set(about.shared_with_partner or [])
    items: list[SharedItem] = []
    for category in CATEGORIES:
        code = about.value(category.key)
        if category.key in shared and code and code != PREFER_NOT:
            label = BY_KEY[category.key].label_for(code)
            if label:
                items.append(SharedItem(category.label, str(label)))
    if LIVED_EXPERIENCE in shared:
        names = list(
            Topic.objects.filter(
                pk__in=about.lived_topic_ids(),
                organisation_id=person.organisation_id,
                kind=Topic.Kind.EXPERIENCE,
            )
            .order_by("name")
            .values_list("name", flat=True)
        )
        if names:
            items.append(SharedItem(LIVED_EXPERIENCE_LABEL, ", ".join(names)))
    return items
