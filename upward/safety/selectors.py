"""Reads for relationship health: what is due, the facts behind the risk flags (a whole
programme in a few queries), the needs-attention queue and privacy-safe aggregates."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings as django_settings
from django.db.models import Avg, Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from upward.journey.models import (
    Meeting,
    MeetingStatus,
    PairAgreement,
    ProgrammeJourney,
    held_for_q,
)
from upward.journey.selectors import organisers
from upward.organisations.models import Person
from upward.organisations.selectors import unavailabilities
from upward.pairing.models import Pairing, PairingState
from upward.pairing.selectors import people_waiting
from upward.programmes.models import Programme
from upward.recruitment.models import Application
from upward.safety.access import not_about
from upward.safety.flags import Flag, FlagSettings, PairingFacts, flags_for
from upward.safety.models import (
    LOW_ANSWER,
    CheckIn,
    Concern,
    ConcernState,
    FlagSnooze,
    PairingExit,
    PulseResponse,
    RematchRequest,
    SafeguardingContact,
    SafetySettings,
)

# A pulse is asked for meetings held in this window; older ones are left alone.
PULSE_WINDOW_DAYS = 30
# The reminder goes out for meetings recorded as held in the last few days.
PULSE_REMINDER_DAYS = 3
FLAGGED_STATES = (PairingState.PROPOSED, PairingState.MENTOR_ACCEPTED, PairingState.ACTIVE)


def _pulse_candidates(now: dt.datetime) -> QuerySet[Meeting]:
    # The mentor's own account decides (held_for_q): the partner marking the meeting "missed"
    # never takes her check-in away.
    return Meeting.objects.filter(
        held_for_q("mentor"),
        pairing__state=PairingState.ACTIVE,
        starts_at__gte=now - dt.timedelta(days=PULSE_WINDOW_DAYS),
        starts_at__lte=now,
    ).filter(
        ~Exists(
            PulseResponse.objects.filter(
                meeting=OuterRef("pk"), mentor_id=OuterRef("pairing__mentor_id")
            )
        )
    )


def pulse_due(
    person: Person, *, pairing: Pairing | None = None, now: dt.datetime | None = None
) -> list[Meeting]:
    """Held meetings of the person's active pairings as the mentor that still wait for their
    private pulse, newest first. Empty for a mentee, always."""
    now = now or timezone.now()
    qs = _pulse_candidates(now).filter(pairing__mentor=person)
    if pairing is not None:
        qs = qs.filter(pairing=pairing)
    return list(qs.select_related("pairing", "step").order_by("-starts_at", "-id"))


def meetings_waiting_for_pulse(now: dt.datetime) -> list[Meeting]:
    return list(
        _pulse_candidates(now)
        .filter(marked_at__gte=now - dt.timedelta(days=PULSE_REMINDER_DAYS))
        .select_related("pairing__mentor", "pairing__programme")
    )


def due_check_ins(now: dt.datetime | None = None) -> list[CheckIn]:
    """Open check-ins due today or earlier whose lead has not been reminded yet."""
    today = timezone.localdate(now or timezone.now())
    return list(
        CheckIn.objects.filter(done_at__isnull=True, reminded_at__isnull=True, due_on__lte=today)
        .select_related("programme", "lead")
        .order_by("due_on", "id")
    )


def flag_settings(programme: Programme) -> FlagSettings:
    row = SafetySettings.objects.filter(programme=programme).first()
    if row is None:
        return FlagSettings()
    return FlagSettings(no_meeting_days=row.no_meeting_days, missed_in_a_row=row.missed_in_a_row)


def programme_facts(programme: Programme, *, now: dt.datetime | None = None) -> list[PairingFacts]:
    """Everything the flags need for every live pairing of the programme, in seven queries."""
    return _load(programme, now or timezone.now(), viewer=None)[1]


def _load(
    programme: Programme, now: dt.datetime, *, viewer: Person | None
) -> tuple[list[Pairing], list[PairingFacts], dict[int, PulseResponse]]:
    pairings_qs = Pairing.objects.filter(programme=programme, state__in=FLAGGED_STATES)
    if viewer is not None:
        # The viewer's own pairings are not in their queue at all (a low pulse is safety data).
        pairings_qs = pairings_qs.filter(not_about(viewer, prefix=""))
    # Each pair's meetings summed up by the database, one indexed look-up per pair and figure
    # (a programme has tens of thousands of meetings; none of them is read here).
    mine = Meeting.objects.filter(pairing_id=OuterRef("pk")).order_by()
    held_past = mine.filter(status=MeetingStatus.HELD, starts_at__lte=now)
    booked_past = mine.filter(status=MeetingStatus.SCHEDULED, starts_at__lte=now)
    booked_ahead = mine.filter(status=MeetingStatus.SCHEDULED, starts_at__gt=now)
    missed_past = mine.filter(status=MeetingStatus.MISSED, starts_at__lte=now)
    newest_held = held_past.order_by("-starts_at", "-id")

    def count(qs: QuerySet[Meeting]) -> Coalesce:
        return Coalesce(
            Subquery(qs.values("pairing_id").annotate(n=Count("pk")).values("n")[:1]), 0
        )

    pairings: list[Pairing] = list(
        pairings_qs.select_related("mentor", "mentee")
        .annotate(
            flag_last_held=Subquery(newest_held.values("starts_at")[:1]),
            flag_last_held_id=Subquery(newest_held.values("id")[:1]),
            flag_held=count(held_past),
            flag_last_unrecorded=Subquery(
                booked_past.order_by("-starts_at").values("starts_at")[:1]
            ),
            flag_next_booked=Subquery(booked_ahead.order_by("starts_at").values("starts_at")[:1]),
            flag_booked_ahead=count(booked_ahead),
            # Missed meetings in a row, newest first (by time, then id): all the missed ones
            # if none was ever held, else those after the newest meeting held. Booked ones in
            # between say nothing either way; cancelled ones are left out.
            flag_missed=count(missed_past),
        )
        .annotate(
            flag_missed_since_held=count(
                missed_past.filter(
                    Q(starts_at__gt=OuterRef("flag_last_held"))
                    | Q(starts_at=OuterRef("flag_last_held"), id__gt=OuterRef("flag_last_held_id"))
                )
            ),
        )
        .order_by("pk")
    )
    ids = [p.pk for p in pairings]
    pulses: dict[int, PulseResponse] = {}
    for row in (
        PulseResponse.objects.filter(pairing_id__in=ids)
        .only(
            "pairing_id",
            "spoke_openly",
            "felt_listened_to",
            "worth_my_time",
            "wants_support",
            "created_at",
        )
        .order_by("-created_at", "-id")
    ):
        pulses.setdefault(row.pairing_id, row)
    # The newest pulse of each pairing in full (its comment decrypted), in one more query.
    newest = {
        row.pairing_id: row
        for row in PulseResponse.objects.filter(
            pk__in=[row.pk for row in pulses.values()]
        ).select_related("meeting")
    }
    per_month = dict(
        PairAgreement.objects.filter(pairing_id__in=ids).values_list(
            "pairing_id", "meetings_per_month"
        )
    )
    default_rhythm = (
        ProgrammeJourney.objects.filter(programme=programme)
        .values_list("meetings_per_month", flat=True)
        .first()
    ) or Decimal("1")
    snoozes: dict[int, dict[str, dt.date]] = defaultdict(dict)
    for pairing_id, kind, until in FlagSnooze.objects.filter(pairing_id__in=ids).values_list(
        "pairing_id", "kind", "until"
    ):
        snoozes[pairing_id][kind] = until
    facts = []
    for p in pairings:
        p.programme = programme
        last_held, last_unrecorded = p.flag_last_held, p.flag_last_unrecorded  # type: ignore[attr-defined]
        next_booked = p.flag_next_booked  # type: ignore[attr-defined]
        missed_run = p.flag_missed if last_held is None else p.flag_missed_since_held  # type: ignore[attr-defined]
        # What flags.MISSED reads of the past meetings, newest first: the run of missed ones
        # (booked ones in it change nothing), ended by the newest meeting held.
        past_statuses = (MeetingStatus.MISSED.value,) * missed_run + (
            (MeetingStatus.HELD.value,) if last_held is not None else ()
        )
        pulse = pulses.get(p.pk)
        waiting_for = ""
        if p.state == PairingState.PROPOSED:
            waiting_for = "mentor"
        elif p.state == PairingState.MENTOR_ACCEPTED:
            waiting_for = "mentee"
        started = p.mentee_responded_at if p.state == PairingState.ACTIVE else p.created_at
        facts.append(
            PairingFacts(
                pairing_id=p.pk,
                state=p.state,
                mentor_name=p.mentor.full_name,
                mentee_name=p.mentee.full_name,
                organiser_name=" / ".join(o.full_name for o in organisers(p)),
                started_on=timezone.localdate(started or p.created_at),
                last_held_on=timezone.localdate(last_held) if last_held else None,
                last_unrecorded_on=timezone.localdate(last_unrecorded) if last_unrecorded else None,
                next_booked_on=timezone.localdate(next_booked) if next_booked else None,
                past_statuses=past_statuses,
                held=p.flag_held,  # type: ignore[attr-defined]
                booked_ahead=p.flag_booked_ahead,  # type: ignore[attr-defined]
                per_month=per_month.get(p.pk) or default_rhythm,
                last_pulse_on=timezone.localdate(pulse.created_at) if pulse else None,
                last_pulse_low=bool(pulse and pulse.is_low),
                last_pulse_wants_support=bool(pulse and pulse.wants_support),
                respond_by=timezone.localdate(p.respond_by) if waiting_for else None,
                waiting_for=waiting_for,
                snoozed=dict(snoozes.get(p.pk, {})),
            )
        )
    # The newest pulses ride along so the queue can show one (and its comment) by its flag.
    return pairings, facts, newest


@dataclass
class FlaggedPairing:
    pairing: Pairing
    flags: list[Flag]
    latest_pulse: PulseResponse | None = None

    @property
    def weight(self) -> int:
        return max(f.weight for f in self.flags)

    @property
    def pulse(self) -> PulseResponse | None:
        """The pulse behind a low-pulse flag, shown with it (comment included)."""
        if any(f.kind == "low_pulse" for f in self.flags):
            return self.latest_pulse
        return None


@dataclass
class PulseSummary:
    responses: int
    enough: bool
    spoke_openly: float | None = None
    felt_listened_to: float | None = None
    worth_my_time: float | None = None
    low_share: int | None = None  # percentage of responses with an answer ≤ 2


@dataclass(frozen=True)
class WaitingRow:
    """Someone with no partner, for the queue: how long they have waited, and since when."""

    person: Person
    role: str
    reason: str
    since: dt.datetime
    days: int


def waiting_rows(
    programme: Programme, *, viewer: Person | None, now: dt.datetime
) -> list[WaitingRow]:
    return [
        WaitingRow(w.person, str(w.role), w.reason_label, w.since, w.days(now))
        for w in people_waiting(programme)
        if viewer is None or w.person.pk != viewer.pk
    ]


@dataclass(frozen=True)
class AwayRow:
    """A participant who marked themselves away, now or soon. The note is for the team."""

    person: Person
    role: str
    starts_on: dt.date
    ends_on: dt.date
    note: str


def away_rows(programme: Programme, *, viewer: Person | None, today: dt.date) -> list[AwayRow]:
    """Accepted participants with a period away that has not ended (two queries)."""
    roles = dict(
        Application.objects.filter(
            programme=programme, status=Application.Status.ACCEPTED, person__is_active=True
        ).values_list("person_id", "role")
    )
    if viewer is not None:
        roles.pop(viewer.pk, None)
    periods = unavailabilities(among=roles, on=today)
    people = Person.objects.in_bulk(list(periods)) if periods else {}
    rows = [
        AwayRow(people[pk], roles[pk], u.starts_on, u.ends_on, u.note)
        for pk, u in periods.items()
        if pk in people
    ]
    rows.sort(key=lambda r: (r.starts_on, r.person.full_name, r.person.pk))
    return rows


@dataclass
class AttentionQueue:
    programme: Programme
    flagged: list[FlaggedPairing]
    concerns: list[Concern]
    rematch_requests: list[RematchRequest]
    waiting: list[WaitingRow]
    away: list[AwayRow]
    check_ins: list[CheckIn]
    exits: list[PairingExit]
    comments: list[PulseResponse]
    pulse: PulseSummary
    settings: FlagSettings
    today: dt.date
    counts: dict[str, int] = field(default_factory=dict)


def flagged_pairings(
    programme: Programme, *, viewer: Person | None, now: dt.datetime | None = None
) -> tuple[list[FlaggedPairing], FlagSettings]:
    """`viewer` None is the system's own view (every pairing); a person never gets their own."""
    now = now or timezone.now()
    settings = flag_settings(programme)
    today = timezone.localdate(now)
    pairings, all_facts, newest = _load(programme, now, viewer=viewer)
    rows = []
    for pairing, facts in zip(pairings, all_facts, strict=True):
        flags = flags_for(facts, today, settings)
        if flags:
            rows.append(
                FlaggedPairing(pairing=pairing, flags=flags, latest_pulse=newest.get(pairing.pk))
            )
    rows.sort(key=lambda r: (-r.weight, r.pairing.pk))
    return rows, settings


def filter_flagged(
    rows: list[FlaggedPairing], *, kind: str = "", q: str = ""
) -> list[FlaggedPairing]:
    """The queue's filters, on the rows already judged: one kind of flag (the cards then show
    only that flag, which is what a bulk snooze hides) and a mentor's or mentee's name."""
    q = (q or "").strip().casefold()
    kept = []
    for row in rows:
        if q and not (
            q in row.pairing.mentor.full_name.casefold()
            or q in row.pairing.mentee.full_name.casefold()
        ):
            continue
        if kind:
            flags = [f for f in row.flags if f.kind == kind]
            if not flags:
                continue
            row = FlaggedPairing(pairing=row.pairing, flags=flags, latest_pulse=row.latest_pulse)
        kept.append(row)
    return kept


def flag_kind_counts(rows: list[FlaggedPairing]) -> dict[str, int]:
    """How many pairs carry each kind of flag."""
    counts: dict[str, int] = defaultdict(int)
    for row in rows:
        for f in row.flags:
            counts[f.kind] += 1
    return dict(counts)


def snooze_targets(rows: list[FlaggedPairing]) -> list[tuple[int, str]]:
    return sorted({(row.pairing.pk, f.kind) for row in rows for f in row.flags})


def snooze_fingerprint(targets: list[tuple[int, str]]) -> str:
    joined = ";".join(f"{pk}:{kind}" for pk, kind in sorted(targets))
    return hashlib.sha256(joined.encode()).hexdigest()[:20]


def pulse_summary(programme: Programme, *, viewer: Person | None) -> PulseSummary:
    """Averages over the programme's pulses, only from five responses or more by five mentors
    or more (without the viewer's own pairings): six answers from one mentor are still one
    person's private answers."""
    low = (
        Q(spoke_openly__lte=LOW_ANSWER)
        | Q(felt_listened_to__lte=LOW_ANSWER)
        | Q(worth_my_time__lte=LOW_ANSWER)
    )
    qs = PulseResponse.objects.filter(pairing__programme=programme)
    if viewer is not None:
        qs = qs.filter(not_about(viewer))
    row = qs.aggregate(
        n=Count("id"),
        mentors=Count("mentor", distinct=True),
        spoke=Avg("spoke_openly"),
        listened=Avg("felt_listened_to"),
        worth=Avg("worth_my_time"),
        low=Count("id", filter=low),
    )
    n = row["n"] or 0
    if min(n, row["mentors"] or 0) < django_settings.UPWARD_MIN_GROUP_SIZE:
        return PulseSummary(responses=n, enough=False)
    return PulseSummary(
        responses=n,
        enough=True,
        spoke_openly=round(row["spoke"], 1),
        felt_listened_to=round(row["listened"], 1),
        worth_my_time=round(row["worth"], 1),
        low_share=round(100 * row["low"] / n),
    )


def attention_queue(
    programme: Programme, *, viewer: Person | None, now: dt.datetime | None = None
) -> AttentionQueue:
    """The needs-attention page. Every list leaves out the viewer's own pairings."""
    now = now or timezone.now()
    mine = not_about(viewer) if viewer is not None else Q()
    flagged, settings = flagged_pairings(programme, viewer=viewer, now=now)
    concerns = list(
        Concern.objects.filter(mine, programme=programme)
        .exclude(state=ConcernState.RESOLVED)
        .select_related("raised_by", "pairing__mentor", "pairing__mentee")
        .order_by("created_at", "id")
    )
    requests = list(
        RematchRequest.objects.filter(mine, programme=programme, status=RematchRequest.Status.OPEN)
        .select_related("person", "pairing__mentor", "pairing__mentee")
        .order_by("created_at", "id")
    )
    check_ins = list(
        _check_ins(programme, viewer)
        .filter(done_at__isnull=True)
        .select_related("pairing__mentor", "pairing__mentee", "person", "lead")
        .order_by("due_on", "id")
    )
    exits = list(exits_for(programme, viewer=viewer)[:5])
    waiting = waiting_rows(programme, viewer=viewer, now=now)
    return AttentionQueue(
        programme=programme,
        flagged=flagged,
        concerns=concerns,
        rematch_requests=requests,
        waiting=waiting,
        away=away_rows(programme, viewer=viewer, today=timezone.localdate(now)),
        check_ins=check_ins,
        exits=exits,
        comments=pulse_comments(programme, viewer=viewer, now=now),
        pulse=pulse_summary(programme, viewer=viewer),
        settings=settings,
        today=timezone.localdate(now),
        counts={
            "flagged": len(flagged),
            "concerns": len(concerns),
            "requests": len(requests),
            "waiting": len(waiting),
            "check_ins": len(check_ins),
        },
    )


def _check_ins(programme: Programme, viewer: Person | None) -> QuerySet[CheckIn]:
    qs = CheckIn.objects.filter(programme=programme)
    if viewer is not None:
        qs = qs.filter(not_about(viewer)).exclude(person=viewer)
    return qs


def attention_counts(programme: Programme, *, viewer: Person | None) -> dict[str, int]:
    mine = not_about(viewer) if viewer is not None else Q()
    flagged, _settings = flagged_pairings(programme, viewer=viewer)
    return {
        "flagged": len(flagged),
        "concerns": Concern.objects.filter(mine, programme=programme)
        .exclude(state=ConcernState.RESOLVED)
        .count(),
        "requests": RematchRequest.objects.filter(
            mine, programme=programme, status=RematchRequest.Status.OPEN
        ).count(),
        "waiting": sum(
            1 for w in people_waiting(programme) if viewer is None or w.person.pk != viewer.pk
        ),
    }


def exits_for(programme: Programme, *, viewer: Person | None) -> QuerySet[PairingExit]:
    qs = PairingExit.objects.filter(pairing__programme=programme)
    if viewer is not None:
        qs = qs.filter(not_about(viewer))
    return qs.select_related("left_by", "pairing__mentor", "pairing__mentee").order_by(
        "-created_at", "-id"
    )


# Mentors' pulse comments stay on the queue for this long after they were written.
COMMENT_WINDOW_DAYS = 60
COMMENTS_SHOWN = 20


def pulse_comments(
    programme: Programme, *, viewer: Person | None, now: dt.datetime | None = None
) -> list[PulseResponse]:
    """Recent pulses that carry a comment for the readers, newest first. The comment is
    encrypted, so "has a comment" is decided after decrypting a bounded number of rows."""
    now = now or timezone.now()
    qs = PulseResponse.objects.filter(
        pairing__programme=programme,
        created_at__gte=now - dt.timedelta(days=COMMENT_WINDOW_DAYS),
    )
    if viewer is not None:
        qs = qs.filter(not_about(viewer))
    rows = qs.select_related("meeting", "pairing__mentor", "pairing__mentee").order_by(
        "-created_at", "-id"
    )[:200]
    return [row for row in rows if row.comment][:COMMENTS_SHOWN]


def pairing_pulses(pairing: Pairing) -> list[PulseResponse]:
    """Every pulse of one pairing, newest first, for the pulse page reached from the queue.
    The caller went through `access_pairing_for_safety`, which refuses the pair themselves."""
    return list(
        PulseResponse.objects.filter(pairing=pairing)
        .select_related("meeting")
        .order_by("-created_at", "-id")
    )


def my_concerns(person: Person) -> QuerySet[Concern]:
    return (
        Concern.objects.filter(raised_by=person)
        .select_related("programme", "pairing__mentor", "pairing__mentee")
        .order_by("-created_at", "-id")
    )


def concern_notes(concern: Concern) -> list[Any]:
    return list(concern.notes.select_related("author").order_by("created_at", "id"))


def safeguarding_contacts(organisation: Any) -> list[SafeguardingContact]:
    return list(
        SafeguardingContact.objects.filter(organisation=organisation)
        .select_related("person", "added_by")
        .order_by("person__full_name", "pk")
    )


def programmes_without_independent_reader(organisation: Any) -> list[Programme]:
    """Programmes where something about a pairing could reach nobody: no active lead or
    safeguarding contact outside that pairing. Shown to org admins so they can name one."""
    contacts = set(
        SafeguardingContact.objects.filter(
            organisation=organisation, person__is_active=True
        ).values_list("person_id", flat=True)
    )
    programmes = list(
        Programme.objects.filter(organisation=organisation)
        .exclude(state__in=["draft", "archived"])
        .order_by("name", "pk")
    )
    managers: dict[int, set[int]] = defaultdict(set)
    for programme_id, person_id in Programme.managers.through.objects.filter(
        programme__in=programmes, person__is_active=True
    ).values_list("programme_id", "person_id"):
        managers[programme_id].add(person_id)
    uncovered = []
    for programme in programmes:
        readers = managers[programme.pk] | contacts
        if len(readers) > 2:
            continue  # a pairing has two people; someone is always left
        if not readers or any(
            readers <= {mentor_id, mentee_id}
            for mentor_id, mentee_id in Pairing.objects.filter(
                Q(mentor_id__in=readers) | Q(mentee_id__in=readers), programme=programme
            ).values_list("mentor_id", "mentee_id")
        ):
            uncovered.append(programme)
    return uncovered
