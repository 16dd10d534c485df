"""Erasure: remove a person from Upward for good, keeping their partner's records and the
programme's figures (docs/privacy.md, "Your rights over your data").

What happens to each kind of record is decided per model below and listed in the docs. The
Person row stays as a tombstone ("Former participant", nothing identifying, inactive) so that
pairings, meetings and counts stay whole; the account goes. A last sweep replaces the person's
name and email wherever they still appear in a plain (unencrypted) text or JSON column of any
table: notifications and email subjects of other people, import files, match reports, the admin
site's log.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import models, transaction
from django.db.models import Q
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext as _

from upward.accounts.models import AccountInvitation
from upward.consent.models import AboutYou, ConsentEvent
from upward.consent.purposes import Purpose
from upward.consent.signals import consent_withdrawn
from upward.core import audit
from upward.core.errors import DomainError
from upward.core.fields import EncryptedTextField
from upward.core.models import AuditChain, AuditEvent
from upward.goals.models import Goal, Task
from upward.impact.models import Commitment, RecordShare, ThankYouNote
from upward.journey.models import CalendarFeed, Meeting, MeetingAgendaItem
from upward.notes.models import CohortPost, MeetingNote, Message, SharedNote, SharedNoteRevision
from upward.notifications.models import (
    Digest,
    Notification,
    NotificationPreference,
    OutboundEmail,
    OutboundState,
)
from upward.organisations.models import Person, Unavailability
from upward.organisations.services import mark_person_left
from upward.privacy.models import ErasureRecord
from upward.recruitment.models import Answer as ApplicationAnswer
from upward.recruitment.models import Application, Invitation
from upward.safety.models import (
    CheckIn,
    Concern,
    ConcernNote,
    PairingExit,
    PulseResponse,
    SafeguardingContact,
)
from upward.surveys.models import Response

TOMBSTONE_NAME = "Former participant"
REPLACEMENT = "a former participant"
# What stands where a required text was (goals, tasks, commitments must have wording).
REMOVED = "(removed)"
# Shorter needles would hit unrelated words; a one-word name of three letters is left alone.
MIN_NEEDLE = 4


@dataclass
class ErasureReport:
    person_id: int
    organisation_id: int
    deleted: dict[str, int] = field(default_factory=dict)
    anonymised: dict[str, int] = field(default_factory=dict)

    def add(self, kind: str, label: str, count: int) -> None:
        if count:
            bucket = self.deleted if kind == "deleted" else self.anonymised
            bucket[label] = bucket.get(label, 0) + count


def is_erased(person: Person) -> bool:
    return ErasureRecord.objects.filter(person_id=person.pk).exists()


def _delete(report: ErasureReport, queryset: models.QuerySet) -> None:  # type: ignore[type-arg]
    label = queryset.model._meta.label
    count = queryset.count()
    if count:
        queryset.delete()
    report.add("deleted", label, count)


def _update(report: ErasureReport, queryset: models.QuerySet, **values: Any) -> None:  # type: ignore[type-arg]
    """Set `values` on every row. An encrypted field can take new text only through a save
    (its organisation's key comes from the instance), so such rows are saved one by one."""
    sealed = [
        name
        for name, value in values.items()
        if isinstance(queryset.model._meta.get_field(name), EncryptedTextField)
        and value not in ("", None)
    ]
    if not sealed:
        report.add("anonymised", queryset.model._meta.label, queryset.update(**values))
        return
    count = 0
    for row in queryset:
        for name, value in values.items():
            setattr(row, name, value)
        row.save(update_fields=list(values))
        count += 1
    report.add("anonymised", queryset.model._meta.label, count)


def erase_person(person: Person, *, by: Any, ledger: bool = True) -> ErasureReport:
    """Erase `person` across every table. `by` is the admin's account (None from a restore).

    Refuses an admin's own entry. Safe to run twice: a tombstone has nothing left to remove.
    `ledger=False` is for a restore re-applying a recorded erasure (the ledger row is restored
    by the caller with its original time)."""
    if by is not None and getattr(by, "pk", None) is not None and person.user_id == by.pk:
        raise DomainError(_("You cannot erase your own entry: ask another organisation admin."))
    report = ErasureReport(person_id=person.pk, organisation_id=person.organisation_id)
    needles = _needles(person)
    with transaction.atomic():
        if person.is_active:
            # As for any leaver (also when a restore re-applies an erasure: the backup holds
            # the pairings as they were before it): live pairings end, each partner is told neutrally and offered a
            # new partner, and the organisation keeps an admin (refused otherwise). What that
            # writes naming the person is swept below with everything else.
            mark_person_left(person, by=by)
            person.refresh_from_db()
        _erase_rows(person, report)
        _tombstone(person, report)
        _sweep(needles, report)
        if ledger:
            ErasureRecord.objects.create(
                person_id=person.pk,
                organisation_id=person.organisation_id,
                erased_at=timezone.now(),
                by_user_id=getattr(by, "pk", None),
            )
        # A restore re-applying an erasure writes its own entry: the original one was made
        # after the backup and is not in the restored log.
        audit.record(
            "privacy.person_erased",
            person,
            by=by,
            organisation=person.organisation,
            data={"person_id": person.pk} | ({} if ledger else {"after_restore": True}),
        )
    return report


def _needles(person: Person) -> list[str]:
    values = {person.full_name, person.email}
    if person.user is not None:
        values |= {person.user.email, getattr(person.user, "name", "")}
    if person.full_name == TOMBSTONE_NAME:
        values.discard(TOMBSTONE_NAME)
    return sorted(v.strip() for v in values if v and len(v.strip()) >= MIN_NEEDLE)


def _erase_rows(person: Person, report: ErasureReport) -> None:
    p = person
    # Written only for themselves: deleted.
    _delete(report, MeetingNote.objects.filter(author=p))
    _delete(report, Unavailability.objects.filter(person=p))
    _delete(report, CalendarFeed.objects.filter(person=p))
    _delete(report, Notification.objects.filter(recipient=p))
    _delete(report, NotificationPreference.objects.filter(person=p))
    _delete(report, Digest.objects.filter(person=p))
    _delete(report, AccountInvitation.objects.filter(person=p))
    _delete(report, Invitation.objects.filter(person=p))
    _delete(report, SafeguardingContact.objects.filter(person=p))
    # Special-category answers and the consents that allowed their use go with the person,
    # and, as with any withdrawal, their groups leave the survey rows that carry them (the
    # surveys app finds the anonymous ones through the person's pseudonym).
    for purpose in Purpose.values:
        consent_withdrawn.send(
            sender=ConsentEvent,
            person_id=p.pk,
            organisation_id=p.organisation_id,
            purpose=purpose,
        )
    _delete(report, AboutYou.objects.filter(person=p))
    _delete(report, ConsentEvent.objects.filter(person=p))
    _delete(report, RecordShare.objects.filter(mentor=p))
    _update(report, RecordShare.objects.filter(line_manager=p), line_manager=None)
    emails = {e.lower() for e in (p.email, getattr(p.user, "email", "")) if e}
    to_them = [
        pk
        for pk, to in OutboundEmail.objects.values_list("pk", "to").iterator()
        if emails & {str(a).lower() for a in (to or [])}
    ]
    _delete(report, OutboundEmail.objects.filter(Q(person=p) | Q(pk__in=to_them)))
    # Written into a shared space.
    # Messages and cohort posts are their words alone: deleted. The partner's messages stay.
    _delete(report, Message.objects.filter(sender=p))
    _delete(report, CohortPost.objects.filter(author=p))
    # Shared notes are one document the pair wrote together: kept for the partner, unsigned.
    _update(report, SharedNote.objects.filter(created_by=p), created_by=None)
    _update(report, SharedNote.objects.filter(updated_by=p), updated_by=None)
    _update(report, SharedNoteRevision.objects.filter(saved_by=p), saved_by=None)
    # Their own goals, tasks and commitments keep their status for the programme's figures;
    # the words go. Goals and tasks the partner owns stay as they are, unsigned.
    _update(report, Goal.objects.filter(owner=p), statement=REMOVED, measure=REMOVED, why="")
    _update(report, Goal.objects.filter(created_by=p), created_by=None)
    _update(report, Task.objects.filter(owner=p), title=REMOVED)
    _update(report, Task.objects.filter(created_by=p), created_by=None)
    _update(report, Commitment.objects.filter(owner=p), text=REMOVED, theme="")
    _delete(report, ThankYouNote.objects.filter(author=p))
    _update(report, MeetingAgendaItem.objects.filter(done_by=p), done_by=None)
    _update(report, Meeting.objects.filter(proposed_by=p), proposed_by=None)
    # Applications: the row stays (recruitment figures), its free text and special-category
    # data go.
    applications = Application.objects.filter(person=p)
    _delete(report, ApplicationAnswer.objects.filter(application__in=applications))
    for application in applications:
        for relation in ("lived_experience_topics", "offered_topics", "wanted_topics", "interests"):
            getattr(application, relation).clear()
    _update(
        report,
        applications,
        motivation="",
        lived_experience_consent=False,
        availability={},
        preferred_times="",
        decision_reason="",
        internal_note="",
    )
    # Safety: rows stay for the programme's figures and the team's duty of care; what the person
    # wrote goes. The team's own notes stay with the team.
    _update(report, Concern.objects.filter(raised_by=p), text="", may_name_me=False)
    _update(report, PulseResponse.objects.filter(mentor=p), comment="")
    _update(report, PairingExit.objects.filter(left_by=p), reason="")
    _update(report, ConcernNote.objects.filter(author=p), author=None)
    _update(report, CheckIn.objects.filter(lead=p), lead=None)
    # Identified survey answers lose the person; anonymous ones are untouched (unlinkable).
    _update(report, Response.objects.filter(person=p, is_anonymous=False), person=None)
    _remove_from_m2m(p, report)
    _update(report, Person.objects.filter(manager=p), manager=None)


def _remove_from_m2m(person: Person, report: ErasureReport) -> None:
    """Every many-to-many link to the person: programmes they managed, announcements they
    received, applications that named them as someone they work with."""
    for model in apps.get_models():
        for m2m in model._meta.many_to_many:
            if m2m.related_model is Person:
                through: Any = m2m.remote_field.through
                column = m2m.m2m_reverse_field_name()
                _delete(report, through.objects.filter(**{column: person.pk}))


def _tombstone(person: Person, report: ErasureReport) -> None:
    user = person.user
    Person.objects.filter(pk=person.pk).update(
        user=None,
        full_name=TOMBSTONE_NAME,
        email=f"erased-{person.pk}@erased.invalid",
        job_title="",
        location="",
        manager=None,
        team=None,
        start_date=None,
        time_zone="Europe/London",
        is_active=False,
        is_org_admin=False,
    )
    person.refresh_from_db()
    report.add("anonymised", Person._meta.label, 1)
    if user is not None:
        user.delete()  # with it, their addresses, authenticators and admin-site log entries
        report.add("deleted", "accounts.User", 1)


def _scrub(value: Any, needles: list[str]) -> Any:
    if isinstance(value, str):
        for needle in needles:
            if needle.lower() in value.lower():
                value = _replace(value, needle)
        return value
    if isinstance(value, list):
        return [_scrub(v, needles) for v in value]
    if isinstance(value, dict):
        return {_scrub(k, needles): _scrub(v, needles) for k, v in value.items()}
    return value


def _replace(text: str, needle: str) -> str:
    lower, target, out, start = text.lower(), needle.lower(), [], 0
    while (found := lower.find(target, start)) >= 0:
        out += [text[start:found], REPLACEMENT]
        start = found + len(target)
    return "".join([*out, text[start:]])


def _plain_columns(model: type[models.Model]) -> list[models.Field]:  # type: ignore[type-arg]
    return [
        f
        for f in model._meta.concrete_fields
        if isinstance(f, models.CharField | models.TextField | models.JSONField)
        and not isinstance(f, EncryptedTextField)
        and not f.choices
    ]


def _sweep(needles: list[str], report: ErasureReport) -> None:
    """Replace the person's name and email in every plain text and JSON column of every table,
    and in the encrypted bodies of emails still waiting to go (a partner's neutral notice)."""
    if not needles:
        return
    for email in OutboundEmail.objects.filter(state=OutboundState.QUEUED):
        body, html = _scrub(email.body, needles), _scrub(email.html, needles)
        if (body, html) != (email.body, email.html):
            email.body, email.html = body, html
            email.save(update_fields=["body", "html"])
            report.add("anonymised", "notifications.OutboundEmail.body", 1)
    for model in apps.get_models():
        # Other people's directory entries and accounts are theirs, even with the same name.
        if model._meta.proxy or not model._meta.managed or model in (Person, get_user_model()):
            continue
        # The audit log is append-only and hash-chained: rewriting it would break the chain
        # (and PostgreSQL's trigger refuses it). Its entries hold ids, never names or emails
        # (upward.core.audit), so there is nothing of the person to sweep there.
        if model in (AuditEvent, AuditChain):
            continue
        for column in _plain_columns(model):
            is_json = isinstance(column, models.JSONField)
            name = f"_privacy_{column.attname}" if is_json else column.attname
            queryset = model._base_manager.all()
            if is_json:
                queryset = queryset.annotate(**{name: Cast(column.attname, models.TextField())})
            match = Q()
            for needle in needles:
                # JSON text escapes non-ASCII; compare the escaped form too.
                match |= Q(**{f"{name}__icontains": needle})
                escaped = json.dumps(needle)[1:-1]
                if escaped != needle:
                    match |= Q(**{f"{name}__icontains": escaped})
            for row in queryset.filter(match):
                value = getattr(row, column.attname)
                cleaned = _scrub(value, needles)
                if cleaned != value:
                    model._base_manager.filter(pk=row.pk).update(**{column.attname: cleaned})
                    report.add("anonymised", f"{model._meta.label}.{column.name}", 1)
