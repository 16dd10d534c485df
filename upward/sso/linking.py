"""Who a sign-in through an organisation's provider becomes (docs/integrations.md).

The provider is trusted to vouch for an address only in the domains it serves, each of them a
domain the operator confirmed its organisation owns. The address must then belong to an active
person in that organisation's directory; the sign-in uses that person's account, or one made
for them there and then. Anything else is refused with a page, and no account is made.
"""

from __future__ import annotations

from typing import Any

from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialLogin
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from upward.accounts.models import User
from upward.core import audit
from upward.organisations.domains import email_domain
from upward.organisations.models import Person
from upward.sso.models import IdentityProvider, slug_from_provider_id

TEST_SESSION_KEY = "upward_sso_test"
# Set at sign-in through a provider: which one, for signing out there too (upward/sso/logout.py).
SESSION_KEY = "upward_sso"

REFUSALS = {
    "unknown_provider": (
        "This sign-in provider is not (or no longer) set up in Upward. Sign in from Upward's "
        "sign-in page."
    ),
    "no_email": (
        "The provider did not tell Upward your email address, so Upward cannot tell who you "
        "are. Ask your organisation's Upward admin to check the provider's settings."
    ),
    "wrong_domain": (
        "The provider signed you in with an address outside the domains it serves for your "
        "organisation in Upward. Sign in with your work address."
    ),
    "not_in_directory": (
        "Your organisation's directory in Upward has no active entry for this address. Ask "
        "your organisation's Upward admin to add you."
    ),
    "other_account": (
        "This address is already used by an Upward account that belongs elsewhere, so it "
        "cannot be signed in here. Ask your organisation's Upward admin."
    ),
    "inactive_account": "This Upward account is turned off. Ask your organisation's Upward admin.",
}


def refused(request: HttpRequest, reason: str, idp: IdentityProvider | None = None) -> HttpResponse:
    if idp is not None:
        audit.record(
            "sso.sign_in_refused", idp, organisation=idp.organisation, data={"reason": reason}
        )
    return render(
        request,
        "sso/refused.html",
        {"message": _(REFUSALS[reason]), "testing": False},
        status=403,
    )


def failed_page(request: HttpRequest, provider: Any) -> HttpResponse:
    request.session.pop(TEST_SESSION_KEY, None)
    return render(
        request,
        "sso/refused.html",
        {
            "message": _(
                "The sign-in through your organisation's provider did not complete (it was "
                "cancelled, took too long, or the provider answered with an error). Try again "
                "from the sign-in page."
            ),
        },
        status=400,
    )


def provider_email(sociallogin: SocialLogin) -> str:
    for address in sociallogin.email_addresses:
        if address.email:
            return str(address.email).strip().lower()
    email = getattr(sociallogin.user, "email", "") or ""
    return str(email).strip().lower()


def _holders(email: str) -> list[User]:
    return list(
        User.objects.filter(
            Q(email__iexact=email)
            | Q(emailaddress__email__iexact=email, emailaddress__verified=True)
        ).distinct()
    )


def _is_replaceable(user: User) -> bool:
    # An unconfirmed sign-up nobody linked: whoever made it never proved the address, and the
    # provider now does (as an invitation would; upward/accounts/services.py).
    return (
        not user.is_staff
        and not user.is_superuser
        and not Person.objects.filter(user=user).exists()
        and not EmailAddress.objects.filter(user=user, verified=True).exists()
    )


def _confirm_address(user: User, email: str) -> None:
    address = EmailAddress.objects.filter(user=user, email__iexact=email).first()
    if address is None:
        EmailAddress.objects.create(
            user=user,
            email=email,
            verified=True,
            primary=not EmailAddress.objects.filter(user=user, primary=True).exists(),
        )
    elif not address.verified:
        address.verified = True
        address.save(update_fields=["verified"])


def account_for(person: Person, email: str) -> tuple[User | None, str]:
    """The account this person signs in with, made if needed; or (None, refusal reason)."""
    with transaction.atomic():
        person = Person.objects.select_for_update(of=("self",)).get(pk=person.pk)
        if person.user_id is not None:
            user = User.objects.get(pk=person.user_id)
            if not user.is_active:
                return None, "inactive_account"
            return user, ""
        holders = _holders(email)
        if any(Person.objects.filter(user=holder).exists() for holder in holders):
            return None, "other_account"
        keep = [holder for holder in holders if not _is_replaceable(holder)]
        if keep:
            user = keep[0]
            if not user.is_active:
                return None, "inactive_account"
        else:
            for stale in holders:
                audit.record(
                    "account.unverified_replaced",
                    person,
                    data={"user_id": stale.pk, "by": "single sign-on"},
                )
                stale.delete()
            EmailAddress.objects.filter(email__iexact=email, verified=False).delete()
            user = User.objects.create_user(email, None, name=person.full_name)
        _confirm_address(user, email)
        person.user = user
        person.save(update_fields=["user", "updated_at"])
        audit.record("person.account_linked", person, by=user, data={"via": "single sign-on"})
    return user, ""


def resolve(request: HttpRequest, sociallogin: SocialLogin) -> HttpResponse | None:
    """None to let allauth sign the person in (the SocialLogin now points at their account),
    or the page to show instead."""
    slug = slug_from_provider_id(sociallogin.account.provider or "")
    testing_pk = request.session.get(TEST_SESSION_KEY)
    idp = (
        IdentityProvider.objects.filter(Q(enabled=True) | Q(pk=testing_pk or 0))
        .filter(organisation__slug=slug or "")
        .select_related("organisation")
        .first()
    )
    if idp is None:
        return refused(request, "unknown_provider")
    testing = testing_pk == idp.pk
    if testing:
        request.session.pop(TEST_SESSION_KEY, None)
    email = provider_email(sociallogin)
    if not email:
        return _answer(request, idp, testing, "no_email", email)
    domain = email_domain(email)
    if not idp.domains.filter(domain=domain, organisation_id=idp.organisation_id).exists():
        return _answer(request, idp, testing, "wrong_domain", email)
    person = Person.objects.filter(
        organisation_id=idp.organisation_id, email__iexact=email, is_active=True
    ).first()
    if person is None:
        return _answer(request, idp, testing, "not_in_directory", email)
    if testing:
        return _answer(request, idp, testing, "", email, person)
    user, reason = account_for(person, email)
    if user is None:
        return refused(request, reason, idp)
    if sociallogin.is_existing:
        if sociallogin.user is None or sociallogin.user.pk != user.pk:
            return refused(request, "other_account", idp)
    else:
        sociallogin.connect(request, user)
    return None


def _answer(
    request: HttpRequest,
    idp: IdentityProvider,
    testing: bool,
    reason: str,
    email: str,
    person: Person | None = None,
) -> HttpResponse:
    if not testing:
        return refused(request, reason, idp)
    # An org admin testing the provider: say what happened, sign nobody in.
    audit.record(
        "sso.tested",
        idp,
        by=request.user,
        organisation=idp.organisation,
        data={"result": reason or "ok"},
    )
    return render(
        request,
        "sso/test_result.html",
        {
            "idp": idp,
            "ok": not reason,
            "message": _(REFUSALS[reason]) if reason else "",
            "email": email,
            "person": person,
        },
        status=200,
    )
