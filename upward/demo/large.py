"""One large organisation for the report benchmark (issue 16): `manage.py seed_large`.

At full size about 50,000 people, 200 programmes, 20,000 pairs, 500,000 meetings and 1,000,000
survey answers, built with bulk_create in big batches, one transaction per stage. It is test
data, so it takes shortcuts the services never take, and keeps every rule the database and the
reports rely on:

- Rows are written directly, not through the services, so no audit entries are written (the
  audit chain is for what people did) and no emails or tasks are sent. The one exception is the
  matching run of the programme in matching, which goes through the engine like a real one.
- Encrypted fields are encrypted row by row by bulk_create (core.fields encrypts in pre_save);
  the organisation's data key exists first (made when the organisation is saved). Optional
  encrypted text is left empty, required text is one short sentence: about 7 µs a value.
- Timestamps: `auto_now`/`auto_now_add` columns keep the dates given here while seeding
  (`_own_timestamps`), so history lies in the past (meetings held, pairs ended, people left).
- Survey answers are stored as the surveys app stores them: anonymous answers as Response rows
  without a person, with the keyed pseudonym (start and end surveys) or a random one, a
  department only when enough people of that role and department answered, groups only from
  people who consent to reporting; named answers carry the person and their occasion. Each
  answer has its Submission.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import sys
import time
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import pairwise
from types import SimpleNamespace
from typing import Any, TextIO, cast

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import DEFAULT_DB_ALIAS, connection, connections, models, reset_queries, transaction
from django.utils import timezone

from upward.accounts.models import User
from upward.consent.categories import CATEGORIES, PREFER_NOT
from upward.consent.models import AboutYou, ConsentEvent
from upward.consent.purposes import CURRENT, Purpose
from upward.core import crypto
from upward.core.errors import DomainError
from upward.core.fields import Sealed
from upward.goals.models import Goal, GoalStatus, Task, Term
from upward.impact.models import Commitment, CommitmentKind, CommitmentStatus, Theme
from upward.journey.models import (
    JourneyStep,
    JourneyVersion,
    Meeting,
    MeetingOutcome,
    MeetingStatus,
    ProgrammeJourney,
)
from upward.organisations.importing import paused_gc
from upward.organisations.models import (
    Department,
    Level,
    Organisation,
    OrganisationDomain,
    Person,
    Team,
    Topic,
)
from upward.organisations.services import DEFAULT_LEVELS
from upward.pairing.models import Pairing, PairingState, PairingStateChange
from upward.programmes.models import Objective, Programme, SelectionMode, State, StateChange
from upward.recruitment.models import AVAILABILITY_SLOTS, Application, Invitation, Role
from upward.safety.models import PulseResponse
from upward.surveys import library
from upward.surveys.models import (
    Answer,
    Question,
    Response,
    Submission,
    SuccessMeasure,
    Survey,
    SurveyState,
    Timing,
)
from upward.surveys.models import QuestionKind as SurveyQuestionKind
from upward.surveys.pseudonyms import pseudonym, random_pseudonym
from upward.surveys.services import PAIRED_TIMINGS

LARGE_SLUG = "large"
LARGE_PASSWORD = "upward-large-2026"  # noqa: S105 — published, for benchmark data only
BATCH = 5000


class LargeSeedError(DomainError):
    pass


@dataclass(frozen=True)
class Sizes:
    people: int
    programmes: int
    pairs: int
    meetings: int
    answers: int

    @classmethod
    def scaled(cls, scale: float, **given: int | None) -> Sizes:
        """The full size times `scale`, with any size given explicitly taking precedence."""
        values = {
            name: given.get(name) if given.get(name) is not None else round(full * scale)
            for name, full in vars(FULL_SIZE).items()
        }
        # Every programme state appears at least once: draft, recruiting, matching, active and
        # completed.
        values["programmes"] = max(5, int(values["programmes"] or 0))
        return cls(**{k: int(v or 0) for k, v in values.items()})


FULL_SIZE = Sizes(people=50_000, programmes=200, pairs=20_000, meetings=500_000, answers=1_000_000)


class Progress:
    """A one-line progress bar on stderr, redrawn at most ten times a second."""

    def __init__(self, stream: TextIO | None = None, *, enabled: bool = True) -> None:
        self.stream = stream or sys.stderr
        self.enabled = enabled
        self.label = ""
        self.total = 0
        self.done = 0
        self.started = time.perf_counter()
        self._drawn = 0.0

    def stage(self, label: str, total: int) -> None:
        self.finish()
        self.label, self.total, self.done = label, max(total, 0), 0
        self.started = time.perf_counter()
        self._draw(force=True)

    def advance(self, count: int = 1) -> None:
        self.done += count
        self._draw()

    def _draw(self, *, force: bool = False) -> None:
        if not self.enabled or not self.label:
            return
        now = time.perf_counter()
        if not force and now - self._drawn < 0.1:
            return
        self._drawn = now
        share = self.done / self.total if self.total else 1.0
        filled = int(30 * min(share, 1.0))
        bar = "#" * filled + "-" * (30 - filled)
        self.stream.write(
            f"\r{self.label:<22} [{bar}] {self.done:>9,}/{self.total:<9,} "
            f"{now - self.started:6.1f}s"
        )
        self.stream.flush()

    def finish(self) -> None:
        if self.label:
            self._draw(force=True)
            if self.enabled:
                self.stream.write("\n")
                self.stream.flush()
        self.label = ""


@contextmanager
def _own_timestamps() -> Iterator[None]:
    """While seeding, an auto_now/auto_now_add column keeps a date set on the instance (history
    in the past) and falls back to now when none is set."""
    patched: list[models.Field[Any, Any]] = []

    def keep(field: models.Field[Any, Any]) -> Callable[[models.Model, bool], Any]:
        def pre_save(instance: models.Model, add: bool) -> Any:
            value = getattr(instance, field.attname)
            if value is None:
                value = timezone.now()
                setattr(instance, field.attname, value)
            return value

        return pre_save

    for model in (
        Person,
        Programme,
        StateChange,
        Application,
        Invitation,
        Pairing,
        PairingStateChange,
        Meeting,
        PulseResponse,
        Goal,
        Task,
        Commitment,
        Submission,
        Survey,
        AboutYou,
    ):
        for f in model._meta.concrete_fields:
            if isinstance(f, models.DateField) and (f.auto_now or f.auto_now_add):
                setattr(f, "pre_save", keep(f))  # noqa: B010 — an instance attribute, undone below
                patched.append(f)
    try:
        yield
    finally:
        for f in patched:
            del f.pre_save


FIRST = [
    "Aisha",
    "Amara",
    "Ben",
    "Chloe",
    "Daniel",
    "Elena",
    "Farah",
    "George",
    "Hana",
    "Isaac",
    "Jade",
    "Kofi",
    "Laura",
    "Mohammed",
    "Nadia",
    "Oliver",
    "Priya",
    "Quentin",
    "Rosa",
    "Samuel",
    "Tariq",
    "Uma",
    "Victor",
    "Wei",
    "Xavier",
    "Yasmin",
    "Zoe",
    "Ahmed",
    "Bea",
    "Callum",
]
LAST = [
    "Adams",
    "Begum",
    "Clarke",
    "Davies",
    "Evans",
    "Fraser",
    "Green",
    "Hughes",
    "Iqbal",
    "Jones",
    "Khan",
    "Lewis",
    "Murphy",
    "Nowak",
    "Owusu",
    "Patel",
    "Quinn",
    "Roberts",
    "Shah",
    "Taylor",
    "Usman",
    "Vaughan",
    "Walker",
    "Xu",
    "Young",
    "Zielinski",
    "Ali",
    "Brown",
]
DEPARTMENTS = (
    "Finance",
    "Technology",
    "Operations",
    "People",
    "Sales",
    "Marketing",
    "Legal",
    "Customer service",
    "Product",
    "Data",
    "Risk",
    "Facilities",
)
SKILLS = (
    "Data visualisation",
    "Spreadsheets",
    "Social media",
    "Cloud tools",
    "Artificial intelligence",
    "Cyber security",
    "Online collaboration",
    "Coding basics",
    "Presenting",
    "Design thinking",
    "Video calls",
    "Automation",
)
EXPERIENCES = (
    "Race and ethnicity",
    "Disability",
    "Neurodiversity",
    "LGBTQ+",
    "Social mobility",
    "Caring responsibilities",
)
INTERESTS = ("Running", "Music", "Cooking", "Reading", "Gaming", "Gardening", "Travel", "Film")
LOCATIONS = (
    ("London", "Europe/London"),
    ("Manchester", "Europe/London"),
    ("Leeds", "Europe/London"),
    ("Glasgow", "Europe/London"),
    ("Dublin", "Europe/Dublin"),
    ("Berlin", "Europe/Berlin"),
)
# Level ranks 1 (most junior) to 9, weighted like an organisation's pyramid.
RANK_WEIGHTS = (14, 14, 14, 13, 15, 12, 9, 6, 3)
MOTIVATIONS = (
    "I would like to learn from someone with a different view of the organisation.",
    "I want to share what I know and hear how decisions are made.",
    "I hope to grow in confidence and help a leader see things differently.",
    "I want to understand the tools my team uses every day.",
)
GOALS = (
    ("Run a team meeting with a shared online whiteboard", "Two meetings run that way"),
    ("Understand how our graduates experience their first year", "Three conversations held"),
    ("Use data to tell a story to my board", "One board paper with a chart I made"),
    ("Speak up in senior meetings", "One point raised in each monthly meeting"),
)
TASKS = ("Read the guide we chose", "Try it once with the team", "Write down what changed")
COMMENT = "It helped to talk it through."
COMMITMENTS = (
    "I will make sure everyone speaks before I do in meetings.",
    "I will sponsor one early-career colleague this year.",
    "I will use plain language in my team updates.",
)

TIMING_DELAY: dict[str, int] = {Timing.START: 5, Timing.AFTER_SESSION: 0, Timing.END: 0}


@dataclass
class ProgrammePlan:
    programme: Programme
    pairs: int = 0
    mentors: list[Person] = field(default_factory=list)
    mentees: list[Person] = field(default_factory=list)
    pairings: list[Pairing] = field(default_factory=list)
    held: list[Meeting] = field(default_factory=list)
    roles: dict[int, str] = field(default_factory=dict)  # person id → role (accepted)


@dataclass
class Result:
    organisation: Organisation
    admin: Person
    manager: Person
    participant: Person | None
    counts: dict[str, int]
    seconds: float
    stages: list[tuple[str, float]]


def _chunks(items: Sequence[Any], size: int = BATCH) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _split(total: int, parts: int) -> list[int]:
    """`total` spread as evenly as possible over `parts` (exactly `total` in all)."""
    if parts <= 0:
        return []
    base, extra = divmod(total, parts)
    return [base + (1 if i < extra else 0) for i in range(parts)]


def _at(day: dt.date, hour: int = 10, minute: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=dt.UTC)


# The biggest tables (meetings, survey responses, answers and submissions, pulses) skip
# bulk_create's SQL compiler, which spent most of the seeding time building one placeholder
# per value: their rows go by COPY on PostgreSQL and executemany on SQLite. Values still pass
# through each field's pre_save (encryption, timestamps) and get_db_prep_save (JSON, UUIDs,
# dates), so what is stored is what bulk_create would have stored.
FAST_TABLES = True
_PLAIN = (
    models.IntegerField,
    models.CharField,
    models.BooleanField,
    models.FloatField,
    models.ForeignKey,
)


def _reserve_ids(model: type[models.Model], count: int) -> int:
    """The first of `count` new ids for `model`, taken from its sequence (PostgreSQL) or past
    its largest id (SQLite, where the writer holds the lock for the whole transaction)."""
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
            sequence = cursor.fetchone()[0]
            cursor.execute("SELECT nextval(%s)", [sequence])
            first = int(cursor.fetchone()[0])
            if count > 1:
                cursor.execute("SELECT setval(%s, %s)", [sequence, first + count - 1])
            return first
        quoted = connection.ops.quote_name(table)
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {quoted}")  # noqa: S608 — a model's table
        return int(cursor.fetchone()[0]) + 1


class Row(SimpleNamespace):
    """A row for fast_insert without a model instance (building one costs more than writing
    it): attributes by column attribute name (`response_id`); encrypted text must be sealed
    already (core.fields.Sealed); a column left out takes its field's default."""


_MISSING = object()


def fast_insert(model: type[models.Model], instances: Sequence[models.Model | Row]) -> None:
    """Write unsaved instances or Rows; an auto id is given to each first (and set on it)."""
    if not instances:
        return
    meta = model._meta
    pk_name = meta.pk.attname
    if getattr(instances[0], pk_name, None) is None:
        first = _reserve_ids(model, len(instances))
        for offset, instance in enumerate(instances):
            setattr(instance, pk_name, first + offset)
    is_model = isinstance(instances[0], models.Model)
    fields = list(meta.concrete_fields)
    conn = connections[DEFAULT_DB_ALIAS]  # the wrapper itself: the proxy costs a lookup a value
    sqlite = conn.vendor == "sqlite"
    now = timezone.now()

    def moment(value: dt.datetime | None) -> Any:
        value = value or now  # an automatic date left unset: now, as its pre_save would
        # As Django's SQLite backend stores them: naive UTC text.
        return str(value.astimezone(dt.UTC).replace(tzinfo=None)) if sqlite else value

    # Values the database takes as they are: numbers, text, flags and integer keys, with no
    # pre_save of their own (encrypted text has one). Dates are converted here; the rest
    # (JSON, UUIDs, encrypted text) by their field.
    kinds = []
    for f in fields:
        if isinstance(f, models.DateTimeField):
            kinds.append("moment")
        elif (
            isinstance(f, _PLAIN)
            and not f.primary_key
            and type(f).pre_save is models.Field.pre_save
            and (
                not isinstance(f, models.ForeignKey)
                or isinstance(f.target_field, models.IntegerField)
            )
        ):
            kinds.append("plain")
        else:
            kinds.append("field")
    rows: list[tuple[Any, ...]] = []
    for instance in instances:
        row: list[Any] = []
        for f, kind in zip(fields, kinds, strict=True):
            value: Any = getattr(instance, f.attname, _MISSING)
            if value is _MISSING:
                value = f.get_default()
            if kind == "plain":
                row.append(value)
            elif kind == "moment":
                row.append(moment(value))
            elif is_model:
                row.append(f.get_db_prep_save(f.pre_save(instance, True), conn))  # type: ignore[arg-type]
            else:
                row.append(f.get_db_prep_save(value, conn))
        rows.append(tuple(row))
    quote = connection.ops.quote_name
    table = quote(meta.db_table)
    columns = ", ".join(quote(str(f.column)) for f in fields)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for values in rows:
                    copy.write_row(values)
        else:
            marks = ", ".join(["%s"] * len(fields))
            sql = f"INSERT INTO {table} ({columns}) VALUES ({marks})"  # noqa: S608 — model columns
            cursor.executemany(sql, cast(Any, rows))


class Builder:
    def __init__(self, sizes: Sizes, *, slug: str, name: str, seed: int, progress: Progress):
        self.sizes = sizes
        self.slug = slug
        self.name = name
        self.rng = random.Random(seed)
        self.progress = progress
        self.today = timezone.now().date()
        self.now = timezone.now()
        self.counts: dict[str, int] = defaultdict(int)
        self.stages: list[tuple[str, float]] = []
        self.password = make_password(LARGE_PASSWORD)
        self.participant: Person | None = None

    # -- helpers ---------------------------------------------------------------------------

    def _bulk(
        self,
        model: type[models.Model],
        rows: Sequence[Any],
        label: str,
        *,
        fast: bool = False,
        advance: bool = True,
    ) -> None:
        """bulk_create (or fast_insert) in batches, counting and showing progress (the rows get
        their ids)."""
        for chunk in _chunks(rows):
            if fast and FAST_TABLES:
                fast_insert(model, chunk)
            else:
                model.objects.bulk_create(chunk, batch_size=BATCH)  # type: ignore[attr-defined]
            if advance:
                self.progress.advance(len(chunk))
            # With DEBUG on, Django keeps every query's SQL: drop it as we go.
            reset_queries()
        self.counts[label] += len(rows)

    @contextmanager
    def _stage(self, label: str, total: int) -> Iterator[None]:
        started = time.perf_counter()
        self.progress.stage(label, total)
        yield
        self.progress.finish()
        self.stages.append((label, time.perf_counter() - started))

    def _past(self, low_days: int, high_days: int) -> dt.date:
        return self.today - dt.timedelta(days=self.rng.randint(low_days, high_days))

    # -- the stages ------------------------------------------------------------------------

    def build(self) -> Result:
        started = time.perf_counter()
        # One transaction: a run that fails half-way leaves nothing behind. The cycle collector
        # pauses meanwhile: the plans keep hundreds of thousands of rows alive, which it would
        # otherwise walk again at every burst of allocations (as in the people import).
        with paused_gc(), transaction.atomic(), _own_timestamps():
            self._organisation()
            self._people()
            self._programmes()
            self._applications()
            self._pairings()
            self._meetings()
            self._goals_and_commitments()
            self._consents()
            self._surveys()
            self._match_run()
        # A bulk load leaves PostgreSQL's planner statistics saying the tables are nearly empty
        # (autovacuum catches up only later), so the first reports would be planned for a few
        # hundred rows. Gather them now, as an operator would after any bulk import.
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        self.progress.finish()
        return Result(
            organisation=self.org,
            admin=self.admin,
            manager=self.managers[0],
            participant=self.participant,
            counts=dict(self.counts),
            seconds=time.perf_counter() - started,
            stages=self.stages,
        )

    def _organisation(self) -> None:
        with self._stage("organisation", 1):
            # Saving the organisation makes its data key (core.keys), which every encrypted
            # field below needs.
            self.org = Organisation.objects.create(name=self.name, slug=self.slug)
            self.domain = f"{self.slug}.example"
            OrganisationDomain.objects.create(organisation=self.org, domain=self.domain)
            self.levels = Level.objects.bulk_create(
                Level(organisation=self.org, rank=rank, name=name)
                for rank, name in enumerate(DEFAULT_LEVELS, start=1)
            )
            self.departments = Department.objects.bulk_create(
                Department(organisation=self.org, name=name) for name in DEPARTMENTS
            )
            self.teams = Team.objects.bulk_create(
                Team(organisation=self.org, department=d, name=f"{d.name} team {n}")
                for d in self.departments
                for n in range(1, 9)
            )
            self.skills = Topic.objects.bulk_create(
                Topic(organisation=self.org, name=n, kind=Topic.Kind.SKILL) for n in SKILLS
            )
            self.experiences = Topic.objects.bulk_create(
                Topic(organisation=self.org, name=n, kind=Topic.Kind.EXPERIENCE)
                for n in EXPERIENCES
            )
            self.interests = Topic.objects.bulk_create(
                Topic(organisation=self.org, name=n, kind=Topic.Kind.INTEREST) for n in INTERESTS
            )
            self.progress.advance()

    def _people(self) -> None:
        """People in a reporting tree of fan-out 8, written a generation at a time so every
        manager already has an id. About 70% have an account (one shared password hash), and
        about 8% have left, with the day they left as their last update."""
        total = self.sizes.people
        if total < 20:
            raise LargeSeedError("A large organisation needs at least 20 people.")
        rng = self.rng
        ranks = rng.choices(range(1, 10), weights=RANK_WEIGHTS, k=total)
        ranks[0] = 9
        self.people: list[Person] = []
        with self._stage("people", total):
            generation = [0]
            while generation:
                users: list[User] = []
                batch: list[Person] = []
                for i in generation:
                    first, last = rng.choice(FIRST), rng.choice(LAST)
                    email = f"{first}.{last}.{i}@{self.domain}".lower()
                    rank = ranks[i]
                    team = rng.choice(self.teams)
                    location, tz = rng.choice(LOCATIONS)
                    left = i > 0 and rng.random() < 0.08
                    started = self._past(60, 15 * 365)
                    person = Person(
                        organisation=self.org,
                        email=email,
                        full_name=f"{first} {last}",
                        job_title=f"{DEFAULT_LEVELS[rank - 1]}, {team.name}",
                        level=self.levels[rank - 1],
                        department_id=team.department_id,
                        team=team,
                        manager=self.people[(i - 1) // 8] if i else None,
                        location=location,
                        time_zone=tz,
                        start_date=started,
                        is_active=not left,
                        is_org_admin=i == 0,
                    )
                    person.created_at = _at(started)
                    # A leaver's last update is the day they left.
                    left_on = self._past(1, 700) if left else None
                    person.left_on = left_on
                    person.updated_at = _at(left_on) if left_on else self.now
                    if i == 0 or rng.random() < 0.7:
                        user = User(email=email, name=person.full_name, password=self.password)
                        users.append(user)
                        person.user = user
                    batch.append(person)
                User.objects.bulk_create(users, batch_size=BATCH)
                for person in batch:
                    if person.user is not None:
                        person.user_id = person.user.pk
                self._bulk(Person, batch, "people")
                self.counts["accounts"] += len(users)
                self.people.extend(batch)
                start = generation[-1] + 1
                size = len(generation) * 8
                generation = list(range(start, min(start + size, total)))
        self.admin = self.people[0]
        # The programme team: senior people who run programmes and take part in none.
        senior = [
            p
            for i, p in enumerate(self.people)
            if i and ranks[i] in (6, 7) and p.is_active and p.user_id
        ]
        self.managers = senior[: max(2, self.sizes.programmes // 5)]
        if not self.managers:
            raise LargeSeedError("Too few people for a programme team: raise --people.")
        staff = {self.admin.pk, *(m.pk for m in self.managers)}
        self.juniors = [p for i, p in enumerate(self.people) if ranks[i] <= 4 and p.pk not in staff]
        self.seniors = [p for i, p in enumerate(self.people) if ranks[i] >= 6 and p.pk not in staff]

    def _programmes(self) -> None:
        count = self.sizes.programmes
        first_states = [
            State.ACTIVE,
            State.COMPLETED,
            State.MATCHING,
            State.RECRUITING,
            State.DRAFT,
        ]
        pattern = [State.COMPLETED, State.ACTIVE] * 8 + [State.RECRUITING, State.MATCHING]
        pattern += [State.DRAFT, State.ACTIVE]
        states = [
            first_states[k] if k < len(first_states) else pattern[k % len(pattern)]
            for k in range(count)
        ]
        objectives = [o for o in Objective.values if o != Objective.CUSTOM]
        version = (
            JourneyVersion.objects.filter(template__is_builtin=True, number__isnull=False)
            .order_by("id")
            .first()
        )
        self.steps: list[JourneyStep] = (
            list(version.steps.order_by("position")) if version is not None else []
        )
        self.plans: list[ProgrammePlan] = []
        with self._stage("programmes", count):
            rows: list[Programme] = []
            for k, state in enumerate(states):
                objective = objectives[k % len(objectives)]
                focus = ("race", "gender")[k % 2] if objective == Objective.INCLUSION else ""
                if state == State.COMPLETED:
                    starts = self.today - dt.timedelta(days=220 + (k * 7) % 500)
                elif state == State.ACTIVE:
                    starts = self.today - dt.timedelta(days=40 + (k * 5) % 140)
                else:
                    starts = self.today + dt.timedelta(days=20 + (k * 3) % 60)
                ends = starts + dt.timedelta(days=180)
                programme = Programme(
                    organisation=self.org,
                    name=f"{Objective(objective).label} cohort {k + 1}",
                    summary="Reverse mentoring across the organisation.",
                    objective=objective,
                    inclusion_focus=focus,
                    success_what="Confidence of leaders in this area.",
                    success_how="The same survey at the start and the end.",
                    success_target="60% of mentees report more confidence.",
                    selection_mode=(SelectionMode.REVIEWED, SelectionMode.OPEN)[k % 2],
                    places=max(10, self.sizes.pairs // max(1, count) + 10),
                    starts_on=starts,
                    ends_on=ends,
                    ended_on=ends if state == State.COMPLETED else None,
                    is_pilot=k < len(objectives),
                    special_category_reporting=objective == Objective.INCLUSION,
                    state=state,
                    signup_open=state == State.RECRUITING,
                )
                programme.created_at = _at(starts - dt.timedelta(days=60))
                rows.append(programme)
            self._bulk(Programme, rows, "programmes")
            # Later cohorts follow the first programme of the same objective.
            first_of: dict[str, Programme] = {}
            for programme in rows:
                earlier = first_of.setdefault(programme.objective, programme)
                if earlier is not programme:
                    programme.previous_cohort = earlier
            Programme.objects.bulk_update(
                [p for p in rows if p.previous_cohort_id], ["previous_cohort"], batch_size=BATCH
            )
            through = Programme.managers.through
            through.objects.bulk_create(
                through(programme_id=p.pk, person_id=self.managers[k % len(self.managers)].pk)
                for k, p in enumerate(rows)
            )
            changes = []
            path = [State.DRAFT, State.RECRUITING, State.MATCHING, State.ACTIVE, State.COMPLETED]
            for programme in rows:
                reached = path[: path.index(State(programme.state)) + 1]
                for step, (a, b) in enumerate(pairwise(reached)):
                    change = StateChange(programme=programme, from_state=a, to_state=b)
                    change.at = _at(programme.starts_on - dt.timedelta(days=40 - 20 * step))
                    changes.append(change)
            StateChange.objects.bulk_create(changes, batch_size=BATCH)
            if version is not None:
                ProgrammeJourney.objects.bulk_create(
                    ProgrammeJourney(programme=p, version=version) for p in rows
                )
            self.plans = [ProgrammePlan(p) for p in rows]
            paired = [
                plan
                for plan in self.plans
                if plan.programme.state in (State.ACTIVE, State.COMPLETED)
            ]
            for plan, pairs in zip(paired, _split(self.sizes.pairs, len(paired)), strict=True):
                plan.pairs = pairs
            average = max(1, self.sizes.pairs // max(1, len(paired)))
            for plan in self.plans:
                if plan.programme.state == State.MATCHING:
                    # Kept small enough for the engine to run in seconds.
                    plan.pairs = min(average, 150)

    def _application(
        self, plan: ProgrammePlan, person: Person, role: str, status: str
    ) -> Application:
        programme = plan.programme
        submitted = programme.starts_on - dt.timedelta(days=self.rng.randint(30, 50))
        application = Application(
            programme=programme,
            person=person,
            role=role,
            status=status,
            motivation=self.rng.choice(MOTIVATIONS),
            availability=self.rng.sample(AVAILABILITY_SLOTS, 3),
            consent_terms=True,
        )
        application.submitted_at = _at(min(submitted, self.today))
        if status != Application.Status.SUBMITTED:
            application.reviewed_at = _at(min(submitted + dt.timedelta(days=7), self.today))
        application.updated_at = application.reviewed_at or application.submitted_at
        return application

    def _applications(self) -> None:
        """Accepted applications for everyone who will be paired, and more at every stage:
        submitted, waiting list, declined and withdrawn; invitations for some."""
        rng = self.rng
        S = Application.Status
        total = sum(int(plan.pairs * 2.4) for plan in self.plans) + 40 * len(self.plans)
        with self._stage("applications", total):
            rows: list[Application] = []
            invitations: list[Invitation] = []
            for plan in self.plans:
                state = plan.programme.state
                if state == State.DRAFT:
                    continue
                ended = state == State.COMPLETED
                juniors = [p for p in self.juniors if p.is_active or ended]
                seniors = [p for p in self.seniors if p.is_active or ended]
                size = plan.pairs if state != State.RECRUITING else max(10, self.sizes.pairs // 200)
                extra = max(2, size // 5)
                if len(juniors) < size + extra or len(seniors) < size + extra:
                    raise LargeSeedError(
                        "Too few people for the pairs asked for: raise --people or lower --pairs."
                    )
                mentors = rng.sample(juniors, size + extra)
                mentees = rng.sample(seniors, size + extra)
                for role, people in ((Role.MENTOR, mentors), (Role.MENTEE, mentees)):
                    chosen, others = people[:size], people[size:]
                    if state == State.RECRUITING:
                        statuses = [S.SUBMITTED] * (len(chosen) // 2) + [S.ACCEPTED] * (
                            len(chosen) - len(chosen) // 2
                        )
                    else:
                        statuses = [S.ACCEPTED] * len(chosen)
                    for person, status in zip(chosen, statuses, strict=True):
                        rows.append(self._application(plan, person, role, status))
                        if status == S.ACCEPTED:
                            plan.roles[person.pk] = role
                    for n, person in enumerate(others):
                        status = (S.WAITLISTED, S.DECLINED, S.WITHDRAWN, S.SUBMITTED)[n % 4]
                        if state in (State.ACTIVE, State.COMPLETED) and n % 4 == 3:
                            status = S.DECLINED
                        rows.append(self._application(plan, person, role, status))
                    for person in chosen[: max(1, len(chosen) // 10)]:
                        invitation = Invitation(programme=plan.programme, person=person, role=role)
                        invitation.created_at = _at(plan.programme.starts_on - dt.timedelta(60))
                        invitations.append(invitation)
                plan.mentors = mentors[:size]
                plan.mentees = mentees[:size]
            self.progress.total = len(rows)
            self._bulk(Application, rows, "applications")
            Invitation.objects.bulk_create(invitations, batch_size=BATCH)
            self.counts["invitations"] = len(invitations)
            # Two topics offered (mentors) or wanted (mentees) and one interest each: what the
            # matching engine and the review read.
            offered = Application.offered_topics.through
            wanted = Application.wanted_topics.through
            interests = Application.interests.through
            links_o, links_w, links_i = [], [], []
            for application in rows:
                for topic in rng.sample(self.skills, 2):
                    if application.role == Role.MENTOR:
                        links_o.append(offered(application_id=application.pk, topic_id=topic.pk))
                    else:
                        links_w.append(wanted(application_id=application.pk, topic_id=topic.pk))
                topic = rng.choice(self.interests)
                links_i.append(interests(application_id=application.pk, topic_id=topic.pk))
            offered.objects.bulk_create(links_o, batch_size=BATCH)
            wanted.objects.bulk_create(links_w, batch_size=BATCH)
            interests.objects.bulk_create(links_i, batch_size=BATCH)

    def _pairings(self) -> None:
        rng = self.rng
        P = PairingState
        with self._stage("pairs", self.sizes.pairs):
            rows: list[Pairing] = []
            changes: list[PairingStateChange] = []
            for plan in self.plans:
                programme = plan.programme
                if programme.state not in (State.ACTIVE, State.COMPLETED):
                    continue
                completed = programme.state == State.COMPLETED
                for mentor, mentee in zip(plan.mentors, plan.mentees, strict=True):
                    roll = rng.random()
                    if completed:
                        state = (
                            P.COMPLETED if roll < 0.82 else P.ENDED if roll < 0.92 else P.DECLINED
                        )
                    else:
                        state = (
                            P.ACTIVE
                            if roll < 0.85
                            else P.ENDED
                            if roll < 0.91
                            else P.DECLINED
                            if roll < 0.95
                            else P.PROPOSED
                            if roll < 0.98
                            else P.MENTOR_ACCEPTED
                        )
                    proposed = _at(programme.starts_on - dt.timedelta(days=10), 9)
                    pairing = Pairing(
                        programme=programme,
                        mentor=mentor,
                        mentee=mentee,
                        state=state,
                        score=round(rng.uniform(0.4, 0.95), 3),
                        respond_by=proposed + dt.timedelta(days=7),
                    )
                    pairing.created_at = proposed
                    pairing.updated_at = proposed
                    path = [P.PROPOSED]
                    if state in (P.PROPOSED,):
                        pairing.respond_by = self.now + dt.timedelta(days=5)
                    if state not in (P.PROPOSED, P.DECLINED):
                        pairing.mentor_responded_at = proposed + dt.timedelta(days=1)
                        pairing.mentee_told_at = proposed + dt.timedelta(days=1)
                        path.append(P.MENTOR_ACCEPTED)
                    if state in (P.ACTIVE, P.COMPLETED, P.ENDED):
                        pairing.mentee_responded_at = proposed + dt.timedelta(days=2)
                        path.append(P.ACTIVE)
                    if state == P.COMPLETED:
                        path.append(P.COMPLETED)
                        pairing.updated_at = _at(programme.ends_on)
                    if state == P.DECLINED:
                        pairing.mentor_responded_at = proposed + dt.timedelta(days=1)
                        pairing.closed_by = Pairing.ClosedBy.MENTOR
                        pairing.closed_at = pairing.mentor_responded_at
                        path.append(P.DECLINED)
                    if state == P.ENDED:
                        span = max(
                            2, (min(programme.ends_on, self.today) - programme.starts_on).days
                        )
                        pairing.closed_at = _at(
                            programme.starts_on + dt.timedelta(days=rng.randint(1, span - 1))
                        )
                        pairing.closed_by = rng.choice(
                            [
                                Pairing.ClosedBy.MENTOR,
                                Pairing.ClosedBy.MENTEE,
                                Pairing.ClosedBy.MANAGER,
                            ]
                        )
                        path.append(P.ENDED)
                    if pairing.closed_at:
                        pairing.updated_at = pairing.closed_at
                    rows.append(pairing)
                    plan.pairings.append(pairing)
                    for a, b in pairwise(path):
                        change = PairingStateChange(pairing=pairing, from_state=a, to_state=b)
                        change.at = pairing.updated_at
                        changes.append(change)
            self._bulk(Pairing, rows, "pairs")
            PairingStateChange.objects.bulk_create(changes, batch_size=BATCH)
            # A participant to sign in as: the mentee of an active pair with an account.
            self.participant = next(
                (
                    p.mentee
                    for plan in self.plans
                    for p in plan.pairings
                    if p.state == P.ACTIVE and p.mentee.user_id
                ),
                None,
            )

    def _meetings(self) -> None:
        """Meetings spread evenly over each pair's time together: held (both accounts agree),
        missed, cancelled in the past; booked in the future for pairs still running. A pulse
        from the mentor after about a third of the meetings held."""
        rng = self.rng
        P = PairingState
        met = [
            (plan, pairing)
            for plan in self.plans
            for pairing in plan.pairings
            if pairing.state in (P.ACTIVE, P.COMPLETED, P.ENDED)
        ]
        with self._stage("meetings", self.sizes.meetings):
            if not met:
                return
            buffer: list[Meeting] = []
            pulses: list[PulseResponse] = []

            def flush() -> None:
                self._bulk(Meeting, buffer, "meetings", fast=True)
                for meeting in buffer:
                    if meeting.status == MeetingStatus.HELD and rng.random() < 0.35:
                        low = rng.random() < 0.08
                        pulse = PulseResponse(
                            meeting=meeting,
                            pairing=meeting.pairing,
                            mentor_id=meeting.pairing.mentor_id,
                            spoke_openly=rng.randint(1, 3) if low else rng.randint(3, 5),
                            felt_listened_to=rng.randint(2, 5) if low else rng.randint(4, 5),
                            worth_my_time=rng.randint(2, 5) if low else rng.randint(3, 5),
                            wants_support=low and rng.random() < 0.4,
                        )
                        pulse.created_at = meeting.settled_at or self.now
                        pulses.append(pulse)
                fast_insert(PulseResponse, pulses)
                self.counts["safety pulses"] += len(pulses)
                buffer.clear()
                pulses.clear()

            for (plan, pairing), count in zip(
                met, _split(self.sizes.meetings, len(met)), strict=True
            ):
                programme = plan.programme
                begin = programme.starts_on + dt.timedelta(days=7)
                if pairing.state == P.COMPLETED:
                    end = programme.ends_on
                elif pairing.state == P.ENDED:
                    end = pairing.closed_at.date() if pairing.closed_at else self.today
                else:
                    end = programme.ends_on
                span = max((end - begin).days, 1)
                for j in range(count):
                    day = begin + dt.timedelta(days=int((j + 0.5) * span / count))
                    starts = _at(day, rng.randint(9, 16), rng.choice((0, 30)))
                    meeting = Meeting(
                        pairing=pairing,
                        step=self.steps[j] if j < len(self.steps) else None,
                        starts_at=starts,
                        duration_minutes=60,
                        ends_at=starts + dt.timedelta(minutes=60),
                        organiser_id=pairing.mentee_id,
                    )
                    meeting.created_at = starts - dt.timedelta(days=14)
                    if starts >= self.now:
                        meeting.status = MeetingStatus.SCHEDULED
                        meeting.created_at = min(meeting.created_at, self.now)
                    else:
                        roll = rng.random()
                        if roll < 0.82:
                            minutes = rng.choice((45, 60, 60, 75))
                            meeting.status = MeetingStatus.HELD
                            meeting.actual_minutes = minutes
                            meeting.mentor_outcome = meeting.mentee_outcome = MeetingOutcome.HELD
                            meeting.mentor_minutes = meeting.mentee_minutes = minutes
                        elif roll < 0.9:
                            meeting.status = MeetingStatus.MISSED
                            meeting.mentor_outcome = meeting.mentee_outcome = MeetingOutcome.MISSED
                        else:
                            meeting.status = MeetingStatus.CANCELLED
                            meeting.cancelled_at = starts - dt.timedelta(days=2)
                        if meeting.status != MeetingStatus.CANCELLED:
                            meeting.marked_at = starts + dt.timedelta(hours=3)
                            meeting.settled_at = starts + dt.timedelta(days=1)
                    meeting.updated_at = (
                        meeting.settled_at or meeting.cancelled_at or meeting.created_at
                    )
                    buffer.append(meeting)
                    if meeting.status == MeetingStatus.HELD:
                        plan.held.append(meeting)
                    if len(buffer) >= BATCH:
                        flush()
            flush()

    def _goals_and_commitments(self) -> None:
        rng = self.rng
        P = PairingState
        met = [
            (plan, pairing)
            for plan in self.plans
            for pairing in plan.pairings
            if pairing.state in (P.ACTIVE, P.COMPLETED, P.ENDED)
        ]
        with self._stage("goals and commitments", len(met)):
            goals: list[Goal] = []
            for plan, pairing in met:
                finished = pairing.state != P.ACTIVE
                owners = [pairing.mentee] + ([pairing.mentor] if rng.random() < 0.5 else [])
                if rng.random() > 0.75:
                    continue
                for owner in owners:
                    statement, measure = rng.choice(GOALS)
                    status = rng.choices(
                        GoalStatus.values,
                        weights=(1, 3, 5, 1) if finished else (3, 6, 1, 1),
                    )[0]
                    goal = Goal(
                        pairing=pairing,
                        owner=owner,
                        statement=statement,
                        measure=measure,
                        target_date=plan.programme.ends_on,
                        term=Term.LONG,
                        status=status,
                        progress=100 if status == GoalStatus.ACHIEVED else rng.randint(0, 90),
                        created_by=owner,
                    )
                    goal.created_at = _at(plan.programme.starts_on + dt.timedelta(days=10))
                    goals.append(goal)
            self._bulk(Goal, goals, "goals")
            tasks: list[Task] = []
            for goal in goals:
                for n in range(rng.randint(1, 2)):
                    task = Task(
                        goal=goal,
                        title=TASKS[n],
                        owner_id=goal.owner_id,
                        due_on=goal.target_date - dt.timedelta(days=60 - 30 * n),
                    )
                    task.created_at = goal.created_at
                    if goal.status == GoalStatus.ACHIEVED or rng.random() < 0.4:
                        task.done_at = min(goal.created_at + dt.timedelta(days=30), self.now)
                    tasks.append(task)
            self._bulk(Task, tasks, "tasks")
            commitments: list[Commitment] = []
            for plan, pairing in met:
                if rng.random() > 0.6:
                    continue
                finished = plan.programme.state == State.COMPLETED
                for _n in range(rng.randint(1, 2)):
                    insight = rng.random() < 0.2
                    status = CommitmentStatus.OPEN
                    if not insight:
                        status = rng.choices(
                            CommitmentStatus.values,
                            weights=(25, 40, 20, 10, 5) if finished else (60, 15, 20, 3, 2),
                        )[0]
                    commitment = Commitment(
                        pairing=pairing,
                        programme=plan.programme,
                        owner_id=pairing.mentee_id,
                        kind=CommitmentKind.INSIGHT if insight else CommitmentKind.COMMITMENT,
                        text=rng.choice(COMMITMENTS),
                        due_on=None if insight else plan.programme.ends_on + dt.timedelta(90),
                        theme=rng.choice(Theme.values),
                        status=status,
                    )
                    commitment.created_at = _at(plan.programme.starts_on + dt.timedelta(days=40))
                    if status != CommitmentStatus.OPEN:
                        commitment.status_updated_at = min(
                            commitment.created_at + dt.timedelta(days=60), self.now
                        )
                    commitments.append(commitment)
            self._bulk(Commitment, commitments, "commitments")
            self.progress.advance(len(met))

    def _consents(self) -> None:
        """About-you answers for about 40% of people; of them, 75% consent to reporting and
        40% to matching (the current wordings)."""
        rng = self.rng
        sharing = [p for p in self.people if rng.random() < 0.4]
        self.reporting_groups: dict[int, list[int | str]] = {}
        with self._stage("about you and consent", len(sharing)):
            rows: list[AboutYou] = []
            events: list[ConsentEvent] = []
            for person in sharing:
                values: dict[str, str] = {}
                for category in CATEGORIES:
                    roll = rng.random()
                    if roll < 0.6:
                        values[category.key] = rng.choice(category.options)[0]
                    elif roll < 0.7:
                        values[category.key] = PREFER_NOT
                lived: list[int] = []
                if rng.random() < 0.2:
                    lived = [rng.choice(self.experiences).pk]
                about = AboutYou(
                    person=person, lived_experience=json.dumps(lived) if lived else "", **values
                )
                about.updated_at = self.now
                rows.append(about)
                when = self.now - dt.timedelta(days=rng.randint(1, 300))
                if rng.random() < 0.75:
                    events.append(
                        ConsentEvent(
                            person=person,
                            purpose=Purpose.REPORTING,
                            granted=True,
                            version=CURRENT[Purpose.REPORTING].version,
                            at=when,
                        )
                    )
                    groups: list[int | str] = list(lived)
                    groups += [f"{k}:{v}" for k, v in values.items() if v != PREFER_NOT]
                    if groups:
                        self.reporting_groups[person.pk] = groups
                if rng.random() < 0.4:
                    events.append(
                        ConsentEvent(
                            person=person,
                            purpose=Purpose.MATCHING,
                            granted=True,
                            version=CURRENT[Purpose.MATCHING].version,
                            at=when,
                        )
                    )
            self._bulk(AboutYou, rows, "about you")
            ConsentEvent.objects.bulk_create(events, batch_size=BATCH)
            self.counts["consents"] = len(events)

    def _survey_rows(self, plan: ProgrammePlan) -> list[tuple[Survey, list[Question]]]:
        programme = plan.programme
        completed = programme.state == State.COMPLETED
        templates = library.templates_for(programme.objective, programme.inclusion_focus)
        chosen = [t for t in templates if t.timing == Timing.START][:1]
        if completed:
            chosen += [t for t in templates if t.timing == Timing.END][:1]
        chosen += [t for t in templates if t.key == "session-feedback"]
        made: list[tuple[Survey, list[Question]]] = []
        for k, template in enumerate(chosen):
            timing = template.timing
            opened = programme.starts_on + dt.timedelta(days=TIMING_DELAY.get(timing, 0))
            if timing == Timing.END:
                opened = programme.ends_on - dt.timedelta(days=7)
            closes = timing == Timing.START or completed
            survey = Survey(
                programme=programme,
                title=str(template.title),
                intro=str(template.intro),
                timing=timing,
                audience=template.audience,
                # Session feedback is named in every other programme, so both kinds of stored
                # answers exist.
                is_anonymous=template.is_anonymous
                and not (timing == Timing.AFTER_SESSION and self.plans.index(plan) % 2 == 0),
                state=SurveyState.CLOSED if closes else SurveyState.OPEN,
                template_key=template.key,
                opened_at=_at(opened),
                closed_at=_at(opened + dt.timedelta(days=21)) if closes else None,
            )
            survey.created_at = _at(opened - dt.timedelta(days=3 + k))
            questions = [
                Question(
                    survey=survey,
                    position=position,
                    item_key=item.key,
                    text=str(item.text),
                    help_text=str(item.help_text),
                    kind=item.kind,
                    choices=[str(c) for c in item.choices],
                    required=item.required,
                )
                for position, item in enumerate(template.items, start=1)
            ]
            made.append((survey, questions))
        return made

    def _answer(self, question: Question, timing: str) -> Row | None:
        rng = self.rng
        kind = question.kind
        lift = 1 if timing == Timing.END else 0
        values: dict[str, Any]
        if kind == SurveyQuestionKind.LIKERT:
            values = {"number": min(5, rng.randint(2, 4) + lift)}
        elif kind == SurveyQuestionKind.SCALE:
            values = {"number": rng.randint(4, 10)}
        elif kind == SurveyQuestionKind.RETROSPECTIVE:
            before = rng.randint(1, 3)
            values = {"number_before": before, "number": before + rng.randint(0, 2)}
        elif kind == SurveyQuestionKind.SINGLE and question.choices:
            values = {"choices": [rng.choice(question.choices)]}
        elif kind == SurveyQuestionKind.MULTIPLE and question.choices:
            values = {"choices": question.choices[:1]}
        elif kind == SurveyQuestionKind.TEXT and rng.random() < 0.15:
            values = {"text": Sealed(crypto.encrypt(COMMENT, self.org.pk))}
        else:
            return None  # free text is optional: mostly left unanswered
        return Row(id=uuid.uuid4(), question_id=question.pk, **values)

    def _surveys(self) -> None:
        """Start, end (completed programmes) and session-feedback surveys for every programme
        with pairs, answered until the --answers budget is spent, shared out by pairs."""
        rng = self.rng
        # Programmes still running come first: they have fewer meetings behind them, and what
        # their budget leaves over goes to the completed ones, which have more.
        paired = sorted(
            (plan for plan in self.plans if plan.pairings),
            key=lambda plan: plan.programme.state == State.COMPLETED,
        )
        budgets = _split(self.sizes.answers, len(paired))
        min_group = int(settings.UPWARD_MIN_GROUP_SIZE)
        special = int(settings.UPWARD_SPECIAL_CATEGORY_MIN_GROUP_SIZE)
        with self._stage("survey answers", self.sizes.answers):
            carry = 0
            responses: list[Row] = []
            answers: list[Row] = []
            submissions: list[Row] = []
            measures: list[SuccessMeasure] = []

            def flush() -> None:
                self._bulk(Response, responses, "survey responses", fast=True, advance=False)
                fast_insert(Submission, submissions)
                self.counts["survey submissions"] += len(submissions)
                self._bulk(Answer, answers, "survey answers", fast=True)
                self.progress.advance(0)
                responses.clear()
                answers.clear()
                submissions.clear()

            for plan, budget in zip(paired, budgets, strict=True):
                budget += carry
                made = self._survey_rows(plan)
                Survey.objects.bulk_create([s for s, _q in made])
                for survey, questions in made:
                    for q in questions:
                        q.survey_id = survey.pk
                Question.objects.bulk_create([q for _s, qs in made for q in qs])
                self.counts["surveys"] += len(made)
                start = made[0]
                keyed = next((q.item_key for q in start[1] if q.kind == "likert"), "")
                if keyed:
                    measures.append(SuccessMeasure(programme=plan.programme, item_key=keyed))
                met = [pr for pr in plan.pairings if pr.mentee_responded_at is not None]
                for survey, questions in made:
                    if budget <= 0:
                        break
                    # Who answers this survey (person, role, occasion), before the budget.
                    answerers: list[tuple[Person, str, str]] = []
                    if survey.timing == Timing.AFTER_SESSION:
                        for meeting in plan.held:
                            pr = meeting.pairing
                            for person, role in ((pr.mentor, "mentor"), (pr.mentee, "mentee")):
                                if survey.asks(role) and rng.random() < 0.9:
                                    answerers.append((person, role, f"meeting-{meeting.pk}"))
                    else:
                        done = survey.timing == Timing.END
                        for pr in met:
                            if done and pr.state != PairingState.COMPLETED:
                                continue
                            for person, role in ((pr.mentor, "mentor"), (pr.mentee, "mentee")):
                                if survey.asks(role) and rng.random() < 0.85:
                                    answerers.append((person, role, ""))
                    written: list[tuple[Row, list[Row]]] = []
                    for person, role, occasion in answerers:
                        if budget <= 0:
                            break
                        given = [a for q in questions if (a := self._answer(q, survey.timing))]
                        given = given[:budget]
                        budget -= len(given)
                        if survey.is_anonymous:
                            response = Row(
                                id=uuid.uuid4(),
                                survey_id=survey.pk,
                                is_anonymous=True,
                                pseudonym=(
                                    pseudonym(person_id=person.pk, programme_id=survey.programme_id)
                                    if survey.timing in PAIRED_TIMINGS
                                    else random_pseudonym()
                                ),
                                role=role,
                                department_id=person.department_id,
                                groups=(
                                    self.reporting_groups.get(person.pk, [])
                                    if survey.timing in PAIRED_TIMINGS
                                    and plan.programme.special_category_reporting
                                    else []
                                ),
                            )
                        else:
                            response = Row(
                                id=uuid.uuid4(),
                                survey_id=survey.pk,
                                is_anonymous=False,
                                person_id=person.pk,
                                pseudonym=pseudonym(
                                    person_id=person.pk,
                                    programme_id=survey.programme_id,
                                    anonymous=False,
                                ),
                                occasion_key=occasion,
                                role=role,
                                department_id=person.department_id,
                            )
                        submission = Row(
                            survey_id=survey.pk,
                            person_id=person.pk,
                            occasion=occasion,
                            submitted_at=survey.opened_at or self.now,
                        )
                        submissions.append(submission)
                        for answer in given:
                            answer.response_id = response.id
                        written.append((response, given))
                    # As the surveys app writes anonymous rows: a department only where enough
                    # people of that role and department answered, a group only where enough
                    # answerers share it (services._write).
                    if survey.is_anonymous:
                        by_dept: dict[tuple[str, int | None], set[int]] = defaultdict(set)
                        by_group: dict[int | str, set[int]] = defaultdict(set)
                        for person, role, _o in answerers[: len(written)]:
                            by_dept[(role, person.department_id)].add(person.pk)
                            for g in self.reporting_groups.get(person.pk, []):
                                by_group[g].add(person.pk)
                        for response, _given in written:
                            if len(by_dept[(response.role, response.department_id)]) < min_group:
                                response.department_id = None
                            response.groups = [
                                g for g in response.groups if len(by_group[g]) >= special
                            ]
                        rng.shuffle(written)
                    for response, given in written:
                        responses.append(response)
                        answers.extend(given)
                    if len(answers) >= BATCH:
                        flush()
                carry = max(budget, 0)
            flush()
            SuccessMeasure.objects.bulk_create(measures)

    def _match_run(self) -> None:
        """The programme in matching gets one real run of the engine, for the matching review."""
        from upward.pairing.models import MatchRun
        from upward.pairing.services import start_match_run
        from upward.pairing.services.runs import compute_match_run

        plan = next((p for p in self.plans if p.programme.state == State.MATCHING), None)
        if plan is None or not plan.roles:
            return
        with self._stage("matching run", 1):
            run = start_match_run(plan.programme, by=self.managers[0].user)
            if run.status == MatchRun.Status.QUEUED:
                compute_match_run(run.pk)
            self.progress.advance()
        self.counts["matching runs"] = 1


def organisation_exists(slug: str) -> bool:
    return Organisation.objects.filter(slug=slug).exists()


def remove_organisation(slug: str) -> None:
    """Delete the organisation, its people (with all they wrote) and their accounts. Programmes
    go first (meetings protect their organiser), then people (levels and departments are
    protected while people are in them)."""
    organisation = Organisation.objects.filter(slug=slug).first()
    if organisation is None:
        return
    with transaction.atomic():
        Programme.objects.filter(organisation=organisation).delete()
        people = Person.objects.filter(organisation=organisation)
        user_ids = list(people.exclude(user=None).values_list("user_id", flat=True))
        people.delete()
        for chunk in _chunks(user_ids):
            User.objects.filter(pk__in=chunk).delete()
        organisation.delete()


def seed_large(
    sizes: Sizes,
    *,
    slug: str = LARGE_SLUG,
    name: str = "Large Organisation",
    seed: int = 16,
    replace: bool = False,
    progress: Progress | None = None,
) -> Result:
    if organisation_exists(slug):
        if not replace:
            raise LargeSeedError(
                f"An organisation with the slug “{slug}” exists already. Use --replace to delete "
                "it and build it again, or choose another --slug."
            )
        remove_organisation(slug)
    builder = Builder(
        sizes, slug=slug, name=name, seed=seed, progress=progress or Progress(enabled=False)
    )
    return builder.build()


def summary(result: Result) -> Iterable[str]:
    yield f"Organisation: {result.organisation.name} (slug {result.organisation.slug})"
    for label, count in result.counts.items():
        yield f"  {label:<22} {count:>10,}"
    yield "Time by stage:"
    for label, seconds in result.stages:
        yield f"  {label:<22} {seconds:9.1f} s"
    yield f"Total {result.seconds:.1f} s"
    yield f"Password of every account: {LARGE_PASSWORD}"
    yield f"  org admin          {result.admin.email}"
    yield f"  programme manager  {result.manager.email}"
    if result.participant is not None:
        yield f"  participant        {result.participant.email}"
