"""Fixtures shared by the apps' tests (the personas' `world` is in the root conftest.py)."""

import pytest

from upward.testing.pairs import Pairs, build_pairs


@pytest.fixture
def pairs(world) -> Pairs:  # type: ignore[no-untyped-def]
    """Jess mentors Sam and Kai mentors Sofia, active in world.programme (see build_pairs).

    An app's conftest overrides this only to add what its tests need (a clock, an older pairing,
    the built-in journey), still through build_pairs."""
    return build_pairs(world)
