"""Hostile people files: control characters, formulas, impossible dates and files that unpack
or parse into far more than a people list needs."""

from __future__ import annotations

import io
import zipfile

import pytest

from upward.organisations import importing
from upward.organisations.importing import ImportFileError, read_people_file
from upward.organisations.models import PeopleImport
from upward.organisations.tests.test_importing import HEADER, plan_csv

SHORT = "email,full_name,job_title,location\n"


@pytest.mark.parametrize(
    ("cell", "column"),
    [
        ("Jo\x00Bloggs", "full_name"),
        ("Jo\x1bBloggs", "full_name"),
        ('"Chief\r\nExecutive"', "job_title"),
        ("Leeds\x7f", "location"),
    ],
)
def test_control_characters_in_a_cell_are_a_row_numbered_error(cell, column):
    values = {"full_name": "Jo Bloggs", "job_title": "Analyst", "location": "Leeds"}
    values[column] = cell
    line = f"jo@x.org,{values['full_name']},{values['job_title']},{values['location']}\n"
    plan = plan_csv(SHORT + "ok@x.org,Okay,,\n" + line)
    assert plan.errors == [
        f"Row 3: {column} holds a control character (an invisible character such as a line "
        "break or a null byte). Retype the cell."
    ]
    assert [r.email for r in plan.rows] == ["ok@x.org"]


def test_no_error_message_repeats_a_control_character():
    plan = plan_csv(SHORT + "jo\x00@x.org,Jo,,\n" + "al@x.org,Al,,Le\x00eds\n")
    assert len(plan.errors) == 2
    assert not any("\x00" in message for message in plan.errors)


def test_a_tab_inside_a_cell_becomes_a_space():
    plan = plan_csv(SHORT + 'jo@x.org,"Jo\tBloggs",,\n')
    assert plan.errors == []
    assert plan.rows[0].final["full_name"] == "Jo Bloggs"


@pytest.mark.parametrize("start", ["=", "+", "-", "@"])
def test_cells_that_start_like_a_formula_are_refused(start):
    plan = plan_csv(SHORT + f'jo@x.org,"{start}HYPERLINK(""https://evil.example"")",,\n')
    assert plan.errors == [
        f"Row 2: full_name starts with “{start}”, which spreadsheet programs run as a formula. "
        "Remove or reword the start of the cell."
    ]
    assert plan.rows == []


def test_a_heading_with_a_control_character_refuses_the_file():
    with pytest.raises(ImportFileError, match="heading row holds a control character"):
        read_people_file("p.csv", b"email,full_name,notes\x00\njo@x.org,Jo,x\n")


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01", "31/12/1899"])
def test_start_dates_outside_sensible_years_are_errors(day):
    plan = plan_csv(HEADER + f"jo@x.org,Jo,,1,,,,,,{day},,\n")
    assert plan.errors == [
        f"Row 2: start_date “{day}” is not between 1900-01-01 and 2100-12-31. Check the year."
    ]


def test_a_csv_of_blank_lines_is_refused_without_reading_it_all():
    with pytest.raises(ImportFileError, match="more than 105,000 lines"):
        read_people_file("p.csv", b"email,full_name\n" + b"\n" * (importing.MAX_BYTES - 100))


def test_a_csv_row_with_too_many_columns_is_refused_but_trailing_commas_are_fine():
    with pytest.raises(ImportFileError, match="more than 100 columns"):
        read_people_file("p.csv", b"email,full_name\n" + b"jo@x.org,Jo" + b",x" * 200 + b"\n")
    parsed = read_people_file("p.csv", b"email,full_name\n" + b"jo@x.org,Jo" + b"," * 5000 + b"\n")
    assert parsed.rows == [{"row": 2, "email": "jo@x.org", "full_name": "Jo"}]


def _xlsx(shared_strings: bytes, extra: dict[str, bytes] | None = None) -> bytes:
    """A minimal workbook whose shared-strings table is `shared_strings` (already XML)."""
    ns = b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    rel = b"http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    ct = b"application/vnd.openxmlformats-officedocument.spreadsheetml"
    files = {
        "[Content_Types].xml": b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/'
        b'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-'
        b'package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
        b'<Override PartName="/xl/workbook.xml" ContentType="' + ct + b'.sheet.main+xml"/>'
        b'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="' + ct + b'.worksheet+xml"/>'
        b'<Override PartName="/xl/sharedStrings.xml" ContentType="' + ct + b'.sharedStrings+xml"/>'
        b"</Types>",
        "_rels/.rels": b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
        b'relationships"><Relationship Id="rId1" Type="' + rel + b'/officeDocument" '
        b'Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": b"<workbook " + ns + b' xmlns:r="' + rel + b'"><sheets><sheet name="S" '
        b'sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": b'<Relationships xmlns="http://schemas.openxmlformats.org/'
        b'package/2006/relationships"><Relationship Id="rId1" Type="' + rel + b'/worksheet" '
        b'Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="' + rel + b'/sharedStrings"'
        b' Target="sharedStrings.xml"/></Relationships>',
        "xl/worksheets/sheet1.xml": b"<worksheet " + ns + b"><sheetData>"
        b'<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row>'
        b'<row r="2"><c r="A2" t="s"><v>2</v></c><c r="B2" t="s"><v>3</v></c></row>'
        b"</sheetData></worksheet>",
        "xl/sharedStrings.xml": b"<sst " + ns + b">"
        b"<si><t>email</t></si><si><t>full_name</t></si><si><t>jo@x.org</t></si><si><t>Jo</t></si>"
        + shared_strings
        + b"</sst>",
        **(extra or {}),
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return out.getvalue()


def test_the_minimal_workbook_used_below_reads():
    parsed = read_people_file("p.xlsx", _xlsx(b""))
    assert parsed.rows == [{"row": 2, "email": "jo@x.org", "full_name": "Jo"}]


def test_a_small_xlsx_with_a_huge_shared_strings_table_is_refused():
    # ~1 MB uploaded; openpyxl would hold 500,000 strings in memory (tens of megabytes).
    content = _xlsx(b"<si><t>x</t></si>" * 500_000)
    assert len(content) < importing.MAX_BYTES
    with pytest.raises(ImportFileError, match="more than 410,000 pieces of text"):
        read_people_file("p.xlsx", content)


def test_an_xlsx_that_unpacks_past_the_limit_is_refused_before_openpyxl(monkeypatch):
    def never(*args, **kwargs):
        raise AssertionError("openpyxl must not open a file over the limit")

    monkeypatch.setattr("openpyxl.load_workbook", never)
    padding = {"xl/media/padding.bin": b"\0" * (importing.MAX_XLSX_UNPACKED + 1)}
    content = _xlsx(b"", padding)
    assert len(content) < importing.MAX_BYTES
    with pytest.raises(ImportFileError, match="unpacks to more than 150 MB"):
        read_people_file("p.xlsx", content)


def test_too_many_zip_members_are_refused():
    members = {f"xl/media/{i}.bin": b"" for i in range(importing.MAX_XLSX_MEMBERS + 1)}
    with pytest.raises(ImportFileError, match="unpacks to more than"):
        read_people_file("p.xlsx", _xlsx(b"", members))


@pytest.mark.django_db
def test_a_file_with_nul_bytes_is_stored_as_errors_without_the_bytes(world):
    from upward.organisations import services

    content = (
        HEADER
        + "ok@northwind.test,Okay\x00,,1,,,,,,,,\n"
        + "b\x00d@northwind.test,Bad,,1,,,,,,,,\n"
    ).encode()
    people_import = services.start_people_import(
        world.org, by=world.admin.user, filename="people.csv", content=content
    )
    people_import.refresh_from_db()
    assert people_import.status == PeopleImport.Status.INVALID
    assert len(people_import.preview["errors"]) == 2
    assert "\x00" not in repr(people_import.preview)
