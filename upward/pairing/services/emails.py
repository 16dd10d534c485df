"""Pairing email. Plain values only, sent after commit; never anything about lived experience."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from upward.core.links import absolute_url, relative_path
from upward.notifications.services import BulkNotice, notify, notify_many
from upward.organisations.models import Person
from upward.pairing.models import Pairing


def _link(name: str, *args: Any) -> str:
    return absolute_url(reverse(name, args=args))


def _send_later(
    subject: str, template: str, context: dict[str, Any], recipient: Person, *, key: str
) -> None:
    # Through notify(): recorded in the app, emailed after commit per the person's choices,
    # and never twice for the same key.
    notify(
        recipient,
        kind="pairing",
        subject=subject,
        template=f"pairing/email/{template}",
        context=context,
        url=relative_path(context["link"]),
        dedupe_key=key,
    )


def _context(pairing: Pairing) -> dict[str, Any]:
    return {
        "mentor": pairing.mentor.full_name,
        "mentee": pairing.mentee.full_name,
        "programme": pairing.programme.name,
        "respond_by": pairing.respond_by,
        "link": _link("pairing:pairing", pairing.pk),
    }


def _email_proposals(pairings: list[Pairing]) -> None:
    """Every mentor of a published run is asked at once: one batch, not one write per pair."""
    notify_many(
        (
            BulkNotice(
                person=pairing.mentor,
                subject=_("A proposed mentee for you in %(programme)s")
                % {"programme": pairing.programme.name},
                template="pairing/email/proposal.txt",
                context=(context := _context(pairing)),
                url=relative_path(context["link"]),
                dedupe_key=f"pairing-proposal:{pairing.pk}",
            )
            for pairing in pairings
        ),
        kind="pairing",
    )


def _email_mentee_told(pairing: Pairing) -> None:
    _send_later(
        _("Meet your mentor in %(programme)s") % {"programme": pairing.programme.name},
        "mentee_told.txt",
        _context(pairing),
        pairing.mentee,
        key=f"pairing-mentee-told:{pairing.pk}",
    )


def _email_active(pairing: Pairing) -> None:
    for person in (pairing.mentor, pairing.mentee):
        _send_later(
            _("Your pairing in %(programme)s has started") % {"programme": pairing.programme.name},
            "active.txt",
            {**_context(pairing), "name": person.full_name},
            person,
            key=f"pairing-active:{pairing.pk}",
        )


def _email_ended(pairing: Pairing) -> None:
    people = [pairing.mentor]
    if pairing.mentee_told_at is not None:
        people.append(pairing.mentee)
    for person in people:
        _send_later(
            _("Your pairing in %(programme)s") % {"programme": pairing.programme.name},
            "ended.txt",
            {**_context(pairing), "name": person.full_name},
            person,
            key=f"pairing-ended:{pairing.pk}",
        )


def _email_withdrawn(pairing: Pairing, *, to: Person) -> None:
    # Neutral: the partner learns the proposal does not go ahead, never why.
    _send_later(
        _("Your proposed pairing in %(programme)s") % {"programme": pairing.programme.name},
        "withdrawn.txt",
        {**_context(pairing), "name": to.full_name},
        to,
        key=f"pairing-withdrawn:{pairing.pk}",
    )


def _email_reminder(pairing: Pairing, *, to_mentor: bool) -> None:
    person = pairing.mentor if to_mentor else pairing.mentee
    _send_later(
        _("Reminder: please answer by %(date)s")
        % {"date": date_format(timezone.localtime(pairing.respond_by), "j F Y")},
        "reminder_mentor.txt" if to_mentor else "reminder_mentee.txt",
        {**_context(pairing), "name": person.full_name},
        person,
        key=f"pairing-reminder:{pairing.pk}:{'mentor' if to_mentor else 'mentee'}",
    )
