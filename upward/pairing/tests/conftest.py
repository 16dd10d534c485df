import pytest

from upward.pairing.tests.helpers import Cohort, build_cohort


@pytest.fixture
def cohort(world) -> Cohort:  # type: ignore[no-untyped-def]
    """world.programme in its matching stage: mentors Jess and Kai, mentees Sam and Sofia."""
    return build_cohort(world)
