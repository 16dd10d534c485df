import pytest

from upward.testing.pairs import Pairs, build_pairs


@pytest.fixture
def pairs(world) -> Pairs:  # type: ignore[no-untyped-def]
    """The shared pairs, in a programme that has started running."""
    world.programme.state = "active"
    world.programme.save(update_fields=["state"])
    return build_pairs(world)
