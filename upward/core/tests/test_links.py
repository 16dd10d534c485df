"""One place makes absolute links (for what leaves the site); stored links are paths."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from upward.core.links import ForeignLinkError, absolute_url, relative_path

ROOT = Path(__file__).resolve().parents[3]


def test_absolute_url_follows_site_url(settings):
    settings.SITE_URL = "http://127.0.0.1:9000"
    assert absolute_url("/notifications/") == "http://127.0.0.1:9000/notifications/"
    settings.SITE_URL = "https://upward.example.org/"
    assert absolute_url("/a/?b=1") == "https://upward.example.org/a/?b=1"


@pytest.mark.parametrize("bad", ["notifications/", "//evil.example/", "https://x.test/"])
def test_absolute_url_takes_only_a_path(bad):
    with pytest.raises(ValueError, match="takes a path"):
        absolute_url(bad)


@pytest.mark.parametrize(
    ("stored", "path"),
    [
        ("", ""),
        ("/pairings/1/book/", "/pairings/1/book/"),
        ("http://127.0.0.1:8000/pairings/1/book/", "/pairings/1/book/"),
        ("http://localhost:9000/a/?page=2#top", "/a/?page=2#top"),
        ("https://upward.example.org/safety/3/rematch/", "/safety/3/rematch/"),
        ("http://127.0.0.1:8000", "/"),
    ],
)
def test_relative_path_keeps_only_the_path_of_our_own_links(settings, stored, path):
    settings.SITE_URL = "https://upward.example.org"
    assert relative_path(stored) == path


@pytest.mark.parametrize(
    "foreign",
    [
        "https://evil.example/",
        "//evil.example/x",
        "/\\evil.example/x",
        "javascript:alert(1)",
        "https://upward.example.org.evil.example/",
        "ftp://127.0.0.1/x",
    ],
)
def test_relative_path_refuses_other_sites(settings, foreign):
    settings.SITE_URL = "https://upward.example.org"
    with pytest.raises(ForeignLinkError, match="Only links to Upward's own pages"):
        relative_path(foreign)


def test_site_url_follows_host_and_port_unless_set(monkeypatch):
    """`PORT=9000 make run` (the Makefile exports HOST and PORT) links to port 9000."""
    from config.env import _site_url

    monkeypatch.delenv("SITE_URL", raising=False)
    monkeypatch.delenv("HOST", raising=False)
    monkeypatch.delenv("PORT", raising=False)
    assert _site_url() == "http://127.0.0.1:8000"
    monkeypatch.setenv("PORT", "9000")
    assert _site_url() == "http://127.0.0.1:9000"
    monkeypatch.setenv("HOST", "0.0.0.0")  # noqa: S104 (what README suggests to listen on)
    assert _site_url() == "http://127.0.0.1:9000"
    monkeypatch.setenv("HOST", "localhost")
    assert _site_url() == "http://localhost:9000"
    monkeypatch.setenv("SITE_URL", "https://upward.example.org/")
    assert _site_url() == "https://upward.example.org"


@pytest.mark.slow  # two interpreters that load every app
def test_production_settings_refuse_to_start_without_site_url():
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": "x" * 60,
        "ALLOWED_HOSTS": "upward.example",
        "ENCRYPTION_KEYS": "3q2BXhTQdVyW7EIXFiNb8VtDsBMjNKU0kYjXWq8Fv0E=",
        "SURVEY_PSEUDONYM_SECRET": "p" * 40,
    }
    env.pop("SITE_URL", None)
    code = "import django; django.setup(); print('started')"
    result = subprocess.run(  # noqa: S603 (our own interpreter, fixed arguments)
        [sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode != 0
    assert "SITE_URL must be set" in result.stderr
    env["SITE_URL"] = "https://upward.example"
    result = subprocess.run(  # noqa: S603 (our own interpreter, fixed arguments)
        [sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.stdout.strip() == "started", result.stderr[-2000:]


@pytest.mark.django_db
def test_pages_show_shareable_links_from_site_url(world, settings):
    """The sign-up link to share, on the programme and review pages, is what emails use."""
    from django.urls import reverse
    from pytest_django.asserts import assertContains

    from upward.programmes.models import Programme, State

    settings.SITE_URL = "http://127.0.0.1:9000"
    # The review page offers the link while recruiting.
    Programme.objects.filter(pk=world.programme.pk).update(state=State.RECRUITING)
    public = reverse("programmes:public", args=[world.programme.signup_token])
    client = world.client_for(world.manager)
    for page in ("programmes:detail", "recruitment:review"):
        response = client.get(reverse(page, args=[world.programme.pk]), HTTP_HOST="localhost")
        assertContains(response, f"http://127.0.0.1:9000{public}")
