"""Each move of a pairing, from the junior mentor's answer to the end, and finding a new
partner after a no.

Moves are conditional UPDATEs on the state that was checked, so two simultaneous answers
cannot both win."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from matching import Weights
from upward.core.audit import record
from upward.core.errors import Conflict, DomainError, InvalidTransition
from upward.core.fields import EncryptedTextField, sealed
from upward.core.types import Actor
from upward.organisations.models import Person
from upward.pairing import tasks
from upward.pairing.models import (
    LIVE_STATES,
    PAIRING_TRANSITIONS,
    MatchRun,
    Pairing,
    PairingState,
    PairingStateChange,
)
from upward.pairing.selectors import MatchSettings, settings_for, weights_for
from upward.pairing.services._shared import MATCHING_STATES, _own_pairing, _refuse_own, _user
from upward.pairing.services.emails import (
    _email_active,
    _email_ended,
    _email_mentee_told,
    _email_withdrawn,
)
from upward.pairing.services.runs import publish_match_run, start_match_run
from upward.pairing.signals import pairing_closed
from upward.programmes.models import Programme
from upward.recruitment.models import Application, ApplicationStatus, Role


def _move(
    pairing: Pairing, *, to: str, by: Actor, expect: Iterable[str] | None = None, **fields: Any
) -> Pairing:
    """Move the pairing if it is still in the state we checked; otherwise say it moved on."""
    source = pairing.state
    if expect is not None and source not in expect:
        raise InvalidTransition(_already(pairing))
    if to not in PAIRING_TRANSITIONS[source]:
        raise InvalidTransition(_already(pairing))
    now = timezone.now()
    # update() has no instance to encrypt for: encrypted text (the closing reason) goes sealed.
    stored = {
        name: sealed(pairing, name, value) if name in ENCRYPTED else value
        for name, value in fields.items()
    }
    won = Pairing.objects.filter(pk=pairing.pk, state=source).update(
        state=to, updated_at=now, **stored
    )
    if not won:
        pairing.refresh_from_db(fields=["state"])
        raise InvalidTransition(_already(pairing))
    PairingStateChange.objects.create(pairing=pairing, from_state=source, to_state=to, by=_user(by))
    for name, value in fields.items():
        setattr(pairing, name, value)
    pairing.state = to
    record(
        "pairing.state_changed",
        pairing,
        by=by,
        organisation=pairing.programme.organisation,
        data={"from": source, "to": to},
    )
    if to in CLOSED_STATES:
        pairing_closed.send(sender=Pairing, pairing=pairing, by=by)
    return pairing


ENCRYPTED = frozenset(
    f.name for f in Pairing._meta.concrete_fields if isinstance(f, EncryptedTextField)
)

# Leaving these, a pairing is over: the journey cancels its future meetings, and so on.
CLOSED_STATES = (PairingState.ENDED, PairingState.COMPLETED, PairingState.DECLINED)


def _already(pairing: Pairing) -> str:
    return _(
        "This pairing has already moved on (it is now: %(state)s). Reload the page to see "
        "where it stands."
    ) % {"state": PairingState(pairing.state).label.lower()}


def _respond_days(pairing: Pairing) -> int:
    if pairing.run is not None:
        return MatchSettings.from_dict(pairing.run.settings).respond_days
    return MatchSettings().respond_days


def _require_place(pairing: Pairing, person: Person) -> None:
    """Only someone whose application is accepted may answer. Both applications are locked
    (in one order), so a withdrawal of either waits for the answer or the answer for it."""
    applications = list(
        Application.objects.select_for_update()
        .filter(
            programme_id=pairing.programme_id, person_id__in=[pairing.mentor_id, pairing.mentee_id]
        )
        .order_by("pk")
    )
    own = next((a for a in applications if a.person_id == person.pk), None)
    if own is None or own.status != ApplicationStatus.ACCEPTED:
        raise DomainError(
            _(
                "Your application to this programme does not have a place at the moment, and "
                "only people with a place can answer a proposal. If you would like to take "
                "part, please contact the programme team."
            )
        )


def answer_proposal(pairing: Pairing, *, person: Person, accept: bool) -> Pairing:
    """The junior mentor's private answer. Only a yes reaches the mentee; a no starts a
    search for another mentor for them, and they never hear of it."""
    if pairing.mentor_id != person.pk:
        raise DomainError(_("Only the proposed mentor can answer this proposal."))
    by = person.user
    with transaction.atomic():
        _require_place(pairing, person)
        now = timezone.now()
        if accept:
            pairing = _move(
                pairing,
                to=PairingState.MENTOR_ACCEPTED,
                by=by,
                expect=[PairingState.PROPOSED],
                mentor_responded_at=now,
                mentee_told_at=now,
                respond_by=now + dt.timedelta(days=_respond_days(pairing)),
            )
            _email_mentee_told(pairing)
        else:
            pairing = _move(
                pairing,
                to=PairingState.DECLINED,
                by=by,
                expect=[PairingState.PROPOSED],
                mentor_responded_at=now,
                closed_by=Pairing.ClosedBy.MENTOR,
                closed_at=now,
            )
            _rematch_later(pairing)
    return pairing


def answer_pairing(pairing: Pairing, *, person: Person, accept: bool) -> Pairing:
    """The senior mentee confirms (the pairing starts) or declines after the mentor said yes."""
    if pairing.mentee_id != person.pk or pairing.mentee_told_at is None:
        raise DomainError(_("Only the mentee can confirm this pairing."))
    by = person.user
    with transaction.atomic():
        _require_place(pairing, person)
        now = timezone.now()
        if accept:
            pairing = _move(
                pairing,
                to=PairingState.ACTIVE,
                by=by,
                expect=[PairingState.MENTOR_ACCEPTED],
                mentee_responded_at=now,
            )
            _email_active(pairing)
        else:
            pairing = _move(
                pairing,
                to=PairingState.DECLINED,
                by=by,
                expect=[PairingState.MENTOR_ACCEPTED],
                mentee_responded_at=now,
                closed_by=Pairing.ClosedBy.MENTEE,
                closed_at=now,
            )
            _rematch_later(pairing)
    return pairing


def withdraw_open_proposals(
    programme: Programme, *, person: Person, by: Actor, reason: str = ""
) -> list[Pairing]:
    """The person withdrew their application (or left the organisation: `reason` says so, for
    the programme team): their unanswered proposals in the programme do not go ahead. A partner who knew of the proposal is told neutrally, without the reason, and
    is looked for a new partner as after a decline. Pairings that already started stay: ending
    those is for the programme team or the person, through their own pages."""
    withdrawn = []
    with transaction.atomic():
        open_ones = (
            Pairing.objects.select_related("programme__organisation", "mentor", "mentee", "run")
            .filter(
                programme=programme,
                state__in=[PairingState.PROPOSED, PairingState.MENTOR_ACCEPTED],
            )
            .filter(Q(mentor=person) | Q(mentee=person))
            .order_by("pk")
        )
        for pairing in open_ones:
            as_mentor = pairing.mentor_id == person.pk
            now = timezone.now()
            pairing = _move(
                pairing,
                to=PairingState.DECLINED,
                by=by,
                expect=[PairingState.PROPOSED, PairingState.MENTOR_ACCEPTED],
                closed_by=Pairing.ClosedBy.MENTOR if as_mentor else Pairing.ClosedBy.MENTEE,
                closed_reason=reason or _("Withdrew their application."),
                closed_at=now,
            )
            # The mentor always knew of the proposal; the mentee only once told of it.
            if not as_mentor:
                _email_withdrawn(pairing, to=pairing.mentor)
            elif pairing.mentee_told_at is not None:
                _email_withdrawn(pairing, to=pairing.mentee)
            _rematch_later(pairing)
            withdrawn.append(pairing)
    return withdrawn


def end_pairing(
    pairing: Pairing,
    *,
    by: Actor,
    reason: str = "",
    closed_by: str = Pairing.ClosedBy.MANAGER,
    notify_people: bool = True,
) -> Pairing:
    """End a live pairing. The reason stays with the programme team.

    The programme team ends pairings from its pairings page (`closed_by` manager, both people
    told). A participant who leaves goes through the safety app, which passes `closed_by` as
    their role and tells only the partner, in its own neutral words (`notify_people=False`).
    """
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(
            _("Note why the pairing ends; only the programme team sees it."), field="reason"
        )
    if closed_by not in Pairing.ClosedBy.values:
        raise DomainError(_("Unknown party ending the pairing."))
    if closed_by == Pairing.ClosedBy.MANAGER:
        # A participant ends their own pairing through the safety app, as mentor or mentee.
        _refuse_own(by, [pairing.mentor_id, pairing.mentee_id], _own_pairing())
    with transaction.atomic():
        pairing = _move(
            pairing,
            to=PairingState.ENDED,
            by=by,
            expect=LIVE_STATES,
            closed_by=closed_by,
            closed_reason=reason,
            closed_at=timezone.now(),
        )
        if notify_people:
            _email_ended(pairing)
    return pairing


def complete_pairing(pairing: Pairing, *, by: Actor) -> Pairing:
    _refuse_own(by, [pairing.mentor_id, pairing.mentee_id], _own_pairing())
    with transaction.atomic():
        return _move(pairing, to=PairingState.COMPLETED, by=by, expect=[PairingState.ACTIVE])


def find_new_partner(pairing: Pairing, *, for_role: str, by: Actor) -> MatchRun:
    """After a pairing ended: a run over the free people for the one who needs a partner,
    leaving every other pair as it is. The manager reviews and publishes it as usual."""
    if pairing.state in LIVE_STATES:
        raise InvalidTransition(_("End this pairing before looking for a new partner."))
    if for_role not in (Role.MENTOR, Role.MENTEE):
        raise DomainError(_("Choose the mentor or the mentee."))
    _refuse_own(by, [pairing.mentor_id, pairing.mentee_id], _own_pairing())
    person_id = pairing.mentor_id if for_role == Role.MENTOR else pairing.mentee_id
    return start_match_run(
        pairing.programme,
        by=by,
        mode=MatchRun.Mode.OPTIMAL,
        weights=weights_for(pairing.programme),
        settings=settings_for(pairing.programme),
        scope=[person_id],
        kind=MatchRun.Kind.REMATCH,
    )


def _rematch_later(pairing: Pairing) -> None:
    pairing_id = pairing.pk
    transaction.on_commit(lambda: tasks.rematch_after_decline_task.enqueue(pairing_id))


def rematch_after_decline(pairing_id: int) -> MatchRun | None:
    """Find the other person a new partner among the free people, without touching any other
    pair, and propose it at once (the new mentor is asked first, as always)."""
    pairing = Pairing.objects.select_related("programme", "run").filter(pk=pairing_id).first()
    if pairing is None or pairing.state != PairingState.DECLINED:
        return None
    if pairing.programme.state not in MATCHING_STATES:
        return None
    freed = pairing.mentor_id if pairing.closed_by == Pairing.ClosedBy.MENTEE else pairing.mentee_id
    source = pairing.run
    # Whoever said no (or let the deadline pass) in this programme is not asked again
    # automatically; the programme team can still include them in a run of their own.
    said_no = set()
    for mentor_id, mentee_id, closed_by in Pairing.objects.filter(
        programme=pairing.programme, state=PairingState.DECLINED
    ).values_list("mentor_id", "mentee_id", "closed_by"):
        said_no.add(mentee_id if closed_by == Pairing.ClosedBy.MENTEE else mentor_id)
    said_no.discard(freed)
    for _attempt in range(2):
        try:
            run = start_match_run(
                pairing.programme,
                by=None,
                mode=source.mode if source else MatchRun.Mode.OPTIMAL,
                weights=Weights(**source.weights) if source else None,
                settings=MatchSettings.from_dict(source.settings) if source else None,
                scope=[freed],
                left_aside=said_no,
                kind=MatchRun.Kind.AUTOMATIC,
            )
            if run.status != MatchRun.Status.READY:
                return run
            publish_match_run(run, by=None)
            return run
        except Conflict:
            continue  # Someone changed the programme in between: look again, once.
    return None
