"""Writes to the directory and the taxonomy. Each service checks its rules, writes inside one
transaction and leaves an audit entry. Rule breaks raise DomainError with a message to show."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, cast

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Field, Max, ProtectedError, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from upward.core import audit
from upward.core.errors import Conflict, DomainError
from upward.core.types import Actor
from upward.organisations import importing, selectors
from upward.organisations.domains import is_plain_address, normalise_domain
from upward.organisations.models import (
    IMPORT_BUSY_STATUSES,
    Department,
    Level,
    Organisation,
    OrganisationDomain,
    PeopleImport,
    Person,
    Team,
    Topic,
    Unavailability,
    validate_time_zone,
)
from upward.organisations.signals import department_deletion_requested, person_left

logger = logging.getLogger(__name__)


class ImportFileInvalid(DomainError):
    """The uploaded file cannot be read at all (type, size, headings...)."""


class ImportOutdated(Conflict):
    """The directory changed between the preview and the confirm."""


@contextmanager
def _unique_guard(message: str, field: str | None = None) -> Iterator[None]:
    # The checks before a write catch duplicates; this catches the race between two admins.
    # The savepoint keeps the outer transaction usable after the database refuses the row.
    try:
        with transaction.atomic():
            yield
    except IntegrityError as exc:
        raise Conflict(message, field=field) from exc


def _acting_person(by: Actor, organisation_id: int) -> Person | None:
    person = getattr(by, "person", None) if getattr(by, "is_authenticated", False) else None
    if person is not None and person.organisation_id == organisation_id:
        return person
    return None


# ---------------------------------------------------------------------------------------------
# People


def _lock_active_admins(organisation_id: int) -> set[int]:
    """Lock the organisation's active admins' rows and return their ids.

    Every write that can take admin rights away takes this lock first, in id order, and only
    then counts: two admins demoting (or marking as left) each other at the same moment queue
    here, and the second sees the first's change, so "at least one active admin" holds. Taking
    it before the person's own row keeps the lock order the same everywhere (no deadlock).
    """
    return set(
        Person.objects.select_for_update()
        .filter(organisation_id=organisation_id, is_org_admin=True, is_active=True)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def _keep_an_admin(admins: set[int], remaining: set[Any], *, field: str | None = None) -> None:
    if admins and not remaining:
        raise Conflict(
            _(
                "The organisation needs at least one active organisation admin. Make someone "
                "else an admin first."
            ),
            field=field,
        )


@dataclass(frozen=True)
class PersonDetails:
    email: str
    full_name: str
    job_title: str = ""
    level: Level | None = None
    department: Department | None = None
    team: Team | None = None
    manager: Person | None = None
    location: str = ""
    time_zone: str = importing.DEFAULT_TIME_ZONE
    start_date: dt.date | None = None
    is_active: bool = True
    is_org_admin: bool = False


def check_email_domain(organisation: Organisation, email: str, *, field: str = "email") -> None:
    """Refuse an address in a domain another organisation owns.

    Otherwise an admin could add someone else's employee and invite them, or wait for them to
    sign up, and so bring their account into this organisation.
    """
    owner = selectors.domain_owner_id(email)
    if owner is not None and owner != organisation.pk:
        raise DomainError(_("That address belongs to another organisation's domain."), field=field)


def _check_person(
    organisation: Organisation, person: Person | None, details: PersonDetails
) -> None:
    email = details.email.strip()
    if not is_plain_address(email):
        raise DomainError(
            _("Enter an address with one @ and no quotes or spaces, such as name@example.org."),
            field="email",
        )
    # Only a new or changed address: people added before the domain was claimed stay editable.
    if person is None or email.lower() != person.email.lower():
        check_email_domain(organisation, email)
    clash = Person.objects.filter(organisation=organisation, email__iexact=email)
    if person is not None:
        clash = clash.exclude(pk=person.pk)
    if clash.exists():
        raise Conflict(
            _("Someone in the directory already has the email %(email)s.") % {"email": email},
            field="email",
        )
    for name in ("level", "department", "team", "manager"):
        related = getattr(details, name)
        if related is not None and related.organisation_id != organisation.pk:
            raise DomainError(_("Choose from your own organisation."), field=name)
    if details.team is not None and (
        details.department is None or details.team.department_id != details.department.pk
    ):
        raise DomainError(
            _("The team “%(team)s” belongs to another department. Choose a team of %(dep)s.")
            % {
                "team": details.team.name,
                "dep": details.department.name if details.department else _("the department"),
            },
            field="team",
        )
    try:
        validate_time_zone(details.time_zone)
    except ValidationError as exc:
        raise DomainError(
            _("“%(tz)s” is not a known time zone, e.g. Europe/London.") % {"tz": details.time_zone},
            field="time_zone",
        ) from exc
    if details.manager is not None and person is not None:
        if details.manager.pk == person.pk:
            raise DomainError(_("A person cannot be their own line manager."), field="manager")
        chain = selectors.reporting_chain_ids(organisation).get(details.manager.pk, ())
        if person.pk in chain:
            raise DomainError(
                _(
                    "%(manager)s reports to %(person)s (directly or further down), so cannot be "
                    "their line manager: that would make a loop."
                )
                % {"manager": details.manager.full_name, "person": person.full_name},
                field="manager",
            )


def _apply_details(person: Person, details: PersonDetails) -> list[str]:
    changed = []
    values = {
        "email": details.email.strip(),
        "full_name": details.full_name.strip(),
        "job_title": details.job_title.strip(),
        "level": details.level,
        "department": details.department,
        "team": details.team,
        "manager": details.manager,
        "location": details.location.strip(),
        "time_zone": details.time_zone,
        "start_date": details.start_date,
        "is_active": details.is_active,
        "is_org_admin": details.is_org_admin,
    }
    for name, value in values.items():
        if getattr(person, name) != value:
            setattr(person, name, value)
            changed.append(name)
    return changed


def create_person(organisation: Organisation, *, by: Actor, details: PersonDetails) -> Person:
    with transaction.atomic():
        _check_person(organisation, None, details)
        person = Person(organisation=organisation)
        _apply_details(person, details)
        with _unique_guard(_("Someone in the directory already has this email."), "email"):
            person.save()
        audit.record("person.created", person, by=by)
        if person.is_org_admin:
            audit.record("person.admin_granted", person, by=by)
    return person


def update_person(person: Person, *, by: Actor, details: PersonDetails) -> Person:
    with transaction.atomic():
        admins = _lock_active_admins(person.organisation_id)
        person = Person.objects.select_for_update().get(pk=person.pk)
        organisation = person.organisation
        _check_person(organisation, person, details)
        acting = _acting_person(by, organisation.pk)
        if acting is not None and acting.pk == person.pk:
            if person.is_org_admin and not details.is_org_admin:
                raise DomainError(
                    _("You cannot remove your own admin rights. Ask another admin to do it."),
                    field="is_org_admin",
                )
            if not details.is_active:
                raise DomainError(
                    _("You cannot mark yourself as left. Ask another admin to do it."),
                    field="is_active",
                )
        # After the self checks, whose messages say more to the admin who is acting.
        if person.pk in admins and not (details.is_org_admin and details.is_active):
            _keep_an_admin(
                admins,
                admins - {person.pk},
                field="is_org_admin" if not details.is_org_admin else "is_active",
            )
        changed = _apply_details(person, details)
        if changed:
            with _unique_guard(_("Someone in the directory already has this email."), "email"):
                person.save()
            audit.record("person.updated", person, by=by, data={"fields": changed})
            if "is_org_admin" in changed:
                verb = "person.admin_granted" if person.is_org_admin else "person.admin_removed"
                audit.record(verb, person, by=by)
            if "email" in changed:
                _revoke_open_invitations(person, by=by)
            if "is_active" in changed and not person.is_active:
                _stamp_left([person.pk])
                _announce_left(person, by=by)
    return person


def _announce_left(person: Person, *, by: Actor) -> None:
    # One door for every way someone becomes a leaver: the apps above answer in this
    # transaction, so leaving and its consequences commit (or fail) together.
    person_left.send(sender=Person, person=person, by=by)


def _stamp_left(person_ids: Iterable[int]) -> None:
    """Every way of leaving (the form, "Mark as left", an import) records the day; retention
    figures count from it (Person.left_on)."""
    ids = list(person_ids)
    if ids:
        Person.objects.filter(pk__in=ids).update(left_on=timezone.localdate())


def _revoke_open_invitations(person: Person, *, by: Actor) -> None:
    # An invitation link proves its holder reads the old address, nothing about the new one.
    revoked = person.account_invitations.filter(
        accepted_at__isnull=True, revoked_at__isnull=True
    ).update(revoked_at=timezone.now())
    if revoked:
        audit.record(
            "person.invitations_revoked",
            person,
            by=by,
            data={"count": revoked, "reason": "email_changed"},
        )


def mark_person_left(person: Person, *, by: Actor) -> Person:
    with transaction.atomic():
        admins = _lock_active_admins(person.organisation_id)
        person = Person.objects.select_for_update().get(pk=person.pk)
        acting = _acting_person(by, person.organisation_id)
        if acting is not None and acting.pk == person.pk:
            raise DomainError(_("You cannot mark yourself as left. Ask another admin to do it."))
        _keep_an_admin(admins, admins - {person.pk})
        if not person.is_active:
            raise DomainError(_("%(name)s is already marked as left.") % {"name": person.full_name})
        person.is_active = False
        person.save(update_fields=["is_active", "updated_at"])
        audit.record("person.marked_left", person, by=by)
        _stamp_left([person.pk])
        _announce_left(person, by=by)
    return person


def mark_person_back(person: Person, *, by: Actor) -> Person:
    with transaction.atomic():
        person = Person.objects.select_for_update().get(pk=person.pk)
        if person.is_active:
            raise DomainError(_("%(name)s is already active.") % {"name": person.full_name})
        person.is_active = True
        person.save(update_fields=["is_active", "updated_at"])
        audit.record("person.marked_back", person, by=by)
    return person


# ---------------------------------------------------------------------------------------------
# Unavailable for a period

# A longer absence is a matter for the programme team (ending the pairing), not a pause.
MAX_UNAVAILABLE_DAYS = 365
MAX_NOTE_LENGTH = 300


def set_unavailability(
    person: Person, *, by: Actor, starts_on: dt.date, ends_on: dt.date, note: str = ""
) -> Unavailability:
    """The person is away from `starts_on` to `ends_on` (both included). Replaces any period
    set before. While it lasts they are not proposed and reminders to them pause."""
    note = (note or "").strip()
    if ends_on < starts_on:
        raise DomainError(_("The last day must be on or after the first day."), field="ends_on")
    if ends_on < timezone.localdate():
        raise DomainError(
            _("That period is already over. Choose dates from today on."), field="ends_on"
        )
    if (ends_on - starts_on).days + 1 > MAX_UNAVAILABLE_DAYS:
        raise DomainError(
            _(
                "A period can last at most a year. For a longer absence, please talk to the "
                "programme team."
            ),
            field="ends_on",
        )
    if len(note) > MAX_NOTE_LENGTH:
        raise DomainError(
            _("Keep the note under %(n)s characters.") % {"n": MAX_NOTE_LENGTH}, field="note"
        )
    with transaction.atomic():
        person = Person.objects.select_for_update().get(pk=person.pk)
        if not person.is_active:
            raise DomainError(_("%(name)s is marked as left.") % {"name": person.full_name})
        away, _created = Unavailability.objects.update_or_create(
            person=person, defaults={"starts_on": starts_on, "ends_on": ends_on, "note": note}
        )
        # The note stays out of the audit trail: it may be personal (e.g. health).
        audit.record(
            "person.unavailability_set",
            person,
            by=by,
            data={"starts_on": starts_on.isoformat(), "ends_on": ends_on.isoformat()},
        )
    return away


def clear_unavailability(person: Person, *, by: Actor) -> bool:
    """The person is available again. Returns False when no period was set."""
    with transaction.atomic():
        deleted, _rows = Unavailability.objects.filter(person=person).delete()
        if deleted:
            audit.record("person.unavailability_cleared", person, by=by)
    return bool(deleted)


# ---------------------------------------------------------------------------------------------
# Levels


def _clean_name(name: str, field: str = "name") -> str:
    name = (name or "").strip()
    if not name:
        raise DomainError(_("Give it a name."), field=field)
    return name


def create_level(organisation: Organisation, *, by: Actor, name: str) -> Level:
    """A new level, most senior so far; move it into place afterwards."""
    name = _clean_name(name)
    with transaction.atomic():
        levels = Level.objects.select_for_update().filter(organisation=organisation)
        if levels.filter(name__iexact=name).exists():
            raise Conflict(
                _("There is already a level called “%(name)s”.") % {"name": name}, field="name"
            )
        top = levels.aggregate(top=Max("rank"))["top"] or 0
        with _unique_guard(_("That level already exists."), "name"):
            level = Level.objects.create(organisation=organisation, rank=top + 1, name=name)
        audit.record("level.created", level, by=by)
    return level


def rename_level(level: Level, *, by: Actor, name: str) -> Level:
    name = _clean_name(name)
    with transaction.atomic():
        level = Level.objects.select_for_update().get(pk=level.pk)
        if (
            Level.objects.filter(organisation_id=level.organisation_id, name__iexact=name)
            .exclude(pk=level.pk)
            .exists()
        ):
            raise Conflict(
                _("There is already a level called “%(name)s”.") % {"name": name}, field="name"
            )
        old = level.name
        level.name = name
        level.save(update_fields=["name"])
        audit.record("level.renamed", level, by=by, data={"from": old, "to": name})
    return level


def move_level(level: Level, *, by: Actor, direction: str) -> Level:
    """Swap a level with its neighbour: "down" towards rank 1 (junior), "up" towards senior."""
    if direction not in {"up", "down"}:
        raise DomainError(_("Choose to move the level up or down."))
    with transaction.atomic():
        levels = list(
            Level.objects.select_for_update()
            .filter(organisation_id=level.organisation_id)
            .order_by("rank")
        )
        index = next(i for i, lv in enumerate(levels) if lv.pk == level.pk)
        other_index = index + 1 if direction == "up" else index - 1
        if not 0 <= other_index < len(levels):
            raise DomainError(
                _("“%(name)s” is already the most %(end)s level.")
                % {"name": level.name, "end": _("senior") if direction == "up" else _("junior")}
            )
        this, other = levels[index], levels[other_index]
        # Ranks are unique, so park one level on a free rank while the two swap.
        parking = levels[-1].rank + 1
        this_rank, other_rank = this.rank, other.rank
        Level.objects.filter(pk=this.pk).update(rank=parking)
        Level.objects.filter(pk=other.pk).update(rank=this_rank)
        Level.objects.filter(pk=this.pk).update(rank=other_rank)
        this.rank = other_rank
        audit.record("level.moved", this, by=by, data={"from": this_rank, "to": other_rank})
    return this


def delete_level(level: Level, *, by: Actor) -> None:
    with transaction.atomic():
        level = Level.objects.select_for_update().get(pk=level.pk)
        in_use = level.people.count()
        if in_use:
            raise DomainError(
                ngettext(
                    "“%(name)s” is the level of %(n)s person, so it cannot be deleted. Move them "
                    "to another level first, or rename this one.",
                    "“%(name)s” is the level of %(n)s people, so it cannot be deleted. Move them "
                    "to another level first, or rename this one.",
                    in_use,
                )
                % {"name": level.name, "n": in_use}
            )
        audit.record("level.deleted", level, by=by, data={"name": level.name, "rank": level.rank})
        try:
            with transaction.atomic():
                level.delete()
        except ProtectedError as exc:
            raise DomainError(
                _(
                    "“%(name)s” is used in a programme's eligibility rules, so it cannot be "
                    "deleted. Change those rules first."
                )
                % {"name": level.name}
            ) from exc


# ---------------------------------------------------------------------------------------------
# Departments and teams


def create_department(organisation: Organisation, *, by: Actor, name: str) -> Department:
    name = _clean_name(name)
    with transaction.atomic():
        if Department.objects.filter(organisation=organisation, name__iexact=name).exists():
            raise Conflict(
                _("There is already a department called “%(name)s”.") % {"name": name}, field="name"
            )
        with _unique_guard(_("That department already exists."), "name"):
            department = Department.objects.create(organisation=organisation, name=name)
        audit.record("department.created", department, by=by)
    return department


def rename_department(department: Department, *, by: Actor, name: str) -> Department:
    name = _clean_name(name)
    with transaction.atomic():
        if (
            Department.objects.filter(organisation_id=department.organisation_id, name__iexact=name)
            .exclude(pk=department.pk)
            .exists()
        ):
            raise Conflict(
                _("There is already a department called “%(name)s”.") % {"name": name}, field="name"
            )
        old = department.name
        department.name = name
        department.save(update_fields=["name"])
        audit.record("department.renamed", department, by=by, data={"from": old, "to": name})
    return department


def delete_department(department: Department, *, by: Actor) -> None:
    with transaction.atomic():
        people = Person.objects.filter(
            Q(department=department) | Q(team__department=department)
        ).count()
        if people:
            raise DomainError(
                ngettext(
                    "%(n)s person is in “%(name)s”, so it cannot be deleted. Move them to "
                    "another department first.",
                    "%(n)s people are in “%(name)s”, so it cannot be deleted. Move them to "
                    "another department first.",
                    people,
                )
                % {"n": people, "name": department.name}
            )
        # An emptied eligibility list means "every department", which would open a programme.
        # Apps above the directory (programmes' eligibility lists) may refuse: each receiver
        # returns a reason or None. A signal, so the directory needs to know none of them.
        for _receiver, refusal in department_deletion_requested.send(
            sender=Department, department=department
        ):
            if refusal:
                raise DomainError(refusal)
        audit.record("department.deleted", department, by=by, data={"name": department.name})
        department.delete()


def create_team(department: Department, *, by: Actor, name: str) -> Team:
    name = _clean_name(name)
    with transaction.atomic():
        if Team.objects.filter(department=department, name__iexact=name).exists():
            raise Conflict(
                _("%(department)s already has a team called “%(name)s”.")
                % {"department": department.name, "name": name},
                field="name",
            )
        with _unique_guard(_("That team already exists."), "name"):
            team = Team.objects.create(
                organisation_id=department.organisation_id, department=department, name=name
            )
        audit.record("team.created", team, by=by)
    return team


def rename_team(team: Team, *, by: Actor, name: str) -> Team:
    name = _clean_name(name)
    with transaction.atomic():
        if (
            Team.objects.filter(department_id=team.department_id, name__iexact=name)
            .exclude(pk=team.pk)
            .exists()
        ):
            raise Conflict(
                _("This department already has a team called “%(name)s”.") % {"name": name},
                field="name",
            )
        old = team.name
        team.name = name
        team.save(update_fields=["name"])
        audit.record("team.renamed", team, by=by, data={"from": old, "to": name})
    return team


def delete_team(team: Team, *, by: Actor) -> None:
    with transaction.atomic():
        people = team.people.count()
        if people:
            raise DomainError(
                ngettext(
                    "%(n)s person is in the team “%(name)s”, so it cannot be deleted. Move "
                    "them to another team first.",
                    "%(n)s people are in the team “%(name)s”, so it cannot be deleted. Move "
                    "them to another team first.",
                    people,
                )
                % {"n": people, "name": team.name}
            )
        audit.record("team.deleted", team, by=by, data={"name": team.name})
        team.delete()


# ---------------------------------------------------------------------------------------------
# Topics


def _check_topic(
    organisation: Organisation, topic: Topic | None, name: str, kind: str, parent: Topic | None
) -> None:
    if kind not in Topic.Kind.values:
        raise DomainError(_("Choose a kind of topic."), field="kind")
    clash = Topic.objects.filter(organisation=organisation, name__iexact=name, kind=kind)
    if topic is not None:
        clash = clash.exclude(pk=topic.pk)
    if clash.exists():
        raise Conflict(
            _("There is already a topic called “%(name)s” of this kind.") % {"name": name},
            field="name",
        )
    if parent is None:
        return
    if parent.organisation_id != organisation.pk:
        raise DomainError(_("Choose a broader topic from your own organisation."), field="parent")
    if topic is not None:
        # Walk up from the new parent: meeting this topic would make a loop.
        parents = dict(
            Topic.objects.filter(organisation=organisation).values_list("id", "parent_id")
        )
        node: int | None = parent.pk
        seen: set[int] = set()
        while node is not None and node not in seen:
            if node == topic.pk:
                raise DomainError(
                    _("“%(parent)s” is already under “%(name)s”, so it cannot be its parent.")
                    % {"parent": parent.name, "name": topic.name},
                    field="parent",
                )
            seen.add(node)
            node = parents.get(node)


def create_topic(
    organisation: Organisation,
    *,
    by: Actor,
    name: str,
    kind: str,
    parent: Topic | None = None,
    description: str = "",
) -> Topic:
    name = _clean_name(name)
    with transaction.atomic():
        _check_topic(organisation, None, name, kind, parent)
        with _unique_guard(_("That topic already exists."), "name"):
            topic = Topic.objects.create(
                organisation=organisation,
                name=name,
                kind=kind,
                parent=parent,
                description=description.strip(),
            )
        audit.record("topic.created", topic, by=by)
    return topic


def update_topic(
    topic: Topic,
    *,
    by: Actor,
    name: str,
    kind: str,
    parent: Topic | None = None,
    description: str = "",
) -> Topic:
    name = _clean_name(name)
    with transaction.atomic():
        _check_topic(topic.organisation, topic, name, kind, parent)
        topic.name, topic.kind, topic.parent = name, kind, parent
        topic.description = description.strip()
        with _unique_guard(_("That topic already exists."), "name"):
            topic.save()
        audit.record("topic.updated", topic, by=by)
    return topic


# ---------------------------------------------------------------------------------------------
# Import


def _acting_email(by: Actor, organisation: Organisation) -> str:
    person = _acting_person(by, organisation.pk)
    return person.email if person is not None else ""


def start_people_import(
    organisation: Organisation,
    *,
    by: Actor,
    filename: str,
    content: bytes,
    missing_have_left: bool = False,
) -> PeopleImport:
    """Read the file and store a dry run. Nothing in the directory changes yet.

    `missing_have_left` (file sync's option) plans every active person the file does not name
    as a leaver; the stored preview remembers it, so the apply checks the rows the same way."""
    with importing.paused_gc():
        return _start_people_import(
            organisation,
            by=by,
            filename=filename,
            content=content,
            missing_have_left=missing_have_left,
        )


def _start_people_import(
    organisation: Organisation,
    *,
    by: Actor,
    filename: str,
    content: bytes,
    missing_have_left: bool,
) -> PeopleImport:
    try:
        parsed = importing.read_people_file(filename, content)
    except importing.ImportFileError as exc:
        raise ImportFileInvalid(exc.message, field="file") from exc
    snapshot = selectors.directory_snapshot(organisation)
    plan = importing.plan_import(
        parsed.columns,
        parsed.rows,
        snapshot,
        acting_email=_acting_email(by, organisation),
        foreign_domains=selectors.domains_owned_elsewhere(organisation),
        missing_have_left=missing_have_left,
    )
    preview = plan.as_preview()
    if parsed.ignored_columns:
        preview["notes"].append(
            _("These columns are not used and were ignored: %(columns)s.")
            % {"columns": ", ".join(parsed.ignored_columns)}
        )
    with transaction.atomic():
        people_import = PeopleImport.objects.create(
            organisation=organisation,
            uploaded_by=by if getattr(by, "is_authenticated", False) else None,
            filename=filename[:255],
            status=PeopleImport.Status.INVALID if plan.errors else PeopleImport.Status.READY,
            columns=parsed.columns,
            # Rows are personal data, kept only while an import waits for its confirm.
            rows=[] if plan.errors else parsed.rows,
            preview=preview,
        )
        audit.record("people_import.previewed", people_import, by=by, data={"counts": plan.counts})
    return people_import


# Rows written per transaction by the background apply. Each chunk commits with its progress,
# so the status page moves and a failure keeps every chunk before it (docs/people-import.md).
IMPORT_CHUNK_SIZE = 2_000
# A job that reports no progress for this long lost its worker: it no longer blocks the next.
IMPORT_STALE_AFTER = dt.timedelta(minutes=30)


class ImportBusy(Conflict):
    """Another import for the same organisation is being applied."""


def queue_people_import(people_import: PeopleImport, *, by: Actor) -> PeopleImport:
    """Accept a previewed import for applying in the background; the task starts on commit.

    Only one import per organisation is applied at a time (a partial unique constraint holds it
    even when two admins confirm together).
    """
    people_import = _mark_queued(people_import, by=by)
    import_id = people_import.pk
    from upward.organisations import tasks

    transaction.on_commit(lambda: tasks.apply_people_import_task.enqueue(import_id))
    return people_import


def _mark_queued(people_import: PeopleImport, *, by: Actor) -> PeopleImport:
    with transaction.atomic():
        people_import = PeopleImport.objects.select_for_update().get(pk=people_import.pk)
        if people_import.status != PeopleImport.Status.READY:
            raise Conflict(
                _("This import is %(status)s, so it cannot be applied.")
                % {"status": people_import.get_status_display().lower()}
            )
        _release_stale_imports(people_import.organisation_id)
        busy = (
            PeopleImport.objects.filter(
                organisation_id=people_import.organisation_id, status__in=IMPORT_BUSY_STATUSES
            )
            .exclude(pk=people_import.pk)
            .first()
        )
        if busy is not None:
            raise _busy_error(busy)
        now = timezone.now()
        people_import.status = PeopleImport.Status.QUEUED
        people_import.started_by = by if getattr(by, "is_authenticated", False) else None
        people_import.queued_at = now
        people_import.progress_at = now
        people_import.started_at = None
        people_import.finished_at = None
        people_import.total_rows = len(people_import.rows)
        people_import.processed_rows = 0
        people_import.result = {}
        people_import.error = ""
        with _unique_guard(_busy_error(None).message):
            people_import.save()
        audit.record(
            "people_import.queued", people_import, by=by, data={"rows": people_import.total_rows}
        )
    return people_import


def _busy_error(busy: PeopleImport | None) -> ImportBusy:
    if busy is None:
        return ImportBusy(
            _("Another import is being applied to this directory. Apply this one when it ends.")
        )
    return ImportBusy(
        _(
            "“%(file)s” is being applied to this directory now. Apply this import when it ends: "
            "its preview is checked again then."
        )
        % {"file": busy.filename}
    )


def _release_stale_imports(organisation_id: int) -> None:
    """An apply whose worker died (no progress for a long time) is marked as stopped."""
    cutoff = timezone.now() - IMPORT_STALE_AFTER
    for stale in PeopleImport.objects.filter(
        organisation_id=organisation_id,
        status__in=IMPORT_BUSY_STATUSES,
        progress_at__lt=cutoff,
    ):
        _stop(
            stale,
            error=_(
                "The background worker stopped answering while this import was applied. "
                "Rows applied before that are kept."
            ),
        )


def _stop(people_import: PeopleImport, *, error: str) -> None:
    people_import.status = PeopleImport.Status.FAILED
    people_import.error = error
    people_import.finished_at = timezone.now()
    # The stored rows are personal data; a new upload of the same file applies the rest.
    people_import.rows = []
    people_import.save(update_fields=["status", "error", "finished_at", "rows"])
    audit.record(
        "people_import.failed",
        people_import,
        by=None,
        data={"processed": people_import.processed_rows, "total": people_import.total_rows},
    )


def run_people_import(import_id: int) -> PeopleImport | None:
    """The background half of an apply (the task calls it). Never raises: the outcome, even a
    refusal or a crash, is stored on the import for its status page."""
    claimed = PeopleImport.objects.filter(pk=import_id, status=PeopleImport.Status.QUEUED).update(
        status=PeopleImport.Status.RUNNING,
        started_at=timezone.now(),
        progress_at=timezone.now(),
    )
    if not claimed:
        # Already picked up by another worker, or cancelled by the stale check.
        return None
    people_import = PeopleImport.objects.select_related("organisation", "started_by").get(
        pk=import_id
    )
    _run(people_import)
    return people_import


def _run(people_import: PeopleImport) -> DomainError | None:
    """Apply, storing the outcome; returns the refusal, if any, for a caller that waits."""
    try:
        with importing.paused_gc():
            _apply_in_chunks(people_import)
    except DomainError as exc:
        people_import.refresh_from_db()
        if people_import.status == PeopleImport.Status.FAILED:
            return exc  # stopped meanwhile; its message says why
        if people_import.status == PeopleImport.Status.RUNNING and people_import.processed_rows:
            # A rule broken part-way (another admin's change meanwhile): earlier chunks stay.
            _stop(people_import, error=exc.message)
            return exc
        if people_import.status == PeopleImport.Status.RUNNING:
            # Refused before any row was written: it can be applied again once fixed.
            people_import.status = PeopleImport.Status.READY
        people_import.error = exc.message
        people_import.finished_at = timezone.now()
        people_import.save(update_fields=["status", "error", "finished_at"])
        return exc
    except Exception:
        logger.exception("People import %s stopped", people_import.pk)
        people_import.refresh_from_db()
        _stop(people_import, error=_stopped_message(people_import))
    return None


def _stopped_message(people_import: PeopleImport) -> str:
    return ngettext(
        "Something went wrong while applying this import, so it stopped after %(done)s of "
        "%(total)s row. Those rows are in the directory; the others are not. Upload the same "
        "file again: the rows already applied show as unchanged and the rest are applied.",
        "Something went wrong while applying this import, so it stopped after %(done)s of "
        "%(total)s rows. Those rows are in the directory; the others are not. Upload the same "
        "file again: the rows already applied show as unchanged and the rest are applied.",
        people_import.total_rows,
    ) % {"done": f"{people_import.processed_rows:,}", "total": f"{people_import.total_rows:,}"}


def apply_people_import(people_import: PeopleImport, *, by: Actor) -> PeopleImport:
    """Apply a previewed import now, in this process (commands, tests, the demo). The page uses
    queue_people_import, which runs the same steps in the background.

    Raises the error the background job would have stored.
    """
    people_import = _mark_queued(people_import, by=by)
    PeopleImport.objects.filter(pk=people_import.pk).update(
        status=PeopleImport.Status.RUNNING, started_at=timezone.now()
    )
    people_import.refresh_from_db()
    refusal = _run(people_import)
    if refusal is not None:
        raise refusal
    people_import.refresh_from_db()
    if people_import.status == PeopleImport.Status.FAILED:
        raise DomainError(people_import.error)
    return people_import


def _apply_in_chunks(people_import: PeopleImport) -> None:
    """Check the stored rows again, then write them chunk by chunk with progress.

    If the directory no longer matches the preview, nothing is written: the refreshed preview
    is stored and DomainError says why. Otherwise departments and teams come first, then the
    people in chunks ordered so that a line manager is always written before their reports.
    """
    by = people_import.started_by
    organisation = people_import.organisation
    snapshot = selectors.directory_snapshot(organisation)
    plan = importing.plan_import(
        people_import.columns,
        people_import.rows,
        snapshot,
        acting_email=_acting_email(by, organisation),
        foreign_domains=selectors.domains_owned_elsewhere(organisation),
        missing_have_left=bool(people_import.preview.get("missing_have_left")),
    )
    fresh = plan.as_preview()
    fresh["notes"] = people_import.preview.get("notes", fresh["notes"])
    if (
        plan.errors
        or fresh["changes"] != people_import.preview.get("changes")
        or fresh["counts"] != people_import.preview.get("counts")
    ):
        _back_to_preview(people_import, fresh, invalid=bool(plan.errors))
    with transaction.atomic():
        admins = _lock_active_admins(organisation.pk)
        _keep_an_admin(admins, _admins_after(admins, plan.rows))
    units: _Units | None = None
    person_ids = {p.email.lower(): p.id for p in snapshot.people}
    # A person matched by external_id may get a new address; managers may name either.
    person_ids.update((r.email.lower(), r.person_id) for r in plan.rows if r.person_id)
    existing = {p.id: p for p in snapshot.people}
    result = {"new": 0, "updated": 0, "unchanged": 0, "left": 0}
    rows = _managers_first(plan.rows)
    if len(rows) != people_import.total_rows:
        # Leavers planned for people missing from the file are rows too.
        people_import.total_rows = len(rows)
        PeopleImport.objects.filter(pk=people_import.pk).update(total_rows=len(rows))
    for start in range(0, len(rows), IMPORT_CHUNK_SIZE):
        chunk = rows[start : start + IMPORT_CHUNK_SIZE]
        with transaction.atomic():
            if not PeopleImport.objects.filter(
                pk=people_import.pk, status=PeopleImport.Status.RUNNING
            ).exists():
                # Marked as stopped meanwhile (its progress looked stale): write no more.
                raise DomainError(_("This import was stopped before it finished."))
            admins = _lock_active_admins(organisation.pk)
            _keep_an_admin(admins, _admins_after(admins, chunk))
            if units is None:
                # With the first chunk, so a failure there leaves no empty departments behind.
                units = _write_units(organisation, plan, snapshot)
            left = _write_chunk(organisation, chunk, units, person_ids, existing)
            _record_admin_changes(organisation, chunk, person_ids, existing, by=by)
            _stamp_left(left)
            for leaver in Person.objects.filter(pk__in=left).order_by("pk"):
                _announce_left(leaver, by=by)
            for row in chunk:
                result[row.action] += 1
            result["left"] += len(left)
            PeopleImport.objects.filter(pk=people_import.pk).update(
                processed_rows=start + len(chunk),
                result=result,
                progress_at=timezone.now(),
            )
            people_import.processed_rows = start + len(chunk)
            people_import.result = result
    with transaction.atomic():
        people_import.status = PeopleImport.Status.APPLIED
        people_import.applied_at = people_import.finished_at = timezone.now()
        people_import.processed_rows = people_import.total_rows = len(rows)
        people_import.result = result
        people_import.rows = []
        people_import.save(
            update_fields=[
                "status",
                "applied_at",
                "finished_at",
                "processed_rows",
                "total_rows",
                "result",
                "rows",
            ]
        )
        audit.record(
            "people.imported",
            people_import,
            by=by,
            data={
                "filename": people_import.filename,
                "counts": plan.counts,
                "left": result["left"],
                "new_departments": len(plan.new_departments),
                "new_teams": len(plan.new_teams),
            },
        )


def _back_to_preview(people_import: PeopleImport, fresh: dict[str, Any], *, invalid: bool) -> None:
    people_import.preview = fresh
    people_import.status = PeopleImport.Status.INVALID if invalid else PeopleImport.Status.READY
    if invalid:
        people_import.rows = []
    people_import.save(update_fields=["preview", "status", "rows"])
    if invalid:
        raise ImportOutdated(
            _(
                "The directory changed since the preview and the file now has errors. "
                "Nothing was imported. The errors are listed on the preview."
            )
        )
    raise ImportOutdated(
        _(
            "The directory changed since the preview. Nothing was imported yet: check the "
            "updated preview and apply again."
        )
    )


def _managers_first(rows: list[importing.RowPlan]) -> list[importing.RowPlan]:
    """Rows ordered so that anyone's line manager in the file comes before them (then by row),
    so a chunk never points at a person a later chunk creates. plan_import refused loops."""
    by_email = {row.email.lower(): row for row in rows}
    depth: dict[str, int] = {}
    for row in rows:
        chain: list[str] = []
        key = row.email.lower()
        while key in by_email and key not in depth and key not in chain:
            chain.append(key)
            key = by_email[key].final["manager_email"]
        base = depth.get(key, -1)
        for n, email in enumerate(reversed(chain), start=1):
            depth[email] = base + n
    return sorted(rows, key=lambda r: (depth[r.email.lower()], r.row))


def _record_admin_changes(
    organisation: Organisation,
    rows: list[importing.RowPlan],
    person_ids: dict[str, int],
    existing: dict[int, importing.ExistingPerson],
    *,
    by: Actor,
) -> None:
    """Admin rights an import gives or takes away, one audit entry per person (a role change)."""
    granted, removed = [], []
    for row in rows:
        if row.action not in {"new", "updated"}:
            continue
        pk = person_ids[row.email.lower()]
        before = existing.get(pk) if row.action == "updated" else None
        was_admin = bool(before and before.is_org_admin)
        if row.final["is_org_admin"] and not was_admin:
            granted.append(Person(pk=pk, organisation=organisation))
        elif was_admin and not row.final["is_org_admin"]:
            removed.append(Person(pk=pk, organisation=organisation))
    for verb, people in (("person.admin_granted", granted), ("person.admin_removed", removed)):
        if people:
            audit.record_many(
                verb, people, by=by, organisation=organisation, data={"source": "import"}
            )


def _admins_after(admins: set[int], rows: list[importing.RowPlan]) -> set[int]:
    """Who would be an active admin once these rows are written (new people count by row)."""
    after = set(admins)
    for row in rows:
        key: Any = row.person_id if row.person_id is not None else f"row {row.row}"
        if row.final["is_org_admin"] and row.final["is_active"]:
            after.add(key)
        else:
            after.discard(key)
    return after


def cancel_people_import(people_import: PeopleImport, *, by: Actor) -> PeopleImport:
    with transaction.atomic():
        people_import = PeopleImport.objects.select_for_update().get(pk=people_import.pk)
        if people_import.status in {PeopleImport.Status.APPLIED, PeopleImport.Status.CANCELLED}:
            raise Conflict(_("This import is already finished."))
        people_import.status = PeopleImport.Status.CANCELLED
        # The stored rows are personal data we no longer need.
        people_import.rows = []
        people_import.save(update_fields=["status", "rows"])
        audit.record("people_import.cancelled", people_import, by=by)
    return people_import


# (model field, attribute compared with the directory) for the fields an import may change.
_PERSON_IMPORT_ATTRIBUTES = (
    ("full_name", "full_name"),
    ("job_title", "job_title"),
    ("level", "level_id"),
    ("department", "department_id"),
    ("team", "team_id"),
    ("manager", "manager_id"),
    ("location", "location"),
    ("time_zone", "time_zone"),
    ("start_date", "start_date"),
    ("is_active", "is_active"),
    ("is_org_admin", "is_org_admin"),
    ("email", "email"),
    ("external_id", "external_id"),
)


@dataclass(frozen=True)
class _Units:
    department_ids: dict[str, int]  # lower-case name -> id
    team_ids: dict[tuple[str, str], int]  # (department, team) lower-case -> id


def _write_units(
    organisation: Organisation,
    plan: importing.ImportPlan,
    snapshot: importing.DirectorySnapshot,
) -> _Units:
    """Create the departments and teams the file names and return every one's id."""
    department_ids = {name.lower(): pk for pk, name in snapshot.departments.items()}
    if plan.new_departments:
        Department.objects.bulk_create(
            [Department(organisation=organisation, name=name) for name in plan.new_departments]
        )
        department_ids = {
            name.lower(): pk
            for pk, name in Department.objects.filter(organisation=organisation).values_list(
                "id", "name"
            )
        }
    team_ids = {
        (snapshot.departments[dep].lower(), name.lower()): pk
        for pk, (dep, name) in snapshot.teams.items()
        if dep in snapshot.departments
    }
    if plan.new_teams:
        Team.objects.bulk_create(
            [
                Team(
                    organisation=organisation,
                    department_id=department_ids[department.lower()],
                    name=team,
                )
                for department, team in plan.new_teams
            ]
        )
        team_ids = {
            (dep.lower(), name.lower()): pk
            for pk, dep, name in Team.objects.filter(organisation=organisation).values_list(
                "id", "department__name", "name"
            )
        }
    return _Units(department_ids=department_ids, team_ids=team_ids)


def _update_people(people: list[Person], field_names: list[str]) -> None:
    """One UPDATE statement run for every person (executemany): the ORM's bulk_update builds a
    CASE expression per field and row in Python, which costs seconds a few thousand rows in."""
    fields = [cast(Field, Person._meta.get_field(name)) for name in field_names]
    quote = connection.ops.quote_name
    columns = ", ".join(f"{quote(f.get_attname_column()[1] or f.attname)} = %s" for f in fields)
    sql = f"UPDATE {quote(Person._meta.db_table)} SET {columns} WHERE id = %s"  # noqa: S608
    params = [
        [f.get_db_prep_save(getattr(p, f.attname), connection) for f in fields] + [p.pk]
        for p in people
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


def _write_chunk(
    organisation: Organisation,
    rows: list[importing.RowPlan],
    units: _Units,
    person_ids: dict[str, int],
    existing: dict[int, importing.ExistingPerson],
) -> list[int]:
    """Write one chunk with a few bulk statements; `person_ids` learns the new people's ids.
    Returns the ids of the people this chunk marks as left."""
    now = timezone.now()

    def build(final: dict[str, Any]) -> Person:
        department = final["department"]
        team = final["team"]
        return Person(
            organisation=organisation,
            email=final["email"],
            full_name=final["full_name"],
            job_title=final["job_title"],
            level_id=final["level_id"],
            department_id=units.department_ids[department.lower()] if department else None,
            team_id=units.team_ids[(department.lower(), team.lower())] if team else None,
            manager_id=person_ids.get(final["manager_email"]) if final["manager_email"] else None,
            location=final["location"],
            time_zone=final["time_zone"],
            start_date=dt.date.fromisoformat(final["start_date"]) if final["start_date"] else None,
            is_active=final["is_active"],
            is_org_admin=final["is_org_admin"],
            external_id=final.get("external_id", ""),
            updated_at=now,
        )

    new_rows = [r for r in rows if r.action == "new"]
    # A new person whose manager is new in this same chunk gets the manager once both exist.
    later_manager = [
        r
        for r in new_rows
        if r.final["manager_email"] and r.final["manager_email"] not in person_ids
    ]
    if new_rows:
        created = Person.objects.bulk_create([build(r.final) for r in new_rows], batch_size=1000)
        if any(p.pk is None for p in created):  # a backend that returns no ids
            person_ids.update(
                (email.lower(), pk)
                for pk, email in Person.objects.filter(
                    organisation=organisation, email__in=[r.email for r in new_rows]
                ).values_list("id", "email")
            )
        else:
            person_ids.update((p.email.lower(), p.pk) for p in created)
    # Updated people grouped by the fields that change, so each UPDATE sets only those: its
    # CASE per field grows with the batch, and a file that changes one column touches one.
    updates: dict[tuple[str, ...], list[Person]] = {}
    left: list[int] = []
    for row in rows:
        if row.action != "updated":
            continue
        person = build(row.final)
        person.pk = row.person_id if row.person_id is not None else person_ids[row.email.lower()]
        before = existing[person.pk]
        changed = tuple(
            field
            for field, attribute in _PERSON_IMPORT_ATTRIBUTES
            if getattr(person, attribute) != getattr(before, attribute)
        )
        updates.setdefault(changed, []).append(person)
        if before.is_active and not row.final["is_active"]:
            left.append(person.pk)
    for changed, people in updates.items():
        _update_people(people, [*changed, "updated_at"])
    if later_manager:
        Person.objects.bulk_update(
            [
                Person(
                    pk=person_ids[r.email.lower()],
                    manager_id=person_ids[r.final["manager_email"]],
                )
                for r in later_manager
            ],
            ["manager"],
            batch_size=500,
        )
    return left


# ---------------------------------------------------------------------------------------------
# A new organisation

DEFAULT_LEVELS = (
    "Apprentice",
    "Associate",
    "Analyst",
    "Senior analyst",
    "Manager",
    "Senior manager",
    "Head of",
    "Director",
    "Executive",
)


def _domain(text: str) -> str:
    try:
        return normalise_domain(text)
    except ValidationError as exc:
        raise DomainError(exc.messages[0], field="domain") from exc


def add_organisation_domain(organisation: Organisation, *, domain: str, by: Actor = None) -> str:
    """Give the organisation an email domain. For the deployment operator, not org admins."""
    domain = _domain(domain)
    with transaction.atomic():
        owner = (
            OrganisationDomain.objects.select_related("organisation").filter(domain=domain).first()
        )
        if owner is not None:
            raise Conflict(
                _("%(domain)s already belongs to %(organisation)s.")
                % {"domain": domain, "organisation": owner.organisation.name},
                field="domain",
            )
        with _unique_guard(_("That domain was just given to an organisation."), "domain"):
            row = OrganisationDomain.objects.create(organisation=organisation, domain=domain)
        audit.record("organisation.domain_added", row, by=by, data={"domain": domain})
    return domain


def remove_organisation_domain(organisation: Organisation, *, domain: str, by: Actor = None) -> str:
    """Take a domain away. Accounts already linked stay linked; new sign-ups no longer link."""
    domain = _domain(domain)
    with transaction.atomic():
        row = OrganisationDomain.objects.filter(organisation=organisation, domain=domain).first()
        if row is None:
            raise DomainError(
                _("%(organisation)s does not own %(domain)s.")
                % {"organisation": organisation.name, "domain": domain},
                field="domain",
            )
        audit.record("organisation.domain_removed", row, by=by, data={"domain": domain})
        row.delete()
    return domain


def create_organisation(
    *,
    name: str,
    slug: str,
    admin_email: str,
    admin_name: str,
    levels: tuple[str, ...] = DEFAULT_LEVELS,
    domains: tuple[str, ...] = (),
    by: Actor = None,
) -> tuple[Organisation, Person]:
    """A new organisation with its grade bands, its email domains and its first admin."""
    from django.core.validators import validate_email, validate_slug

    name, admin_name = name.strip(), admin_name.strip()
    if not name:
        raise DomainError(_("Give the organisation a name."), field="name")
    if not admin_name:
        raise DomainError(_("Give the admin's full name."), field="admin_name")
    try:
        validate_slug(slug)
    except ValidationError as exc:
        raise DomainError(
            _("The short name may contain only letters, numbers, hyphens and underscores."),
            field="slug",
        ) from exc
    try:
        validate_email(admin_email)
    except ValidationError as exc:
        raise DomainError(
            _("“%(email)s” is not a valid email address.") % {"email": admin_email},
            field="admin_email",
        ) from exc
    if len(set(levels)) != len(levels) or not all(level.strip() for level in levels):
        raise DomainError(_("Level names must be present and different."), field="levels")
    with transaction.atomic():
        if Organisation.objects.filter(slug=slug).exists():
            raise Conflict(
                _("An organisation with the short name “%(slug)s” exists.") % {"slug": slug},
                field="slug",
            )
        organisation = Organisation.objects.create(name=name, slug=slug)
        for domain in dict.fromkeys(_domain(d) for d in domains):
            add_organisation_domain(organisation, domain=domain, by=by)
        check_email_domain(organisation, admin_email, field="admin_email")
        Level.objects.bulk_create(
            Level(organisation=organisation, rank=rank, name=level.strip())
            for rank, level in enumerate(levels, start=1)
        )
        admin = Person.objects.create(
            organisation=organisation,
            email=admin_email.strip(),
            full_name=admin_name,
            is_org_admin=True,
        )
        audit.record("organisation.created", organisation, by=by, organisation=organisation)
        audit.record("person.admin_granted", admin, by=by)
    return organisation, admin
