"""One place makes absolute links (for what leaves the site); stored links are paths."""

from __future__ import annotations

import pytest

from upward.core.links import ForeignLinkError, absolute_url, relative_path


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
