"""The people import's external_id column: matched before email, kept unique, and the
missing-people-have-left option file sync uses."""

from __future__ import annotations

from upward.organisations import services
from upward.organisations.models import PeopleImport, Person


def start(world, text: str, **options) -> PeopleImport:
    return services.start_people_import(
        world.org, by=world.admin.user, filename="people.csv", content=text.encode(), **options
    )


def test_external_id_is_stored_and_then_matches_a_changed_address(world):
    first = start(world, "email,full_name,external_id\njess@northwind.test,Jess Junior,E-1\n")
    assert first.counts["updated"] == 1
    services.apply_people_import(first, by=world.admin.user)
    assert Person.objects.get(pk=world.applicant.pk).external_id == "E-1"

    moved = start(world, "email,full_name,external_id\njess.j@northwind.test,Jess Junior,E-1\n")
    assert moved.counts == {"new": 0, "updated": 1, "unchanged": 0, "errors": 0}
    assert moved.preview["changes"][0]["changes"] == [
        ["Email", "jess@northwind.test", "jess.j@northwind.test"]
    ]
    services.apply_people_import(moved, by=world.admin.user)
    jess = Person.objects.get(pk=world.applicant.pk)
    assert jess.email == "jess.j@northwind.test"
    assert not Person.objects.filter(email="jess@northwind.test").exists()


def test_a_new_person_with_an_external_id_is_created_with_it(world):
    people_import = start(world, "email,full_name,employee_id\nnia@northwind.test,Nia New,E-9\n")
    services.apply_people_import(people_import, by=world.admin.user)
    assert Person.objects.get(email="nia@northwind.test").external_id == "E-9"


def test_conflicting_external_ids_are_row_errors(world):
    Person.objects.filter(pk=world.applicant.pk).update(external_id="E-1")
    Person.objects.filter(pk=world.senior.pk).update(external_id="E-2")
    text = (
        "email,full_name,external_id\n"
        "sam@northwind.test,Sam Senior,E-1\n"  # E-1 is Jess, the address is Sam's
        "kai@northwind.test,Kai Keen,E-3\n"
        "nia@northwind.test,Nia New,E-3\n"  # twice in the file
        "jess@northwind.test,Jess Junior,E-4\n"  # Jess already has another id
    )
    people_import = start(world, text)
    assert people_import.status == PeopleImport.Status.INVALID
    errors = people_import.preview["errors"]
    assert any("Row 2: external_id E-1 belongs to jess@northwind.test" in e for e in errors)
    assert any("Row 4: external_id E-3 also appears in row 3" in e for e in errors)
    assert any("Row 5: jess@northwind.test is already in the directory" in e for e in errors)


def test_people_missing_from_the_file_are_left_alone_by_default(world):
    text = "email,full_name\nada@northwind.test,Ada Admin\n"
    assert start(world, text).counts["updated"] == 0
    leavers = start(world, text, missing_have_left=True)
    assert leavers.counts["updated"] == 5
    assert leavers.preview["leaving"] == 5 and leavers.preview["missing_have_left"]
    services.apply_people_import(leavers, by=world.admin.user)
    assert list(
        Person.objects.filter(organisation=world.org, is_active=True).values_list(
            "email", flat=True
        )
    ) == ["ada@northwind.test"]
