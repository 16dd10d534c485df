"""Hearing the four events from the apps below, and what each one's payload holds.

Payloads carry ids, states and dates only: the pairing, programme and person ids an integrator
joins on, and each person's `external_id` (the id the organisation's HR system gave them).
Never names, emails, notes, messages, safety text, exit reasons, who ended a pairing or
special-category data: a receiving system that needs a name looks the id up through the API,
under its own token's access rules (docs/integrations.md, "Webhooks").

Each receiver runs inside the event's transaction and only registers work for after the commit:
a rolled-back event sends nothing, and nothing here can fail the request that made it.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction

from upward.core.models import AuditEvent
from upward.organisations.models import Person
from upward.pairing.models import Pairing, PairingState
from upward.programmes.models import Programme, State
from upward.webhooks.models import EventType

logger = logging.getLogger(__name__)

# Where a pairing goes when it stops being live; each is sent as pairing.ended with its state.
CLOSED_STATES = (PairingState.ENDED, PairingState.COMPLETED, PairingState.DECLINED)


def _date(value: Any) -> str | None:
    return value.isoformat() if value else None


def person_ref(person: Person) -> dict[str, Any]:
    return {"id": person.pk, "external_id": person.external_id or None}


def pairing_data(pairing: Pairing) -> dict[str, Any]:
    return {
        "pairing_id": pairing.pk,
        "programme_id": pairing.programme_id,
        "state": pairing.state,
        "mentor": person_ref(pairing.mentor),
        "mentee": person_ref(pairing.mentee),
        "proposed_at": _date(pairing.created_at),
        "closed_at": _date(pairing.closed_at),
    }


def programme_data(programme: Programme) -> dict[str, Any]:
    return {
        "programme_id": programme.pk,
        "state": programme.state,
        "starts_on": _date(programme.starts_on),
        "ends_on": _date(programme.ends_on),
        "ended_on": _date(programme.ended_on),
    }


def person_data(person: Person) -> dict[str, Any]:
    return {
        "person_id": person.pk,
        "external_id": person.external_id or None,
        "left_on": _date(person.left_on),
    }


def _after_commit(organisation_id: int, event_type: str, build: Any) -> None:
    def send() -> None:
        from upward.webhooks.services import queue_event

        try:
            queue_event(organisation_id, event_type, build())
        except Exception:
            # The event has happened and is committed; a webhook problem must not surface in
            # the request that made it. The log says what went wrong.
            logger.exception("Could not queue webhook %s", event_type)

    transaction.on_commit(send)


def _has_endpoints(organisation_id: int | None, event_type: str) -> bool:
    # Cheap check inside the transaction, so organisations without webhooks pay one query.
    from upward.webhooks.models import Endpoint

    if organisation_id is None:
        return False
    return any(
        event_type in events
        for events in Endpoint.objects.filter(
            organisation_id=organisation_id, enabled=True
        ).values_list("events", flat=True)
    )


# ---------------------------------------------------------------------------------------------
# Receivers


def on_pairing_closed(sender: Any, *, pairing: Pairing, **kwargs: Any) -> None:
    if pairing.state not in CLOSED_STATES:
        return
    # The pairing's programme is loaded already (the move audits it with its organisation).
    org_id = pairing.programme.organisation_id
    if not _has_endpoints(org_id, EventType.PAIRING_ENDED):
        return
    pk = pairing.pk

    def build() -> dict[str, Any]:
        return pairing_data(Pairing.objects.select_related("mentor", "mentee").get(pk=pk))

    _after_commit(org_id, EventType.PAIRING_ENDED, build)


def on_person_left(sender: Any, *, person: Person, **kwargs: Any) -> None:
    if not _has_endpoints(person.organisation_id, EventType.PERSON_LEFT):
        return
    pk = person.pk

    def build() -> dict[str, Any]:
        return person_data(Person.objects.get(pk=pk))

    _after_commit(person.organisation_id, EventType.PERSON_LEFT, build)


def on_audit_event(sender: Any, *, instance: AuditEvent, created: bool, **kwargs: Any) -> None:
    """Publishing a run and completing a programme are heard from their audit entries, which
    every path writes (the buttons, the scheduler), so the lower apps need no new signal."""
    if not created:
        return
    if instance.verb == "match_run.published":
        _on_run_published(instance)
    elif instance.verb == "programme.state_changed" and instance.data.get("to") == State.COMPLETED:
        _on_programme_completed(instance)


def _on_run_published(entry: AuditEvent) -> None:
    org_id = entry.organisation_id
    if org_id is None or not _has_endpoints(org_id, EventType.PAIRING_PUBLISHED):
        return
    run_id = int(entry.object_id)

    def send() -> None:
        from upward.webhooks.services import endpoints_for, queue_to

        try:
            endpoints = endpoints_for(org_id, EventType.PAIRING_PUBLISHED)
            pairings = Pairing.objects.filter(run_id=run_id).select_related("mentor", "mentee")
            for pairing in pairings.order_by("pk"):
                queue_to(endpoints, EventType.PAIRING_PUBLISHED, pairing_data(pairing))
        except Exception:
            logger.exception("Could not queue webhook pairing.published for run %s", run_id)

    transaction.on_commit(send)


def _on_programme_completed(entry: AuditEvent) -> None:
    org_id = entry.organisation_id
    if org_id is None or not _has_endpoints(org_id, EventType.PROGRAMME_COMPLETED):
        return
    pk = int(entry.object_id)

    def build() -> dict[str, Any]:
        return programme_data(Programme.objects.get(pk=pk))

    _after_commit(org_id, EventType.PROGRAMME_COMPLETED, build)
