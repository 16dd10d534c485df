from __future__ import annotations

from datetime import timedelta

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from upward.accounts.models import AccountInvitation, User
from upward.core import audit
from upward.core.errors import Conflict, DomainError
from upward.organisations.models import Person

INVITATION_DAYS = 14


def link_user_to_person(user: User) -> Person | None:
    """Attach the account to the directory entry with the same verified email, if any."""
    if hasattr(user, "person") and user.person is not None:
        return user.person
    verified = EmailAddress.objects.filter(user=user, verified=True).values_list("email", flat=True)
    emails = {e.lower() for e in verified}
    if not emails:
        return None
    with transaction.atomic():
        person = (
            Person.objects.select_for_update()
            .filter(_any_email(emails))
            .filter(user__isnull=True, is_active=True)
            .order_by("id")
            .first()
        )
        if person is None:
            return None
        person.user = user
        person.save(update_fields=["user", "updated_at"])
        if not user.name:
            user.name = person.full_name
            user.save(update_fields=["name"])
        audit.record("person.account_linked", person, by=user)
    return person


def _any_email(emails: set[str]) -> Q:
    condition = Q()
    for email in sorted(emails):
        condition |= Q(email__iexact=email)
    return condition


def invite_person_to_upward(person: Person, *, by: User) -> AccountInvitation:
    """Email a directory person a link to set up their account (their email is then verified)."""
    if person.user_id is not None:
        raise Conflict(f"{person.full_name} already has an Upward account.")
    if not person.is_active:
        raise DomainError(f"{person.full_name} is marked as having left, so cannot be invited.")
    with transaction.atomic():
        invitation = AccountInvitation.objects.create(
            person=person,
            invited_by=by,
            expires_at=timezone.now() + timedelta(days=INVITATION_DAYS),
        )
        audit.record("person.invited", person, by=by)
        link = settings.SITE_URL + reverse("accept_invitation", args=[invitation.token])
        context = {
            "person": person,
            "link": link,
            "by": by,
            "days": INVITATION_DAYS,
            "organisation": person.organisation,
        }
        transaction.on_commit(
            lambda: send_mail(
                subject=f"[Upward] {person.organisation.name} invites you to Upward",
                message=render_to_string("accounts/email/invitation.txt", context),
                from_email=None,
                recipient_list=[person.email],
            )
        )
    return invitation


def accept_invitation(invitation: AccountInvitation, *, password: str) -> User:
    """Create the account for an invited person. The invitation proves they own the email."""
    with transaction.atomic():
        invitation = AccountInvitation.objects.select_for_update().get(pk=invitation.pk)
        if not invitation.is_usable:
            raise DomainError("This invitation has expired or was already used. Ask for a new one.")
        person = Person.objects.select_for_update().get(pk=invitation.person_id)
        if person.user_id is not None:
            raise Conflict("This person already has an account. Sign in instead.")
        if User.objects.filter(email__iexact=person.email).exists():
            raise Conflict("An account with this email already exists. Sign in instead.")
        user = User.objects.create_user(person.email, password, name=person.full_name)
        EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
        person.user = user
        person.save(update_fields=["user", "updated_at"])
        invitation.accepted_at = timezone.now()
        invitation.save(update_fields=["accepted_at"])
        audit.record("person.invitation_accepted", person, by=user)
    return user
