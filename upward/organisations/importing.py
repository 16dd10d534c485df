"""Reading and checking a people file (CSV or XLSX). Plain functions over rows: no queries, no HTTP.

The flow is: `read_people_file` turns the upload into numbered rows, then `plan_import` compares
those rows with a snapshot of the directory (`DirectorySnapshot`) and says, row by row, what
would be created or changed and what is wrong. The service layer loads the snapshot and writes.

Row numbers are the spreadsheet's own: the heading row is row 1, the first person is row 2, so
an admin can go straight to the line a message names.
"""

from __future__ import annotations

import csv
import datetime as dt
import gc
import io
import re
import zipfile
import zoneinfo
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import get_language, gettext_noop, ngettext
from django.utils.translation import gettext as _

from upward.core import validation
from upward.organisations.domains import email_domain, is_plain_address

# A directory of 100,000 people with every column is about 17 MB as CSV.
MAX_BYTES = 25 * 1024 * 1024
MAX_ROWS = 100_000
# An .xlsx is a zip: a small upload can hold a huge sheet or shared-strings table. Before
# openpyxl reads anything, the members' sizes (declared, then actual) must stay below these.
MAX_XLSX_UNPACKED = 150 * 1024 * 1024
MAX_XLSX_MEMBERS = 500
# openpyxl keeps every shared string in memory (about 100 bytes each, however short): a file of
# 50 MB of tiny strings would still cost ~300 MB. Excel stores each distinct text once: a
# person has about four of their own (email, name, title, location); the rest repeat.
MAX_SHARED_STRINGS = MAX_ROWS * 4 + 10_000
_SHARED_STRING = re.compile(rb"<(?:\w+:)?si[\s/>]")
# Lines a CSV may have, blank ones included, and columns a row may have: a 25 MB file of empty
# lines or commas would otherwise cost hundreds of megabytes as Python lists.
MAX_LINES = MAX_ROWS + 5_000
MAX_COLUMNS = 100
# Text cells that start like a spreadsheet formula are refused (exports escape them too).
FORMULA_COLUMNS = (
    "email",
    "full_name",
    "job_title",
    "department",
    "team",
    "manager_email",
    "location",
    "external_id",
)
# Keeps the stored preview a sensible size when a whole file is wrong.
MAX_ERRORS = 500

REQUIRED_COLUMNS = ("email", "full_name")
OPTIONAL_COLUMNS = (
    "job_title",
    "level",
    "department",
    "team",
    "manager_email",
    "location",
    "time_zone",
    "start_date",
    "active",
    "org_admin",
    "external_id",
)
COLUMNS = REQUIRED_COLUMNS + OPTIONAL_COLUMNS
# Headings people commonly type instead of ours.
ALIASES = {
    "name": "full_name",
    "fullname": "full_name",
    "title": "job_title",
    "manager": "manager_email",
    "timezone": "time_zone",
    "tz": "time_zone",
    "grade": "level",
    "is_active": "active",
    "is_org_admin": "org_admin",
    "admin": "org_admin",
    "employee_id": "external_id",
    "employee_number": "external_id",
}
MAX_LENGTHS = {
    "email": 254,
    "full_name": 150,
    "job_title": 150,
    "location": 120,
    "department": 120,
    "team": 120,
    "external_id": 100,
}
DEFAULT_TIME_ZONE = "Europe/London"
TRUE_WORDS = {"yes", "y", "true", "1", "active"}
FALSE_WORDS = {"no", "n", "false", "0", "left", "inactive"}

# Fields of the final state, in the order the change table shows them (translated when shown).
FIELD_LABELS = {
    "full_name": gettext_noop("Name"),
    "job_title": gettext_noop("Job title"),
    "level": gettext_noop("Level"),
    "department": gettext_noop("Department"),
    "team": gettext_noop("Team"),
    "manager_email": gettext_noop("Line manager"),
    "location": gettext_noop("Location"),
    "time_zone": gettext_noop("Time zone"),
    "start_date": gettext_noop("Start date"),
    "is_active": gettext_noop("Active"),
    "is_org_admin": gettext_noop("Organisation admin"),
    "email": gettext_noop("Email"),
    "external_id": gettext_noop("Employee ID"),
}


@contextmanager
def paused_gc() -> Iterator[None]:
    """Pause Python's cycle collector while a large file is checked or written.

    The check builds hundreds of thousands of small dicts and tuples that stay alive until it
    ends, and each allocation burst makes the collector walk all of them again: with 40,000
    people already in the directory that took a re-check from 4 to 35 seconds. Reference
    counting still frees everything as usual; the collector runs again afterwards.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


class ImportFileError(Exception):
    """The file as a whole cannot be read. The message says what to do."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class ParsedFile:
    columns: list[str]  # our column names present in the file, in file order
    rows: list[dict[str, Any]]  # {"row": spreadsheet row number, column: text}
    ignored_columns: list[str]


# ---------------------------------------------------------------------------------------------
# Reading the file


def read_people_file(filename: str, content: bytes) -> ParsedFile:
    """Turn an uploaded CSV or XLSX file into numbered rows of text, or raise ImportFileError."""
    name = (filename or "").lower()
    if len(content) > MAX_BYTES:
        raise ImportFileError(too_large_message())
    if not content.strip():
        raise ImportFileError(_("The file is empty. Add a heading row and one row per person."))
    looks_like_zip = content[:4] == b"PK\x03\x04"
    if name.endswith(".xls") and not looks_like_zip:
        raise ImportFileError(
            _("This is the old Excel format (.xls). Save it as .xlsx or as CSV and try again.")
        )
    if name.endswith(".xlsx") or (name.endswith(".csv") and looks_like_zip):
        table = _xlsx_table(content)
    elif name.endswith(".csv") or name.endswith(".txt"):
        table = _csv_table(content)
    else:
        raise ImportFileError(
            _("Upload a CSV (.csv) or Excel (.xlsx) file. Other file types cannot be imported.")
        )
    return _rows_from_table(table)


def too_large_message() -> str:
    return _(
        "The file is larger than %(limit)s MB. Split it into smaller files and import each."
    ) % {"limit": MAX_BYTES // (1024 * 1024)}


def _csv_table(content: bytes) -> Iterable[list[str]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Excel on Windows saves "CSV" in Windows-1252 unless told "CSV UTF-8".
        try:
            text = content.decode("cp1252")
        except UnicodeDecodeError as exc:
            raise ImportFileError(
                _("The file's text encoding could not be read. Save it as “CSV UTF-8” and retry.")
            ) from exc
    sample = text[:4096]
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    table: list[list[str]] = []
    try:
        for cells in csv.reader(io.StringIO(text, newline=""), dialect):
            if len(table) >= MAX_LINES:
                raise ImportFileError(_too_many_lines_message())
            table.append(_check_width(cells))
    except csv.Error as exc:
        raise ImportFileError(
            _("The CSV file could not be read (%(problem)s). Check the quotes in the file.")
            % {"problem": exc}
        ) from exc
    return table


def _too_many_lines_message() -> str:
    return _(
        "The file has more than %(limit)s lines, blank ones included. Remove the blank lines "
        "or split it into smaller files."
    ) % {"limit": f"{MAX_LINES:,}"}


def _check_width(cells: list[str]) -> list[str]:
    if len(cells) > MAX_COLUMNS:
        # Trailing empty cells (a row of commas) are harmless; real columns beyond are not.
        cells = cells[:MAX_COLUMNS] if not any(c.strip() for c in cells[MAX_COLUMNS:]) else cells
        if len(cells) > MAX_COLUMNS:
            raise ImportFileError(
                _("A row has more than %(limit)s columns. Keep only the columns Upward reads.")
                % {"limit": MAX_COLUMNS}
            )
    return cells


def _check_xlsx_size(content: bytes) -> None:
    """Refuse an .xlsx that unpacks to more than MAX_XLSX_UNPACKED, before openpyxl opens it.

    The sizes a zip declares can lie, so each member is also unpacked in chunks and counted,
    stopping as soon as the limit is passed; nothing is kept in memory.
    """
    too_big = ImportFileError(
        _(
            "The Excel file unpacks to more than %(limit)s MB, far more than a people list "
            "needs. Copy just the people onto a new sheet, or save it as CSV, and try again."
        )
        % {"limit": MAX_XLSX_UNPACKED // (1024 * 1024)}
    )
    too_many_strings = ImportFileError(
        _(
            "The Excel file holds more than %(limit)s pieces of text, more than a people list "
            "of %(rows)s rows can use. Copy just the people onto a new sheet, or save it as "
            "CSV, and try again."
        )
        % {"limit": f"{MAX_SHARED_STRINGS:,}", "rows": f"{MAX_ROWS:,}"}
    )
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            members = archive.infolist()
            if len(members) > MAX_XLSX_MEMBERS:
                raise too_big
            if sum(m.file_size for m in members) > MAX_XLSX_UNPACKED:
                raise too_big
            total = 0
            strings = 0
            for member in members:
                with archive.open(member) as stream:
                    tail = b""
                    while chunk := stream.read(1024 * 1024):
                        total += len(chunk)
                        if total > MAX_XLSX_UNPACKED:
                            raise too_big
                        # Count shared-string entries; a match that ends inside the carried-over
                        # tail was already counted with the previous chunk.
                        buffer = tail + chunk
                        strings += sum(
                            1 for m in _SHARED_STRING.finditer(buffer) if m.end() > len(tail)
                        )
                        if strings > MAX_SHARED_STRINGS:
                            raise too_many_strings
                        tail = buffer[-16:]
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        NotImplementedError,
        OSError,
        EOFError,
        ValueError,
    ) as exc:
        raise ImportFileError(
            _("The Excel file could not be opened. Save it again as .xlsx, or export it as CSV.")
        ) from exc


def _xlsx_table(content: bytes) -> Iterable[list[str]]:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    _check_xlsx_size(content)
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as exc:
        raise ImportFileError(
            _("The Excel file could not be opened. Save it again as .xlsx, or export it as CSV.")
        ) from exc
    try:
        sheet = workbook.worksheets[0]
        table: list[list[str]] = []
        for values in sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS):
            table.append([_cell_text(v) for v in values])
            # One extra row past the limit is enough to know the file is too long.
            if len(table) > MAX_ROWS + 1:
                break
        return table
    finally:
        workbook.close()


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def normalise_heading(heading: str) -> str:
    key = heading.strip().strip("\ufeff").lower().replace("-", "_").replace(" ", "_")
    return ALIASES.get(key, key)


def _rows_from_table(table: Iterable[list[str]]) -> ParsedFile:
    # Spreadsheet row numbers start at 1; blank lines above the headings still count.
    iterator = enumerate(table, start=1)
    header: list[str] | None = None
    for _number, cells in iterator:
        if any(c.strip() for c in cells):
            header = cells
            break
    if header is None:
        raise ImportFileError(_("The file is empty. Add a heading row and one row per person."))
    if any(validation.has_control_characters(h) for h in header):
        raise ImportFileError(
            _(
                "The heading row holds a control character (an invisible character such as a "
                "line break). Retype the headings and try again."
            )
        )
    headings = [normalise_heading(h) for h in header]
    seen: set[str] = set()
    for heading in headings:
        if heading and heading in seen:
            raise ImportFileError(
                _("The column “%(column)s” appears more than once. Keep one.") % {"column": heading}
            )
        seen.add(heading)
    missing = [c for c in REQUIRED_COLUMNS if c not in seen]
    if missing:
        raise ImportFileError(
            _("Required columns are missing: %(columns)s. The first row must hold the headings.")
            % {"columns": ", ".join(missing)}
        )
    positions = {h: i for i, h in enumerate(headings) if h in COLUMNS}
    ignored = [h for h in headings if h and h not in COLUMNS]
    rows: list[dict[str, Any]] = []
    for row_number, cells in iterator:
        if not any(c.strip() for c in cells):
            continue
        if len(rows) >= MAX_ROWS:
            raise ImportFileError(
                _("The file has more than %(limit)s people. Split it into smaller files.")
                % {"limit": f"{MAX_ROWS:,}"}
            )
        row: dict[str, Any] = {"row": row_number}
        for column, index in positions.items():
            # A tab inside a cell is only spacing; other control characters are refused, with
            # the row number, by plan_import.
            row[column] = cells[index].replace("\t", " ").strip() if index < len(cells) else ""
        rows.append(row)
    if not rows:
        raise ImportFileError(_("The file has headings but no people. Add one row per person."))
    columns = [h for h in headings if h in COLUMNS]
    return ParsedFile(columns=columns, rows=rows, ignored_columns=ignored)


# ---------------------------------------------------------------------------------------------
# The directory as plain data


@dataclass(frozen=True)
class ExistingPerson:
    id: int
    email: str
    full_name: str
    job_title: str
    level_id: int | None
    department_id: int | None
    team_id: int | None
    manager_id: int | None
    location: str
    time_zone: str
    start_date: dt.date | None
    is_active: bool
    is_org_admin: bool
    external_id: str = ""


@dataclass(frozen=True)
class DirectorySnapshot:
    levels: Sequence[tuple[int, int, str]]  # (id, rank, name)
    departments: dict[int, str]  # id -> name
    teams: dict[int, tuple[int, str]]  # id -> (department id, name)
    people: Sequence[ExistingPerson]


@dataclass
class RowPlan:
    row: int
    email: str
    action: str  # "new", "updated" or "unchanged"
    person_id: int | None
    final: dict[str, Any]
    changes: list[tuple[str, str, str]] = field(default_factory=list)
    leaves: bool = False  # an active person becomes inactive
    admin_change: bool = False  # someone becomes, or stops being, an active organisation admin


@dataclass
class ImportPlan:
    rows: list[RowPlan]
    errors: list[str]
    error_count: int
    new_departments: list[str]
    new_teams: list[tuple[str, str]]  # (department, team)
    notes: list[str]
    # People in the directory but not in the file were planned as leavers (file sync's option).
    missing_have_left: bool = False

    @property
    def leaving(self) -> int:
        """Rows that mark an active person as left (from the file, or missing from it)."""
        return sum(1 for r in self.rows if r.leaves)

    @property
    def admin_changes(self) -> int:
        """Rows that grant or remove organisation admin rights (leaving included)."""
        return sum(1 for r in self.rows if r.admin_change)

    @property
    def counts(self) -> dict[str, int]:
        counts = {"new": 0, "updated": 0, "unchanged": 0}
        for row in self.rows:
            counts[row.action] += 1
        counts["errors"] = self.error_count
        return counts

    def as_preview(self) -> dict[str, Any]:
        """JSON for the stored preview page."""
        return {
            "counts": self.counts,
            "errors": self.errors,
            "new_departments": self.new_departments,
            "new_teams": [list(t) for t in self.new_teams],
            "notes": self.notes,
            "leaving": self.leaving,
            "admin_changes": self.admin_changes,
            "missing_have_left": self.missing_have_left,
            "changes": [
                {
                    "row": r.row,
                    "email": r.email,
                    "full_name": r.final["full_name"],
                    "action": r.action,
                    "changes": [list(c) for c in r.changes],
                }
                for r in self.rows
                if r.action != "unchanged"
            ],
        }


@cache
def _time_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def parse_date(text: str) -> dt.date:
    """YYYY-MM-DD or DD/MM/YYYY (British order; 03/04/2024 is 3 April)."""
    if len(text) == 10 and text[4] == text[7] == "-" and text.replace("-", "").isdigit():
        # The usual form, without strptime's cost (a large file has one per row).
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            pass
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(text)


def parse_yes_no(text: str) -> bool:
    word = text.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ValueError(text)


class _Errors:
    def __init__(self) -> None:
        self.items: list[tuple[int, int, str]] = []
        self.count = 0

    def add(self, row: int, message: str) -> None:
        self.count += 1
        self.items.append((row, self.count, message))

    def sorted_messages(self) -> list[str]:
        ordered = sorted(self.items)
        messages = [m for _row, _n, m in ordered[:MAX_ERRORS]]
        if len(ordered) > MAX_ERRORS:
            messages.append(
                ngettext(
                    "…and %(n)s more error. Fix the ones above and upload again.",
                    "…and %(n)s more errors. Fix the ones above and upload again.",
                    len(ordered) - MAX_ERRORS,
                )
                % {"n": len(ordered) - MAX_ERRORS}
            )
        return messages


@dataclass(frozen=True)
class _Lookups:
    """The directory snapshot indexed the ways the row checks look things up."""

    level_by_rank: dict[int, tuple[int, str]]
    level_by_name: dict[str, tuple[int, str]]
    level_label: dict[int, str]
    known_levels: str
    department_names: dict[str, str]  # lower-case name -> name
    team_names: dict[tuple[str, str], str]  # (department, team) lower-case -> team name
    people_by_email: dict[str, ExistingPerson]
    email_by_id: dict[int, str]
    people_by_id: dict[int, ExistingPerson]
    people_by_external_id: dict[str, ExistingPerson]

    @classmethod
    def of(cls, directory: DirectorySnapshot) -> _Lookups:
        return cls(
            level_by_rank={rank: (lid, name) for lid, rank, name in directory.levels},
            level_by_name={name.lower(): (lid, name) for lid, _rank, name in directory.levels},
            level_label={lid: f"{rank} {name}" for lid, rank, name in directory.levels},
            known_levels=", ".join(f"{rank} {name}" for _lid, rank, name in directory.levels),
            department_names={name.lower(): name for name in directory.departments.values()},
            team_names={
                (directory.departments[dep_id].lower(), name.lower()): name
                for dep_id, name in directory.teams.values()
                if dep_id in directory.departments
            },
            people_by_email={p.email.lower(): p for p in directory.people},
            email_by_id={p.id: p.email.lower() for p in directory.people},
            people_by_id={p.id: p for p in directory.people},
            people_by_external_id={p.external_id: p for p in directory.people if p.external_id},
        )


@dataclass
class _NewUnits:
    """Departments and teams the file names that the directory does not have yet, keyed by
    lower-case name; the first spelling in the file wins."""

    departments: dict[str, str] = field(default_factory=dict)
    teams: dict[tuple[str, str], tuple[str, str]] = field(default_factory=dict)


@dataclass
class _Row:
    """One file row under check: its cells, the person it matches (if any), and whether every
    check so far has passed. Each problem is recorded as it is found, so a row's messages keep
    the order of the checks."""

    n: int
    prefix: str
    raw: dict[str, Any]
    present: set[str]
    existing: ExistingPerson | None
    errors: _Errors
    ok: bool = True

    def bad(self, message: str) -> None:
        self.ok = False
        self.errors.add(self.n, message)


def plan_import(
    columns: Sequence[str],
    rows: Sequence[dict[str, Any]],
    directory: DirectorySnapshot,
    *,
    acting_email: str = "",
    foreign_domains: frozenset[str] = frozenset(),
    missing_have_left: bool = False,
) -> ImportPlan:
    """Compare the file's rows with the directory: what would change, and every error found.

    A column missing from the file leaves that field as it is for existing people (and uses the
    default for new ones); a blank cell in a present column clears the field. New people may
    not have an address in `foreign_domains`, the domains other organisations own. A row is
    matched to a person by `external_id` first (when the file has one), then by email.

    With `missing_have_left` (file sync's option), every active person the file does not name
    is planned as a leaver, except the admin running the import.
    """
    present = set(columns)
    errors = _Errors()
    lookups = _Lookups.of(directory)
    acting = acting_email.lower()
    first_row_of: dict[str, int] = {}
    first_row_of_id: dict[str, int] = {}
    new_units = _NewUnits()
    plans: list[RowPlan] = []
    # Translated once, not once a row.
    row_label = _("Row %(n)s")
    for raw in rows:
        plan = _plan_row(
            raw,
            present,
            directory,
            lookups,
            errors,
            first_row_of=first_row_of,
            first_row_of_id=first_row_of_id,
            new_units=new_units,
            acting=acting,
            foreign_domains=foreign_domains,
            row_label=row_label,
        )
        if plan is not None:
            plans.append(plan)
    if missing_have_left:
        plans.extend(
            _missing_leavers(plans, directory, lookups, first_row_of, first_row_of_id, acting)
        )
    # Managers may be named before their own row appears, so they are checked once every row
    # is known.
    _check_managers(plans, first_row_of, lookups, errors)
    _check_cycles(plans, directory, lookups.email_by_id, errors)
    _record_changes(plans, directory, lookups)
    return ImportPlan(
        rows=plans,
        errors=errors.sorted_messages(),
        error_count=errors.count,
        new_departments=sorted(new_units.departments.values()),
        new_teams=sorted(new_units.teams.values()),
        notes=_notes(new_units),
        missing_have_left=missing_have_left,
    )


def _missing_leavers(
    plans: list[RowPlan],
    directory: DirectorySnapshot,
    lookups: _Lookups,
    first_row_of: dict[str, int],
    first_row_of_id: dict[str, int],
    acting: str,
) -> list[RowPlan]:
    """Active people the file does not name, planned as leavers (row 0: not in the file)."""
    named = {p.person_id for p in plans if p.person_id is not None}
    leavers = []
    for person in directory.people:
        key = person.email.lower()
        if (
            not person.is_active
            or person.id in named
            or key in first_row_of
            or (person.external_id and person.external_id in first_row_of_id)
            or (acting and key == acting)
        ):
            continue
        team = directory.teams.get(person.team_id) if person.team_id else None
        final = {
            "email": person.email,
            "full_name": person.full_name,
            "job_title": person.job_title,
            "location": person.location,
            "level_id": person.level_id,
            "department": directory.departments.get(person.department_id, "")
            if person.department_id
            else "",
            "team": team[1] if team else "",
            "manager_email": lookups.email_by_id.get(person.manager_id, "")
            if person.manager_id
            else "",
            "time_zone": person.time_zone,
            "start_date": person.start_date.isoformat() if person.start_date else None,
            "is_active": False,
            "is_org_admin": person.is_org_admin,
            "external_id": person.external_id,
        }
        leavers.append(
            RowPlan(row=0, email=person.email, action="unchanged", person_id=person.id, final=final)
        )
    return leavers


def _plan_row(
    raw: dict[str, Any],
    present: set[str],
    directory: DirectorySnapshot,
    lookups: _Lookups,
    errors: _Errors,
    *,
    first_row_of: dict[str, int],
    first_row_of_id: dict[str, int],
    new_units: _NewUnits,
    acting: str,
    foreign_domains: frozenset[str],
    row_label: str,
) -> RowPlan | None:
    """The row's final state, or None when the row has any error (each one recorded)."""
    n = int(raw["row"])
    prefix = row_label % {"n": n}
    # Before anything else, so no message below ever repeats a control character.
    cell_problems = _cell_problems(raw, prefix)
    if cell_problems:
        for message in cell_problems:
            errors.add(n, message)
        return None
    email = _checked_email(raw, n, prefix, errors, first_row_of)
    if email is None:
        return None
    key = email.lower()
    external_id = raw.get("external_id", "").strip() if "external_id" in present else ""
    by_email = lookups.people_by_email.get(key)
    existing = lookups.people_by_external_id.get(external_id) if external_id else None
    problem = ""
    if external_id and external_id in first_row_of_id:
        problem = _("%(row)s: external_id %(id)s also appears in row %(other)s.") % {
            "row": prefix,
            "id": external_id,
            "other": first_row_of_id[external_id],
        }
    elif existing is None:
        existing = by_email
        if existing is not None and external_id and existing.external_id:
            problem = _(
                "%(row)s: %(email)s is already in the directory with another external_id (%(id)s)."
            ) % {"row": prefix, "email": email, "id": existing.external_id}
    elif by_email is not None and by_email.id != existing.id:
        problem = _(
            "%(row)s: external_id %(id)s belongs to %(other)s, but %(email)s is someone else "
            "in the directory."
        ) % {"row": prefix, "id": external_id, "other": existing.email, "email": email}
    if external_id:
        first_row_of_id.setdefault(external_id, n)
    row = _Row(n=n, prefix=prefix, raw=raw, present=present, existing=existing, errors=errors)
    if problem:
        row.bad(problem)
    moves_address = existing is None or existing.email.lower() != key
    if moves_address and email_domain(email) in foreign_domains:
        row.bad(
            _("%(row)s: %(email)s: that address belongs to another organisation's domain.")
            % _p(prefix, email)
        )
    _check_lengths(row)

    same_email = existing is not None and existing.email.lower() == key
    final: dict[str, Any] = {"email": existing.email if existing and same_email else email}
    final["external_id"] = (
        external_id if "external_id" in present else (existing.external_id if existing else "")
    )
    final["full_name"] = _full_name(row)
    final["job_title"] = _text(raw, "job_title", present, existing)
    final["location"] = _text(raw, "location", present, existing)
    final["level_id"] = _level_id(row, lookups)
    final["department"], final["team"] = _department_and_team(row, directory, lookups, new_units)
    final["manager_email"] = _manager_email(row, lookups)
    final["time_zone"] = _time_zone(row)
    final["start_date"] = _start_date(row)
    final["is_active"] = _yes_no_column(row, "active", "is_active", default=True)
    final["is_org_admin"] = _yes_no_column(row, "org_admin", "is_org_admin", default=False)
    if key == acting and acting:
        _check_own_row(row, final)

    if not row.ok:
        return None
    return RowPlan(
        row=n,
        email=final["email"],
        action="new" if existing is None else "unchanged",
        person_id=existing.id if existing else None,
        final=final,
        leaves=bool(existing and existing.is_active and not final["is_active"]),
    )


def _checked_email(
    raw: dict[str, Any], n: int, prefix: str, errors: _Errors, first_row_of: dict[str, int]
) -> str | None:
    """The row's address if it is valid and the file's first use of it, else None."""
    email = raw.get("email", "").strip()
    if not email:
        errors.add(n, _("%(row)s: email is empty.") % {"row": prefix})
        return None
    try:
        validate_email(email)
        if not is_plain_address(email):
            raise ValidationError("not a plain address")
    except ValidationError:
        errors.add(n, _("%(row)s: “%(email)s” is not a valid email address.") % _p(prefix, email))
        return None
    key = email.lower()
    if key in first_row_of:
        errors.add(
            n,
            _("%(row)s: %(email)s also appears in row %(other)s. Each person once only.")
            % {"row": prefix, "email": email, "other": first_row_of[key]},
        )
        return None
    first_row_of[key] = n
    return email


def _check_lengths(row: _Row) -> None:
    for column, limit in MAX_LENGTHS.items():
        if column in row.present and len(row.raw.get(column, "")) > limit:
            row.bad(
                _("%(row)s: %(column)s is longer than %(limit)s characters.")
                % {"row": row.prefix, "column": column, "limit": limit}
            )


def _full_name(row: _Row) -> str:
    full_name = row.raw.get("full_name", "").strip()
    if not full_name:
        row.bad(_("%(row)s: full_name is empty.") % {"row": row.prefix})
    return full_name


def _level_id(row: _Row, lookups: _Lookups) -> int | None:
    """A rank number or a level name."""
    level_id = row.existing.level_id if row.existing else None
    if "level" not in row.present:
        return level_id
    value = row.raw.get("level", "").strip()
    if not value:
        return None
    found = (
        lookups.level_by_rank.get(int(value)) if value.isdigit() else None
    ) or lookups.level_by_name.get(value.lower())
    if found is None:
        row.bad(
            _("%(row)s: level “%(level)s” does not exist. Known levels: %(known)s.")
            % {
                "row": row.prefix,
                "level": value,
                "known": lookups.known_levels or _("none yet"),
            }
        )
        return level_id
    return found[0]


def _department_and_team(
    row: _Row, directory: DirectorySnapshot, lookups: _Lookups, new_units: _NewUnits
) -> tuple[str, str]:
    """By name. Missing ones are noted in `new_units` and created when the import is applied."""
    existing = row.existing
    old_department = (
        directory.departments.get(existing.department_id, "")
        if existing and existing.department_id
        else ""
    )
    old_team = ""
    if existing and existing.team_id and existing.team_id in directory.teams:
        old_team = directory.teams[existing.team_id][1]
    department = old_department
    if "department" in row.present:
        value = row.raw.get("department", "").strip()
        department = lookups.department_names.get(value.lower(), value) if value else ""
        if value and value.lower() not in lookups.department_names:
            department = new_units.departments.setdefault(value.lower(), value)
    team = old_team
    if "team" in row.present:
        team = row.raw.get("team", "").strip()
    elif department.lower() != old_department.lower():
        # Moving department without naming a team: the old team belongs to the old one.
        team = ""
    if team:
        if not department:
            row.bad(
                _("%(row)s: team “%(team)s” needs a department; teams belong to one.")
                % {"row": row.prefix, "team": team}
            )
        else:
            team_key = (department.lower(), team.lower())
            if team_key in lookups.team_names:
                team = lookups.team_names[team_key]
            else:
                team = new_units.teams.setdefault(team_key, (department, team))[1]
    return department, team


def _manager_email(row: _Row, lookups: _Lookups) -> str:
    """Checked against the file and the directory later, once every row is known."""
    manager_email = ""
    if row.existing and row.existing.manager_id:
        manager_email = lookups.email_by_id.get(row.existing.manager_id, "")
    if "manager_email" in row.present:
        manager_email = row.raw.get("manager_email", "").strip().lower()
    return manager_email


def _time_zone(row: _Row) -> str:
    time_zone = row.existing.time_zone if row.existing else DEFAULT_TIME_ZONE
    if "time_zone" in row.present and row.raw.get("time_zone", "").strip():
        value = row.raw["time_zone"].strip()
        if value not in _time_zones():
            row.bad(
                _("%(row)s: time zone “%(tz)s” is unknown. Use a name such as Europe/London.")
                % {"row": row.prefix, "tz": value}
            )
        time_zone = value
    return time_zone


def _start_date(row: _Row) -> str | None:
    start = row.existing.start_date if row.existing else None
    if "start_date" in row.present:
        value = row.raw.get("start_date", "").strip()
        start = None
        if value:
            try:
                start = parse_date(value)
            except ValueError:
                row.bad(
                    _("%(row)s: start_date “%(date)s” is not a date. Use YYYY-MM-DD or DD/MM/YYYY.")
                    % {"row": row.prefix, "date": value}
                )
            else:
                if not validation.date_in_range(start):
                    start = None
                    row.bad(
                        _(
                            "%(row)s: start_date “%(date)s” is not between %(first)s and "
                            "%(last)s. Check the year."
                        )
                        % {
                            "row": row.prefix,
                            "date": value,
                            "first": validation.EARLIEST_DATE.isoformat(),
                            "last": validation.LATEST_DATE.isoformat(),
                        }
                    )
    return start.isoformat() if start else None


def _yes_no_column(row: _Row, column: str, attribute: str, *, default: bool) -> bool:
    value_now = getattr(row.existing, attribute) if row.existing else default
    if column in row.present and row.raw.get(column, "").strip():
        try:
            value_now = parse_yes_no(row.raw[column])
        except ValueError:
            row.bad(
                _("%(row)s: %(column)s “%(value)s” should be yes or no.")
                % {"row": row.prefix, "column": column, "value": row.raw[column]}
            )
    return value_now


def _check_own_row(row: _Row, final: dict[str, Any]) -> None:
    """The admin importing may not lock themselves out."""
    if not final["is_active"]:
        row.bad(
            _("%(row)s: you cannot mark yourself as left. Ask another admin to do it.")
            % {"row": row.prefix}
        )
    if row.existing and row.existing.is_org_admin and not final["is_org_admin"]:
        row.bad(
            _("%(row)s: you cannot remove your own admin rights. Ask another admin.")
            % {"row": row.prefix}
        )


def _check_managers(
    plans: list[RowPlan], first_row_of: dict[str, int], lookups: _Lookups, errors: _Errors
) -> None:
    """Each named line manager is someone else, in the file or in the directory."""
    file_emails = {p.email.lower() for p in plans} | set(first_row_of)
    for plan in plans:
        manager = plan.final["manager_email"]
        if not manager:
            continue
        if manager == plan.email.lower():
            errors.add(
                plan.row,
                _("%(row)s: a person cannot be their own line manager.")
                % {"row": _("Row %(n)s") % {"n": plan.row}},
            )
        elif manager not in file_emails and manager not in lookups.people_by_email:
            errors.add(
                plan.row,
                _("%(row)s: manager_email %(email)s is neither in the file nor in the directory.")
                % {"row": _("Row %(n)s") % {"n": plan.row}, "email": manager},
            )


def _record_changes(plans: list[RowPlan], directory: DirectorySnapshot, lookups: _Lookups) -> None:
    """Changes against the directory, for the preview table; a changed row becomes "updated"."""
    labels = {name: _(label) for name, label in FIELD_LABELS.items()}
    for plan in plans:
        existing = lookups.people_by_id.get(plan.person_id) if plan.person_id else None
        admin_after = bool(plan.final["is_org_admin"] and plan.final["is_active"])
        if existing is None:
            plan.admin_change = admin_after
            continue
        plan.leaves = existing.is_active and not plan.final["is_active"]
        plan.admin_change = bool(existing.is_org_admin and existing.is_active) != admin_after
        before = _display_existing(existing, directory, lookups)
        after = _display(plan.final, lookups.level_label)
        for name in FIELD_LABELS:
            old, new = before[name], after[name]
            same = old.lower() == new.lower() if name in {"department", "team"} else old == new
            if name == "manager_email":
                same = old.lower() == new.lower()
            if not same:
                plan.changes.append((labels[name], old, new))
        if plan.changes:
            plan.action = "updated"


def _display_existing(
    existing: ExistingPerson, directory: DirectorySnapshot, lookups: _Lookups
) -> dict[str, str]:
    return {
        "full_name": existing.full_name,
        "job_title": existing.job_title,
        "level": lookups.level_label.get(existing.level_id, "") if existing.level_id else "",
        "department": directory.departments.get(existing.department_id, "")
        if existing.department_id
        else "",
        "team": directory.teams[existing.team_id][1] if existing.team_id in directory.teams else "",
        "manager_email": lookups.email_by_id.get(existing.manager_id, "")
        if existing.manager_id
        else "",
        "location": existing.location,
        "time_zone": existing.time_zone,
        "start_date": existing.start_date.isoformat() if existing.start_date else "",
        "is_active": _yes_no(existing.is_active),
        "is_org_admin": _yes_no(existing.is_org_admin),
        "email": existing.email,
        "external_id": existing.external_id,
    }


def _notes(new_units: _NewUnits) -> list[str]:
    notes: list[str] = []
    if new_units.departments:
        notes.append(
            _("New departments will be created: %(names)s.")
            % {"names": ", ".join(sorted(new_units.departments.values()))}
        )
    if new_units.teams:
        notes.append(
            _("New teams will be created: %(names)s.")
            % {
                "names": ", ".join(
                    f"{team} ({department})"
                    for department, team in sorted(new_units.teams.values())
                )
            }
        )
    return notes


def _cell_problems(raw: dict[str, Any], prefix: str) -> list[str]:
    """Row-numbered messages for cells no directory field may hold (never quoting them)."""
    problems = []
    for column in COLUMNS:
        value = str(raw.get(column, ""))
        # A printable text holds no control character: the quick test for the usual cell.
        if not value.isprintable() and validation.has_control_characters(value):
            problems.append(
                _(
                    "%(row)s: %(column)s holds a control character (an invisible character "
                    "such as a line break or a null byte). Retype the cell."
                )
                % {"row": prefix, "column": column}
            )
        elif column in FORMULA_COLUMNS and value.startswith(("=", "+", "-", "@")):
            problems.append(
                _(
                    "%(row)s: %(column)s starts with “%(first)s”, which spreadsheet programs "
                    "run as a formula. Remove or reword the start of the cell."
                )
                % {"row": prefix, "column": column, "first": value[0]}
            )
    return problems


def _p(prefix: str, email: str) -> dict[str, str]:
    return {"row": prefix, "email": email}


def _text(raw: dict[str, Any], column: str, present: set[str], existing: Any) -> str:
    if column in present:
        return str(raw.get(column, "")).strip()
    return getattr(existing, column) if existing else ""


def _yes_no(value: bool) -> str:
    return _words(get_language())[value]


@cache
def _words(language: str | None) -> dict[bool, str]:
    # Per language: a large file would otherwise translate "yes" a few times a row.
    return {True: _("yes"), False: _("no")}


def _display(final: dict[str, Any], level_label: dict[int, str]) -> dict[str, str]:
    return {
        "full_name": final["full_name"],
        "job_title": final["job_title"],
        "level": level_label.get(final["level_id"], "") if final["level_id"] else "",
        "department": final["department"],
        "team": final["team"],
        "manager_email": final["manager_email"],
        "location": final["location"],
        "time_zone": final["time_zone"],
        "start_date": final["start_date"] or "",
        "is_active": _yes_no(final["is_active"]),
        "is_org_admin": _yes_no(final["is_org_admin"]),
        "email": final["email"],
        "external_id": final.get("external_id", ""),
    }


def _check_cycles(
    plans: list[RowPlan],
    directory: DirectorySnapshot,
    email_by_id: dict[int, str],
    errors: _Errors,
) -> None:
    """Report each loop in the line-management tree the import would create, once."""
    manager_of: dict[str, str] = {}
    for person in directory.people:
        if person.manager_id and person.manager_id in email_by_id:
            manager_of[person.email.lower()] = email_by_id[person.manager_id]
    row_of: dict[str, int] = {}
    for plan in plans:
        key = plan.email.lower()
        row_of[key] = plan.row
        manager = plan.final["manager_email"]
        if manager and manager != key:
            manager_of[key] = manager
        else:
            manager_of.pop(key, None)

    done: set[str] = set()
    for start in row_of:
        if start in done:
            continue
        path: list[str] = []
        on_path: dict[str, int] = {}
        node: str | None = start
        while node is not None and node not in done and node not in on_path:
            on_path[node] = len(path)
            path.append(node)
            node = manager_of.get(node)
        if node is not None and node in on_path:
            loop = path[on_path[node] :]
            rows_in_loop = sorted(row_of[e] for e in loop if e in row_of)
            if rows_in_loop:
                first = rows_in_loop[0]
                chain = " → ".join([*loop, loop[0]])
                errors.add(
                    first,
                    _("%(row)s: line managers would form a loop: %(chain)s.")
                    % {"row": _("Row %(n)s") % {"n": first}, "chain": chain},
                )
        done.update(path)
