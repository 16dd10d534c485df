"""Rate limits that protect without locking out the wrong people (docs/security.md).

The test settings switch every limit off; each test here switches on the rates we ship
(config.settings.base) and puts Upward behind one reverse proxy at 10.0.0.1, as deployed.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from allauth.core.internal.httpkit import get_client_ip as allauth_client_ip
from django.core import mail
from django.test import Client, RequestFactory, TestCase
from pytest_django.asserts import assertNotContains

from config.settings import base
from upward.core.ratelimit import KNOWN_DEVICE_COOKIE, client_address

PROXY = "10.0.0.1"
PASSWORD = "correct horse battery"  # UserFactory's
TOO_MANY = "Too many failed login attempts"
# The base settings always give rates; only the test settings switch limits off with False.
assert isinstance(base.UPWARD_RATE_LIMITS, dict)
BASE_RATES: dict[str, str] = base.UPWARD_RATE_LIMITS


@pytest.fixture
def limits(settings):  # type: ignore[no-untyped-def]
    settings.ACCOUNT_RATE_LIMITS = base.ACCOUNT_RATE_LIMITS
    settings.UPWARD_RATE_LIMITS = base.UPWARD_RATE_LIMITS
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    return settings


def from_address(address: str, *, spoofed: str = "") -> Client:
    """A browser at `address`, reaching us through our proxy (which appends what it saw)."""
    forwarded = f"{spoofed}, {address}" if spoofed else address
    return Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded)


def sign_in(client: Client, email: str, password: str):  # type: ignore[no-untyped-def]
    return client.post("/accounts/login/", {"login": email, "password": password})


def signed_in(client: Client) -> bool:
    return client.get("/dashboard/").status_code == 200


# --- who is asking ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("count", "forwarded", "expected"),
    [
        (0, "", "10.0.0.1"),
        (0, "203.0.113.5", "10.0.0.1"),  # no trusted proxy: the header is ignored
        (1, "203.0.113.5", "203.0.113.5"),
        (1, "6.6.6.6, 203.0.113.5", "203.0.113.5"),  # the client's own entry is not trusted
        (2, "6.6.6.6, 203.0.113.5, 10.0.0.9", "203.0.113.5"),
        (1, "2001:db8::1", "2001:db8::1"),
        (1, "", "10.0.0.1"),
    ],
)
def test_the_client_address_agrees_with_allauth(settings, count, forwarded, expected):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = count
    headers = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded else {}
    request = RequestFactory().get("/", REMOTE_ADDR=PROXY, **headers)
    assert client_address(request) == expected
    assert allauth_client_ip(request) == expected


def test_a_request_that_skipped_a_proxy_is_counted_not_failed(settings):
    # allauth alone raises ImproperlyConfigured (a 500) here; we count the leftmost entry.
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 2
    request = RequestFactory().get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="203.0.113.5")
    assert client_address(request) == "203.0.113.5"
    garbage = RequestFactory().get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="not-an-ip")
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    assert client_address(garbage) == PROXY


# --- sign-in ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_behind_the_proxy_two_people_are_counted_apart(world, limits):
    noisy = from_address("203.0.113.5")
    # 30 failed sign-ins a minute from one address (over many accounts) shut that address out...
    for n in range(30):
        sign_in(noisy, f"nobody{n}@northwind.test", "wrong")
    response = sign_in(noisy, world.applicant.email, PASSWORD)
    assert TOO_MANY in response.content.decode()
    assert not signed_in(noisy)
    # ...but not a colleague at another address behind the same proxy.
    colleague = from_address("198.51.100.7")
    response = sign_in(colleague, world.applicant.email, PASSWORD)
    assert response.status_code == 302
    assert signed_in(colleague)


@pytest.mark.django_db
def test_a_spoofed_forwarded_for_entry_does_not_escape_the_limit(world, limits):
    for n in range(5):
        attacker = from_address("203.0.113.5", spoofed=f"192.0.2.{n}")
        response = sign_in(attacker, world.applicant.email, "wrong")
        assert response.status_code == 200  # the form again, with an error
        assertNotContains(response, TOO_MANY)
    attacker = from_address("203.0.113.5", spoofed="192.0.2.99")
    response = sign_in(attacker, world.applicant.email, PASSWORD)
    assert response.status_code == 200
    assert TOO_MANY in response.content.decode()
    assert not signed_in(attacker)


@pytest.mark.django_db
def test_the_owner_signs_in_from_their_own_address_after_an_attacker_hammered_the_account(
    world, limits
):
    attacker = from_address("203.0.113.5")
    refusals = 0
    for _ in range(20):
        response = sign_in(attacker, world.applicant.email, "wrong")
        refusals += TOO_MANY in response.content.decode()
    assert refusals == 15  # slowed down after five tries
    # Even the right password is refused from the attacker's address now.
    assert TOO_MANY in sign_in(attacker, world.applicant.email, PASSWORD).content.decode()
    owner = from_address("198.51.100.7")
    response = sign_in(owner, world.applicant.email, PASSWORD)
    assert response.status_code == 302
    assert signed_in(owner)


@pytest.mark.django_db
@pytest.mark.slow
def test_a_guesser_on_many_addresses_cannot_lock_the_owner_out_of_their_own_browser(world, limits):
    # The owner signed in from this browser last week, and signed out.
    owner = from_address("198.51.100.7")
    assert sign_in(owner, world.applicant.email, PASSWORD).status_code == 302
    assert KNOWN_DEVICE_COOKIE in owner.cookies
    owner.post("/accounts/logout/")
    # A guesser spread over 25 addresses fills the account-wide limit.
    for n in range(25):
        bot = from_address(f"203.0.113.{n + 1}")
        for _ in range(4):
            sign_in(bot, world.applicant.email, "wrong")
    stranger = from_address("198.51.100.8")
    assert TOO_MANY in sign_in(stranger, world.applicant.email, PASSWORD).content.decode()
    # The owner's browser is known to the account: a typo, then the right password, gets in.
    assertNotContains(sign_in(owner, world.applicant.email, "typo"), TOO_MANY)
    response = sign_in(owner, world.applicant.email, PASSWORD)
    assert response.status_code == 302
    assert signed_in(owner)


@pytest.mark.django_db
def test_a_colleague_at_the_same_address_cannot_lock_the_owner_out_of_their_browser(world, limits):
    # One office, one public address: the owner signed in from their browser before.
    owner = from_address("203.0.113.5")
    assert sign_in(owner, world.applicant.email, PASSWORD).status_code == 302
    owner.post("/accounts/logout/")
    colleague = from_address("203.0.113.5")
    for _ in range(8):
        sign_in(colleague, world.applicant.email, "wrong")
    # The colleague is held...
    assert TOO_MANY in sign_in(colleague, world.applicant.email, PASSWORD).content.decode()
    # ...the owner's known browser is not, and its own typos are still limited.
    response = sign_in(owner, world.applicant.email, PASSWORD)
    assert response.status_code == 302
    owner.post("/accounts/logout/")
    for _ in range(5):
        assertNotContains(sign_in(owner, world.applicant.email, "typo"), TOO_MANY)
    assert TOO_MANY in sign_in(owner, world.applicant.email, "typo").content.decode()


@pytest.mark.django_db
@pytest.mark.slow
def test_the_known_device_cookie_cannot_be_forged_or_moved_to_another_account(world, limits):
    from upward.core.ratelimit import KNOWN_DEVICE_SALT, _login_fingerprint

    for n in range(25):
        bot = from_address(f"203.0.113.{n + 1}")
        for _ in range(4):
            sign_in(bot, world.applicant.email, "wrong")
    # An unsigned value naming the account, and a signed one for another account, count for nothing.
    forged = from_address("198.51.100.9")
    forged.cookies[KNOWN_DEVICE_COOKIE] = _login_fingerprint(world.applicant.email)
    assert TOO_MANY in sign_in(forged, world.applicant.email, PASSWORD).content.decode()
    other = from_address("198.51.100.10")
    assert sign_in(other, world.other_applicant.email, PASSWORD).status_code == 302
    other.post("/accounts/logout/")
    signed_for_other = other.cookies[KNOWN_DEVICE_COOKIE].value
    assert signed_for_other
    assert KNOWN_DEVICE_SALT  # the value is signed with a purpose-bound salt
    assert TOO_MANY in sign_in(other, world.applicant.email, PASSWORD).content.decode()


def _reset_password(client: Client, email: str, new_password: str) -> None:
    mail.outbox.clear()
    # The reset email leaves through the outbox after the commit the test database never makes.
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert client.post("/accounts/password/reset/", {"email": email}).status_code == 302
    body = str(mail.outbox[0].body)
    link = re.search(r"https?://[^/\s]+(/accounts/password/reset/key/\S+)", body)
    assert link, mail.outbox[0].body
    response = client.get(link.group(1))
    assert response.status_code == 302  # to the same page without the key in the address
    response = client.post(
        response["Location"], {"password1": new_password, "password2": new_password}
    )
    assert response.status_code == 302


@pytest.mark.django_db
@pytest.mark.slow
def test_many_addresses_hit_the_loose_account_limit_and_a_password_reset_clears_it(world, limits):
    # A guesser spread over 25 addresses, four tries each: 100 failures in the hour.
    for n in range(25):
        bot = from_address(f"203.0.113.{n + 1}")
        for _ in range(4):
            assertNotContains(sign_in(bot, world.applicant.email, "wrong"), TOO_MANY)
    # The account-wide limit now holds the account, for every address, the owner's too...
    owner = from_address("198.51.100.7")
    assert TOO_MANY in sign_in(owner, world.applicant.email, PASSWORD).content.decode()
    # ...until the owner proves they own the address: a password reset clears the count.
    _reset_password(owner, world.applicant.email, "a new long passphrase 42")
    response = sign_in(owner, world.applicant.email, "a new long passphrase 42")
    assert response.status_code == 302
    assert signed_in(owner)


@pytest.mark.django_db
def test_a_correct_password_never_counts_against_the_account(world, limits):
    owner = from_address("198.51.100.7")
    for _ in range(8):
        assert sign_in(owner, world.applicant.email, PASSWORD).status_code == 302
        owner.post("/accounts/logout/")
    assert signed_in(owner) is False
    assert sign_in(owner, world.applicant.email, PASSWORD).status_code == 302


# --- public token addresses ---------------------------------------------------------------


def _token_urls(world):  # type: ignore[no-untyped-def]
    token = world.programme.signup_token
    return {
        "signup_link": [f"/programmes/join/{token}/", f"/join/{token}/apply/"],
        "colleague_search": [f"/join/{token}/colleagues/?people_q=jo"],
        "invitation": ["/invitation/not-a-real-token/", "/invitations/not-a-real-token/"],
        "calendar_feed": ["/calendar/not-a-real-token.ics"],
        "csp_report": ["/csp-report/"],
    }


def _ask(client, url):  # type: ignore[no-untyped-def]
    # Violation reports are posted by browsers; every other limited address is read.
    if url == "/csp-report/":
        return client.post(url, data="{}", content_type="application/csp-report")
    return client.get(url)


@pytest.mark.django_db
@pytest.mark.parametrize("action", list(BASE_RATES))
def test_public_token_addresses_answer_429_after_the_limit(world, limits, action, request):
    amount = int(BASE_RATES[action].split("/")[0])
    # The clock stands still at the start of a minute, so all requests fall in one window.
    traveller = time_machine.travel(dt.datetime(2027, 3, 1, 9, 0, tzinfo=dt.UTC), tick=False)
    traveller.start()
    request.addfinalizer(traveller.stop)
    for n, url in enumerate(_token_urls(world)[action]):
        # One address per URL: the URLs of one action share a count.
        client = world.client_for(world.applicant)
        client.defaults.update(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=f"203.0.113.{n + 1}")
        statuses = [_ask(client, url).status_code for _ in range(amount)]
        assert 429 not in statuses, url
        response = _ask(client, url)
        assert response.status_code == 429, url
        assert int(response["Retry-After"]) >= 1
        assert "Too many requests" in response.content.decode()
        # Another address behind the same proxy is not held back.
        other = world.client_for(world.other_applicant)
        other.defaults.update(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.7")
        assert _ask(other, url).status_code != 429, url


# --- one count for every worker -----------------------------------------------------------

SHARED_CACHES = {
    "django.core.cache.backends.db.DatabaseCache",
    "django.core.cache.backends.redis.RedisCache",
}


def _cache_backend_with(environment: dict[str, str]) -> str:
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"} | environment
    code = "from config.settings import base; print(base.CACHES['default']['BACKEND'])"
    result = subprocess.run(  # noqa: S603 - our own interpreter, fixed code
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    return result.stdout.strip()


def test_counts_live_in_a_cache_every_worker_shares(settings):
    # Not the per-process memory cache: each gunicorn worker would keep its own counts.
    assert settings.CACHES["default"]["BACKEND"] in SHARED_CACHES
    assert _cache_backend_with({}) == "django.core.cache.backends.db.DatabaseCache"
    assert (
        _cache_backend_with({"REDIS_URL": "redis://127.0.0.1:6379/3"})
        == "django.core.cache.backends.redis.RedisCache"
    )
