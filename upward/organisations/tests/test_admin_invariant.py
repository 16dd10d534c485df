"""An organisation always keeps at least one active admin, also when two admins act at once."""

from __future__ import annotations

import dataclasses
import threading

import pytest
from django.db import connection

from upward.core.errors import Conflict
from upward.organisations import services
from upward.organisations.models import Person
from upward.organisations.services import PersonDetails
from upward.testing.factories import person_with_account

HEADER = "email,full_name,org_admin\n"


def details_of(person: Person, **changes: object) -> PersonDetails:
    fields = {f.name for f in dataclasses.fields(PersonDetails)}
    current = {name: getattr(person, name) for name in fields}
    current.update(changes)
    return PersonDetails(**current)  # type: ignore[arg-type]


def active_admins(org) -> list[str]:  # type: ignore[no-untyped-def]
    return sorted(
        Person.objects.filter(organisation=org, is_org_admin=True, is_active=True).values_list(
            "full_name", flat=True
        )
    )


@pytest.fixture
def second_admin(world) -> Person:  # type: ignore[no-untyped-def]
    return person_with_account(
        organisation=world.org,
        full_name="Bea Backup",
        is_org_admin=True,
        email="bea@northwind.test",
    )


@pytest.mark.django_db
def test_demoting_each_other_one_after_the_other_leaves_one_admin(world, second_admin):
    ada, bea = world.admin, second_admin
    services.update_person(bea, by=ada.user, details=details_of(bea, is_org_admin=False))
    # Bea's request was already past the permission check when Ada's landed: the rule holds.
    with pytest.raises(Conflict, match="at least one active organisation admin"):
        services.update_person(ada, by=bea.user, details=details_of(ada, is_org_admin=False))
    assert active_admins(world.org) == ["Ada Admin"]


@pytest.mark.django_db
def test_marking_the_last_admin_as_left_is_refused(world, second_admin):
    ada, bea = world.admin, second_admin
    services.mark_person_left(bea, by=ada.user)
    with pytest.raises(Conflict, match="at least one active organisation admin"):
        services.mark_person_left(ada, by=bea.user)
    with pytest.raises(Conflict, match="at least one active organisation admin"):
        services.update_person(ada, by=bea.user, details=details_of(ada, is_active=False))
    assert active_admins(world.org) == ["Ada Admin"]


@pytest.mark.django_db
def test_other_changes_to_the_last_admin_and_to_non_admins_still_work(world):
    ada = world.admin
    services.update_person(ada, by=None, details=details_of(ada, job_title="Head of People"))
    services.mark_person_left(world.applicant, by=ada.user)
    assert active_admins(world.org) == ["Ada Admin"]


@pytest.mark.django_db
def test_an_import_cannot_remove_the_last_admin(world):
    people_import = services.start_people_import(
        world.org,
        by=None,
        filename="p.csv",
        content=(HEADER + "ada@northwind.test,Ada Admin,no\n").encode(),
    )
    with pytest.raises(Conflict, match="at least one active organisation admin"):
        services.apply_people_import(people_import, by=None)
    assert active_admins(world.org) == ["Ada Admin"]
    # Naming a new admin in the same file makes it fine.
    people_import = services.start_people_import(
        world.org,
        by=None,
        filename="p.csv",
        content=(
            HEADER + "ada@northwind.test,Ada Admin,no\n" + "new@northwind.test,Nia New,yes\n"
        ).encode(),
    )
    services.apply_people_import(people_import, by=None)
    assert active_admins(world.org) == ["Nia New"]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("action", ["demote", "mark_left"])
def test_two_admins_removing_each_other_at_the_same_moment_leave_one(world, action):
    """Real threads on PostgreSQL: without the lock both requests counted two admins."""
    if connection.vendor == "sqlite":
        pytest.skip("Runs on PostgreSQL: the in-memory SQLite test database is per thread.")
    ada = world.admin
    bea = person_with_account(
        organisation=world.org,
        full_name="Bea Backup",
        is_org_admin=True,
        email="bea@northwind.test",
    )
    barrier = threading.Barrier(2)
    results: list[str] = []

    def remove(target: Person, actor: Person) -> None:
        barrier.wait()
        try:
            if action == "demote":
                services.update_person(
                    target, by=actor.user, details=details_of(target, is_org_admin=False)
                )
            else:
                services.mark_person_left(target, by=actor.user)
            results.append("done")
        except Conflict:
            results.append("refused")
        finally:
            connection.close()

    threads = [
        threading.Thread(target=remove, args=(bea, ada)),
        threading.Thread(target=remove, args=(ada, bea)),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["done", "refused"]
    assert len(active_admins(world.org)) == 1
