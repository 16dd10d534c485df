"""The pair workspace: the space two paired people share once their pairing is active.

Notes, goals, resources, the journey, safety and impact all hang their pages off it, so it sits
here in pairing, below all of them. Every lookup answers 404 for "missing" and "not yours".

The rule is narrow on purpose: a pair's workspace belongs to the two people in it. Programme
managers and organisation admins get 404 here like anybody else.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Q
from django.http import Http404
from django.utils.translation import gettext as _

from upward.core.errors import DomainError
from upward.organisations.access import person_for
from upward.organisations.models import Person
from upward.pairing.models import Pairing, PairingState

# A finished pairing stays readable by its two people; services refuse writes unless active.
WORKSPACE_STATES = (PairingState.ACTIVE, PairingState.COMPLETED)


@dataclass(frozen=True)
class Seat:
    """The signed-in person's place in a pair."""

    pairing: Pairing
    person: Person
    partner: Person

    @property
    def is_mentor(self) -> bool:
        return self.pairing.mentor_id == self.person.pk

    @property
    def is_active(self) -> bool:
        return self.pairing.state == PairingState.ACTIVE


def seat_for(pairing: Pairing, person: Person | None) -> Seat | None:
    """The person's seat in a pairing already loaded, or None if they are not in it."""
    if person is None or pairing.state not in WORKSPACE_STATES:
        return None
    if pairing.mentor_id == person.pk:
        return Seat(pairing, person, pairing.mentee)
    if pairing.mentee_id == person.pk:
        return Seat(pairing, person, pairing.mentor)
    return None


def access_pair_workspace(user: Any, pairing_id: int) -> Seat:
    person = person_for(user)
    if person is None:
        raise Http404("No such pairing.")
    try:
        pairing = Pairing.objects.select_related(
            "programme__organisation", "mentor__user", "mentee__user"
        ).get(Q(mentor=person) | Q(mentee=person), pk=pairing_id, state__in=WORKSPACE_STATES)
    except Pairing.DoesNotExist as exc:
        raise Http404("No such pairing.") from exc
    seat = seat_for(pairing, person)
    assert seat is not None  # the query above only finds the person's own pairings
    return seat


def require_active(pairing: Pairing) -> None:
    """Writes to the workspace need an active pairing; a finished one is read-only."""
    if pairing.state != PairingState.ACTIVE:
        raise DomainError(
            _("This pairing has finished. You can still read what you wrote, but not change it.")
        )


# The personal workbook (goals/workbook.py) is the pair's apps' common document: an app that
# keeps something of the participant's adds a section by registering it here from its
# AppConfig.ready(), so the workbook never has to import the apps above it. A private section
# is printed only when the person ticks "include my notes".
WorkbookSection = Callable[[Any, Seat], None]


@dataclass(frozen=True)
class _Section:
    name: str
    order: int
    private: bool
    render: WorkbookSection


_workbook_sections: dict[str, _Section] = {}


def register_workbook_section(
    name: str, render: WorkbookSection, *, order: int, private: bool
) -> None:
    """Add `render(pdf, seat)` to every workbook, after the built-in pages, in `order`."""
    existing = _workbook_sections.get(name)
    if existing is not None and existing.render is not render:
        raise ValueError(f"Workbook section {name!r} is registered twice.")
    _workbook_sections[name] = _Section(name, order, private, render)


def workbook_sections(*, include_private: bool) -> list[WorkbookSection]:
    sections = sorted(_workbook_sections.values(), key=lambda s: (s.order, s.name))
    return [s.render for s in sections if include_private or not s.private]
