"""Shared personas. Every view test asks as each of them; outsiders get 404."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.test import Client

from upward.organisations.models import Organisation, Person
from upward.programmes.models import Programme
from upward.testing.factories import (
    DepartmentFactory,
    OrganisationFactory,
    ProgrammeFactory,
    TeamFactory,
    level,
    person_with_account,
)
from upward.testing.pairs import Pairs, build_pairs


@dataclass
class World:
    org: Organisation
    admin: Person  # organisation admin
    manager: Person  # manages `programme`
    other_manager: Person  # manages `other_programme` only
    applicant: Person  # junior (level 2), eligible mentor
    other_applicant: Person  # junior (level 2), another department
    senior: Person  # level 8, eligible mentee
    outsider_admin: Person  # admin of another organisation
    programme: Programme
    other_programme: Programme

    def client_for(self, person: Person | None) -> Client:
        client = Client()
        if person is not None:
            client.force_login(person.user)
        return client


@pytest.fixture
def world(db) -> World:  # type: ignore[no-untyped-def]
    org = OrganisationFactory(name="Northwind Health", slug="northwind")
    digital = DepartmentFactory(organisation=org, name="Digital")
    finance = DepartmentFactory(organisation=org, name="Finance")
    TeamFactory(organisation=org, department=digital, name="Platform")
    admin = person_with_account(
        organisation=org,
        full_name="Ada Admin",
        is_org_admin=True,
        level=level(org, 7),
        department=digital,
        email="ada@northwind.test",
    )
    manager = person_with_account(
        organisation=org,
        full_name="Mo Manager",
        level=level(org, 6),
        department=finance,
        email="mo@northwind.test",
    )
    other_manager = person_with_account(
        organisation=org,
        full_name="Olu Other",
        level=level(org, 6),
        department=finance,
        email="olu@northwind.test",
    )
    applicant = person_with_account(
        organisation=org,
        full_name="Jess Junior",
        level=level(org, 2),
        department=digital,
        email="jess@northwind.test",
    )
    other_applicant = person_with_account(
        organisation=org,
        full_name="Kai Keen",
        level=level(org, 2),
        department=finance,
        email="kai@northwind.test",
    )
    senior = person_with_account(
        organisation=org,
        full_name="Sam Senior",
        level=level(org, 8),
        department=finance,
        email="sam@northwind.test",
    )
    other_org = OrganisationFactory(name="Elsewhere Ltd", slug="elsewhere")
    outsider_admin = person_with_account(
        organisation=other_org,
        full_name="Oscar Outsider",
        is_org_admin=True,
        level=level(other_org, 7),
        email="oscar@elsewhere.test",
    )
    programme = ProgrammeFactory(
        organisation=org, name="Digital confidence 2027", managers=[manager]
    )
    other_programme = ProgrammeFactory(
        organisation=org,
        name="Inclusion pilot",
        objective="inclusion",
        inclusion_focus="race",
        managers=[other_manager],
    )
    return World(
        org=org,
        admin=admin,
        manager=manager,
        other_manager=other_manager,
        applicant=applicant,
        other_applicant=other_applicant,
        senior=senior,
        outsider_admin=outsider_admin,
        programme=programme,
        other_programme=other_programme,
    )


@pytest.fixture
def pairs(world) -> Pairs:  # type: ignore[no-untyped-def]
    """Jess mentors Sam and Kai mentors Sofia, active in world.programme (see build_pairs).

    An app's conftest overrides this only to add what its tests need (a clock, an older pairing,
    the built-in journey), still through build_pairs."""
    return build_pairs(world)


@pytest.fixture(autouse=True)
def _fresh_encryption_key_cache():  # type: ignore[no-untyped-def]
    """Ids are reused after a test's rollback: never let one test read another's cached keys."""
    from upward.core.crypto import cache

    cache.clear()
    yield
