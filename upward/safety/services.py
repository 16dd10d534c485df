"""Writes for relationship health. Each service checks its rules, writes inside one transaction,
records an audit entry (never with pulse answers, reasons or concern text) and queues neutral
notifications."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from upward.core.audit import record
from upward.core.errors import Conflict, DomainError, InvalidTransition
from upward.core.types import Actor
from upward.journey.models import Meeting
from upward.organisations.access import person_for
from upward.organisations.models import Person
from upward.pairing import services as pairing_services
from upward.pairing.models import Pairing, PairingState
from upward.programmes.models import Programme
from upward.safety import notify, selectors
from upward.safety.models import (
    CONCERN_TRANSITIONS,
    CheckIn,
    Concern,
    ConcernNote,
    ConcernState,
    ExitCategory,
    FlagKind,
    FlagSnooze,
    PairingExit,
    PulseResponse,
    RematchRequest,
    SafeguardingContact,
    SafetySettings,
)

MAX_TEXT = 5000
SNOOZE_DAYS = (7, 14, 30)
# Pairs a participant may end themselves. A proposal is answered (declined), not ended.
LEAVABLE_STATES = (PairingState.MENTOR_ACCEPTED, PairingState.ACTIVE)
PULSE_STATES = (PairingState.ACTIVE, PairingState.COMPLETED)


def _org(programme: Programme) -> Any:
    return programme.organisation


def role_in(pairing: Pairing, person: Person) -> str:
    """'mentor' or 'mentee'; a mentee who has not been told of the pairing is not in it yet."""
    if pairing.mentor_id == person.pk:
        return "mentor"
    if pairing.mentee_id == person.pk and pairing.mentee_told_at is not None:
        return "mentee"
    raise DomainError(_("You are not part of this pairing."))


def _text(value: str, *, field: str, required: bool, label: str) -> str:
    value = (value or "").strip()
    if required and not value:
        raise DomainError(
            _("Please write a few words about %(what)s.") % {"what": label}, field=field
        )
    if len(value) > MAX_TEXT:
        raise DomainError(
            _("Please keep this under %(n)s characters.") % {"n": MAX_TEXT}, field=field
        )
    return value


# ---------------------------------------------------------------------------------------------
# Settings


def save_settings(
    programme: Programme, *, no_meeting_days: int, missed_in_a_row: int, by: Actor
) -> SafetySettings:
    if not 7 <= int(no_meeting_days) <= 180:
        raise DomainError(_("Choose between 7 and 180 days."), field="no_meeting_days")
    if not 1 <= int(missed_in_a_row) <= 5:
        raise DomainError(_("Choose between 1 and 5 meetings."), field="missed_in_a_row")
    with transaction.atomic():
        settings, _created = SafetySettings.objects.update_or_create(
            programme=programme,
            defaults={
                "no_meeting_days": int(no_meeting_days),
                "missed_in_a_row": int(missed_in_a_row),
                "updated_by": by if getattr(by, "is_authenticated", False) else None,
            },
        )
        record(
            "safety.settings_saved",
            settings,
            by=by,
            organisation=_org(programme),
            data={"no_meeting_days": settings.no_meeting_days, "missed": settings.missed_in_a_row},
        )
    return settings


# ---------------------------------------------------------------------------------------------
# Pulse


def _score(value: Any, field: str) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        number = 0
    if not 1 <= number <= 5:
        raise DomainError(_("Choose an answer from 1 to 5."), field=field)
    return number


def submit_pulse(
    meeting: Meeting,
    *,
    person: Person,
    spoke_openly: Any,
    felt_listened_to: Any,
    worth_my_time: Any,
    wants_support: bool = False,
    comment: str = "",
    by: Actor,
) -> PulseResponse:
    """The junior mentor's private answer after a held meeting, once per meeting."""
    pairing = meeting.pairing
    if pairing.mentor_id != person.pk:
        raise DomainError(_("Only the mentor in this pairing answers this check-in."))
    if pairing.state not in PULSE_STATES:
        raise InvalidTransition(_("This pairing has ended, so there is nothing to answer."))
    # Her own account counts, never the partner's mark alone.
    if not meeting.held_for("mentor"):
        raise InvalidTransition(_("You can answer once the meeting has been recorded as held."))
    scores = {
        "spoke_openly": _score(spoke_openly, "spoke_openly"),
        "felt_listened_to": _score(felt_listened_to, "felt_listened_to"),
        "worth_my_time": _score(worth_my_time, "worth_my_time"),
    }
    comment = _text(comment, field="comment", required=False, label="")
    try:
        with transaction.atomic():
            pulse = PulseResponse.objects.create(
                meeting=meeting,
                pairing=pairing,
                mentor=person,
                wants_support=bool(wants_support),
                comment=comment,
                **scores,
            )
            # No answers in the audit log: only that a pulse exists.
            record("safety.pulse_submitted", pulse, by=by, organisation=_org(pairing.programme))
            if pulse.wants_support:
                notify.tell_readers(
                    pairing.programme,
                    pairing=pairing,
                    subject=_("Someone in %(programme)s would like a word")
                    % {"programme": pairing.programme.name},
                    template="safety/email/support_requested.txt",
                    url=notify.link("safety:attention", pairing.programme_id),
                    dedupe_key=f"safety-support-{pulse.pk}",
                )
    except IntegrityError as exc:
        raise Conflict(_("You have already answered for this meeting. Thank you.")) from exc
    return pulse


# ---------------------------------------------------------------------------------------------
# No-fault exit and rematch


def exit_reason_for_team(exit: PairingExit) -> str:
    """The line kept on the pairing, which every manager and org admin sees on the pairings
    page. Who ended it, the category and the reason are safety data: they stay in the exit
    record, read on the needs-attention pages by those who may see safety data."""
    return _("Ended by a participant, without blame. See the needs-attention page.")


def leave_pairing(
    pairing: Pairing, *, person: Person, category: str = "", reason: str = "", by: Actor
) -> PairingExit:
    """Either person ends their pairing privately. The partner learns only that it has ended;
    the programme team sees who left and why; both are offered a new partner."""
    role = role_in(pairing, person)
    if pairing.state not in LEAVABLE_STATES:
        raise InvalidTransition(_("This pairing has already ended."))
    if category and category not in ExitCategory.values:
        raise DomainError(_("Choose one of the options, or none."), field="category")
    reason = _text(reason, field="reason", required=False, label="")
    with transaction.atomic():
        exit = PairingExit(
            pairing=pairing, left_by=person, role=role, category=category, reason=reason
        )
        # Who left is for the team's list of pairings (the partner's pages never show it); the
        # partner is told below, in neutral words, and the person who left needs no email.
        pairing_services.end_pairing(
            pairing,
            by=by,
            reason=exit_reason_for_team(exit),
            closed_by=role,
            notify_people=False,
        )
        exit.save()
        record(
            "safety.pairing_left",
            exit,
            by=by,
            organisation=_org(pairing.programme),
            data={"pairing": pairing.pk, "role": role, "category": category},
        )
        programme = pairing.programme
        partner = pairing.mentee if role == "mentor" else pairing.mentor
        notify.send(
            partner,
            kind="pairing",
            subject=_("Your pairing in %(programme)s has ended") % {"programme": programme.name},
            template="safety/email/pairing_ended_partner.txt",
            context={"programme": programme.name},
            url=notify.link("safety:rematch", pairing.pk),
            dedupe_key=f"safety-ended-{pairing.pk}-{partner.pk}",
        )
        notify.tell_readers(
            programme,
            pairing=pairing,
            subject=_("A pairing in %(programme)s has ended") % {"programme": programme.name},
            template="safety/email/pairing_ended_lead.txt",
            url=notify.link("safety:attention", programme.pk),
            dedupe_key=f"safety-ended-lead-{pairing.pk}",
        )
    return exit


def request_rematch(pairing: Pairing, *, person: Person, by: Actor) -> RematchRequest:
    role = role_in(pairing, person)
    if pairing.state != PairingState.ENDED:
        raise InvalidTransition(_("You can ask for a new partner once this pairing has ended."))
    if RematchRequest.objects.filter(pairing=pairing, person=person).exists():
        raise Conflict(_("You have already asked; the programme team will be in touch."))
    try:
        with transaction.atomic():
            request = RematchRequest.objects.create(
                programme=pairing.programme, pairing=pairing, person=person, role=role
            )
            record(
                "safety.rematch_requested",
                request,
                by=by,
                organisation=_org(pairing.programme),
                data={"pairing": pairing.pk, "role": role},
            )
            notify.tell_readers(
                pairing.programme,
                pairing=pairing,
                subject=_("A request for a new partner in %(programme)s")
                % {"programme": pairing.programme.name},
                template="safety/email/rematch_requested.txt",
                url=notify.link("safety:attention", pairing.programme_id),
                dedupe_key=f"safety-rematch-{request.pk}",
            )
    except IntegrityError as exc:
        raise Conflict(_("You have already asked; the programme team will be in touch.")) from exc
    return request


def close_rematch_request(request: RematchRequest, *, by: Actor) -> RematchRequest:
    with transaction.atomic():
        won = RematchRequest.objects.filter(pk=request.pk, status="open").update(
            status=RematchRequest.Status.DONE,
            closed_at=timezone.now(),
            closed_by=by if getattr(by, "is_authenticated", False) else None,
        )
        if not won:
            raise InvalidTransition(_("This request has already been dealt with."))
        request.refresh_from_db()
        record("safety.rematch_closed", request, by=by, organisation=_org(request.programme))
    return request


def close_rematch_requests_at_end(programme: Programme, by: Actor) -> None:
    """The programme completed: requests for a new partner cannot be met any more. The people
    who asked are told by the pairing app, with everyone else still waiting."""
    open_ones = list(
        RematchRequest.objects.filter(programme=programme, status=RematchRequest.Status.OPEN)
    )
    for request in open_ones:
        close_rematch_request(request, by=by)


# ---------------------------------------------------------------------------------------------
# Concerns


def raise_concern(
    pairing: Pairing, *, person: Person, text: str, may_name_me: bool = False, by: Actor
) -> Concern:
    role_in(pairing, person)
    text = _text(text, field="text", required=True, label=_("what is worrying you"))
    with transaction.atomic():
        concern = Concern.objects.create(
            programme=pairing.programme,
            pairing=pairing,
            raised_by=person,
            text=text,
            may_name_me=bool(may_name_me),
        )
        record(
            "safety.concern_raised",
            concern,
            by=by,
            organisation=_org(pairing.programme),
            data={"pairing": pairing.pk},
        )
        notify.tell_readers(
            pairing.programme,
            pairing=pairing,
            subject=_("A concern has been raised in %(programme)s")
            % {"programme": pairing.programme.name},
            template="safety/email/concern_raised.txt",
            url=notify.link("safety:concern", pairing.programme_id, concern.pk),
            dedupe_key=f"safety-concern-{concern.pk}",
        )
    return concern


CONCERN_VERBS = {
    ConcernState.ACKNOWLEDGED: "safety.concern_acknowledged",
    ConcernState.RESOLVED: "safety.concern_resolved",
}


def move_concern(concern: Concern, *, to: str, by: Actor) -> Concern:
    source = concern.state
    if to not in CONCERN_TRANSITIONS.get(source, ()):
        raise InvalidTransition(
            _("This concern is %(state)s and cannot be moved there. Reload the page.")
            % {"state": ConcernState(source).label.lower()}
        )
    now = timezone.now()
    fields: dict[str, Any] = {"state": to, "updated_at": now}
    if to == ConcernState.ACKNOWLEDGED:
        fields["resolved_at"] = None
        if concern.acknowledged_at is None:
            fields["acknowledged_at"] = now
    if to == ConcernState.RESOLVED:
        fields["resolved_at"] = now
        if concern.acknowledged_at is None:
            fields["acknowledged_at"] = now
    with transaction.atomic():
        won = Concern.objects.filter(pk=concern.pk, state=source).update(**fields)
        if not won:
            raise InvalidTransition(
                _("Someone else has just updated this concern. Reload the page.")
            )
        for name, value in fields.items():
            setattr(concern, name, value)
        verb = CONCERN_VERBS[ConcernState(to)]
        if source == ConcernState.RESOLVED:
            verb = "safety.concern_reopened"
        record(verb, concern, by=by, organisation=_org(concern.programme), data={"from": source})
    return concern


def add_concern_note(concern: Concern, *, author: Person, body: str, by: Actor) -> ConcernNote:
    body = _text(body, field="body", required=True, label=_("the note"))
    with transaction.atomic():
        note = ConcernNote.objects.create(concern=concern, author=author, body=body)
        record(
            "safety.concern_note_added",
            note,
            by=by,
            organisation=_org(concern.programme),
            data={"concern": concern.pk},
        )
    return note


# ---------------------------------------------------------------------------------------------
# Flags and check-ins


def snooze_flag(pairing: Pairing, *, kind: str, days: Any, by: Actor) -> FlagSnooze:
    if kind not in FlagKind.values:
        raise DomainError(_("That is not a flag we know."))
    try:
        days = int(days)
    except (TypeError, ValueError):
        days = 0
    if days not in SNOOZE_DAYS:
        raise DomainError(_("Choose 7, 14 or 30 days."), field="days")
    until = timezone.localdate() + dt.timedelta(days=days)
    with transaction.atomic():
        snooze, _created = FlagSnooze.objects.update_or_create(
            pairing=pairing,
            kind=kind,
            defaults={"until": until, "by": by if getattr(by, "is_authenticated", False) else None},
        )
        record(
            "safety.flag_snoozed",
            snooze,
            by=by,
            organisation=_org(pairing.programme),
            data={"pairing": pairing.pk, "kind": kind, "days": days},
        )
    return snooze


def snooze_flags(
    programme: Programme,
    targets: list[tuple[int, str]],
    *,
    days: Any,
    by: Actor,
    fingerprint: str | None = None,
    current: list[tuple[int, str]] | None = None,
) -> int:
    """Hide many flags at once, (pairing id, flag kind) each, in a fixed number of queries.

    `targets` come from the queue's selector (the programme's own pairings, as the viewer may
    see them). With `fingerprint`, they must still be the set the person confirmed."""
    try:
        days = int(days)
    except (TypeError, ValueError):
        days = 0
    if days not in SNOOZE_DAYS:
        raise DomainError(_("Choose 7, 14 or 30 days."), field="days")
    if any(kind not in FlagKind.values for _pk, kind in targets):
        raise DomainError(_("That is not a flag we know."))
    if fingerprint is not None and selectors.snooze_fingerprint(targets) != fingerprint:
        raise Conflict(
            ngettext(
                "The flags have changed since you looked: %(n)s flag matches now. Nothing was "
                "hidden; check the new count and confirm again.",
                "The flags have changed since you looked: %(n)s flags match now. Nothing was "
                "hidden; check the new count and confirm again.",
                len(targets),
            )
            % {"n": len(targets)}
        )
    if not targets:
        raise DomainError(_("No flag matches, so there is nothing to hide."))
    until = timezone.localdate() + dt.timedelta(days=days)
    user = by if getattr(by, "is_authenticated", False) else None
    with transaction.atomic():
        FlagSnooze.objects.bulk_create(
            [FlagSnooze(pairing_id=pk, kind=kind, until=until, by=user) for pk, kind in targets],
            update_conflicts=True,
            unique_fields=["pairing", "kind"],
            update_fields=["until", "by", "created_at"],
        )
        record(
            "safety.flags_snoozed",
            programme,
            by=by,
            organisation=_org(programme),
            data={"pairings": sorted({pk for pk, _kind in targets}), "days": days},
        )
    return len(targets)


def schedule_check_in(
    programme: Programme,
    *,
    pairing: Pairing | None = None,
    person: Person | None = None,
    due_on: dt.date,
    purpose: str = "",
    lead: Person | None,
    by: Actor,
) -> CheckIn:
    if pairing is None and person is None:
        raise DomainError(_("Choose the pair or the person to check in with."))
    if pairing is not None and pairing.programme_id != programme.pk:
        raise DomainError(_("That pairing is not in this programme."))
    if (
        pairing is not None
        and person is not None
        and person.pk
        not in (
            pairing.mentor_id,
            pairing.mentee_id,
        )
    ):
        raise DomainError(_("Choose someone in this pairing."), field="who")
    today = timezone.localdate()
    if due_on < today:
        raise DomainError(_("Choose today or a later day."), field="due_on")
    if due_on > today + dt.timedelta(days=366):
        raise DomainError(_("Choose a day within the next year."), field="due_on")
    purpose = (purpose or "").strip()[:200]
    with transaction.atomic():
        check_in = CheckIn.objects.create(
            programme=programme,
            pairing=pairing,
            person=person,
            lead=lead,
            due_on=due_on,
            purpose=purpose,
            created_by=by if getattr(by, "is_authenticated", False) else None,
        )
        record(
            "safety.check_in_scheduled",
            check_in,
            by=by,
            organisation=_org(programme),
            data={"pairing": pairing.pk if pairing else None, "due_on": due_on.isoformat()},
        )
    return check_in


def complete_check_in(check_in: CheckIn, *, notes: str, by: Actor) -> CheckIn:
    if check_in.is_done:
        raise InvalidTransition(_("This check-in is already marked as done."))
    notes = _text(notes, field="notes", required=False, label="")
    with transaction.atomic():
        check_in.notes = notes
        check_in.done_at = timezone.now()
        check_in.save(update_fields=["notes", "done_at"])
        record("safety.check_in_done", check_in, by=by, organisation=_org(check_in.programme))
    return check_in


# ---------------------------------------------------------------------------------------------
# Reminders (called by the periodic command)


def send_safety_reminders(
    *, now: dt.datetime | None = None, dry_run: bool = False
) -> dict[str, int]:
    """Check-ins that are due → their lead; a pulse waiting after a recent meeting → the
    mentor, once. Safe to run as often as you like: each reminder has its own dedupe key.
    `dry_run` counts what is due without sending or marking anything."""
    now = now or timezone.now()
    if dry_run:
        return {
            "check_ins": len(selectors.due_check_ins(now)),
            "pulses": len(selectors.meetings_waiting_for_pulse(now)),
        }
    sent = {"check_ins": 0, "pulses": 0}
    for check_in in selectors.due_check_ins(now):
        # The lead who planned it, while they may still see the programme's safety data;
        # otherwise everyone who may. Never someone the check-in is about.
        allowed = [
            person
            for person in notify.readers(check_in.programme, pairing=check_in.pairing)
            if person.pk != check_in.person_id
        ]
        people = [p for p in allowed if p.pk == check_in.lead_id] or allowed
        with transaction.atomic():
            won = CheckIn.objects.filter(pk=check_in.pk, reminded_at__isnull=True).update(
                reminded_at=now
            )
            if not won:
                continue
            for lead in people:
                notify.send(
                    lead,
                    kind="safety",
                    subject=_("A check-in is due in %(programme)s")
                    % {"programme": check_in.programme.name},
                    template="safety/email/check_in_due.txt",
                    context={"programme": check_in.programme.name, "due_on": check_in.due_on},
                    url=notify.link("safety:check_in", check_in.programme_id, check_in.pk),
                    dedupe_key=f"safety-check-in-{check_in.pk}-{lead.pk}",
                )
        sent["check_ins"] += 1
    for meeting in selectors.meetings_waiting_for_pulse(now):
        with transaction.atomic():
            notify.send(
                meeting.pairing.mentor,
                kind="safety",
                subject=_("How did your last session feel?"),
                template="safety/email/pulse_due.txt",
                context={"programme": meeting.pairing.programme.name},
                url=notify.link("safety:pulse", meeting.pairing_id, meeting.pk),
                dedupe_key=f"safety-pulse-{meeting.pk}",
            )
        sent["pulses"] += 1
    return sent


# ---------------------------------------------------------------------------------------------
# Safeguarding contacts


def add_safeguarding_contact(
    organisation: Any, *, person: Person, by: Actor
) -> SafeguardingContact:
    """Name someone who sees every programme's safety data in the organisation (never about
    their own pairings). Org admins call this; the view checked that."""
    if person.organisation_id != organisation.pk:
        raise DomainError(_("Choose someone in your organisation."), field="person")
    if not person.is_active:
        raise DomainError(
            _("This person has left; choose someone who is still here."), field="person"
        )
    try:
        with transaction.atomic():
            contact = SafeguardingContact.objects.create(
                organisation=organisation,
                person=person,
                added_by=by if getattr(by, "is_authenticated", False) else None,
            )
            record(
                "safety.safeguarding_contact_added",
                contact,
                by=by,
                organisation=organisation,
                data={"person": person.pk},
            )
            notify.tell_about_contact_change(contact, added=True, by_person=person_for(by))
    except IntegrityError as exc:
        raise Conflict(
            _("%(name)s is already a safeguarding contact.") % {"name": person.full_name},
            field="person",
        ) from exc
    return contact


def remove_safeguarding_contact(contact: SafeguardingContact, *, by: Actor) -> None:
    with transaction.atomic():
        record(
            "safety.safeguarding_contact_removed",
            contact,
            by=by,
            organisation=contact.organisation,
            data={"person": contact.person_id},
        )
        notify.tell_about_contact_change(contact, added=False, by_person=person_for(by))
        SafeguardingContact.objects.filter(pk=contact.pk).delete()
