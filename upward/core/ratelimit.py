"""Rate limits that protect without locking the wrong people out (docs/security.md).

Three pieces, all counting in Django's default cache, which every worker shares (the database
cache, or Redis when REDIS_URL is set; never the per-process memory cache):

- `client_address`: who is asking. Behind our reverse proxies `REMOTE_ADDR` is the proxy, so
  the address comes from `X-Forwarded-For`, trusting only as many entries as we run proxies
  (`TRUSTED_PROXY_COUNT`). allauth reads the address through the same function (see
  `ThrottledLoginAdapter.get_client_ip`), so sign-in limits and ours always agree.
- `limit_per_address`: a per-address limit for public token URLs (sign-up link, colleague
  search, invitations, calendar feed), answering 429 with a plain page.
- `ThrottledLoginAdapter`: allauth's failed sign-in limit keyed on the account *and* the address
  (tight), plus a much looser limit per account across all addresses, which does not apply to a
  browser that has signed in to that account before (a signed "known device" cookie), so a
  guesser spread over many addresses cannot lock the owner out; a password reset clears both.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import math
import time
from collections.abc import Callable
from functools import wraps
from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import ratelimit as allauth_ratelimit
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponse, HttpResponseBase

# IPv6 clients usually hold a whole /64; counting per address would give each of them 2**64
# fresh starts (allauth groups them the same way, RATE_LIMIT_IPV6_PREFIX).
IPV6_PREFIX = 64


def _clean(value: str) -> str | None:
    value = value.strip()
    if value.startswith("[") and "]" in value:  # [2001:db8::1]:443
        value = value[1 : value.index("]")]
    elif value.count(":") == 1:  # 192.0.2.1:443
        value = value.split(":", 1)[0]
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


def trusted_proxy_count() -> int:
    return int(getattr(settings, "ALLAUTH_TRUSTED_PROXY_COUNT", 0) or 0)


def client_address(request: HttpRequest) -> str:
    """The client's address as our outermost trusted proxy saw it.

    Each of our proxies appends the address it was connected from to X-Forwarded-For, so with
    n trusted proxies the n-th entry from the right was written by our outermost proxy;
    anything to its left was sent by the client and may be forged. With no trusted proxy the
    header is ignored. A request that passed through fewer of our proxies than configured
    (someone reaching an inner one directly) is counted under the leftmost entry rather than
    failing.
    """
    remote = request.META.get("REMOTE_ADDR", "")
    count = trusted_proxy_count()
    forwarded = request.headers.get("X-Forwarded-For", "")
    candidate = remote
    if count > 0 and forwarded:
        entries = [entry.strip() for entry in forwarded.split(",")]
        candidate = entries[-count] if len(entries) >= count else entries[0]
    return _clean(candidate) or _clean(remote) or "unknown"


def address_key(address: str) -> str:
    """The unit we count per: the address itself, or its /64 network for IPv6."""
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address
    if parsed.version == 6:
        return str(ipaddress.ip_network(f"{parsed}/{IPV6_PREFIX}", strict=False).network_address)
    return str(parsed)


_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_rate(rate: str) -> tuple[int, int]:
    """'30/m' → (30, 60); '100/10m' → (100, 600)."""
    try:
        amount, period = rate.split("/")
        unit = period[-1]
        multiple = int(period[:-1] or 1)
        return int(amount), multiple * _UNITS[unit]
    except (ValueError, KeyError, IndexError) as exc:
        raise ImproperlyConfigured(f"Rate {rate!r} must look like '30/m' or '100/10m'.") from exc


def _rate_for(action: str) -> tuple[int, int] | None:
    rates = getattr(settings, "UPWARD_RATE_LIMITS", {})
    if rates is False:  # switched off (the test settings)
        return None
    if action not in rates:
        raise ImproperlyConfigured(f"UPWARD_RATE_LIMITS has no rate for {action!r}.")
    return parse_rate(rates[action])


def hit(action: str, request: HttpRequest) -> tuple[bool, int]:
    """Count one request; return (allowed, seconds until the window resets).

    Fixed windows: one counter per action, address and window. Simple and cheap in any cache;
    a burst straddling two windows can reach twice the rate, which is fine for these limits.
    """
    rate = _rate_for(action)
    if rate is None:
        return True, 0
    amount, period = rate
    now = time.time()
    window = int(now // period)
    key = f"upward:rl:{action}:{address_key(client_address(request))}:{window}"
    if cache.add(key, 1, timeout=period + 1):
        count = 1
    else:
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=period + 1)
            count = 1
    retry_after = max(1, math.ceil((window + 1) * period - now))
    return count <= amount, retry_after


def too_many_requests(retry_after: int) -> HttpResponse:
    response = HttpResponse(
        "Too many requests from your network in a short time. "
        "Please wait a minute and try again.\n",
        status=429,
        content_type="text/plain; charset=utf-8",
    )
    response["Retry-After"] = str(retry_after)
    return response


def limit_per_address(action: str) -> Callable[[Callable[..., HttpResponse]], Any]:
    """Limit a view to UPWARD_RATE_LIMITS[action] requests per client address."""

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            allowed, retry_after = hit(action, request)
            if not allowed:
                return too_many_requests(retry_after)
            return view(request, *args, **kwargs)

        return wrapped

    return decorate


# The known-device cookie: set after a successful sign-in, it names the account (by a hash of
# its email, never the email itself) and is signed with SECRET_KEY, so it cannot be forged.
KNOWN_DEVICE_COOKIE = "upward_known_device"
KNOWN_DEVICE_SALT = "upward.core.ratelimit.known-device"
KNOWN_DEVICE_MAX_AGE = 180 * 24 * 3600


def _login_fingerprint(login: str) -> str:
    return hashlib.sha256(login.strip().lower().encode()).hexdigest()[:32]


def _login_of(credentials: dict[str, Any]) -> str:
    return str(credentials.get("email", credentials.get("username", "")) or "")


def is_known_device(request: HttpRequest, login: str) -> bool:
    """Has this browser signed in to the account `login` before?"""
    if not login:
        return False
    value = request.get_signed_cookie(
        KNOWN_DEVICE_COOKIE, default=None, salt=KNOWN_DEVICE_SALT, max_age=KNOWN_DEVICE_MAX_AGE
    )
    return bool(value) and hmac.compare_digest(str(value), _login_fingerprint(login))


def remember_device(response: HttpResponseBase, login: str) -> None:
    response.set_signed_cookie(
        KNOWN_DEVICE_COOKIE,
        _login_fingerprint(login),
        salt=KNOWN_DEVICE_SALT,
        max_age=KNOWN_DEVICE_MAX_AGE,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )


class ThrottledLoginAdapter(DefaultAccountAdapter):
    """allauth's sign-in limits, keyed so that an attacker cannot lock the owner out.

    allauth counts failed sign-ins per address ("/ip" rates of `login_failed`) and per "key",
    which it makes the account's email. We make that key the email *and* the client address,
    so the tight limit (a few tries per few minutes) only ever blocks the address doing the
    guessing. A second, much looser limit (`login_failed_account`) counts failures for the
    account from every address together, capping a guesser spread over many addresses. That
    loose limit is skipped for a browser that signed in to the account before (the known-device
    cookie), so the owner's own browser is never held by someone else's failures; the tight
    limit still applies to it. A successful password reset clears both.
    """

    def get_client_ip(self, request: HttpRequest) -> str:
        return client_address(request)

    def _account_key(self, request: HttpRequest, **credentials: Any) -> str:
        return super()._get_login_attempts_cache_key(request, **credentials)

    def _get_login_attempts_cache_key(self, request: HttpRequest, **credentials: Any) -> str:
        account = self._account_key(request, **credentials)
        key = f"{account}@{address_key(client_address(request))}"
        if is_known_device(request, _login_of(credentials)):
            # The owner's own browser counts apart from everyone else at the same address
            # (an office behind one public address), so a colleague's wrong guesses there
            # cannot lock the owner out; the owner's own typos are still limited.
            key += "@known-device"
        return key

    def pre_authenticate(self, request: HttpRequest, **credentials: Any) -> None:
        # Checked without counting; only a failure counts against the account.
        known = is_known_device(request, _login_of(credentials))
        if not known and not allauth_ratelimit.consume(
            request,
            action="login_failed_account",
            key=self._account_key(request, **credentials),
            dry_run=True,
        ):
            raise self.validation_error("too_many_login_attempts")
        super().pre_authenticate(request, **credentials)

    def authentication_failed(self, request: HttpRequest, **credentials: Any) -> None:
        super().authentication_failed(request, **credentials)
        if is_known_device(request, _login_of(credentials)):
            return  # the owner's own typo does not spend the account-wide budget
        allauth_ratelimit.consume(
            request, action="login_failed_account", key=self._account_key(request, **credentials)
        )

    def post_login(self, request: HttpRequest, user: Any, **kwargs: Any) -> HttpResponse:
        response = super().post_login(request, user, **kwargs)
        if user.email:
            remember_device(response, user.email)
        return response

    def _delete_login_attempts_cached_email(self, request: HttpRequest, **credentials: Any) -> None:
        # A successful password reset: clear this address's count and the account-wide one.
        super()._delete_login_attempts_cached_email(request, **credentials)
        allauth_ratelimit.clear(
            request, action="login_failed_account", key=self._account_key(request, **credentials)
        )
