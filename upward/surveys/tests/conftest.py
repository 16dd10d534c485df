import pytest

from upward.notes.tests.helpers import Pairs, build_pairs


@pytest.fixture
def pairs(world) -> Pairs:  # type: ignore[no-untyped-def]
    """Jess (mentor) with Sam (mentee), Kai (mentor) with Sofia (mentee), in world.programme."""
    world.programme.state = "active"
    world.programme.save(update_fields=["state"])
    return build_pairs(world)
