"""Reads for matching and pairings.

`build_match_inputs` loads everything the engine needs in a fixed number of queries (whatever
the cohort size) and turns it into the engine's frozen profiles; the engine never sees a model.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import zoneinfo
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field, fields, replace
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from matching import Constraints, MenteeProfile, MentorProfile, Weights, default_weights
from upward.consent import selectors as consent_selectors
from upward.consent.purposes import Purpose
from upward.consent.selectors import SharedItem
from upward.organisations.models import Person, Topic
from upward.organisations.selectors import reporting_chain_ids, unavailabilities
from upward.pairing.models import (
    LIVE_STATES,
    ChoiceOption,
    ChoiceRound,
    Chooser,
    MatchingMode,
    MatchRule,
    MatchRun,
    MatchSetup,
    Pairing,
    PairingState,
)
from upward.programmes.models import Objective, Programme
from upward.recruitment.models import Application, Role

CRITERION_LABELS = {
    "topics": _("What the mentee wants to learn"),
    "reciprocity": _("What the mentor wants to learn"),
    "interests": _("Shared interests"),
    "availability": _("Shared free times"),
    "timezone": _("Working hours overlap"),
    "department": _("Different departments"),
    "objective": _("The programme's focus"),
}
CRITERION_HELP = {
    "topics": _("How well the mentor's skills cover what the mentee wants to learn."),
    "reciprocity": _("How well the mentee's skills cover what the mentor wants to learn."),
    "interests": _("Interests both people listed."),
    "availability": _("Weekly slots both people are free."),
    "timezone": _("Working hours in common, from each person's time zone."),
    "department": _("A fresh view from another part of the organisation."),
    "objective": _(
        "What the mentor brings to the programme's focus. For now this counts in inclusion "
        "programmes: lived experience a mentor agreed to share."
    ),
}
RULE_LABELS = {
    "level_gap": _("the mentor is not junior enough"),
    "same_team": _("same team"),
    "reporting_line": _("same reporting line"),
    "work_together": _("they work together"),
    "previous_partner": _("previous partners"),
    "manager_exclusion": _("excluded by the programme team"),
    "same_person": _("the same person"),
    "pinned": _("already pinned"),
    "no_free_place": _("no free place"),
}


@dataclass(frozen=True)
class MatchSettings:
    """The programme's hard rules, deadlines and matching mode, chosen on the matching page."""

    min_level_gap: int = 1
    exclude_same_team: bool = True
    capacity: int = 1  # mentees per mentor in this programme
    max_concurrent: int = 2  # live pairings per mentor across every programme
    respond_days: int = 7
    # Who decides: the programme team proposes (default), or participants rank their
    # recommendations in a choice round and the engine resolves everyone's choices together.
    matching_mode: str = MatchingMode.MANAGER.value
    who_chooses: str = "mentees"  # mentees, mentors or both
    shortlist_size: int = 5  # recommendations each chooser sees
    max_ranked: int = 3  # how many of them they may rank

    @property
    def participants_choose(self) -> bool:
        return self.matching_mode == MatchingMode.CHOICE

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> MatchSettings:
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in (data or {}).items() if k in names})


def _latest_choices(programme: Programme) -> MatchRun | MatchSetup | None:
    """The newest of the saved set-up and the latest run: the next run starts from it."""
    run = (
        programme.match_runs.order_by("-created_at", "-id")
        .only("weights", "settings", "created_at")
        .first()
    )
    setup = MatchSetup.objects.filter(programme=programme).first()
    if setup is not None and (run is None or setup.saved_at >= run.created_at):
        return setup
    return run


def weights_for(programme: Programme) -> Weights:
    """The latest saved or used weights, else the sensible defaults for the objective."""
    latest = _latest_choices(programme)
    if latest is not None and latest.weights:
        try:
            return Weights(**latest.weights)
        except (TypeError, ValueError):
            pass  # Stored by an older version: fall back to the defaults.
    return default_weights(programme.objective)


def settings_for(programme: Programme) -> MatchSettings:
    latest = _latest_choices(programme)
    return MatchSettings.from_dict(latest.settings if latest else None)


def utc_offset_hours(time_zone: str, on: dt.date) -> float:
    """The offset of `time_zone` at noon on `on` (summer time counted); 0 when unknown."""
    try:
        zone = zoneinfo.ZoneInfo(time_zone or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return 0.0
    moment = dt.datetime.combine(on, dt.time(12), tzinfo=zone)
    offset = moment.utcoffset() or dt.timedelta(0)
    return offset.total_seconds() / 3600


@dataclass(frozen=True)
class LeftOut:
    person_id: int
    role: str
    reason: str
    # A date for the reason, ISO: the last day away ("unavailable") or the day they left their
    # pairing ("left_pairing").
    on: str = ""


# Someone who ended their own pairing this recently is not proposed again by a run unless the
# programme team includes them: they may want a pause, and nobody has asked them yet.
RECENT_EXIT_DAYS = 30


@dataclass(frozen=True)
class MatchInputs:
    mentees: tuple[MenteeProfile, ...]
    mentors: tuple[MentorProfile, ...]
    objective: str
    focus: frozenset[str]
    topic_relations: dict[str, frozenset[str]]
    constraints: Constraints
    left_out: tuple[LeftOut, ...] = ()
    names: dict[int, str] = field(default_factory=dict)
    # Names of the offered, wanted and interest topics (never lived experience), by id, so the
    # review can put the engine's criteria into words. Not part of the fingerprint.
    topic_names: dict[str, str] = field(default_factory=dict)

    def fingerprint(self) -> str:
        """A hash of everything that decides the result except the weights and the mode."""
        payload = {
            "mentees": [_canon(asdict(p)) for p in self.mentees],
            "mentors": [_canon(asdict(p)) for p in self.mentors],
            "objective": self.objective,
            "focus": sorted(self.focus),
            "relations": {k: sorted(v) for k, v in sorted(self.topic_relations.items())},
            "constraints": _canon(asdict(self.constraints)),
        }
        text = json.dumps(payload, sort_keys=True, default=_json_default)
        return hashlib.sha256(text.encode()).hexdigest()


def _canon(value: Any) -> Any:
    if isinstance(value, frozenset | set):
        return sorted((_canon(v) for v in value), key=repr)
    if isinstance(value, dict):
        return {k: _canon(v) for k, v in value.items() if k != "name"}
    if isinstance(value, list | tuple):
        return [_canon(v) for v in value]
    return value


def _json_default(value: Any) -> Any:
    if isinstance(value, frozenset | set):
        return sorted(value, key=repr)
    raise TypeError(repr(value))


def accepted_applications(programme: Programme) -> list[Application]:
    """Accepted participants still in the organisation, with their level, in one query (their
    topics and who they work with: `application_links`). People who left are never proposed.
    Matching reads only the person's department and team ids, and none of the application's
    encrypted answers: those are neither joined nor read (nor decrypted, on every review)."""
    return list(
        Application.objects.filter(
            programme=programme, status=Application.Status.ACCEPTED, person__is_active=True
        )
        .select_related("person__level")
        .defer("motivation", "preferred_times", "decision_reason", "internal_note")
        .order_by("person_id")
    )


LINKED_TOPICS = ("offered_topics", "wanted_topics", "interests")


@dataclass(frozen=True)
class ApplicationLinks:
    # Per topic field: each application's topics, id to name (the review says which topics
    # connect a pair).
    topics: dict[str, dict[int, dict[int, str]]]
    works_with: dict[int, set[int]]  # each application's declared colleagues (person ids)


def application_links(application_ids: Iterable[int]) -> ApplicationLinks:
    """The applications' offered and wanted topics, interests and declared colleagues, read
    from the link tables (four queries, whatever the number: no model per link)."""
    ids = list(application_ids)
    topics: dict[str, dict[int, dict[int, str]]] = {}
    for attr in LINKED_TOPICS:
        by_app: dict[int, dict[int, str]] = defaultdict(dict)
        if ids:
            links = getattr(Application, attr).through._default_manager.filter(
                application_id__in=ids
            )
            for app_id, topic_id, name in links.values_list(
                "application_id", "topic_id", "topic__name"
            ):
                by_app[app_id][topic_id] = name
        topics[attr] = by_app
    works_with: dict[int, set[int]] = defaultdict(set)
    if ids:
        links = Application.works_with.through._default_manager.filter(application_id__in=ids)
        for app_id, person_id in links.values_list("application_id", "person_id"):
            works_with[app_id].add(person_id)
    return ApplicationLinks(topics, works_with)


def topic_relations(organisation_id: int) -> dict[str, frozenset[str]]:
    """Each topic's related topics: its parent and its children (one query)."""
    related: dict[str, set[str]] = defaultdict(set)
    for topic_id, parent_id in Topic.objects.filter(
        organisation_id=organisation_id, parent__isnull=False
    ).values_list("id", "parent_id"):
        related[str(topic_id)].add(str(parent_id))
        related[str(parent_id)].add(str(topic_id))
    return {k: frozenset(v) for k, v in related.items()}


def focus_topics(programme: Programme) -> frozenset[str]:
    """The topics the objective criterion rewards.

    An inclusion programme rewards consented lived experience: the experience topics whose name
    mentions the programme's focus, or every experience topic when none does. Other objectives
    have no topic list of their own yet, so that criterion adds nothing for them.
    """
    if programme.objective != Objective.INCLUSION:
        return frozenset()
    experience = list(
        Topic.objects.filter(
            organisation_id=programme.organisation_id, kind=Topic.Kind.EXPERIENCE
        ).values_list("id", "name")
    )
    if programme.inclusion_focus:
        label = str(programme.get_inclusion_focus_display()).lower()
        words = {w for w in label.replace("+", " ").split() if len(w) > 3}
        chosen = {i for i, name in experience if any(w in name.lower() for w in words)}
        if chosen:
            return frozenset(str(i) for i in chosen)
    return frozenset(str(i) for i, _name in experience)


def recently_left_pairing(
    programme: Programme, *, now: dt.datetime | None = None
) -> dict[int, dt.datetime]:
    """People who ended a pairing of theirs in this programme themselves (not the programme
    team) in the last RECENT_EXIT_DAYS days, with when, latest first wins (one query)."""
    now = now or timezone.now()
    out: dict[int, dt.datetime] = {}
    for mentor_id, mentee_id, closed_by, closed_at in Pairing.objects.filter(
        programme=programme,
        state=PairingState.ENDED,
        closed_by__in=[Pairing.ClosedBy.MENTOR, Pairing.ClosedBy.MENTEE],
        closed_at__gte=now - dt.timedelta(days=RECENT_EXIT_DAYS),
    ).values_list("mentor_id", "mentee_id", "closed_by", "closed_at"):
        who = mentor_id if closed_by == Pairing.ClosedBy.MENTOR else mentee_id
        if closed_at is not None and (who not in out or out[who] < closed_at):
            out[who] = closed_at
    return out


def live_pairings_per_mentor(person_ids: Iterable[int]) -> dict[int, int]:
    """Live pairings of each mentor across every programme (one query)."""
    rows = (
        Pairing.objects.filter(mentor_id__in=list(person_ids), state__in=LIVE_STATES)
        .values("mentor_id")
        .annotate(n=Count("id"))
    )
    return {row["mentor_id"]: row["n"] for row in rows}


def build_match_inputs(
    programme: Programme,
    *,
    settings: MatchSettings,
    scope: Iterable[int] = (),
    left_aside: Iterable[int] = (),
) -> MatchInputs:
    """Profiles of the programme's free accepted participants, ready for the engine.

    Free: a mentee without a live pairing in the programme, a mentor with a place left. With a
    `scope` (person ids), only the people in scope on each side where the scope names anyone.
    People away today (organisations' unavailability) are left out, and so are the people in
    `left_aside`; both are listed in `left_out` with the reason when the team should know.
    """
    applications = accepted_applications(programme)
    today = timezone.localdate()
    away = unavailabilities(among=[a.person_id for a in applications], on=today)
    just_left = recently_left_pairing(programme) if left_aside else {}
    # Only the chains of the programme's accepted participants, not the whole organisation's.
    chains = reporting_chain_ids(
        programme.organisation_id, among=[a.person_id for a in applications]
    )
    relations = topic_relations(programme.organisation_id)

    # This programme's pairings: who is taken, and who has been paired before.
    live_mentee: set[int] = set()
    live_here: dict[int, int] = defaultdict(int)
    previous: dict[int, set[int]] = defaultdict(set)
    for mentor_id, mentee_id, state in Pairing.objects.filter(programme=programme).values_list(
        "mentor_id", "mentee_id", "state"
    ):
        if state in LIVE_STATES:
            live_mentee.add(mentee_id)
            live_here[mentor_id] += 1
        else:
            previous[mentor_id].add(mentee_id)
            previous[mentee_id].add(mentor_id)

    mentor_ids = [a.person_id for a in applications if a.role == Role.MENTOR]
    live_anywhere = live_pairings_per_mentor(mentor_ids)

    # Declared working together counts in both directions.
    links = application_links(a.pk for a in applications)
    works_with: dict[int, set[int]] = defaultdict(set)
    for a in applications:
        for other in links.works_with.get(a.pk, ()):
            works_with[a.person_id].add(other)
            works_with[other].add(a.person_id)

    scope_ids = set(scope)
    aside = set(left_aside)
    scoped_mentees = scope_ids & {a.person_id for a in applications if a.role == Role.MENTEE}
    scoped_mentors = scope_ids & set(mentor_ids)

    # Special-category data: read fresh on every run, only with the programme's switch on and
    # only for mentors who consent to matching now (upward.consent).
    lived_by_person: dict[int, list[int]] = {}
    lived_names: dict[int, str] = {}
    if programme.special_category_matching and mentor_ids:
        lived_by_person = consent_selectors.lived_experience_for(mentor_ids, Purpose.MATCHING)
        lived_names = dict(
            Topic.objects.filter(
                pk__in={i for ids in lived_by_person.values() for i in ids},
                organisation_id=programme.organisation_id,
                kind=Topic.Kind.EXPERIENCE,
            ).values_list("pk", "name")
        )
        lived_by_person = {
            pid: [i for i in ids if i in lived_names] for pid, ids in lived_by_person.items()
        }

    start = programme.starts_on or dt.date.today()
    mentees: list[MenteeProfile] = []
    mentors: list[MentorProfile] = []
    left_out: list[LeftOut] = []
    names: dict[int, str] = {}
    topic_names: dict[str, str] = {}
    for a in applications:
        person = a.person
        names[person.pk] = person.full_name
        linked = {attr: links.topics[attr].get(a.pk, {}) for attr in LINKED_TOPICS}
        for attr in LINKED_TOPICS:
            topic_names.update({str(pk): name for pk, name in linked[attr].items()})
        if a.role == Role.MENTEE and (
            person.pk in live_mentee or (scoped_mentees and person.pk not in scoped_mentees)
        ):
            continue
        places = settings.capacity - live_here.get(person.pk, 0)
        if a.role == Role.MENTOR and (
            places <= 0 or (scoped_mentors and person.pk not in scoped_mentors)
        ):
            continue
        if person.pk in aside:
            if person.pk in just_left:
                when = timezone.localdate(just_left[person.pk]).isoformat()
                left_out.append(LeftOut(person.pk, a.role, "left_pairing", when))
            continue
        period = away.get(person.pk)
        if period is not None and period.starts_on <= today:
            left_out.append(LeftOut(person.pk, a.role, "unavailable", period.ends_on.isoformat()))
            continue
        if person.level is None:
            left_out.append(LeftOut(person.pk, a.role, "no_level"))
            continue
        # Lived experience (special-category data) leaves the database only where the
        # programme uses it in matching and the person consents to matching now: a withdrawal
        # counts from the next run.
        lived_ids = lived_by_person.get(person.pk, []) if a.role == Role.MENTOR else []
        lived = frozenset(str(i) for i in lived_ids)
        group = ", ".join(sorted(lived_names[i] for i in lived_ids)) if lived_ids else None
        common: dict[str, Any] = {
            "id": str(person.pk),
            "level": person.level.rank,
            "department": str(person.department_id or ""),
            "team": str(person.team_id or ""),
            "manager_chain": tuple(str(m) for m in chains.get(person.pk, ())),
            "offers": frozenset(str(pk) for pk in linked["offered_topics"]),
            "wants": frozenset(str(pk) for pk in linked["wanted_topics"]),
            "interests": frozenset(str(pk) for pk in linked["interests"]),
            "availability": frozenset(a.availability or ()),
            "utc_offset": utc_offset_hours(person.time_zone, start),
            "works_with": frozenset(str(p) for p in works_with.get(person.pk, ())),
            "previous_partners": frozenset(str(p) for p in previous.get(person.pk, ())),
            "group": group,
            "group_consent": bool(group),
            "name": person.full_name,
        }
        if a.role == Role.MENTEE:
            mentees.append(MenteeProfile(**common))
        else:
            mentors.append(
                MentorProfile(
                    **common,
                    capacity=places,
                    active_pairings=live_anywhere.get(person.pk, 0),
                    max_concurrent=settings.max_concurrent,
                    lived_experience=lived,
                    lived_experience_consent=bool(lived),
                )
            )

    in_run = {int(p.id) for p in mentees} | {int(p.id) for p in mentors}
    pins: set[tuple[str, str]] = set()
    exclusions: set[tuple[str, str]] = set()
    for kind, mentee_id, mentor_id in MatchRule.objects.filter(programme=programme).values_list(
        "kind", "mentee_id", "mentor_id"
    ):
        pair = (str(mentee_id), str(mentor_id))
        if kind == MatchRule.Kind.EXCLUDE:
            exclusions.add(pair)
        elif mentee_id in in_run and mentor_id in in_run:
            pins.add(pair)  # A pin for someone already paired has done its job.
    constraints = Constraints(
        min_level_gap=settings.min_level_gap,
        exclude_same_team=settings.exclude_same_team,
        exclude_work_together=True,
        exclude_previous_partners=any(previous.values()),
        exclusions=frozenset(exclusions),
        pins=frozenset(pins),
    )
    return MatchInputs(
        mentees=tuple(mentees),
        mentors=tuple(mentors),
        objective=programme.objective,
        focus=focus_topics(programme),
        topic_relations=relations,
        constraints=constraints,
        left_out=tuple(left_out),
        names=names,
        topic_names=topic_names,
    )


# ---------------------------------------------------------------------------------------------
# Pages


def runs_for(programme: Programme) -> QuerySet[MatchRun]:
    return (
        MatchRun.objects.filter(programme=programme)
        .select_related("ran_by", "published_by")
        .defer("results")
        .order_by("-created_at", "-id")
    )


def current_run(programme: Programme) -> MatchRun | None:
    """The run under review: the newest one not superseded and not yet published."""
    return (
        MatchRun.objects.filter(programme=programme, superseded_at__isnull=True)
        .filter(published_at__isnull=True)
        .exclude(kind=MatchRun.Kind.AUTOMATIC)
        .select_related("ran_by")
        .order_by("-created_at", "-id")
        .first()
    )


def rules_for(programme: Programme) -> list[MatchRule]:
    return list(
        MatchRule.objects.filter(programme=programme).select_related(
            "mentee", "mentor", "created_by"
        )
    )


def pairings_for_manager(
    programme: Programme, *, state: str = "", q: str = ""
) -> QuerySet[Pairing]:
    qs = Pairing.objects.filter(programme=programme).select_related("mentor", "mentee")
    if state == "live":
        qs = qs.filter(state__in=LIVE_STATES)
    elif state:
        qs = qs.filter(state=state)
    # Every word typed must be in the mentee's or the mentor's name: "sam sen" finds Sam Senior.
    for word in q.split()[:5]:
        qs = qs.filter(Q(mentee__full_name__icontains=word) | Q(mentor__full_name__icontains=word))
    return qs.order_by("mentee__full_name", "-created_at", "-id")


def pairing_counts(programme: Programme) -> dict[str, int]:
    counts = {s.value: 0 for s in PairingState}
    for row in Pairing.objects.filter(programme=programme).values("state").annotate(n=Count("id")):
        counts[row["state"]] = row["n"]
    counts["live"] = sum(counts[s] for s in LIVE_STATES)
    return counts


def participants(programme: Programme) -> dict[str, list[Person]]:
    """Accepted mentees and mentors by name, for the pin and swap forms (one query)."""
    out: dict[str, list[Person]] = {Role.MENTEE: [], Role.MENTOR: []}
    for a in (
        Application.objects.filter(
            programme=programme, status=Application.Status.ACCEPTED, person__is_active=True
        )
        .select_related("person")
        .order_by("person__full_name", "person_id")
    ):
        out[a.role].append(a.person)
    return out


def people_by_id(ids: Iterable[int]) -> dict[int, Person]:
    return Person.objects.select_related("level", "department").in_bulk(list(set(ids)))


def pairings_for_person(person: Person | None) -> list[Pairing]:
    """What a participant may see: every pairing they mentor, and the ones they were told of as
    a mentee. A proposal a mentor declined never reaches the mentee."""
    if person is None:
        return []
    return list(
        Pairing.objects.filter(Q(mentor=person) | Q(mentee=person, mentee_told_at__isnull=False))
        .select_related("programme", "mentor", "mentee")
        .order_by("-created_at", "-id")
    )


def waiting_for(person: Person, pairing: Pairing) -> bool:
    """True when the pairing waits for this person's answer."""
    if pairing.state == PairingState.PROPOSED:
        return pairing.mentor_id == person.pk
    if pairing.state == PairingState.MENTOR_ACCEPTED:
        return pairing.mentee_id == person.pk
    return False


@dataclass(frozen=True)
class SharedProfile:
    """What one side of a pairing may read about the other, and why they were matched."""

    name: str
    job_title: str
    wants: list[str]
    offers: list[str]
    in_common: list[str]
    availability: list[str]
    reasons: list[str]
    # What the partner chose to share with their partner ("About you"), once the pair is active.
    shared: list[SharedItem] = field(default_factory=list)


def shared_profile(pairing: Pairing, *, viewer: Person) -> SharedProfile:
    """Lived experience and other special-category answers appear only as the partner chose to
    share them (consent to matching covers matching, not showing), and only once both have
    said yes: a proposal is not yet a partner."""
    viewer_is_mentor = viewer.pk == pairing.mentor_id
    other = pairing.mentee if viewer_is_mentor else pairing.mentor
    apps = _profile_applications(pairing.programme_id, [pairing.mentor_id, pairing.mentee_id])
    card = _profile_card(
        other,
        mine=apps.get(viewer.pk),
        theirs=apps.get(other.pk),
        contributions=pairing.explanation.get("contributions", []),
        fallback=str(_("The programme team chose this pairing.")),
    )
    if pairing.state != PairingState.ACTIVE:
        return card
    return replace(card, shared=consent_selectors.shared_with_partner(other))


def _profile_applications(programme_id: int, person_ids: Iterable[int]) -> dict[int, Application]:
    """Applications with the topics a partner may see (three prefetches, fixed cost)."""
    return {
        a.person_id: a
        for a in Application.objects.filter(
            programme_id=programme_id, person_id__in=list(person_ids)
        ).prefetch_related("offered_topics", "wanted_topics", "interests")
    }


def _profile_card(
    other: Person,
    *,
    mine: Application | None,
    theirs: Application | None,
    contributions: Iterable[Mapping[str, Any]],
    fallback: str,
) -> SharedProfile:
    """What one person may read about another, and the reasons in plain words.

    Built from offered and wanted topics, interests and free times only. Lived experience is
    never read here, and the programme-focus criterion (which counts consented lived
    experience in inclusion programmes) never becomes a reason: consent covers matching, not
    showing it to anyone.
    """

    def names(app: Application | None, attr: str) -> list[str]:
        return sorted(t.name for t in getattr(app, attr).all()) if app else []

    their_wants, their_offers = names(theirs, "wanted_topics"), names(theirs, "offered_topics")
    my_offers, my_wants = names(mine, "offered_topics"), names(mine, "wanted_topics")
    in_common = sorted(set(names(theirs, "interests")) & set(names(mine, "interests")))
    reasons: list[str] = []
    learn = sorted(set(their_wants) & set(my_offers))
    teach = sorted(set(their_offers) & set(my_wants))
    if learn:
        reasons.append(
            str(_("They want to learn what you offer: %(topics)s.")) % {"topics": ", ".join(learn)}
        )
    if teach:
        reasons.append(
            str(_("They can help with what you want to learn: %(topics)s."))
            % {"topics": ", ".join(teach)}
        )
    if in_common:
        reasons.append(
            str(_("Interests in common: %(topics)s.")) % {"topics": ", ".join(in_common)}
        )
    points = {c["criterion"]: c["points"] or 0 for c in contributions}
    if points.get("availability", 0) > 0:
        reasons.append(str(_("You are free at some of the same times.")))
    if points.get("timezone", 0) > 0:
        reasons.append(str(_("Your working hours overlap.")))
    if points.get("department", 0) > 0:
        reasons.append(str(_("You work in different parts of the organisation.")))
    if not reasons:
        reasons.append(fallback)
    return SharedProfile(
        name=other.full_name,
        job_title=other.job_title,
        wants=their_wants,
        offers=their_offers,
        in_common=in_common,
        availability=theirs.availability_labels() if theirs else [],
        reasons=reasons,
    )


@dataclass(frozen=True)
class Contribution:
    criterion: str
    label: str
    value: float
    weight: float
    points: float


@dataclass(frozen=True)
class PairRow:
    mentee: Person
    mentor: Person
    score: float
    pinned: bool
    contributions: list[Contribution]
    # Choice runs only: the rank each side gave this partner ("1st", …, "unranked"), or ""
    # when that side did not choose in the round. Shown to the programme team only.
    mentee_choice: str = ""
    mentor_choice: str = ""


@dataclass(frozen=True)
class UnmatchedRow:
    person: Person
    reason: str
    # Left aside because they left a pairing themselves: the team may include them.
    can_include: bool = False


@dataclass(frozen=True)
class RunReview:
    pairs: list[PairRow]
    unmatched: list[UnmatchedRow]
    idle_mentors: list[Person]
    left_out: list[UnmatchedRow]
    report: dict[str, Any]


def _contributions(raw: Iterable[Mapping[str, Any]]) -> list[Contribution]:
    return [
        Contribution(
            criterion=c["criterion"],
            label=str(CRITERION_LABELS.get(c["criterion"], c["criterion"])),
            value=c["value"] or 0.0,
            weight=c["weight"] or 0.0,
            points=c["points"] or 0.0,
        )
        for c in raw
    ]


def unmatched_reason(row: Mapping[str, Any], people: Mapping[int, Person]) -> str:
    """Why a mentee has no partner, in plain words."""
    if row["reason"] == "no_eligible_partner":
        blocking = row.get("blocking") or {}
        if not blocking:
            return str(_("No mentor with a free place is left for them."))
        rules = ", ".join(
            f"{RULE_LABELS.get(rule, rule)} ({n})" for rule, n in sorted(blocking.items())
        )
        return str(_("Every mentor is ruled out: %(rules)s.")) % {"rules": rules}
    best = people.get(row.get("best_mentor") or 0)
    text = str(
        _(
            "%(n)s mentor(s) could take them, but each is a better match elsewhere. Pairing them "
            "with %(best)s (score %(score).2f) would lower the total by %(bound)s%(cost).2f."
        )
    ) % {
        "n": row.get("eligible", 0),
        "best": best.full_name if best else "?",
        "score": row.get("best_score") or 0,
        "bound": "" if row.get("cost_exact") else str(_("at least ")),
        "cost": row.get("cost") or 0,
    }
    return text


def _unmatched_text(row: Mapping[str, Any], people: Mapping[int, Person]) -> str:
    if row["reason"] == "outcompeted" and row.get("choice_run"):
        # In a choice run the places went to people's choices: the score cost does not apply.
        return str(
            _(
                "%(n)s mentor(s) could take them, but every place was needed to pair more "
                "people or to give people one of their choices."
            )
        ) % {"n": row.get("eligible", 0)}
    return unmatched_reason(row, people)


LEFT_OUT_REASONS = {
    "no_level": _("No level in the directory: add one, then run again."),
    "unavailable": _("Away until %(on)s (they marked themselves unavailable)."),
    "left_pairing": _(
        "Left a pairing on %(on)s, so not proposed without asking them. Include them?"
    ),
}


def _left_out_text(row: Mapping[str, Any]) -> str:
    text = str(LEFT_OUT_REASONS.get(row["reason"], row["reason"]))
    if row.get("on"):
        day = dt.date.fromisoformat(row["on"])
        text = text % {"on": date_format(day, "j M Y")}
    return text


def run_review(run: MatchRun) -> RunReview:
    """The run's results with the people behind the ids (one query)."""
    results = run.results or {}
    ids: set[int] = set()
    for p in results.get("pairs", []):
        ids |= {p["mentee"], p["mentor"]}
    for u in results.get("unmatched", []):
        ids.add(u["mentee"])
        if u.get("best_mentor"):
            ids.add(u["best_mentor"])
    ids |= set(results.get("unmatched_mentors", []))
    ids |= {x["person_id"] for x in results.get("left_out", [])}
    # With the department: the review filters and shows it beside each name.
    people = Person.objects.select_related("department", "level").in_bulk(list(ids)) if ids else {}
    pairs = [
        PairRow(
            mentee=people[p["mentee"]],
            mentor=people[p["mentor"]],
            score=p["score"] or 0.0,
            pinned=p["pinned"],
            contributions=_contributions(p["contributions"]),
            mentee_choice=_choice_label(p.get("choice"), "mentee"),
            mentor_choice=_choice_label(p.get("choice"), "mentor"),
        )
        for p in results.get("pairs", [])
        if p["mentee"] in people and p["mentor"] in people
    ]
    unmatched = [
        UnmatchedRow(people[u["mentee"]], _unmatched_text(u, people))
        for u in results.get("unmatched", [])
        if u["mentee"] in people
    ]
    idle = [people[m] for m in results.get("unmatched_mentors", []) if m in people]
    left_out = [
        UnmatchedRow(
            people[x["person_id"]], _left_out_text(x), can_include=x["reason"] == "left_pairing"
        )
        for x in results.get("left_out", [])
        if x["person_id"] in people
    ]
    return RunReview(pairs, unmatched, idle, left_out, results.get("report", {}))


def _outcome_text(run: MatchRun, results: Mapping[str, Any], names: Mapping[int, str]) -> str:
    """What a finished run did, in words: "Found nobody for Sam", "Proposed 3 pairs, 1 left
    without a partner". A run's badge alone ("Published") hid a rematch that found nobody."""
    if run.status != MatchRun.Status.READY:
        return ""
    pairs = len(results.get("pairs", []))
    published = run.published_at is not None
    scope = [int(p) for p in run.scope or []]
    if scope and run.kind in (MatchRun.Kind.AUTOMATIC, MatchRun.Kind.REMATCH):
        who = ", ".join(names.get(p, "?") for p in scope)
        if pairs == 0:
            return str(_("Found nobody for %(who)s")) % {"who": who}
        if published:
            return str(_("Proposed a new partner for %(who)s")) % {"who": who}
        return str(_("Found a partner for %(who)s")) % {"who": who}
    unmatched = len(results.get("unmatched", [])) + len(results.get("left_out", []))
    if published:
        text = ngettext("Proposed %(n)s pair", "Proposed %(n)s pairs", pairs) % {"n": pairs}
    else:
        text = ngettext("Found %(n)s pair", "Found %(n)s pairs", pairs) % {"n": pairs}
    if unmatched:
        text += ngettext(
            ", %(n)s left without a partner", ", %(n)s left without a partner", unmatched
        ) % {"n": unmatched}
    return str(text)


def run_outcome(run: MatchRun) -> str:
    scope = [int(p) for p in run.scope or []]
    names = (
        dict(Person.objects.filter(pk__in=scope).values_list("pk", "full_name")) if scope else {}
    )
    return _outcome_text(run, run.results or {}, names)


def label_runs(runs: Iterable[MatchRun]) -> list[MatchRun]:
    """Give each run (loaded without its results) an `outcome` text, in two queries."""
    runs = list(runs)
    results = dict(
        MatchRun.objects.filter(pk__in=[r.pk for r in runs]).values_list("pk", "results")
    )
    scope = {int(p) for r in runs for p in (r.scope or [])}
    names = (
        dict(Person.objects.filter(pk__in=scope).values_list("pk", "full_name")) if scope else {}
    )
    for r in runs:
        r.outcome = _outcome_text(r, results.get(r.pk) or {}, names)  # type: ignore[attr-defined]
    return runs


def in_review(run: MatchRun) -> bool:
    """A finished run nobody has published or replaced: the team is reviewing it."""
    return run.status == MatchRun.Status.READY and not run.published_at and not run.superseded_at


def review_inputs(run: MatchRun) -> MatchInputs | None:
    """The engine's inputs as they are now, for a run in review (else None): what a run started
    now would see, read once for the out-of-date check, the pairs in words and a swap's
    preview (about ten queries, whatever the cohort size)."""
    if not in_review(run):
        return None
    return build_match_inputs(
        run.programme,
        settings=MatchSettings.from_dict(run.settings),
        scope=run.scope,
        left_aside=run.left_aside,
    )


def run_is_out_of_date(run: MatchRun, inputs: MatchInputs | None = None) -> bool:
    """True when participants, answers or rules changed since the run."""
    if not in_review(run):
        return False
    inputs = inputs or review_inputs(run)
    return inputs is not None and inputs.fingerprint() != run.fingerprint


def rules_checked(settings: MatchSettings) -> list[str]:
    """The hard rules every proposed pair passed, in the manager's words."""
    out = [
        ngettext(
            "The mentor is at least %(n)s level below the mentee.",
            "The mentor is at least %(n)s levels below the mentee.",
            settings.min_level_gap,
        )
        % {"n": settings.min_level_gap},
        str(_("Neither is in the other's reporting line.")),
        str(_("They have not said they work together.")),
    ]
    if settings.exclude_same_team:
        out.append(str(_("They are not in the same team.")))
    out.append(str(_("They were not paired before in this programme.")))
    out.append(str(_("No exclusion by the programme team.")))
    out.append(
        str(
            _(
                "The mentor has a free place (%(capacity)s per mentor here, %(max)s across "
                "programmes)."
            )
        )
        % {"capacity": settings.capacity, "max": settings.max_concurrent}
    )
    return out


# ---------------------------------------------------------------------------------------------
# Choice rounds


def ordinal(n: int) -> str:
    """1st, 2nd, 3rd, 4th… for ranks (up to 20)."""
    special = {1: _("1st"), 2: _("2nd"), 3: _("3rd")}
    if n in special:
        return str(special[n])
    return str(_("%(n)sth")) % {"n": n}


def _choice_label(choice: Mapping[str, Any] | None, side: str) -> str:
    status = (choice or {}).get(f"{side}_chooses")
    if not status:
        return ""  # That side was not asked to choose.
    rank = (choice or {}).get(side)
    if rank:
        return str(_("%(rank)s choice")) % {"rank": ordinal(int(rank))}
    if status == "silent":
        return str(_("did not rank anyone"))
    return str(_("not one of their choices"))


def open_round(programme: Programme) -> ChoiceRound | None:
    return (
        ChoiceRound.objects.filter(programme=programme, status=ChoiceRound.Status.OPEN)
        .select_related("opened_by")
        .first()
    )


def rounds_for(programme: Programme) -> list[ChoiceRound]:
    return list(
        ChoiceRound.objects.filter(programme=programme)
        .select_related("opened_by", "closed_by")
        .annotate(
            n_choosers=Count("choosers", distinct=True),
            n_ranked=Count("choosers", filter=Q(choosers__ranked_at__isnull=False), distinct=True),
        )
        .order_by("-opened_at", "-id")
    )


@dataclass(frozen=True)
class RoundProgress:
    choosers: int
    ranked: int
    by_role: dict[str, tuple[int, int]]  # role -> (asked, ranked)


def round_progress(round_: ChoiceRound) -> RoundProgress:
    by_role: dict[str, tuple[int, int]] = {}
    for row in (
        Chooser.objects.filter(round=round_)
        .values("role")
        .annotate(n=Count("id"), ranked=Count("id", filter=Q(ranked_at__isnull=False)))
    ):
        by_role[row["role"]] = (row["n"], row["ranked"])
    return RoundProgress(
        choosers=sum(n for n, _r in by_role.values()),
        ranked=sum(r for _n, r in by_role.values()),
        by_role=by_role,
    )


def choosers_of(round_: ChoiceRound) -> list[Chooser]:
    """Who was asked and whether they have ranked (the programme team's view)."""
    return list(
        Chooser.objects.filter(round=round_)
        .select_related("person")
        .order_by("role", "person__full_name", "person_id")
    )


@dataclass(frozen=True)
class OptionCard:
    option: ChoiceOption
    profile: SharedProfile


def choice_cards(chooser: Chooser) -> list[OptionCard]:
    """The chooser's recommended partners, best first, with what each may be shown.

    A fixed number of queries whatever the shortlist's length. Nothing here reveals whether
    anyone else ranked this person, or lived experience of any kind.
    """
    options = list(
        ChoiceOption.objects.filter(chooser=chooser)
        .select_related("partner")
        .order_by("position", "id")
    )
    apps = _profile_applications(
        chooser.round.programme_id, [chooser.person_id, *(o.partner_id for o in options)]
    )
    mine = apps.get(chooser.person_id)
    return [
        OptionCard(
            option=o,
            profile=_profile_card(
                o.partner,
                mine=mine,
                theirs=apps.get(o.partner_id),
                contributions=o.contributions,
                fallback=str(_("Recommended from both of your profiles.")),
            ),
        )
        for o in options
    ]


def open_seats_for(person: Person | None) -> list[Chooser]:
    """Open rounds where this person is asked to choose (for the dashboard and links)."""
    if person is None:
        return []
    return list(
        Chooser.objects.filter(person=person, round__status=ChoiceRound.Status.OPEN)
        .select_related("round__programme")
        .order_by("round__closes_at", "id")
    )


def inputs_names(run: MatchRun) -> dict[int, str]:
    ids = {r.mentee_id for r in run.programme.match_rules.all()} | {
        r.mentor_id for r in run.programme.match_rules.all()
    }
    return dict(Person.objects.filter(pk__in=ids).values_list("pk", "full_name"))


# ---------------------------------------------------------------------------------------------
# People waiting for a partner


class WaitingReason:
    NOT_MATCHED = "not_matched"
    DECLINED = "declined"
    ENDED = "ended"


WAITING_REASON_LABELS = {
    WaitingReason.NOT_MATCHED: _("Not matched yet"),
    WaitingReason.DECLINED: _("A proposal did not go ahead"),
    WaitingReason.ENDED: _("Their pairing ended"),
}


@dataclass(frozen=True)
class Waiting:
    """An accepted participant with no partner in a programme that has started pairing."""

    person: Person
    role: str
    since: dt.datetime
    reason: str

    @property
    def reason_label(self) -> str:
        return str(WAITING_REASON_LABELS[self.reason])

    def days(self, now: dt.datetime) -> int:
        return max(0, (now - self.since).days)


def people_waiting(programme: Programme) -> list[Waiting]:
    """Everyone accepted into the programme who has no partner once pairing has begun: not
    matched by a published run (or by any run at all once the programme has launched), after a
    proposal did not go ahead, or after their pairing ended. Nobody waits in a programme that is
    over: completing it tells them so (`people_without_partner`).

    People with a live or completed pairing are not waiting; people who left the organisation
    are not waiting either (the leaver flow handles them). Longest-waiting first. Four queries.
    """
    if programme.state in ("completed", "archived"):
        return []
    return people_without_partner(programme)


def people_without_partner(programme: Programme, *, before_any_run: bool = False) -> list[Waiting]:
    """`people_waiting` whatever the programme's state. Before any run is published, the cohort
    as a whole waits for the first run and nobody is listed, unless the programme has launched
    or `before_any_run` asks for everyone accepted without a partner (the launch question)."""
    first_published = (
        MatchRun.objects.filter(programme=programme, published_at__isnull=False)
        .order_by("published_at")
        .values_list("published_at", flat=True)
        .first()
    )
    # Launched without any published run: everyone accepted waits from the launch on.
    launched_at = (
        programme.state_changes.filter(to_state="active")
        .order_by("-at")
        .values_list("at", flat=True)
        .first()  # type: ignore[attr-defined]
        if first_published is None and programme.state != "matching"
        else None
    )
    applications = list(
        Application.objects.filter(
            programme=programme, status=Application.Status.ACCEPTED, person__is_active=True
        ).select_related("person")
    )
    if not applications:
        return []
    partnered: set[tuple[int, str]] = set()
    last_closed: dict[tuple[int, str], tuple[dt.datetime, str]] = {}
    for mentor_id, mentee_id, state, closed_at in Pairing.objects.filter(
        programme=programme
    ).values_list("mentor_id", "mentee_id", "state", "closed_at"):
        keys: tuple[tuple[int, str], ...] = ((mentor_id, Role.MENTOR), (mentee_id, Role.MENTEE))
        for key in keys:
            if state in (*LIVE_STATES, PairingState.COMPLETED):
                partnered.add(key)
            elif closed_at is not None:
                reason = (
                    WaitingReason.ENDED if state == PairingState.ENDED else WaitingReason.DECLINED
                )
                if key not in last_closed or last_closed[key][0] < closed_at:
                    last_closed[key] = (closed_at, reason)
    out = []
    for application in applications:
        key = (application.person_id, str(application.role))
        if key in partnered:
            continue
        if key in last_closed:
            since, reason = last_closed[key]
        elif first_published is not None:
            since, reason = first_published, WaitingReason.NOT_MATCHED
        elif launched_at is not None or before_any_run:
            since = launched_at or application.reviewed_at or application.submitted_at
            reason = WaitingReason.NOT_MATCHED
        else:
            continue  # Nobody has been matched yet: the whole cohort is waiting for the first run.
        if application.reviewed_at and application.reviewed_at > since:
            since = application.reviewed_at  # Accepted after the run that left them out.
        out.append(Waiting(application.person, application.role, since, reason))
    out.sort(key=lambda w: (w.since, w.person.full_name, w.person.pk))
    return out


def pair_progress(programme: Programme) -> dict[str, Any] | None:
    """The programme page's pairing figures: pairs formed (active or completed), proposals
    under way and people waiting, against the places. None before pairing has begun."""
    counts = pairing_counts(programme)
    if (
        not any(counts.values())
        and programme.state != "active"
        and not programme.match_runs.filter(published_at__isnull=False).exists()
    ):
        return None
    return {
        "programme": programme,
        "places": programme.places,
        "formed": counts[PairingState.ACTIVE] + counts[PairingState.COMPLETED],
        "proposed": counts[PairingState.PROPOSED] + counts[PairingState.MENTOR_ACCEPTED],
        "waiting": len(people_waiting(programme)),
    }
