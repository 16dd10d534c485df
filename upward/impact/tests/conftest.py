"""Impact test data: two active pairs in world.programme at a fixed moment (15 March 2027,
inside the programme's dates, 11 January – 9 July 2027)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine

from upward.testing.pairs import Pairs, build_pairs

NOW = dt.datetime(2027, 3, 15, 10, 0, tzinfo=dt.UTC)


@pytest.fixture
def clock():  # type: ignore[no-untyped-def]
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def pairs(world, clock) -> Pairs:  # type: ignore[no-untyped-def]
    return build_pairs(world)


@pytest.fixture
def personas(world, pairs) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    return {
        "mentor": pairs.mentor,
        "mentee": pairs.mentee,
        "other_mentor": pairs.other.mentor,
        "other_mentee": pairs.other.mentee,
        "manager": world.manager,
        "other_manager": world.other_manager,
        "admin": world.admin,
        "outsider": world.outsider_admin,
        "anonymous": None,
    }
