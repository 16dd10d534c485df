from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
import time_machine

from upward.journey.models import JourneyVersion
from upward.journey.tests.factories import builtin_version
from upward.testing.pairs import Pairs, build_pairs

# Tests run at a fixed moment inside the programme's dates (11 Jan – 9 Jul 2027).
NOW = dt.datetime(2027, 2, 1, 9, 0, tzinfo=dt.UTC)


@dataclass
class JourneyPairs(Pairs):
    version: JourneyVersion  # the built-in journey the programme follows


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def pairs(world, clock) -> JourneyPairs:  # type: ignore[no-untyped-def]
    version = builtin_version()
    shared = build_pairs(world)
    return JourneyPairs(world=world, pairing=shared.pairing, other=shared.other, version=version)
