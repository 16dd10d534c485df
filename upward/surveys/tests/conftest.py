import pytest

from upward.testing.pairs import Pairs, build_pairs


@pytest.fixture
def pairs(world) -> Pairs:  # type: ignore[no-untyped-def]
    """The shared pairs, in a programme that has started running."""
    world.programme.state = "active"
    world.programme.save(update_fields=["state"])
    return build_pairs(world)


@pytest.fixture(autouse=True)
def _fresh_salts():  # type: ignore[no-untyped-def]
    """Salts are cached per process; each test's database starts without them."""
    from upward.surveys.pseudonyms import forget_salts

    forget_salts()
    yield
    forget_salts()
