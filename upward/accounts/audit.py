"""Audit entries for accounts: sign-ins, failed sign-ins, sign-outs, two-factor changes, and
the rights an account holds (staff, superuser, groups and permissions).

An entry goes to the chain of the account's organisation when it has a directory entry, else to
the chain with no organisation. Nothing typed is stored: a failed sign-in for an address with no
account keeps only a keyed hash of it (so repeated attempts on one address can be counted), never
the address; no entry holds a password, a code, an address or a field's value.
"""

from __future__ import annotations

from typing import Any

from django.utils.crypto import salted_hmac

from upward.accounts.models import User
from upward.core import audit
from upward.organisations.models import Person

USER = "accounts.user"
_RIGHTS = ("is_staff", "is_superuser")


def _organisation_id(user: User) -> int | None:
    return Person.objects.filter(user_id=user.pk).values_list("organisation_id", flat=True).first()


def account_event(
    verb: str, user: User, *, by: Any = None, data: dict[str, Any] | None = None
) -> None:
    audit.record_ref(
        verb,
        USER,
        user.pk,
        by=user if by is None else by,
        organisation=_organisation_id(user),
        data=data,
    )


def signed_in(user: User) -> None:
    account_event("account.signed_in", user)


def signed_out(user: User) -> None:
    account_event("account.signed_out", user)


def address_hash(address: str) -> str:
    """A keyed hash of a typed address: the same address gives the same value, and without
    the deployment's SECRET_KEY nobody can test guesses against it."""
    key_salt = "upward.accounts.audit.unknown-address"
    return salted_hmac(key_salt, address.strip().lower(), algorithm="sha256").hexdigest()[:16]


def sign_in_failed(credentials: dict[str, Any]) -> None:
    """A wrong password (or an unknown address). The account's owner did not act, so no actor."""
    typed = str(credentials.get("email") or credentials.get("username") or "").strip()
    user = User.objects.filter(email__iexact=typed).first() if typed else None
    if user is None:
        audit.record_ref(
            "account.sign_in_failed",
            USER,
            "",
            data={"known_account": False, "address_hash": address_hash(typed) if typed else ""},
        )
        return
    audit.record_ref(
        "account.sign_in_failed",
        USER,
        user.pk,
        organisation=_organisation_id(user),
        data={"known_account": True, "step": "password"},
    )


def code_rejected(user: User, authenticator: Any, *, step: str = "two_factor") -> None:
    """A wrong code: a two-factor code after a right password, or an emailed sign-in code."""
    data: dict[str, Any] = {"known_account": True, "step": step}
    if authenticator is not None:
        data["method"] = _kind(authenticator)
    audit.record_ref(
        "account.sign_in_failed",
        USER,
        user.pk,
        organisation=_organisation_id(user),
        data=data,
    )


def _kind(authenticator: Any) -> str:
    return str(getattr(authenticator, "type", "") or "")[:20]


def two_factor_changed(verb: str, user: User, authenticator: Any) -> None:
    account_event(verb, user, data={"method": _kind(authenticator)})


def remember_rights(user: User) -> None:
    user._audit_rights = {name: getattr(user, name, False) for name in _RIGHTS}  # type: ignore[attr-defined]


def rights_saved(user: User, *, created: bool) -> None:
    """Staff and superuser rights given or taken away, however the account was saved (admin
    site, `createsuperuser`, a shell)."""
    before = {} if created else getattr(user, "_audit_rights", {})
    for name, label in (("is_staff", "staff"), ("is_superuser", "superuser")):
        now, then = bool(getattr(user, name)), bool(before.get(name, False))
        if now != then:
            verb = f"account.{label}_granted" if now else f"account.{label}_removed"
            audit.record_ref(verb, USER, user.pk, organisation=_organisation_id(user))
    remember_rights(user)


def permissions_changed(user: Any, *, sender: Any, action: str) -> None:
    if not isinstance(user, User):
        return
    what = "groups" if sender is User.groups.through else "permissions"
    audit.record_ref(
        "account.permissions_changed",
        USER,
        user.pk,
        organisation=_organisation_id(user),
        data={"what": what, "change": action.removeprefix("post_")},
    )
