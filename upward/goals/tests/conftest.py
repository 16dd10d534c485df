import pytest

from upward.notes.tests.helpers import Pairs, build_pairs


@pytest.fixture
def pairs(world) -> Pairs:  # type: ignore[no-untyped-def]
    return build_pairs(world)
