"""Ids in addresses are bounded: a huge number is an unknown page (404), never a crash (500).

The first test walks the URL configuration and fails on any `<int:...>` converter, so a new
route cannot bring the hole back; the second asks for the longest id the converter accepts,
and one digit more, on every id route as each kind of visitor.
"""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

ID_PARAM = re.compile(r"<id:\w+>")
WORD_PARAM = re.compile(r"<(?:str|slug):(\w+)>")
# Real values for the few word parameters, so the view reaches its id lookup.
WORDS = {
    "kind": "baseline",
    "whom": "me",
    "cohort": "mentor",
    "to": "recruiting",
    "action": "open",
    "occasion": "start",
    "token": "x",
    "fmt": "csv",
}
LONGEST = "9" * 18  # 999 999 999 999 999 999 < 2**63
TOO_LONG = "9" * 19  # beyond a signed 64-bit integer


def routes(patterns=None, prefix=""):  # type: ignore[no-untyped-def]
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(entry, URLResolver):
            yield from routes(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern)


def our_routes() -> list[str]:
    # The admin's routes are Django's own (regular expressions over object ids as text).
    return sorted({r for r in routes() if not r.startswith("admin/") and "^" not in r})


def fill(route: str, digits: str) -> str:
    path = ID_PARAM.sub(digits, route)
    return "/" + WORD_PARAM.sub(lambda m: WORDS[m.group(1)], path)


def test_no_route_uses_the_unbounded_int_converter():
    unbounded = [r for r in routes() if "<int:" in r]
    assert unbounded == []
    # And the walk does see our id routes (the test would pass vacuously otherwise).
    assert len([r for r in our_routes() if ID_PARAM.search(r)]) > 100


def test_the_id_converter_stops_at_eighteen_digits():
    from upward.core.converters import IdConverter

    pattern = re.compile(f"^{IdConverter.regex}$")
    assert pattern.match(LONGEST)
    assert int(LONGEST) < 2**63
    assert not pattern.match(TOO_LONG)
    assert not pattern.match("-1")


@pytest.mark.django_db
@pytest.mark.slow
def test_longest_ids_answer_404_never_500_on_every_id_route(world):
    visitors = {
        "admin": world.client_for(world.admin),
        "manager": world.client_for(world.manager),
        "participant": world.client_for(world.applicant),
        "signed out": Client(),
    }
    for client in visitors.values():
        client.raise_request_exception = False
    id_routes = [r for r in our_routes() if ID_PARAM.search(r)]
    failures = []
    for route in id_routes:
        for digits in (LONGEST, TOO_LONG):
            path = fill(route, digits)
            for who, client in visitors.items():
                for method in ("get", "post"):
                    status = getattr(client, method)(path).status_code
                    signed_in_ok = status in (404, 405)
                    # Signed out, a page may send the visitor to sign in before looking; the API
                    # answers 401 (it has no sign-in page to send anyone to).
                    signed_out_ok = signed_in_ok or status == 302 or (
                        path.startswith("/api/") and status == 401
                    )
                    if not (signed_out_ok if who == "signed out" else signed_in_ok):
                        failures.append(f"{who} {method.upper()} {path} -> {status}")
    assert failures == []
