"""Where a purpose applies to a person: apps above consent (which know programmes) register a
check in their AppConfig.ready(). A participant is asked about a purpose only where a check
says it applies, or where they have answered before (so they can always withdraw)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

_checks: dict[str, list[Callable[[Any], bool]]] = {}


def register(purpose: str, check: Callable[[Any], bool]) -> None:
    """`check(person)` says whether some programme of theirs uses `purpose`."""
    found = _checks.setdefault(str(purpose), [])
    if check not in found:
        found.append(check)


def applies(person: Any, purpose: str) -> bool:
    return any(check(person) for check in _checks.get(str(purpose), ()))
