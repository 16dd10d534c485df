"""The outbound address check: malformed addresses are a clear error (never a 500), private
networks are refused however they are written, and https is required for public addresses."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from upward.core.outbound import check_outbound_url


@pytest.fixture(params=[False, True], ids=["strict", "allow-private"])
def allow_private(request, settings):  # type: ignore[no-untyped-def]
    settings.OUTBOUND_ALLOW_PRIVATE = request.param
    return request.param


@pytest.mark.parametrize(
    "url",
    [
        "https://1.1.1.1:99999/",
        "https://1.1.1.1:-1/",
        "https://1.1.1.1:abc/",
        "https://1.1.1.1:0/",
        "https://[1.1.1.1]/",
        "https://[zz]/",
    ],
)
def test_malformed_addresses_are_a_clear_error(allow_private, url):
    with pytest.raises(ValidationError, match="not valid"):
        check_outbound_url(url)


@pytest.mark.parametrize(
    "url",
    [
        "https://1.1.1.1/a b",
        "https://1.1.1.1/hook\r\nX-Injected: 1",
        "https://1.1.1.1/hook\n",
        " https://1.1.1.1/hook",
        "https://1.1.1.1/\thook",
        "https://1.1.1.1/\x00hook",
        "https://1.1.1.1/\x7fhook",
        "https://1.1.1.1/\u00a0hook",
    ],
)
def test_whitespace_and_control_characters_are_refused(allow_private, url):
    with pytest.raises(ValidationError, match="must not contain spaces"):
        check_outbound_url(url)


@pytest.mark.parametrize(
    "url",
    [
        "https://[64:ff9b::7f00:1]/",  # NAT64 of 127.0.0.1
        "https://[64:ff9b::a01:203]/",  # NAT64 of 10.1.2.3
        "https://[2002:7f00:1::]/",  # 6to4 of 127.0.0.1
        "https://[2002:a9fe:a9fe::]/",  # 6to4 of 169.254.169.254
        "https://[::ffff:127.0.0.1]/",  # IPv4-mapped
        "https://[::ffff:a9fe:a9fe]/",
        "https://[::127.0.0.1]/",  # IPv4-compatible
    ],
)
def test_ipv4_inside_ipv6_is_checked_like_ipv4(settings, url):
    settings.OUTBOUND_ALLOW_PRIVATE = False
    with pytest.raises(ValidationError, match="private network"):
        check_outbound_url(url)


def test_public_addresses_are_accepted_however_written(settings):
    settings.OUTBOUND_ALLOW_PRIVATE = False
    for url in ("https://1.1.1.1/hook", "https://[64:ff9b::808:808]/", "https://[::ffff:8.8.8.8]/"):
        assert check_outbound_url(url) == url


def test_https_is_required_for_public_addresses_even_when_private_ones_are_allowed(settings):
    settings.OUTBOUND_ALLOW_PRIVATE = True
    with pytest.raises(ValidationError, match="must start with https://"):
        check_outbound_url("http://1.1.1.1/hook")
    assert check_outbound_url("https://1.1.1.1/hook") == "https://1.1.1.1/hook"
    # Plain http only to the deployment's own network, and only when that is allowed.
    assert check_outbound_url("http://127.0.0.1:8000/hook") == "http://127.0.0.1:8000/hook"
    assert check_outbound_url("http://10.1.2.3/share") == "http://10.1.2.3/share"


def test_plain_http_is_refused_when_private_addresses_are_not_allowed(settings):
    settings.OUTBOUND_ALLOW_PRIVATE = False
    for url in ("http://127.0.0.1:8000/hook", "http://1.1.1.1/hook"):
        with pytest.raises(ValidationError, match="must start with https://"):
            check_outbound_url(url)
