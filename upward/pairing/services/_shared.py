"""What several pairing services check: who acts, the programme lock and stage, and small
formatting helpers for the engine's figures and messages."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Mapping
from typing import Any

from django.utils.translation import gettext as _

from upward.core.errors import DomainError, InvalidTransition
from upward.core.types import Actor
from upward.organisations.models import Person
from upward.pairing.models import ChoiceRound
from upward.programmes.models import Programme, State

MATCHING_STATES = (State.MATCHING, State.ACTIVE)


def _user(by: Actor) -> Any:
    return by if getattr(by, "is_authenticated", False) else None


def _actor_id(by: Actor) -> int | None:
    """The directory entry of the user acting, if any (None for the scheduler)."""
    if by is None or not getattr(by, "is_authenticated", False):
        return None
    return Person.objects.filter(user_id=by.pk).values_list("pk", flat=True).first()


def _refuse_own(by: Actor, people: Iterable[Any], message: str) -> None:
    """Nobody decides about a pairing they are part of. A second line of defence behind the
    access rule (nobody manages a programme they take part in), for data made before it."""
    actor = _actor_id(by)
    if actor is None:
        return
    ids = set()
    for value in people:
        with contextlib.suppress(TypeError, ValueError):
            ids.add(int(getattr(value, "pk", value)))
    if actor in ids:
        raise DomainError(message)


def _own_rule() -> str:
    return _(
        "You cannot pin, exclude or swap a pair you are part of: another manager of the "
        "programme must decide who you are paired with."
    )


def _own_pairing() -> str:
    return _(
        "You are part of this pairing, so another manager of the programme must take this step."
    )


def _lock_programme(programme: Programme | int) -> Programme:
    # Serialises runs, publishing and capacity checks of one programme (a row lock on
    # PostgreSQL; SQLite's IMMEDIATE transactions already serialise writers).
    pk = programme if isinstance(programme, int) else programme.pk
    return Programme.objects.select_for_update().select_related("organisation").get(pk=pk)


def _check_programme_state(programme: Programme) -> None:
    if programme.state not in MATCHING_STATES:
        raise InvalidTransition(
            _(
                "Matching happens while the programme is in its matching stage (and, to find "
                "new partners, while it is active). This programme is %(state)s."
            )
            % {"state": programme.get_state_display().lower()}
        )


def _name_people(message: str, names: Mapping[int, str]) -> str:
    for pk, name in names.items():
        message = message.replace(f"'{pk}'", name)
    return message


def _num(value: float | None) -> float | None:
    return None if value is None else round(float(value), 4)


def _has_open_round(programme: Programme) -> bool:
    return ChoiceRound.objects.filter(programme=programme, status=ChoiceRound.Status.OPEN).exists()
