"""Recruitment fixtures on top of the shared `world`: a recruiting programme, topics, helpers."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from upward.organisations.models import Topic
from upward.programmes.models import Programme
from upward.recruitment.tests.helpers import open_recruitment
from upward.testing.factories import OrganisationFactory, TopicFactory, level


@dataclass
class Topics:
    python: Topic
    data: Topic
    strategy: Topic
    cycling: Topic  # interest
    race: Topic  # lived experience
    disability: Topic  # lived experience
    elsewhere: Topic  # another organisation's skill


@pytest.fixture
def topics(world) -> Topics:  # type: ignore[no-untyped-def]
    org = world.org
    return Topics(
        python=TopicFactory(organisation=org, name="Python"),
        data=TopicFactory(organisation=org, name="Data literacy"),
        strategy=TopicFactory(organisation=org, name="Strategy"),
        cycling=TopicFactory(organisation=org, name="Cycling", kind=Topic.Kind.INTEREST),
        race=TopicFactory(organisation=org, name="Race and ethnicity", kind="experience"),
        disability=TopicFactory(organisation=org, name="Disability", kind="experience"),
        elsewhere=TopicFactory(organisation=OrganisationFactory(), name="Python"),
    )


@pytest.fixture
def programme(world) -> Programme:  # type: ignore[no-untyped-def]
    """world.programme, recruiting: mentors at levels 1-4, mentees at levels 6-9, 2 places,
    lived experience used in matching (with consent)."""
    return open_recruitment(
        world.programme,
        mentor_level_min=level(world.org, 1),
        mentor_level_max=level(world.org, 4),
        mentee_level_min=level(world.org, 6),
        mentee_level_max=level(world.org, 9),
        places=2,
        # Mentors are asked about lived experience (tests of the switch turn it off).
        special_category_matching=True,
    )
