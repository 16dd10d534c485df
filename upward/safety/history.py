"""A concern's history told in words: the audit trail stores event codes
("safety.concern_acknowledged"); the programme team reads sentences ("Acknowledged by Sam Lee")."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from upward.core.models import AuditEvent
from upward.safety.models import Concern


@dataclass(frozen=True)
class HistoryEntry:
    at: dt.datetime
    sentence: str


def _actor_name(event: AuditEvent) -> str:
    user: Any = event.actor
    if user is None:
        # The account was deleted, or Upward itself made the change (a scheduled job).
        return _("someone who no longer has an account")
    person = getattr(user, "person", None)
    return person.full_name if person is not None else user.get_full_name()


def _sentence(event: AuditEvent, concern: Concern) -> str:
    name = _actor_name(event)
    if event.verb == "safety.concern_raised":
        # The raiser is named already in the page title; the role says which side spoke up.
        if concern.raised_by_id == concern.pairing.mentor_id:
            return _("Raised by the mentor, %(name)s") % {"name": concern.raised_by.full_name}
        return _("Raised by the mentee, %(name)s") % {"name": concern.raised_by.full_name}
    sentences = {
        "safety.concern_acknowledged": _("Acknowledged by %(name)s"),
        "safety.concern_resolved": _("Marked as resolved by %(name)s"),
        "safety.concern_reopened": _("Reopened by %(name)s"),
    }
    return sentences.get(event.verb, _("Updated by %(name)s")) % {"name": name}


def concern_history(concern: Concern) -> list[HistoryEntry]:
    events = (
        AuditEvent.objects.filter(object_type="safety.concern", object_id=str(concern.pk))
        .select_related("actor__person")
        .order_by("created_at", "id")
    )
    return [
        HistoryEntry(at=event.created_at, sentence=_sentence(event, concern)) for event in events
    ]
