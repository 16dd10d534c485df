"""No input gives a server error (issue 11, "Trust", hole 6 and 7): every route, asked by a
persona who can reach it and by an outsider, with arbitrary ids in the path and arbitrary values
in every form field its pages show, answers below 500.

The field names come from the forms the site itself renders: every page of the route table is
fetched as a persona with access, and each form's inputs are filed under the route its `action`
points at (so POST-only actions get the fields of the buttons that post to them). The values are
hostile: control characters and NUL, very long text, formula-leading text, huge and negative
numbers, dates in year 1 and 9999, several values for one field, uploads with NUL bytes.

Deterministic probes come first (every id at 0 and at 10**20, every field at each hostile value),
then Hypothesis explores mixtures with a fixed seed (`derandomize=True`), so CI is stable.
Routes listed in KNOWN_5XX (empty today) have a known 5xx whose fix has not landed: their 5xx are
reported, not failed, and the entry must go once the route stops failing.
"""

from __future__ import annotations

import copy
import json
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.test import Client, TestCase
from django.urls import Resolver404, resolve
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from tests import routes
from tests.conftest import MatrixWorld

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

# Routes with a known 5xx whose fix has not landed yet: route key -> (the database vendors it
# fails on, what fails). Reported while they fail; once a route passes on a vendor listed, the
# test fails until the entry is updated. Empty: no route is known to fail.
SQLITE, POSTGRESQL, BOTH = ("sqlite",), ("postgresql",), ("sqlite", "postgresql")
KNOWN_5XX: dict[str, tuple[tuple[str, ...], str]] = {}

HUGE_IDS = (10**20, 2**63)

# ---------------------------------------------------------------------------------------------
# Hostile values

CONTROL = "".join(chr(c) for c in range(32) if chr(c) not in "\t\n\r")
# One probe per kind of hostile value, sent to every field it is aimed at (the others keep the
# value a person would send, so the form gets as far as it can).
TEXT_PROBES = (
    "Ann\x00Lee",  # NUL (PostgreSQL refuses it in text)
    "Line one\r\nBcc: someone@example.org",  # CR/LF (headers, calendar invites)
    f"bell{CONTROL}",  # every other control character
    "x" * 5_000,  # longer than any field's limit
    '=HYPERLINK("http://example.org")',  # formula-leading (CSV and XLSX exports)
)
NUMBER_PROBES = (str(10**20), "-9223372036854775809")  # beyond any database integer
DATE_PROBES = ("9999-12-31", "0001-01-01")  # the last and the first day the calendar allows
PROBES = TEXT_PROBES + NUMBER_PROBES + DATE_PROBES
HOSTILE = (
    *PROBES,
    "+44 20 7946 0000",
    "-1+1",
    "@SUM(A1:A2)",
    "0",
    "-1",
    "1e309",
    "NaN",
    "9999-12-31T23:59",
    "9999-12-31 23:59:59",
    "0000-00-00",
    "2027-02-30",
    "<script>alert(1)</script>",
    "   ",
    "\u202eevil",
)
UPLOADS = (
    b"email,full_name\nnul\x00@example.org,Ann\x00Lee\n",
    b"email,full_name\nann@example.org,=cmd|' /C calc'!A0\n",
    b"\xff\xfe\x00\x00not text at all",
    b"",
)


def hostile_text() -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(HOSTILE),
        st.text(max_size=40),
        st.integers(min_value=-(10**30), max_value=10**30).map(str),
        st.dates().map(lambda d: d.isoformat()),
    )


# ---------------------------------------------------------------------------------------------
# Forms the site renders


@dataclass
class Field:
    name: str
    kind: str  # the input's type, "select", "textarea" or "button"
    options: list[str] = field(default_factory=list)  # values the page offers, first = default
    value: str | None = None  # an input's own value (an edit form's current value)

    @property
    def default(self) -> str:
        """What a person would most likely send: the page's own value, or a plain one."""
        if self.options:
            return self.options[0]
        if self.value is not None:
            return self.value
        if "email" in self.name:
            return "someone@northwind.test"
        return {
            "date": "2027-03-01",
            "time": "10:00",
            "datetime-local": "2027-03-01T10:00",
            "number": "1",
            "email": "someone@northwind.test",
            "url": "https://example.org/",
            "checkbox": "on",
        }.get(self.kind, "Plain words")

    def takes(self, probe: str) -> bool:
        """Whether a probe is aimed at this field: text at text, dates at dates, numbers at
        anything that carries a number or an id."""
        if self.kind in ("file", "button"):
            return False
        if probe in DATE_PROBES:
            return self.kind in ("date", "datetime-local") or self.name.endswith(("_on", "date"))
        if probe in NUMBER_PROBES:
            return self.kind not in ("date", "time", "datetime-local")
        if "email" in self.name or "url" in self.name:
            return False  # refused by their own format check, and they hide the rest
        return self.kind in ("text", "textarea", "search", "hidden")

    def at(self, date: str) -> str:
        """This field's value on a hostile date: the latest or earliest time of day with it."""
        if self.kind == "time":
            return "23:30" if date.startswith("9999") else "00:00"
        return date if self.takes(date) else self.default


class FormParser(HTMLParser):
    """Collects each form's action and fields (name, type, the values the page offers)."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[tuple[str, dict[str, Field]]] = []
        self._fields: dict[str, Field] | None = None
        self._select: Field | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self._fields = {}
            self.forms.append((a.get("action", ""), self._fields))
            return
        if self._fields is None:
            return
        if tag == "option" and self._select is not None:
            if a.get("value"):
                if "selected" in a:
                    self._select.options.insert(0, a["value"])
                else:
                    self._select.options.append(a["value"])
            return
        name = a.get("name")
        if not name or name == "csrfmiddlewaretoken":
            return
        if tag in ("input", "button"):
            kind = (a.get("type") or "text") if tag == "input" else "button"
            found = self._fields.setdefault(name, Field(name, kind))
            if kind in ("radio", "checkbox", "button", "submit"):
                if a.get("value"):
                    found.options.append(a["value"])
            elif "value" in a and found.value is None:
                found.value = a["value"]
        elif tag == "textarea":
            self._fields.setdefault(name, Field(name, "textarea"))
        elif tag == "select":
            self._select = self._fields.setdefault(name, Field(name, "select"))

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._fields = None
        elif tag == "select":
            self._select = None


def route_key_of(path: str) -> str | None:
    try:
        match = resolve(urlsplit(path).path)
    except Resolver404:
        return None
    return routes.normalise(match.route)


PREFERRED = (
    "mentor",
    "mentee",
    "manager",
    "org_admin",
    "employee",
    "cross_manager",
    "admin_mentee",
    "safeguarding",
    "anon",
)


def personas_with_access(entry: routes.Row, matrix: MatrixWorld) -> list[str]:
    cells = routes.ACCESS[entry.access]
    found = [persona for persona in PREFERRED if cells[persona] == routes.OK]
    return found or ["anon"]


@dataclass
class Target:
    key: str
    entry: routes.Row
    personas: list[str]  # who can reach it, the likeliest first
    path: str


def targets(matrix: MatrixWorld) -> list[Target]:
    """One row per route (its first), with the personas who can reach it."""
    found = []
    for key, index, entry in routes.cells():
        if index == 0 and key not in routes.PREFIX_ROWS:
            path = routes.fill(key, entry, matrix.ids)
            found.append(Target(key, entry, personas_with_access(entry, matrix), path))
    return found


@dataclass
class Forms:
    fields: dict[str, dict[str, Field]]  # route key -> fields of every form that posts to it
    shown_to: dict[str, str]  # route key -> the first persona a form for it was shown to


def collect_forms(matrix: MatrixWorld, clients: dict[str, Client], found: list[Target]) -> Forms:
    """Every page of the table, as up to three personas with access (the mentor and the mentee
    see different forms), with each form filed under the route its action points at."""
    forms = Forms(defaultdict(dict), {})
    for target in found:
        for persona in target.personas[:3]:
            response = request(clients[persona], "GET", target.path)
            if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
                continue
            parser = FormParser()
            parser.feed(response.content.decode(errors="replace"))
            for action, fields in parser.forms:
                key = route_key_of(action or target.path)
                if key is not None and fields:
                    forms.fields[key].update(fields)
                    forms.shown_to.setdefault(key, persona)
    return forms


# ---------------------------------------------------------------------------------------------
# Asking


class ServerError(AssertionError):
    pass


def request(client: Client, method: str, path: str, data: dict[str, Any] | None = None) -> Any:
    """One request, undone afterwards (database rolled back, session cookie kept)."""
    cookies = copy.deepcopy(client.cookies)
    try:
        with transaction.atomic():
            # Work queued for after the commit (emails, invitations) runs too, as in production.
            with TestCase.captureOnCommitCallbacks(execute=True):
                response = client.get(path) if method == "GET" else client.post(path, data or {})
            transaction.set_rollback(True)
    finally:
        client.cookies = cookies
    return response


def describe(data: dict[str, Any]) -> str:
    def short(value: Any) -> Any:
        if isinstance(value, list):
            return [short(v) for v in value]
        if isinstance(value, SimpleUploadedFile):
            return f"<file {value.name}>"
        text = str(value)
        return text if len(text) < 60 else f"{text[:20]}...({len(text)} characters)"

    return json.dumps({k: short(v) for k, v in data.items()}, ensure_ascii=True)


def check(client: Client, method: str, path: str, data: dict[str, Any] | None = None) -> None:
    where = f"{method} {path}" + (f" {describe(data)}" if data else "")
    try:
        response = request(client, method, path, data)
    except Exception as exc:  # the test client re-raises what the view raised
        message = " ".join(str(exc).split())[:160]
        raise ServerError(f"{where} raised {type(exc).__name__}: {message}") from None
    if response.status_code >= 500:
        raise ServerError(f"{where} answered {response.status_code}")


def with_ids(key: str, entry: routes.Row, matrix: MatrixWorld, value: Callable[[str], Any]) -> str:
    """The route's path with every id parameter replaced by `value(name)`."""
    if entry.path:
        return "/" + entry.path.format(**matrix.ids)
    kinds = routes.converters(key)

    def one(match: Any) -> str:
        name = match.group(2)
        if kinds.get(name) in ("int", "id"):
            return str(value(name))
        source = entry.fill[name]
        return source[1:] if source.startswith("=") else str(matrix.ids[source])

    return "/" + routes.PARAM.sub(one, key)


def probes(target: Target, matrix: MatrixWorld, fields: dict[str, Field]) -> list[tuple[str, dict]]:
    """The deterministic part: huge and zero ids, then each hostile value in every field it is
    aimed at, then several values for every field at once, then each upload."""
    found: list[tuple[str, dict]] = []
    if routes.id_params(target.key):
        for huge in (*HUGE_IDS, 0):
            path = with_ids(target.key, target.entry, matrix, lambda _name, h=huge: h)
            found.append((path, {}))
    if not fields:
        return found
    plain = {name: f.default for name, f in fields.items() if f.kind != "file"}
    for probe in PROBES:
        aimed = {name: probe for name, f in fields.items() if f.takes(probe)}
        if probe in DATE_PROBES:
            aimed.update({name: f.at(probe) for name, f in fields.items() if f.kind == "time"})
        if aimed:
            found.append((target.path, {**plain, **aimed}))
    found.append((target.path, {name: list(PROBES[:2]) for name in plain}))
    for upload in UPLOADS if any(f.kind == "file" for f in fields.values()) else ():
        files = {
            name: SimpleUploadedFile("people.csv", upload, "text/csv")
            for name, f in fields.items()
            if f.kind == "file"
        }
        found.append((target.path, {**plain, **files}))
    return found


def explore(
    client: Client,
    target: Target,
    matrix: MatrixWorld,
    fields: dict[str, Field],
    vocabulary: list[str],
    examples: int,
) -> None:
    ids = st.one_of(
        st.sampled_from((*HUGE_IDS, 0, 1)),
        st.integers(min_value=0, max_value=10**25),
        st.sampled_from(sorted(v for v in matrix.ids.values() if isinstance(v, int))),
    )
    names = sorted(fields) or vocabulary

    def value_strategy(name: str) -> st.SearchStrategy[Any]:
        item = fields.get(name)
        if item is not None and item.kind == "file":
            return st.sampled_from(UPLOADS).map(
                lambda b: SimpleUploadedFile("people.csv", b, "text/csv")
            )
        options = [item.default, *item.options] if item else ["x"]
        single = st.one_of(st.sampled_from(options), hostile_text())
        return st.one_of(single, st.lists(single, min_size=2, max_size=3))

    @settings(
        max_examples=examples,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(data=st.data())
    def run(data: st.DataObject) -> None:
        path = with_ids(target.key, target.entry, matrix, lambda _name: data.draw(ids))
        chosen = data.draw(st.lists(st.sampled_from(names), max_size=len(names), unique=True))
        form = {name: data.draw(value_strategy(name)) for name in chosen}
        check(client, "GET", path)
        check(client, "POST", path, form)

    run()


def sweep(matrix: MatrixWorld, *, as_outsider: bool, examples: int) -> None:
    clients = {persona: matrix.client_for(persona) for persona in matrix.people}
    found = targets(matrix)
    forms = collect_forms(matrix, clients, found)
    fields = forms.fields
    vocabulary = sorted({name for by_name in fields.values() for name in by_name})
    failures: dict[str, str] = {}
    for target in found:
        if as_outsider and not routes.id_params(target.key):
            continue
        persona = forms.shown_to.get(target.key, target.personas[0])
        client = clients["outsider" if as_outsider else persona]
        route_fields = fields.get(target.key, {})
        found_here: list[str] = []
        for path, data in probes(target, matrix, route_fields):
            try:
                if data:
                    check(client, "POST", path, data)
                else:  # an id probe: ask, and post an empty form
                    check(client, "GET", path)
                    check(client, "POST", path, {})
            except ServerError as exc:
                found_here.append(str(exc))
        try:
            explore(client, target, matrix, route_fields, vocabulary, examples)
        except ServerError as exc:
            found_here.append(str(exc).splitlines()[0])
        if found_here:
            failures[target.key] = "\n    ".join(found_here)
    report(failures, strict=not as_outsider)


def report(failures: dict[str, str], *, strict: bool) -> None:
    """Fail on any 5xx not in KNOWN_5XX; print the known ones; with `strict`, fail when a known
    route no longer fails on this database."""
    vendor = connection.vendor
    known = {k: m for k, m in failures.items() if vendor in KNOWN_5XX.get(k, ((), ""))[0]}
    new = {k: m for k, m in failures.items() if k not in known}
    fixed = sorted(k for k, (vendors, _why) in KNOWN_5XX.items() if vendor in vendors)
    fixed = [k for k in fixed if k not in failures]
    if known:
        print(f"\n{len(known)} routes still give a known 5xx (KNOWN_5XX):")
        print("\n".join(f"  {key}: {msg}" for key, msg in sorted(known.items())))
    assert not new, "Server errors:\n" + "\n".join(f"  {m}" for _k, m in sorted(new.items()))
    if strict:
        assert not fixed, f"No 5xx any more on {vendor}: update KNOWN_5XX for {fixed}"


def test_no_server_errors_for_people_who_can_reach_the_route(matrix: MatrixWorld) -> None:
    sweep(matrix, as_outsider=False, examples=3)


def test_no_server_errors_for_an_outsider(matrix: MatrixWorld) -> None:
    sweep(matrix, as_outsider=True, examples=2)


# ---------------------------------------------------------------------------------------------
# Stored input: a hostile value that is saved must not break the pages that show it later (a
# name with CR/LF in a meeting invitation, a meeting in year 9999 on the meetings page).

KEEPS = (
    "delete",
    "remove",
    "cancel",
    "leave",
    "end/",
    "logout",
    "withdraw",
    "complete",
    "discard",
    "password",
    "hide",
    "new-link",
    "move/",
)
# (date, text) for each pass; None leaves those fields at what a person would send.
STORED: tuple[tuple[str | None, str | None], ...] = (
    ("9999-12-31", None),
    (None, "Ann\r\nLee"),
    ("0001-01-01", '=HYPERLINK("http://example.org")'),
)


def stored_value(item: Field, date: str | None, text: str | None) -> str:
    if date is not None and (item.takes(date) or item.kind == "time"):
        return item.at(date)
    if text is not None and item.takes(text):
        return text
    return item.default


def test_stored_hostile_values_do_not_break_later_pages(matrix: MatrixWorld) -> None:
    clients = {persona: matrix.client_for(persona) for persona in matrix.people}
    found = targets(matrix)
    forms = collect_forms(matrix, clients, found)
    failures: dict[str, str] = {}
    for date, text in STORED:
        saved = transaction.savepoint()
        # Every form that keeps what it is given, in table order (people before meetings).
        for target in found:
            fields = forms.fields.get(target.key)
            if not fields or any(word in target.key for word in KEEPS):
                continue
            data = {
                name: stored_value(f, date, text) for name, f in fields.items() if f.kind != "file"
            }
            client = clients[forms.shown_to.get(target.key, target.personas[0])]
            try:
                keep(client, target.path, data)
            except ServerError as exc:
                failures[target.key] = "\n    ".join(
                    filter(None, [failures.get(target.key), str(exc)])
                )
        # Then every page, as the people who can see it.
        for target in found:
            if target.entry.is_action:
                continue
            for persona in target.personas[:2]:
                try:
                    check(clients[persona], "GET", target.path)
                except ServerError as exc:
                    failures.setdefault(target.key, f"after saving {date} and {text!r}: {exc}")
        transaction.savepoint_rollback(saved)
    report(failures, strict=False)


def keep(client: Client, path: str, data: dict[str, Any]) -> None:
    """A POST whose effect stays (until the test's own savepoint is rolled back)."""
    where = f"POST {path} {describe(data)}"
    try:
        with transaction.atomic(), TestCase.captureOnCommitCallbacks(execute=True):
            response = client.post(path, data)
    except Exception as exc:
        message = " ".join(str(exc).split())[:160]
        raise ServerError(f"{where} raised {type(exc).__name__}: {message}") from None
    if response.status_code >= 500:
        raise ServerError(f"{where} answered {response.status_code}")
    # Where the person lands next shows what was just saved (a new meeting, a renamed person).
    location = response.get("Location", "")
    if response.status_code in (301, 302) and location.startswith("/"):
        check(client, "GET", location)
