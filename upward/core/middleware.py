"""Middleware for two promises every page keeps (docs/security.md).

- `NoStoreMiddleware`: a page for a signed-in person, or one that read or wrote the session, is
  never stored by a browser or a proxy cache (session notes, messages and concerns must not
  survive in a shared computer's cache or a corporate proxy).
- `TwoFactorRequiredMiddleware`: people who can see other people's data (org admins, programme
  managers, safeguarding contacts, staff: `upward.core.roles`) set up two-factor authentication
  before they reach any other page.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from allauth.account import app_settings as account_settings
from allauth.account.authentication import get_authentication_records
from allauth.mfa.models import Authenticator
from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _

from upward.core.roles import holds_privileged_role

Handler = Callable[[HttpRequest], HttpResponse]


def _prefix(url: str) -> str:
    return "/" + url.lstrip("/")


def _static_prefixes() -> tuple[str, ...]:
    return tuple(_prefix(u) for u in (settings.STATIC_URL, settings.MEDIA_URL) if u)


class NoStoreMiddleware:
    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.path_info.startswith(_static_prefixes()):
            return response
        if "no-store" in response.get("Cache-Control", ""):
            return response  # the view said so itself (downloads of personal documents)
        session = getattr(request, "session", None)
        # Read the flags before looking at the user: loading the user reads the session.
        touched = session is not None and (session.accessed or session.modified)
        user = getattr(request, "user", None)
        if touched or (user is not None and user.is_authenticated):
            add_never_cache_headers(response)
        return response


def needs_two_factor(user: Any) -> bool:
    """Staff, org admins, programme managers and safeguarding contacts: everyone whose role
    shows them other people's information (`upward.core.roles`); not someone who only takes
    part."""
    return holds_privileged_role(user)


def has_totp(user: Any) -> bool:
    return is_mfa_enabled(user, [Authenticator.Type.TOTP])


def passed_two_factor(request: HttpRequest) -> bool:
    """This session's sign-in (or a later re-authentication) included a second factor."""
    records = get_authentication_records(request, request.user)
    return any(record.get("method") == "mfa" for record in records)


def count_fresh_sign_in_as_reauthentication(request: HttpRequest) -> None:
    """A password typed at sign-in a moment ago proves what allauth's "confirm your password"
    step proves, which would otherwise greet a manager straight after signing in, on the way
    to setting up two-factor. Only the newest record, only a password, and only within
    allauth's own reauthentication window (ACCOUNT_REAUTHENTICATION_TIMEOUT)."""
    records = get_authentication_records(request, request.user)
    if not records:
        return
    newest = records[-1]
    fresh = time.time() - float(newest.get("at", 0)) < account_settings.REAUTHENTICATION_TIMEOUT
    if newest.get("method") == "password" and fresh and not newest.get("reauthenticated"):
        newest["reauthenticated"] = True
        request.session.modified = True


def setup_redirect(request: HttpRequest, *, next_url: str = "") -> HttpResponse:
    count_fresh_sign_in_as_reauthentication(request)
    url = reverse("mfa_activate_totp")
    if next_url:
        url = f"{url}?{urlencode({'next': next_url})}"
    if request.headers.get("HX-Request"):
        # htmx would swap the set-up page into a fragment; ask it to navigate instead.
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    messages.info(
        request,
        _(
            "Your role lets you see other people's information, so your account needs "
            "two-factor authentication. Set it up here with an authenticator app on your "
            "phone; it takes a minute, and then you can carry on."
        ),
    )
    return HttpResponseRedirect(url)


class TwoFactorRequiredMiddleware:
    """With MFA_REQUIRED_FOR_STAFF on, send such a person without an authenticator to set one up.

    Sign-in itself (allauth) asks for the code of anyone who has an authenticator. Pages for
    signing in and out, setting up two-factor, static files and the health check stay open.
    """

    ALWAYS_OPEN = ("/accounts/", "/healthz")

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if (
            getattr(settings, "MFA_REQUIRED_FOR_STAFF", False)
            and not request.path_info.startswith(self.ALWAYS_OPEN + _static_prefixes())
            and needs_two_factor(request.user)
            and not has_totp(request.user)
        ):
            return setup_redirect(request)
        return self.get_response(request)
