"""Test data for the inclusion report: participations in a group, with or without consent."""

from __future__ import annotations

import itertools
from typing import Any

from upward.consent import services as consent_services
from upward.consent.purposes import Purpose
from upward.organisations.models import Person
from upward.pairing.models import Pairing
from upward.programmes.models import Programme
from upward.testing.factories import PersonFactory
from upward.testing.pairs import accepted, active_pairing

_numbers = itertools.count()


def reporting(*programmes: Programme) -> None:
    for programme in programmes:
        programme.special_category_reporting = True
        programme.save(update_fields=["special_category_reporting"])


def _person(
    world: Any,
    *,
    ethnicity: str = "",
    disability: str = "",
    lived: Any = None,
    consent: bool = True,
) -> Person:
    person = PersonFactory(organisation=world.org, full_name=f"Person {next(_numbers)}")
    answers = {k: v for k, v in (("ethnicity", ethnicity), ("disability", disability)) if v}
    if answers or lived:
        consent_services.save_about_you(
            person, answers=answers, lived_experience=[lived] if lived else [], by=None
        )
    if consent:
        consent_services.record_consent(person, Purpose.REPORTING, granted=True, by=None)
    return person


def applied(world: Any, programme: Programme, n: int, **kwargs: Any) -> list[Person]:
    people = [_person(world, **kwargs) for _ in range(n)]
    for person in people:
        accepted(programme, person, "mentor")
    return people


def matched(world: Any, programme: Programme, pairs: int, *, completed: bool = False, **kw: Any):  # type: ignore[no-untyped-def]
    """`pairs` pairings in the group: 2 × pairs participations, all matched."""
    for _ in range(pairs):
        pairing = active_pairing(
            programme, mentor=_person(world, **kw), mentee=_person(world, **kw)
        )
        if completed:
            # The pairing app's services own the real moves; here it only needs to be done.
            Pairing.objects.filter(pk=pairing.pk).update(state="completed")
