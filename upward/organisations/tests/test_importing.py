"""The pure import core: reading files and planning changes, with no database."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import Workbook

from upward.organisations.importing import (
    MAX_BYTES,
    MAX_ROWS,
    DirectorySnapshot,
    ExistingPerson,
    ImportFileError,
    plan_import,
    read_people_file,
)

LEVELS = [(1, 1, "Apprentice"), (2, 2, "Associate"), (8, 8, "Director")]
HEADER = "email,full_name,job_title,level,department,team,manager_email,location,time_zone,start_date,active,org_admin\n"


def person(pk: int, email: str, **kw: object) -> ExistingPerson:
    values: dict[str, object] = {
        "id": pk,
        "email": email,
        "full_name": email.split("@")[0].title(),
        "job_title": "",
        "level_id": 1,
        "department_id": None,
        "team_id": None,
        "manager_id": None,
        "location": "",
        "time_zone": "Europe/London",
        "start_date": None,
        "is_active": True,
        "is_org_admin": False,
    }
    values.update(kw)
    return ExistingPerson(**values)  # type: ignore[arg-type]


def snapshot(*people: ExistingPerson) -> DirectorySnapshot:
    return DirectorySnapshot(
        levels=LEVELS,
        departments={10: "Digital"},
        teams={20: (10, "Platform")},
        people=list(people),
    )


def plan_csv(text: str, directory: DirectorySnapshot | None = None, acting_email: str = ""):
    parsed = read_people_file("people.csv", text.encode())
    return plan_import(
        parsed.columns, parsed.rows, directory or snapshot(), acting_email=acting_email
    )


# ---------------------------------------------------------------------------------------------
# Reading


def test_reads_csv_rows_numbered_like_the_spreadsheet():
    parsed = read_people_file(
        "p.csv", (HEADER + "a@x.org,Ann,,1,,,,,,,,\n\nb@x.org,Bo,,1,,,,,,,,\n").encode()
    )
    assert [r["row"] for r in parsed.rows] == [2, 4]  # the blank line 3 still counts
    assert parsed.rows[0]["email"] == "a@x.org"


def test_reads_semicolon_csv_with_bom_and_friendly_headings():
    content = "\ufeffEmail;Full name;Grade\nann@x.org;Ann Lee;2\n".encode()
    parsed = read_people_file("p.csv", content)
    assert parsed.columns == ["email", "full_name", "level"]
    assert parsed.rows[0]["level"] == "2"


def test_reads_windows_1252_csv():
    parsed = read_people_file("p.csv", "email,full_name\nz@x.org,Zoë Brontë\n".encode("cp1252"))
    assert parsed.rows[0]["full_name"] == "Zoë Brontë"


def test_reads_xlsx_with_real_dates_and_numbers():
    book = Workbook()
    sheet = book.active
    sheet.append(["email", "full_name", "level", "start_date"])
    sheet.append(["ann@x.org", "Ann", 2, dt.datetime(2021, 3, 4)])
    buffer = io.BytesIO()
    book.save(buffer)
    parsed = read_people_file("people.xlsx", buffer.getvalue())
    assert parsed.rows == [
        {
            "row": 2,
            "email": "ann@x.org",
            "full_name": "Ann",
            "level": "2",
            "start_date": "2021-03-04",
        }
    ]


@pytest.mark.parametrize(
    ("filename", "content", "expected"),
    [
        ("people.pdf", b"%PDF-1.4", "Upload a CSV"),
        ("people.xls", b"\xd0\xcf\x11\xe0old excel", "old Excel format"),
        ("people.xlsx", b"not a zip at all", "could not be opened"),
        ("people.csv", b"", "empty"),
        ("people.csv", b"\n\n  \n", "empty"),
        ("people.csv", b"email,full_name\n", "no people"),
        (
            "people.csv",
            b"email,job_title\na@x.org,Boss\n",
            "Required columns are missing: full_name",
        ),
        ("people.csv", b"name,title\nAnn,Boss\n", "missing: email"),
        ("people.csv", b"email,full_name,email\na,b,c\n", "appears more than once"),
    ],
)
def test_unreadable_files_say_why(filename, content, expected):
    with pytest.raises(ImportFileError) as exc:
        read_people_file(filename, content)
    assert expected in exc.value.message


def test_too_large_file_is_refused():
    with pytest.raises(ImportFileError, match="larger than 25 MB"):
        read_people_file("p.csv", b"email,full_name\n" + b"x" * MAX_BYTES)


def test_too_many_rows_is_refused():
    rows = "".join(f"p{i}@x.org,P {i}\n" for i in range(MAX_ROWS + 1))
    with pytest.raises(ImportFileError, match="more than 100,000"):
        read_people_file("p.csv", ("email,full_name\n" + rows).encode())


def test_unknown_columns_are_reported_as_ignored():
    parsed = read_people_file("p.csv", b"email,full_name,shoe_size\na@x.org,Ann,9\n")
    assert parsed.ignored_columns == ["shoe_size"]
    assert "shoe_size" not in parsed.rows[0]


# ---------------------------------------------------------------------------------------------
# Planning


def test_new_people_with_managers_later_in_the_file():
    plan = plan_csv(
        HEADER
        + "tom@x.org,Tom,Dev,Apprentice,Digital,Platform,pri@x.org,Leeds,Europe/London,04/09/2023,yes,\n"
        + "pri@x.org,Pri,COO,8,Operations,Ops core,,London,Europe/London,2015-09-01,yes,no\n"
    )
    assert plan.errors == []
    assert plan.counts == {"new": 2, "updated": 0, "unchanged": 0, "errors": 0}
    tom = plan.rows[0].final
    assert tom["level_id"] == 1 and tom["team"] == "Platform" and tom["department"] == "Digital"
    assert tom["manager_email"] == "pri@x.org"
    assert tom["start_date"] == "2023-09-04"  # DD/MM/YYYY is day first
    assert plan.new_departments == ["Operations"]
    assert plan.new_teams == [("Operations", "Ops core")]
    assert any("Operations" in note for note in plan.notes)


def test_each_kind_of_bad_row_is_reported_with_its_row_number():
    directory = snapshot(person(1, "bob@x.org"))
    plan = plan_csv(
        HEADER
        + "ok@x.org,Okay,,1,,,,,,,,\n"  # row 2
        + "not-an-email,Nope,,1,,,,,,,,\n"  # row 3
        + ",Nobody,,1,,,,,,,,\n"  # row 4
        + "wiz@x.org,Wiz,,Senior Wizard,,,,,,,,\n"  # row 5
        + "ok@x.org,Again,,1,,,,,,,,\n"  # row 6
        + "d@x.org,Dee,,1,,,,,,31/02/2024,,\n"  # row 7
        + "t@x.org,Tee,,1,,,,,Mars/Olympus,,,\n"  # row 8
        + "m@x.org,Em,,1,,,ghost@x.org,,,,,\n"  # row 9
        + "y@x.org,Why,,1,,,,,,,maybe,\n"  # row 10
        + "n@x.org,,,1,,,,,,,,\n"  # row 11
        + "s@x.org,Self,,1,,,s@x.org,,,,,\n"  # row 12
        + "tm@x.org,Team,,1,,Orphans,,,,,,\n",  # row 13
        directory,
    )
    text = "\n".join(plan.errors)
    assert "Row 3: “not-an-email” is not a valid email address." in text
    assert "Row 4: email is empty." in text
    assert (
        "Row 5: level “Senior Wizard” does not exist. Known levels: 1 Apprentice, 2 Associate, 8 Director."
        in text
    )
    assert "Row 6: ok@x.org also appears in row 2." in text
    assert "Row 7: start_date “31/02/2024” is not a date." in text
    assert "Row 8: time zone “Mars/Olympus” is unknown." in text
    assert "Row 9: manager_email ghost@x.org is neither in the file nor in the directory." in text
    assert "Row 10: active “maybe” should be yes or no." in text
    assert "Row 11: full_name is empty." in text
    assert "Row 12: a person cannot be their own line manager." in text
    assert "Row 13: team “Orphans” needs a department" in text
    assert plan.counts["errors"] == 11
    # Errors come out in row order.
    rows = [int(e.split(":")[0].split()[1]) for e in plan.errors]
    assert rows == sorted(rows)


def test_manager_cycle_within_the_file_is_reported_once():
    plan = plan_csv(
        "email,full_name,manager_email\n"
        "a@x.org,A,b@x.org\n"
        "b@x.org,B,c@x.org\n"
        "c@x.org,C,a@x.org\n"
        "d@x.org,D,a@x.org\n"
    )
    assert plan.errors == [
        "Row 2: line managers would form a loop: a@x.org → b@x.org → c@x.org → a@x.org."
    ]


def test_manager_cycle_through_the_directory_is_reported():
    # In the directory, boss reports to nobody and mid reports to boss. The file makes boss
    # report to mid: a loop through a person who is not in the file.
    directory = snapshot(person(1, "boss@x.org"), person(2, "mid@x.org", manager_id=1))
    plan = plan_csv("email,full_name,manager_email\nboss@x.org,Boss,mid@x.org\n", directory)
    assert len(plan.errors) == 1
    assert plan.errors[0].startswith("Row 2: line managers would form a loop")


def test_same_directory_again_is_all_unchanged_and_emails_match_case_insensitively():
    directory = snapshot(
        person(1, "Boss@X.org", full_name="Boss", department_id=10, level_id=8),
        person(2, "ann@x.org", full_name="Ann", department_id=10, team_id=20, manager_id=1),
    )
    plan = plan_csv(
        "email,full_name,level,department,team,manager_email\n"
        "boss@x.org,Boss,8,digital,,\n"
        "ANN@x.org,Ann,Apprentice,Digital,platform,BOSS@x.org\n",
        directory,
    )
    assert plan.errors == []
    assert plan.counts == {"new": 0, "updated": 0, "unchanged": 2, "errors": 0}
    assert plan.new_departments == [] and plan.new_teams == []


def test_changes_list_old_and_new_values():
    directory = snapshot(person(1, "ann@x.org", full_name="Ann", job_title="Analyst"))
    plan = plan_csv("email,full_name,job_title,level\nann@x.org,Ann,Lead analyst,2\n", directory)
    row = plan.rows[0]
    assert row.action == "updated"
    assert ("Job title", "Analyst", "Lead analyst") in row.changes
    assert ("Level", "1 Apprentice", "2 Associate") in row.changes


def test_missing_optional_columns_keep_what_the_directory_holds():
    directory = snapshot(
        person(
            1,
            "ann@x.org",
            full_name="Ann",
            job_title="Analyst",
            location="York",
            team_id=20,
            department_id=10,
            start_date=dt.date(2020, 1, 1),
            time_zone="Europe/Paris",
        )
    )
    plan = plan_csv("email,full_name\nann@x.org,Ann\n", directory)
    assert plan.rows[0].action == "unchanged"


def test_moving_department_without_a_team_column_clears_the_old_team():
    directory = snapshot(person(1, "ann@x.org", full_name="Ann", department_id=10, team_id=20))
    plan = plan_csv("email,full_name,department\nann@x.org,Ann,Finance\n", directory)
    assert plan.rows[0].final["team"] == ""
    assert ("Team", "Platform", "") in plan.rows[0].changes


def test_the_uploader_cannot_remove_their_own_admin_rights_or_mark_themselves_left():
    directory = snapshot(person(1, "me@x.org", full_name="Me", is_org_admin=True))
    plan = plan_csv(
        "email,full_name,active,org_admin\nme@x.org,Me,no,no\n", directory, acting_email="ME@x.org"
    )
    assert any("cannot mark yourself as left" in e for e in plan.errors)
    assert any("cannot remove your own admin rights" in e for e in plan.errors)


def test_overlong_values_are_errors_not_database_failures():
    plan = plan_csv(f"email,full_name\na@x.org,{'x' * 151}\n")
    assert plan.errors == ["Row 2: full_name is longer than 150 characters."]


def test_the_collector_is_paused_only_while_a_file_is_checked():
    import gc

    from upward.organisations.importing import paused_gc

    assert gc.isenabled()
    with pytest.raises(RuntimeError, match="a bad file"), paused_gc():
        assert not gc.isenabled()
        raise RuntimeError("a bad file")
    assert gc.isenabled()
    gc.disable()
    try:
        with paused_gc():
            pass
        assert not gc.isenabled()  # a caller that had it off keeps it off
    finally:
        gc.enable()
