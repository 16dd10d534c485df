"""The Content-Security-Policy header, its report endpoint and the API docs (issue 11)."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client
from pytest_django.asserts import assertNotContains

ROOT = Path(__file__).resolve().parents[1]


def directives(header: str) -> dict[str, list[str]]:
    parts = [p.strip().split() for p in header.split(";") if p.strip()]
    return {p[0]: p[1:] for p in parts}


@pytest.mark.parametrize("path", ["/accounts/login/", "/dashboard/", "/programmes/"])
def test_every_page_carries_the_strict_policy(world, path):  # type: ignore[no-untyped-def]
    client = Client() if path.startswith("/accounts/") else world.client_for(world.manager)
    response = client.get(path)
    assert response.status_code == 200
    policy = directives(response["Content-Security-Policy"])
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["img-src"] == ["'self'", "data:"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["form-action"] == ["'self'"]
    assert policy["base-uri"] == ["'self'"]
    assert policy["report-uri"] == ["/csp-report/"]
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    assert "'unsafe-eval'" not in response["Content-Security-Policy"]


def test_htmx_is_configured_for_the_policy(world):  # type: ignore[no-untyped-def]
    response = world.client_for(world.manager).get("/dashboard/")
    assert response.status_code == 200
    html = response.content.decode()
    start = html.index('<meta name="htmx-config" content=\'') + len(
        '<meta name="htmx-config" content=\''
    )
    config = json.loads(html[start : html.index("'", start)])
    assert config == {"includeIndicatorStyles": False, "allowEval": False, "allowScriptTags": False}
    assertNotContains(response, "<script>")
    assertNotContains(response, " style=")


@pytest.mark.parametrize("module", ["config.settings.dev", "config.settings.production"])
def test_the_policy_is_on_in_every_environment(module):  # type: ignore[no-untyped-def]
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": module,
        "SECRET_KEY": "x" * 60,
        "ALLOWED_HOSTS": "upward.example",
        "SITE_URL": "https://upward.example",
        "ENCRYPTION_KEYS": "3q2BXhTQdVyW7EIXFiNb8VtDsBMjNKU0kYjXWq8Fv0E=",
        "SURVEY_PSEUDONYM_SECRET": "p" * 40,
    }
    env.pop("CSP_REPORT_ONLY", None)
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print('csp.middleware.CSPMiddleware' in s.MIDDLEWARE, "
        "s.CONTENT_SECURITY_POLICY['DIRECTIVES']['script-src'])"
    )
    result = subprocess.run(  # noqa: S603 (our own interpreter, fixed arguments)
        [sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.stdout.strip() == "True [\"'self'\"]", result.stderr[-2000:]


REPORT = {
    "csp-report": {
        "document-uri": "https://upward.example/dashboard/",
        "violated-directive": "script-src-elem",
        "effective-directive": "script-src-elem",
        "blocked-uri": "inline",
        "source-file": "https://upward.example/dashboard/",
        "line-number": 12,
    }
}


def test_violation_reports_are_logged_without_a_csrf_token(db, caplog):  # type: ignore[no-untyped-def]
    client = Client(enforce_csrf_checks=True)
    with caplog.at_level(logging.WARNING, logger="upward.csp"):
        response = client.post(
            "/csp-report/", json.dumps(REPORT), content_type="application/csp-report"
        )
    assert response.status_code == 204
    [record] = [r for r in caplog.records if r.name == "upward.csp"]
    assert record.levelno == logging.WARNING
    assert (
        "script-src-elem" in record.getMessage() and "blocked-uri='inline'" in record.getMessage()
    )


def test_reporting_api_format_is_logged_too(db, caplog):  # type: ignore[no-untyped-def]
    body = [
        {
            "type": "csp-violation",
            "body": {"effectiveDirective": "style-src-attr", "blockedURL": "inline"},
        }
    ]
    with caplog.at_level(logging.WARNING, logger="upward.csp"):
        response = Client().post(
            "/csp-report/", json.dumps(body), content_type="application/reports+json"
        )
    assert response.status_code == 204
    assert any("style-src-attr" in r.getMessage() for r in caplog.records if r.name == "upward.csp")


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"not json",
        b"[1, 2, 3]",
        b'{"csp-report": "x"}',
        b"\xff\xfe\x00",
        b"[" * 5000,
        json.dumps({"csp-report": {"blocked-uri": "a\nFAKE LOG LINE"}}).encode(),
    ],
)
def test_junk_reports_never_cost_a_500(db, caplog, body):  # type: ignore[no-untyped-def]
    with caplog.at_level(logging.WARNING, logger="upward.csp"):
        response = Client().post("/csp-report/", body, content_type="application/csp-report")
    assert response.status_code == 204
    for record in caplog.records:
        assert "\n" not in record.getMessage()  # a report cannot forge a log line


def test_oversized_reports_are_refused_and_only_post_is_allowed(db):  # type: ignore[no-untyped-def]
    big = json.dumps({"csp-report": {"blocked-uri": "x" * 20_000}})
    response = Client().post("/csp-report/", big, content_type="application/csp-report")
    assert response.status_code == 413
    assert Client().get("/csp-report/").status_code == 405


def test_api_docs_need_sign_in_and_load_nothing_from_a_cdn(world):  # type: ignore[no-untyped-def]
    anonymous = Client()
    response = anonymous.get("/api/docs/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert anonymous.get("/api/schema/").status_code == 401

    client = world.client_for(world.manager)
    response = client.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    assert "cdn" not in html.lower()
    assertNotContains(response, "<style")
    assertNotContains(response, "<script>")  # the start-up script is a file of its own
    script = client.get("/api/docs/?script=")
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")


def test_report_only_switch_blocks_nothing_and_reports_everything():
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "CSP_REPORT_ONLY": "true",
    }
    code = (
        "import django; django.setup(); "
        "from django.test.utils import setup_test_environment; setup_test_environment(); "
        "from django.test import Client; r = Client().get('/accounts/login/'); "
        "print('Content-Security-Policy' in r.headers, "
        "r.headers['Content-Security-Policy-Report-Only'])"
    )
    result = subprocess.run(  # noqa: S603 (our own interpreter, fixed arguments)
        [sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True, check=False
    )
    enforced, _, policy = result.stdout.strip().partition(" ")
    assert enforced == "False", result.stderr[-2000:]
    assert "script-src 'self'" in policy and "report-uri /csp-report/" in policy
