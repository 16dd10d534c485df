"""Sign-in policies registered by higher apps (upward.sso registers single sign-on here in its
AppConfig.ready; accounts never imports it).

Every decision below is taken from the address's *domain* and, for the admin exception, from
the account a correct password proved: the sign-in pages never reveal whether an address has
an account.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from upward.organisations.domains import email_domain
from upward.organisations.models import Person


@dataclass(frozen=True)
class SingleSignOn:
    """Where people of one organisation sign in instead of (or besides) a password."""

    organisation_id: int
    name: str  # the provider's display name
    start_url: str  # the page that sends the person on to the provider
    sso_only: bool


# finder(domain="acme.example") or finder(organisation_id=3) -> SingleSignOn | None
Finder = Callable[..., "SingleSignOn | None"]
_finders: list[Finder] = []


def register_single_sign_on(finder: Finder) -> None:
    if finder not in _finders:
        _finders.append(finder)


def single_sign_on_for_email(email: str) -> SingleSignOn | None:
    domain = email_domain(email)
    if not domain:
        return None
    for finder in _finders:
        found = finder(domain=domain)
        if found is not None:
            return found
    return None


def single_sign_on_for_organisation(organisation_id: int) -> SingleSignOn | None:
    for finder in _finders:
        found = finder(organisation_id=organisation_id)
        if found is not None:
            return found
    return None


def _is_org_admin(sso: SingleSignOn, *, user: Any = None, email: str = "") -> bool:
    people = Person.objects.filter(
        organisation_id=sso.organisation_id, is_org_admin=True, is_active=True
    )
    if user is not None:
        return people.filter(user=user).exists()
    return people.filter(email__iexact=email, user__isnull=False).exists()


def password_blocked_for_user(user: Any) -> SingleSignOn | None:
    """The provider this (authenticated) account must use instead of its password, if any:
    the provider of its address's domain, when that one is single-sign-on only and the account
    is not one of that organisation's admins.

    Decided by the address's domain only. Someone in the directory whose address lies outside
    every domain the provider serves cannot sign in through it, so their password stays their
    way in (an outside review found such people locked out), and a right and a wrong password
    get the same answer exactly where the sign-in page says so."""
    sso = single_sign_on_for_email(getattr(user, "email", ""))
    if sso is not None and sso.sso_only and not _is_org_admin(sso, user=user):
        return sso
    return None


def reset_blocked_for_email(email: str) -> SingleSignOn | None:
    """The provider an address must use instead of a password reset (its admins excepted)."""
    sso = single_sign_on_for_email(email)
    if sso is not None and sso.sso_only and not _is_org_admin(sso, email=email):
        return sso
    return None


def sso_only_for_email(email: str) -> SingleSignOn | None:
    """The provider when the address's domain is single-sign-on only (by domain alone)."""
    sso = single_sign_on_for_email(email)
    return sso if sso is not None and sso.sso_only else None


# sign_out(request) -> the address to send the browser to after signing out (the identity
# provider's own sign-out page), or None. Called while the session still holds the sign-in.
SignOut = Callable[[object], "str | None"]
_sign_outs: list[SignOut] = []


def register_sign_out(hook: SignOut) -> None:
    if hook not in _sign_outs:
        _sign_outs.append(hook)


def sign_out_redirect(request: object) -> str | None:
    for hook in _sign_outs:
        url = hook(request)
        if url:
            return url
    return None
