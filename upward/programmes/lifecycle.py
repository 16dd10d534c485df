"""What a programme's move means for the apps above it, registered by those apps.

Programmes sit below pairing, the journey, surveys and impact, so they cannot name them. Each
of those apps registers, from its AppConfig.ready(), for a target state:

- a *consequence* describer, `fn(programme) -> list[str]`: sentences with counts that the
  confirmation page lists before the manager confirms ("6 active pairings will be completed");
- an *ask* describer, `fn(programme) -> list[str]`: a warning the manager must tick to go ahead
  ("2 people are still waiting for a partner"); `transition_programme` refuses the move without
  the tick, so the check does not live only on the page;
- an *effect*, `fn(programme, by)`, run when the programme reaches that state.

Effects run inside the transition's transaction, after the state has changed. That way a
programme is never left completed with pairings still active (or the reverse) if one effect
fails: everything rolls back together. Effects send nothing themselves before the commit:
notify() and the outbox only hand email over once the transaction commits.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from upward.core.types import Actor
from upward.programmes.models import Programme, State

Describer = Callable[[Programme], list[str]]
Effect = Callable[[Programme, Actor], Any]


@dataclass(frozen=True)
class _Entry:
    name: str
    order: int
    consequences: Describer | None
    asks: Describer | None
    effect: Effect | None


_registry: dict[str, dict[str, _Entry]] = {}


def register(
    to: str,
    *,
    name: str,
    order: int,
    consequences: Describer | None = None,
    asks: Describer | None = None,
    effect: Effect | None = None,
) -> None:
    """Register what reaching `to` means for an app. `name` keeps a second registration of the
    same thing (tests re-running ready()) from counting twice; `order` runs effects and lists
    sentences in a fixed order (pairings are closed before the journey or surveys react)."""
    State(to)  # A typo in a state stops start-up rather than never running.
    _registry.setdefault(to, {})[name] = _Entry(name, order, consequences, asks, effect)


def _entries(to: str) -> list[_Entry]:
    return sorted(_registry.get(to, {}).values(), key=lambda e: (e.order, e.name))


def consequences_of(programme: Programme, to: str) -> list[str]:
    return [line for e in _entries(to) if e.consequences for line in e.consequences(programme)]


def asks_of(programme: Programme, to: str) -> list[str]:
    return [line for e in _entries(to) if e.asks for line in e.asks(programme)]


def run_effects(programme: Programme, to: str, *, by: Actor) -> None:
    for entry in _entries(to):
        if entry.effect is not None:
            entry.effect(programme, by)
