"""SCIM Users are the people of the calling token's organisation: read them as SCIM resources and
write SCIM resources back through the directory's own services (upward.organisations.services),
so every rule of the directory (email domains, line-manager loops, at least one admin) holds and
every change is audited.

Leaving is the directory's leaver flow: `active: false` and DELETE both call mark_person_left,
which ends pairings and the rest; DELETE erases nothing, it only hides the person from SCIM until
the identity system creates them again (a rehire, which brings the same person back)."""

from __future__ import annotations

import dataclasses
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from upward.accounts.models import ApiToken
from upward.core import audit
from upward.core.errors import Conflict, DomainError
from upward.organisations import services
from upward.organisations.importing import DEFAULT_TIME_ZONE
from upward.organisations.models import Department, Level, Organisation, Person, Team
from upward.scim.errors import ScimError, bad
from upward.scim.models import ScimIdentity
from upward.scim.schemas import ENTERPRISE, UPWARD, USER

MAX_USER_NAME = 255


def people(organisation: Organisation) -> QuerySet[Person]:
    """The people SCIM sees: the organisation's, less those the identity system deleted."""
    return (
        Person.objects.filter(organisation=organisation)
        .exclude(scim_identity__deleted_at__isnull=False)
        .select_related("level", "department", "team", "manager", "scim_identity")
    )


def find(organisation: Organisation, scim_id: str) -> Person:
    if not scim_id.isdigit() or len(scim_id) > 18:
        raise ScimError(f"No user {scim_id}.", status=404)
    person = people(organisation).filter(pk=int(scim_id)).first()
    if person is None:
        raise ScimError(f"No user {scim_id}.", status=404)
    return person


def _identity(person: Person) -> ScimIdentity | None:
    try:
        return person.scim_identity
    except ScimIdentity.DoesNotExist:
        return None


# ---------------------------------------------------------------------------------------------
# Reading


def to_resource(person: Person, base: str) -> dict[str, Any]:
    identity = _identity(person)
    location = f"{base}Users/{person.pk}"
    name: dict[str, str] = {"formatted": person.full_name}
    if identity is not None and identity.given_name:
        name["givenName"] = identity.given_name
    if identity is not None and identity.family_name:
        name["familyName"] = identity.family_name
    resource: dict[str, Any] = {
        "schemas": [USER],
        "id": str(person.pk),
        "userName": identity.user_name if identity is not None else person.email,
        "name": name,
        "displayName": person.full_name,
        "emails": [{"value": person.email, "type": "work"}],
        "active": person.is_active,
    }
    if person.external_id:
        resource["externalId"] = person.external_id
    if person.job_title:
        resource["title"] = person.job_title
    if person.location:
        resource["addresses"] = [{"type": "work", "locality": person.location}]
    enterprise: dict[str, Any] = {}
    if person.department is not None:
        enterprise["department"] = person.department.name
    if person.manager is not None:
        enterprise["manager"] = {
            "value": str(person.manager_id),
            "$ref": f"{base}Users/{person.manager_id}",
        }
    if enterprise:
        resource["schemas"].append(ENTERPRISE)
        resource[ENTERPRISE] = enterprise
    upward: dict[str, Any] = {}
    if person.level is not None:
        upward["level"] = person.level.name
    if person.team is not None:
        upward["team"] = person.team.name
    if upward:
        resource["schemas"].append(UPWARD)
        resource[UPWARD] = upward
    changed = max(person.updated_at, identity.updated_at) if identity else person.updated_at
    resource["meta"] = {
        "resourceType": "User",
        "created": person.created_at.isoformat(),
        "lastModified": changed.isoformat(),
        "location": location,
    }
    return resource


# ---------------------------------------------------------------------------------------------
# Reading what the identity system sent


def _get(container: Any, name: str) -> Any:
    if not isinstance(container, dict):
        return None
    for key, value in container.items():
        if isinstance(key, str) and key.lower() == name.lower():
            return value
    return None


def _has(container: Any, name: str) -> bool:
    return isinstance(container, dict) and any(
        isinstance(k, str) and k.lower() == name.lower() for k in container
    )


def _text(value: Any, label: str, limit: int) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise bad(f"“{label}” must be a string.")
    value = value.strip()
    if len(value) > limit:
        raise bad(f"“{label}” is longer than {limit} characters.")
    return value


def _boolean(value: Any, label: str) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    raise bad(f"“{label}” must be true or false.")


def _pick(items: Any, label: str) -> dict[str, Any] | None:
    """The work entry of a multi-valued attribute, else the primary one, else the first."""
    if items is None:
        return None
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise bad(f"“{label}” must be a list of objects.")
    for test in (
        lambda i: str(_get(i, "type") or "").lower() == "work",
        lambda i: _get(i, "primary") in (True, "true", "True"),
        lambda i: True,
    ):
        for item in items:
            if test(item):
                return item
    return None


@dataclasses.dataclass
class _Sent:
    user_name: str
    email: str
    full_name: str
    given_name: str
    family_name: str
    job_title: str
    external_id: str
    active: bool | None
    time_zone: str | None
    location: str | None
    enterprise: dict[str, Any] | None  # None: leave department and manager as they are
    upward: dict[str, Any] | None  # None: leave level and team as they are
    # Whether the request named the person / sent a title / an externalId at all. A request
    # that does not keeps what the directory has: linking someone already there must not turn
    # their name into their address or blank their job title.
    named: bool = True
    titled: bool = True
    identified: bool = True


def _read(doc: Any) -> _Sent:
    if not isinstance(doc, dict):
        raise bad("The body must be a JSON object.", "invalidSyntax")
    schemas = _get(doc, "schemas")
    if schemas is not None and (not isinstance(schemas, list) or USER not in schemas):
        raise bad(f"A User names the schema {USER}.", "invalidSyntax")
    user_name = _text(_get(doc, "userName"), "userName", MAX_USER_NAME)
    if not user_name:
        raise bad("“userName” is required.")
    email_entry = _pick(_get(doc, "emails"), "emails")
    email = _text(_get(email_entry, "value"), "emails.value", 254) if email_entry else ""
    if not email:
        if "@" not in user_name:
            raise bad("A work email is needed: send emails (type work) or an email as userName.")
        email = user_name
    name = _get(doc, "name")
    if name is not None and not isinstance(name, dict):
        raise bad("“name” must be an object.")
    given = _text(_get(name, "givenName"), "name.givenName", 150)
    family = _text(_get(name, "familyName"), "name.familyName", 150)
    full_name = (
        _text(_get(doc, "displayName"), "displayName", 150)
        or _text(_get(name, "formatted"), "name.formatted", 150)
        or " ".join(part for part in (given, family) if part)[:150]
        or email
    )
    active = _get(doc, "active")
    time_zone = _get(doc, "timezone")
    location: str | None = None
    if _has(doc, "addresses"):
        address = _pick(_get(doc, "addresses"), "addresses")
        location = _text(_get(address, "locality"), "addresses.locality", 120) if address else ""
    enterprise = _get(doc, ENTERPRISE)
    upward = _get(doc, UPWARD)
    for urn, ext in ((ENTERPRISE, enterprise), (UPWARD, upward)):
        if ext is not None and not isinstance(ext, dict):
            raise bad(f"“{urn}” must be an object.")
    return _Sent(
        user_name=user_name,
        email=email,
        full_name=full_name,
        given_name=given,
        family_name=family,
        job_title=_text(_get(doc, "title"), "title", 150),
        external_id=_text(_get(doc, "externalId"), "externalId", 100),
        active=None if active is None else _boolean(active, "active"),
        time_zone=_text(time_zone, "timezone", 64) or None if time_zone is not None else None,
        location=location,
        enterprise={} if _has(doc, ENTERPRISE) and enterprise is None else enterprise,
        upward={} if _has(doc, UPWARD) and upward is None else upward,
        named=bool(
            _text(_get(doc, "displayName"), "displayName", 150)
            or _text(_get(name, "formatted"), "name.formatted", 150)
            or given
            or family
        ),
        titled=_has(doc, "title"),
        identified=_has(doc, "externalId"),
    )


def _department(organisation: Organisation, name: str) -> Department | None:
    if not name:
        return None
    found = Department.objects.filter(organisation=organisation, name__iexact=name).first()
    return found or services.create_department(organisation, by=None, name=name)


def _manager(organisation: Organisation, value: Any) -> Person | None:
    if isinstance(value, dict):
        value = _get(value, "value")
    if value in (None, ""):
        return None
    text = str(value).strip()
    manager = people(organisation).filter(pk=int(text)).first() if text.isdigit() else None
    if manager is None and len(text) < 19:
        raise bad(f"The manager {text} is not a user of this organisation.")
    if manager is None:
        raise bad("The manager is not a user of this organisation.")
    return manager


def _level(organisation: Organisation, name: str) -> Level | None:
    if not name:
        return None
    level = Level.objects.filter(organisation=organisation, name__iexact=name).first()
    if level is None:
        known = list(Level.objects.filter(organisation=organisation).values_list("name", flat=True))
        raise bad(
            f"Unknown level “{name}”. Levels are set by the organisation's admins in Upward; "
            + (f"use one of: {', '.join(known)}." if known else "none is set up yet.")
        )
    return level


def _team(organisation: Organisation, name: str, department: Department | None) -> Team | None:
    """By name in the department (created there when new, as the people import does); without
    a department, a team name the organisation uses once brings its department along."""
    if not name:
        return None
    if department is not None:
        team = Team.objects.filter(department=department, name__iexact=name).first()
        return team or services.create_team(department, by=None, name=name)
    teams = list(Team.objects.filter(organisation=organisation, name__iexact=name)[:2])
    if len(teams) == 1:
        return teams[0]
    if teams:
        raise bad(f"Several departments have a team “{name}”: send the department too.")
    raise bad(f"The team “{name}” is new: send its department too, teams belong to one.")


def _details(organisation: Organisation, person: Person | None, sent: _Sent) -> Any:
    current = person
    department = current.department if current else None
    manager = current.manager if current else None
    level = current.level if current else None
    team = current.team if current else None
    if sent.enterprise is not None:
        department = _department(
            organisation, _text(_get(sent.enterprise, "department"), "department", 120)
        )
        manager = _manager(organisation, _get(sent.enterprise, "manager"))
        if team is not None and (department is None or team.department_id != department.pk):
            team = None  # the old team belongs to the old department
    if sent.upward is not None:
        level = _level(organisation, _text(_get(sent.upward, "level"), "level", 80))
        team_name = _text(_get(sent.upward, "team"), "team", 120)
        old_team = current.team if current else None
        if department is None and old_team and team_name.lower() == old_team.name.lower():
            team_name = ""  # its department was just taken away, and the team with it
        team = _team(organisation, team_name, department)
        if team is not None:
            department = team.department
    same_address = current is not None and current.email.lower() == sent.email.lower()
    return services.PersonDetails(
        # The directory's spelling of the same address is kept (SCIM may send it in capitals).
        email=current.email if current is not None and same_address else sent.email,
        full_name=sent.full_name if sent.named or current is None else current.full_name,
        job_title=sent.job_title if sent.titled or current is None else current.job_title,
        level=level,
        department=department,
        team=team,
        manager=manager,
        location=sent.location
        if sent.location is not None
        else (current.location if current else ""),
        time_zone=sent.time_zone or (current.time_zone if current else DEFAULT_TIME_ZONE),
        start_date=current.start_date if current else None,
        is_active=current.is_active if current else True,
        is_org_admin=current.is_org_admin if current else False,
    )


# ---------------------------------------------------------------------------------------------
# Writing


def _domain_error(exc: DomainError) -> ScimError:
    if isinstance(exc, Conflict):
        return ScimError(exc.message, status=409, scim_type="uniqueness")
    return bad(exc.message)


def _check_unique(organisation: Organisation, person: Person | None, sent: _Sent) -> None:
    clash = ScimIdentity.objects.filter(
        organisation=organisation, user_name__iexact=sent.user_name, deleted_at__isnull=True
    )
    if person is not None:
        clash = clash.exclude(person=person)
    # Someone in the directory but not provisioned answers to their email as a userName
    # (user_name_q): taking it would make a filter find two people.
    unprovisioned = Person.objects.filter(
        organisation=organisation, email__iexact=sent.user_name, scim_identity__isnull=True
    )
    if person is not None:
        unprovisioned = unprovisioned.exclude(pk=person.pk)
    if clash.exists() or unprovisioned.exists():
        raise ScimError(
            f"Another user already has the userName {sent.user_name}.",
            status=409,
            scim_type="uniqueness",
        )
    if sent.external_id:
        taken = Person.objects.filter(organisation=organisation, external_id=sent.external_id)
        if person is not None:
            taken = taken.exclude(pk=person.pk)
        if taken.exists():
            raise ScimError(
                f"Another person already has the externalId {sent.external_id}.",
                status=409,
                scim_type="uniqueness",
            )


def _set_active(person: Person, active: bool | None) -> bool:
    if active is None or active == person.is_active:
        return False
    if active:
        services.mark_person_back(person, by=None)
    else:
        services.mark_person_left(person, by=None)
    return True


def _save_identity(organisation: Organisation, person: Person, sent: _Sent) -> None:
    ScimIdentity.objects.update_or_create(
        person=person,
        defaults={
            "organisation": organisation,
            "user_name": sent.user_name,
            "given_name": sent.given_name,
            "family_name": sent.family_name,
            "deleted_at": None,
        },
    )


def create(organisation: Organisation, doc: Any, *, token: ApiToken) -> Person:
    sent = _read(doc)
    try:
        with transaction.atomic():
            # Someone the directory already has, by email: added by hand or by an import before
            # SCIM was switched on (linked now), or deleted through SCIM before (a rehire).
            returning = (
                Person.objects.filter(organisation=organisation, email__iexact=sent.email)
                .filter(Q(scim_identity__isnull=True) | Q(scim_identity__deleted_at__isnull=False))
                .select_related("scim_identity")
                .first()
            )
            _check_unique(organisation, returning, sent)
            if returning is not None:
                verb = "scim.user_restored" if _identity(returning) else "scim.user_linked"
                details = _details(organisation, returning, sent)
                person = services.update_person(returning, by=None, details=details)
                _save_identity(organisation, person, sent)
                rehired = verb == "scim.user_restored" and sent.active is None
                _set_active(person, True if rehired else sent.active)
            else:
                details = _details(organisation, None, sent)
                person = services.create_person(organisation, by=None, details=details)
                _save_identity(organisation, person, sent)
                _set_active(person, sent.active)
                verb = "scim.user_created"
            if (sent.identified or returning is None) and sent.external_id != person.external_id:
                Person.objects.filter(pk=person.pk).update(external_id=sent.external_id)
            audit.record(verb, person, by=None, organisation=organisation, data=_who(token))
    except DomainError as exc:
        raise _domain_error(exc) from exc
    except IntegrityError as exc:
        raise ScimError(
            "That user clashes with someone already in the directory.",
            status=409,
            scim_type="uniqueness",
        ) from exc
    return find(organisation, str(person.pk))


def replace(
    person: Person, doc: Any, *, token: ApiToken, verb: str = "scim.user_replaced"
) -> Person:
    organisation = person.organisation
    sent = _read(doc)
    try:
        with transaction.atomic():
            _check_unique(organisation, person, sent)
            details = _details(organisation, person, sent)
            person = services.update_person(person, by=None, details=details)
            if sent.external_id != person.external_id:
                Person.objects.filter(pk=person.pk).update(external_id=sent.external_id)
                audit.record("person.updated", person, by=None, data={"fields": ["external_id"]})
            _save_identity(organisation, person, sent)
            _set_active(person, sent.active)
            audit.record(verb, person, by=None, organisation=organisation, data=_who(token))
    except DomainError as exc:
        raise _domain_error(exc) from exc
    except IntegrityError as exc:
        raise ScimError(
            "That change clashes with someone already in the directory.",
            status=409,
            scim_type="uniqueness",
        ) from exc
    return find(organisation, str(person.pk))


def delete(person: Person, *, token: ApiToken) -> None:
    """The leaver flow, and the person is hidden from SCIM; nothing is erased."""
    organisation = person.organisation
    try:
        with transaction.atomic():
            if person.is_active:
                services.mark_person_left(person, by=None)
            identity = _identity(person)
            ScimIdentity.objects.update_or_create(
                person=person,
                defaults={
                    "organisation": organisation,
                    "user_name": identity.user_name if identity is not None else person.email,
                    "deleted_at": timezone.now(),
                },
            )
            audit.record(
                "scim.user_deleted", person, by=None, organisation=organisation, data=_who(token)
            )
    except DomainError as exc:
        raise _domain_error(exc) from exc


def _who(token: ApiToken) -> dict[str, Any]:
    return {"token": token.name, "token_prefix": token.prefix}


# ---------------------------------------------------------------------------------------------
# Filters


def user_name_q(value: str) -> Q:
    return Q(scim_identity__user_name__iexact=value) | Q(
        scim_identity__isnull=True, email__iexact=value
    )
