"""Importing people through the services: preview, apply, re-validate, all or nothing."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import Workbook

from upward.core.errors import Conflict, DomainError
from upward.core.models import AuditEvent
from upward.organisations import services
from upward.organisations.models import Department, PeopleImport, Person, Team
from upward.organisations.services import ImportFileInvalid, ImportOutdated

HEADER = "email,full_name,job_title,level,department,team,manager_email,location,time_zone,start_date,active,org_admin\n"
GOOD = (
    HEADER
    + "tom@northwind.test,Tom Okafor,Apprentice developer,Apprentice,Digital,Platform,pri@northwind.test,Leeds,Europe/London,04/09/2023,yes,\n"
    + "pri@northwind.test,Priya Shah,COO,9,Operations,Ops core,,London,Europe/London,2015-09-01,yes,no\n"
    + "jess@northwind.test,Jess Junior,Graduate analyst,2,Digital,,pri@northwind.test,,,,,\n"
)


def start(world, text: str | bytes, filename: str = "people.csv") -> PeopleImport:
    content = text.encode() if isinstance(text, str) else text
    return services.start_people_import(
        world.org, by=world.admin.user, filename=filename, content=content
    )


def directory_state(org) -> list[tuple]:
    return list(
        Person.objects.filter(organisation=org)
        .order_by("email")
        .values_list(
            "email",
            "full_name",
            "job_title",
            "level_id",
            "department_id",
            "team_id",
            "manager_id",
            "location",
            "time_zone",
            "start_date",
            "is_active",
            "is_org_admin",
            "updated_at",
        )
    )


def test_good_file_previews_then_applies(world):
    before = directory_state(world.org)
    people_import = start(world, GOOD)
    assert people_import.status == PeopleImport.Status.READY
    assert people_import.counts == {"new": 2, "updated": 1, "unchanged": 0, "errors": 0}
    assert directory_state(world.org) == before  # a preview writes nothing to the directory
    assert not Department.objects.filter(name="Operations").exists()

    services.apply_people_import(people_import, by=world.admin.user)

    people_import.refresh_from_db()
    assert people_import.status == PeopleImport.Status.APPLIED
    assert people_import.applied_at is not None
    assert people_import.rows == []  # personal data not kept once applied
    tom = Person.objects.get(organisation=world.org, email="tom@northwind.test")
    pri = Person.objects.get(organisation=world.org, email="pri@northwind.test")
    assert tom.manager == pri
    assert tom.team is not None and tom.level is not None
    assert pri.team is not None and pri.department is not None
    assert tom.team.name == "Platform" and tom.team.department == tom.department
    assert tom.level.rank == 1 and tom.start_date == dt.date(2023, 9, 4)
    assert pri.department.name == "Operations" and pri.team.name == "Ops core"
    assert pri.team.department == pri.department
    world.applicant.refresh_from_db()
    assert world.applicant.job_title == "Graduate analyst"
    assert world.applicant.manager == pri
    assert world.applicant.user_id is not None  # the account link survives an update
    event = AuditEvent.objects.get(verb="people.imported")
    assert event.organisation == world.org
    assert event.data["counts"]["new"] == 2


def test_reimporting_the_same_file_changes_nothing(world):
    services.apply_people_import(start(world, GOOD), by=world.admin.user)
    before = directory_state(world.org)
    departments = Department.objects.count()
    teams = Team.objects.count()

    again = start(world, GOOD)
    assert again.counts == {"new": 0, "updated": 0, "unchanged": 3, "errors": 0}
    assert again.preview["changes"] == []
    services.apply_people_import(again, by=world.admin.user)

    assert directory_state(world.org) == before  # not even updated_at moves
    assert (Department.objects.count(), Team.objects.count()) == (departments, teams)


def test_a_file_with_errors_cannot_be_applied_and_changes_nothing(world):
    before = directory_state(world.org)
    people_import = start(
        world,
        GOOD + "wiz@northwind.test,Wizard,,Senior Wizard,,,,,,,,\n",
    )
    assert people_import.status == PeopleImport.Status.INVALID
    assert people_import.preview["errors"] == [
        "Row 5: level “Senior Wizard” does not exist. Known levels: 1 Apprentice, 2 Associate, "
        "3 Analyst, 4 Senior analyst, 5 Manager, 6 Senior manager, 7 Head of, 8 Director, "
        "9 Executive."
    ]
    with pytest.raises(Conflict, match="This import is has errors, so it cannot be applied"):
        services.apply_people_import(people_import, by=world.admin.user)
    assert directory_state(world.org) == before
    assert not Department.objects.filter(name="Operations").exists()


def test_a_write_that_fails_stops_the_import_and_keeps_the_directory_as_it_was(world, monkeypatch):
    people_import = start(world, GOOD)
    before = directory_state(world.org)

    def broken_bulk_update(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(Person.objects, "bulk_update", broken_bulk_update)
    with pytest.raises(DomainError, match="stopped after 0 of 3 rows"):
        services.apply_people_import(people_import, by=world.admin.user)
    # Departments, teams and new people of the failed chunk were created before the failure:
    # all rolled back with it.
    assert directory_state(world.org) == before
    assert not Department.objects.filter(name="Operations").exists()
    people_import.refresh_from_db()
    assert people_import.status == PeopleImport.Status.FAILED
    assert (people_import.processed_rows, people_import.total_rows) == (0, 3)
    assert people_import.rows == []  # personal data dropped; the same file can be uploaded again
    assert AuditEvent.objects.filter(verb="people_import.failed").exists()


def test_apply_revalidates_against_a_directory_that_changed(world):
    people_import = start(world, GOOD)
    # Meanwhile someone deletes the level the file relies on... by renaming it away.
    level = world.org.levels.get(rank=1)
    services.rename_level(level, by=world.admin.user, name="Trainee")
    before = directory_state(world.org)

    with pytest.raises(ImportOutdated, match="now has errors"):
        services.apply_people_import(people_import, by=world.admin.user)

    people_import.refresh_from_db()
    assert people_import.status == PeopleImport.Status.INVALID
    assert any(
        "Row 2: level “Apprentice” does not exist" in e for e in people_import.preview["errors"]
    )
    assert directory_state(world.org) == before


def test_apply_asks_again_when_the_changes_differ_from_the_preview(world):
    people_import = start(world, GOOD)
    # Someone adds Tom by hand after the preview: he is no longer "new".
    services.create_person(
        world.org,
        by=world.admin.user,
        details=services.PersonDetails(email="tom@northwind.test", full_name="Tom O"),
    )
    with pytest.raises(ImportOutdated, match="apply again"):
        services.apply_people_import(people_import, by=world.admin.user)
    people_import.refresh_from_db()
    assert people_import.status == PeopleImport.Status.READY
    assert people_import.counts["new"] == 1 and people_import.counts["updated"] == 2
    # Confirming the refreshed preview works.
    services.apply_people_import(people_import, by=world.admin.user)
    assert Person.objects.get(email="tom@northwind.test").full_name == "Tom Okafor"


def test_an_applied_or_cancelled_import_cannot_be_applied_twice(world):
    people_import = start(world, GOOD)
    services.apply_people_import(people_import, by=world.admin.user)
    with pytest.raises(Conflict, match="This import is applied, so it cannot be applied"):
        services.apply_people_import(people_import, by=world.admin.user)
    other = start(world, GOOD)
    services.cancel_people_import(other, by=world.admin.user)
    other.refresh_from_db()
    assert other.rows == []  # the personal data is dropped
    with pytest.raises(Conflict, match="This import is cancelled, so it cannot be applied"):
        services.apply_people_import(other, by=world.admin.user)


def test_xlsx_file_imports(world):
    book = Workbook()
    sheet = book.active
    sheet.append(["email", "full_name", "level", "department", "start_date", "manager_email"])
    sheet.append(
        ["xl@northwind.test", "Xan Lee", 3, "Digital", dt.date(2020, 5, 6), "ada@northwind.test"]
    )
    buffer = io.BytesIO()
    book.save(buffer)
    people_import = start(world, buffer.getvalue(), filename="People.XLSX")
    assert people_import.counts["new"] == 1, people_import.preview
    services.apply_people_import(people_import, by=world.admin.user)
    xan = Person.objects.get(email="xl@northwind.test")
    assert xan.level is not None and xan.department is not None
    assert (xan.level.rank, xan.department.name, xan.start_date) == (
        3,
        "Digital",
        dt.date(2020, 5, 6),
    )
    assert xan.manager == world.admin


def test_manager_cycle_with_the_directory_is_refused(world):
    # Jess reports to Ada; the file makes Ada report to Jess.
    services.update_person(
        world.applicant,
        by=world.admin.user,
        details=services.PersonDetails(
            email=world.applicant.email,
            full_name=world.applicant.full_name,
            level=world.applicant.level,
            department=world.applicant.department,
            manager=world.admin,
        ),
    )
    people_import = start(
        world, "email,full_name,manager_email\nada@northwind.test,Ada Admin,jess@northwind.test\n"
    )
    assert people_import.status == PeopleImport.Status.INVALID
    assert "loop" in people_import.preview["errors"][0]
    assert people_import.preview["errors"][0].startswith("Row 2:")


def test_unreadable_file_raises_a_form_error_and_stores_nothing(world):
    with pytest.raises(ImportFileInvalid, match="Required columns are missing: email") as exc:
        start(world, "name,title\nAnn,Boss\n")
    assert exc.value.field == "file"
    assert "email" in exc.value.message
    assert not PeopleImport.objects.exists()


def test_another_organisations_people_are_never_touched(world):
    outsider_email = world.outsider_admin.email
    people_import = start(world, f"email,full_name\n{outsider_email},Someone Else\n")
    # Same email in another organisation is a different person: a new row here.
    assert people_import.counts["new"] == 1
    services.apply_people_import(people_import, by=world.admin.user)
    world.outsider_admin.refresh_from_db()
    assert world.outsider_admin.full_name == "Oscar Outsider"
    assert Person.objects.filter(email=outsider_email).count() == 2


@pytest.mark.slow
def test_two_thousand_rows_import_within_a_query_budget(world, django_assert_max_num_queries):
    lines = ["email,full_name,level,department,team,manager_email,start_date"]
    for i in range(2000):
        # A tree: each person reports to someone earlier or later in the file.
        manager = f"p{(i - 1) // 5}@big.test" if i else ""
        lines.append(
            f"p{i}@big.test,Person {i},{1 + i % 9},Dept {i % 7},Team {i % 3},{manager},2020-01-0{1 + i % 9}"
        )
    # Managers after their reports, to exercise the second pass.
    content = "\n".join([lines[0], *reversed(lines[1:])]).encode()
    with django_assert_max_num_queries(12):
        people_import = start(world, content)
    assert people_import.counts["new"] == 2000, people_import.preview["errors"][:3]
    # Bulk statements only. SQLite's 999-parameter limit caps an INSERT at about 55 people (a
    # person has 18 columns), so 2,000 new people take about 37 statements there (a handful on
    # PostgreSQL): per batch, never per row. About 20 more are the job's own: queueing,
    # progress, the audit trail (its entry costs 3: lock the chain's head, write, move the head).
    with django_assert_max_num_queries(86):
        services.apply_people_import(people_import, by=world.admin.user)
    assert Person.objects.filter(email__endswith="@big.test").count() == 2000
    p11 = Person.objects.get(email="p11@big.test")
    assert p11.manager is not None and p11.team is not None
    assert p11.manager.email == "p2@big.test"
    assert p11.team.department == p11.department

    # The second run finds nothing to do, still in a few queries.
    with django_assert_max_num_queries(12):
        again = start(world, content)
    assert again.counts["unchanged"] == 2000
