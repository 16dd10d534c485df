"""One authorisation matrix over every route and every persona (issue 11, "Trust").

`tests/routes.py` holds the two explicit tables: every route with its access class, and what
each persona gets for each access class. This module asks every GET cell and checks it against
the tables, then POSTs an empty form as every persona: no persona without access may get
anything but 404/405 (an empty form must not act on an object they cannot reach), and the
personas with access must not get 404.

The personas (`tests/conftest.py`) include overlapping roles: an org admin who is a mentee, a
manager of another programme who mentors in this one, the mentor's line manager and a
safeguarding contact. Cells listed in `routes.PENDING` (empty today) wait for a fix that has not
landed: they are reported while they still give the old answer and fail once they give the
target one, so that the entry is removed.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

import pytest
from django.db import transaction
from django.http import HttpResponse
from django.test import Client

from tests import routes
from tests.conftest import PERSONAS, MatrixWorld

pytestmark = pytest.mark.django_db


def test_every_route_has_a_row() -> None:
    missing = [key for key in routes.route_keys() if key not in routes.ROUTES]
    assert not missing, (
        "These routes have no row in the authorisation matrix. Add each to routes.ROUTES in "
        "tests/routes.py with its access class and how to fill its parameters:\n  "
        + "\n  ".join(missing)
    )


def test_no_row_names_a_route_that_is_gone() -> None:
    live = set(routes.route_keys())
    stale = [key for key in routes.ROUTES if key not in live]
    assert not stale, f"Rows for routes that no longer exist: {stale}"


def test_every_row_fills_every_parameter() -> None:
    problems = []
    for key, _index, entry in routes.cells():
        if entry.path or key in routes.PREFIX_ROWS:
            continue
        wanted = {name for _conv, name in routes.PARAM.findall(key)}
        if wanted != set(entry.fill):
            problems.append(f"{key}: fills {sorted(entry.fill)}, needs {sorted(wanted)}")
    assert problems == []


def test_the_access_table_has_a_column_for_every_persona() -> None:
    assert routes.PERSONA_COLUMNS == PERSONAS
    for name, answers in routes.ACCESS.items():
        assert set(answers.values()) <= {
            routes.OK,
            routes.LOGIN,
            routes.NO,
            routes.AWAY,
            routes.DENIED,
        }, name


def test_every_access_class_lets_somebody_in() -> None:
    """A class that grants nobody access would make its cells vacuous (a sign-in stage is only
    reachable half-way through signing in)."""
    for name, answers in routes.ACCESS.items():
        assert name in ("sign-in-stage", "admin-site") or routes.OK in answers.values(), name


# ---------------------------------------------------------------------------------------------
# Asking


@dataclass
class Asked:
    path: str
    status: int
    location: str
    response: HttpResponse


def form(entry: routes.Row, matrix: MatrixWorld) -> dict[str, str]:
    return {name: str(matrix.ids[key]) for name, key in entry.post.items()}


def ask(client: Client, method: str, path: str, data: dict[str, str] | None = None) -> Asked:
    """One request, undone afterwards: the database is rolled back and the client keeps its
    session even if the request signed it out."""
    cookies = copy.deepcopy(client.cookies)
    with transaction.atomic():
        response = client.get(path) if method == "GET" else client.post(path, data or {})
        transaction.set_rollback(True)
    client.cookies = cookies
    return Asked(path, response.status_code, response.get("Location", ""), response)


def answer_of(asked: Asked) -> str:
    if asked.status in (301, 302) and "login" in asked.location:
        return f"{routes.LOGIN}"
    return str(asked.status)


def expected_get(entry: routes.Row, persona: str) -> set[str]:
    cell = routes.ACCESS[entry.access][persona]
    if cell == routes.OK:
        return {str(status) for status in entry.ok}
    if cell == routes.NO and entry.is_action:
        return {"405"}
    return {cell}


def pending_reason(key: str, entry: routes.Row, persona: str) -> str | None:
    return routes.PENDING.get((key, persona)) or routes.PENDING.get((entry.access, persona))


def page_text(matrix: MatrixWorld, entry: routes.Row) -> str:
    if not entry.shows:
        return ""
    return matrix.texts.get(entry.shows, entry.shows)


def check_page(matrix: MatrixWorld, entry: routes.Row, asked: Asked) -> str | None:
    """For a 200, something of the page must be there."""
    response = asked.response
    content_type = response.get("Content-Type", "")
    body = b"".join(response) if getattr(response, "streaming", False) else response.content
    if not body:
        return "an empty body"
    if entry.layout and content_type.startswith("text/html") and b'id="main"' not in body:
        return "an HTML page without the layout's main region"
    wanted = page_text(matrix, entry)
    if wanted and wanted.encode() not in body:
        return f"a page without {wanted!r}"
    return None


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.slow
def test_matrix(matrix: MatrixWorld, persona: str) -> None:
    client = matrix.client_for(persona)
    wrong, pending_now, pending_done = [], [], []
    for key, _index, entry in routes.cells():
        path = routes.fill(key, entry, matrix.ids)
        cell = routes.ACCESS[entry.access][persona]
        reason = pending_reason(key, entry, persona)

        got = ask(client, "GET", path)
        want = expected_get(entry, persona)
        problem = None
        if answer_of(got) not in want:
            problem = f"GET {path} [{entry.access}] -> {answer_of(got)}, expected {'/'.join(sorted(want))}"
        elif got.status == 200:
            missing = check_page(matrix, entry, got)
            if missing:
                problem = f"GET {path} [{entry.access}] -> 200 with {missing}"

        posted = ask(client, "POST", path, form(entry, matrix))
        if cell in (routes.OK, routes.AWAY):
            if posted.status == 404 and 404 not in entry.ok:
                problem = (
                    problem or f"POST {path} [{entry.access}] -> 404 for a persona with access"
                )
        elif cell in (routes.LOGIN, routes.DENIED):
            if answer_of(posted) not in (routes.LOGIN, routes.DENIED, "405"):
                problem = (
                    problem or f"POST {path} [{entry.access}] -> {answer_of(posted)}, signed out"
                )
        elif posted.status not in (404, 405):
            problem = problem or f"POST {path} [{entry.access}] -> {posted.status} without access"

        if reason is None:
            if problem:
                wrong.append(problem)
        elif problem:
            pending_now.append(f"{problem}  (pending: {reason})")
        else:
            pending_done.append(f"{key} as {persona} now gives the target answer: {reason}")

    if pending_now:
        print(f"\n{len(pending_now)} cells still wait for their fix (routes.PENDING):")
        print("\n".join(pending_now))
    assert wrong == [], "\n".join(wrong)
    assert pending_done == [], (
        "Remove these cells from routes.PENDING, they now give the target answer:\n"
        + "\n".join(pending_done)
    )


# ---------------------------------------------------------------------------------------------
# The outsider guard this matrix grew from (kept whole): an outsider gets 404 on every route
# that names an object, for the ids of every object of the world, and a signed-out visitor
# reaches no such route.


def shared_by_design(key: str, value: object, matrix: MatrixWorld) -> bool:
    """Objects every organisation may read (and copy): the built-in journey templates."""
    return (
        key.startswith("journeys/<pk>/")
        and value == matrix.ids["builtin_template"]
        and (key in ("journeys/<pk>/", "journeys/<pk>/copy/"))
    )


def id_route_keys() -> list[str]:
    keys = []
    for raw in routes.all_routes():
        if raw.startswith(tuple(routes.PREFIX_ROWS)) or "^" in raw:
            continue
        if routes.id_params(raw):
            keys.append(routes.normalise(raw))
    return sorted(set(keys))


def every_id(matrix: MatrixWorld) -> list[int]:
    """The ids the original guard used: programmes, a pairing, a meeting and three people (the
    matrix above already asks every row with the ids of its own objects)."""
    world = matrix.world
    return sorted(
        {
            matrix.ids["programme"],
            matrix.ids["other_programme"],
            matrix.ids["pairing"],
            matrix.ids["meeting"],
            world.applicant.pk,
            world.senior.pk,
            world.admin.pk,
        }
    )


def fill_all_ids(key: str, value: int) -> str:
    """Every id parameter set to `value`, word parameters to real values where they matter."""
    words = {
        "cohort": "mentor",
        "kind": "self",
        "whom": "me",
        "to": "completed",
        "action": "close",
        "occasion": "baseline",
    }

    def one(match: object) -> str:
        name = match.group(2)  # type: ignore[attr-defined]
        return words.get(name, str(value))

    return "/" + routes.PARAM.sub(one, key)


@pytest.mark.slow
def test_outsiders_get_404_on_every_route_that_names_an_object(matrix: MatrixWorld) -> None:
    outsider = matrix.client_for("outsider")
    leaks = []
    for key in id_route_keys():
        for value in every_id(matrix):
            if shared_by_design(key, value, matrix):
                continue
            path = fill_all_ids(key, value)
            status = ask(outsider, "GET", path).status
            if status not in (404, 405):
                leaks.append(f"GET {path} -> {status}")
            # An empty form must not act on another organisation's object either.
            status = ask(outsider, "POST", path).status
            if status not in (404, 405):
                leaks.append(f"POST {path} -> {status}")
    assert leaks == []


def test_signed_out_visitors_reach_no_route_that_names_an_object(matrix: MatrixWorld) -> None:
    anonymous = Client()
    reached = []
    for key in id_route_keys():
        for value in every_id(matrix):
            path = fill_all_ids(key, value)
            if ask(anonymous, "GET", path).status == 200:
                reached.append(path)
    assert reached == []
