"""How an account comes to belong to a directory person, and only to the right one.

Two ways in. Open sign-up: a verified address links to a person only in the organisation the
deployment operator gave that address's domain to. An invitation: the link proves its holder
reads mail at the address it was sent to, so it is valid only while the person still has that
address. Nothing here tells an admin whether an address has an account elsewhere.
"""

from __future__ import annotations

from datetime import timedelta

from allauth.account.models import EmailAddress
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from upward.accounts.models import AccountInvitation, User
from upward.core import audit
from upward.core.errors import Conflict, DomainError
from upward.core.links import absolute_url
from upward.core.types import Actor
from upward.notifications.outbox import queue_email
from upward.notifications.rendering import Action
from upward.organisations.domains import email_domain
from upward.organisations.models import Person
from upward.organisations.services import check_email_domain

INVITATION_DAYS = 14


class InvitationUnusable(DomainError):
    """Expired, used, revoked, or no longer for the person's address: the holder needs a new one."""

    status_code = 410

    def __init__(self) -> None:
        super().__init__(
            "This invitation can no longer be used. Ask your organisation's Upward admin for a "
            "new one."
        )


class AccountExists(Conflict):
    """The invited address already has an account that the invitation cannot replace.

    Only the invitee (who holds the link) ever sees this; the admin who invited them does not.
    """

    def __init__(self) -> None:
        super().__init__(
            "This address already has an Upward account. Sign in with it, then open the "
            "invitation link again to join."
        )


def link_user_to_person(user: User) -> Person | None:
    """Attach the account to the person with the same verified email, if one may have it.

    Only a person in the organisation that owns the address's domain qualifies: anyone can add
    anyone's address to their own directory, but only the domain's owner is trusted with it.
    """
    if hasattr(user, "person") and user.person is not None:
        return user.person
    verified = EmailAddress.objects.filter(user=user, verified=True).values_list("email", flat=True)
    condition = Q()
    for email in sorted({e.lower() for e in verified}):
        domain = email_domain(email)
        if domain:
            condition |= Q(email__iexact=email, organisation__domains__domain=domain)
    if not condition:
        return None
    with transaction.atomic():
        person = (
            Person.objects.select_for_update(of=("self",))
            .filter(condition)
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


def invite_person_to_upward(person: Person, *, by: Actor) -> AccountInvitation:
    """Email a directory person a link to set up their account (their email is then verified).

    The admin learns nothing about accounts outside their organisation: whether or not the
    address already has one, the invitation is sent the same way.
    """
    if person.user_id is not None:
        raise Conflict(f"{person.full_name} already has an Upward account.")
    if not person.is_active:
        raise DomainError(f"{person.full_name} is marked as having left, so cannot be invited.")
    check_email_domain(person.organisation, person.email)
    with transaction.atomic():
        # One live link per person: a new invitation replaces any earlier one.
        replaced = person.account_invitations.filter(
            accepted_at__isnull=True, revoked_at__isnull=True
        ).update(revoked_at=timezone.now())
        invitation = AccountInvitation.objects.create(
            person=person,
            email=person.email,
            invited_by=by,
            expires_at=timezone.now() + timedelta(days=INVITATION_DAYS),
        )
        audit.record("person.invited", person, by=by, data={"replaced": replaced})
        link = absolute_url(reverse("accept_invitation", args=[invitation.token]))
        context = {
            "person": person,
            "link": link,
            "by": by,
            "days": INVITATION_DAYS,
            "organisation": person.organisation,
        }
        queue_email(
            to=[invitation.email],
            subject=f"{person.organisation.name} invites you to Upward",
            body=render_to_string("accounts/email/invitation.txt", context),
            person=person,
            action=Action(_("Set up your account"), link),
            organisation=person.organisation.name,
            reason=_(
                "You are getting this email because %(organisation)s added you to its reverse "
                "mentoring programmes in Upward."
            )
            % {"organisation": person.organisation.name},
        )
    return invitation


def _lock_for_acceptance(invitation: AccountInvitation) -> tuple[AccountInvitation, Person]:
    invitation = AccountInvitation.objects.select_for_update().get(pk=invitation.pk)
    if not invitation.is_usable:
        raise InvitationUnusable()
    person = (
        Person.objects.select_for_update()
        .select_related("organisation")
        .get(pk=invitation.person_id)
    )
    if person.user_id is not None:
        raise Conflict("This person already has an account. Sign in instead.")
    # The link proves the holder reads mail at the address it went to, not at the person's
    # address now (revoking on change covers this too; the check holds if that is missed).
    if invitation.email.lower() != person.email.lower() or not person.is_active:
        raise InvitationUnusable()
    try:
        check_email_domain(person.organisation, invitation.email)
    except DomainError as exc:
        raise InvitationUnusable() from exc
    return invitation, person


def owns_address(user: User, email: str) -> bool:
    """Whether the account stands for this address: its sign-in email, or one it confirmed."""
    return (
        user.email.lower() == email.lower()
        or EmailAddress.objects.filter(user=user, email__iexact=email, verified=True).exists()
    )


def _is_replaceable(user: User) -> bool:
    # Never confirmed its address and never linked: whoever created it did not prove they own
    # the address, so the invitation (which does prove it) wins. Staff accounts are never
    # touched, even if an operator made one without confirming its address.
    return (
        not user.is_staff
        and not user.is_superuser
        and not Person.objects.filter(user=user).exists()
        and not EmailAddress.objects.filter(user=user, verified=True).exists()
    )


def existing_account_for(invitation: AccountInvitation) -> User | None:
    """The account the invited address already has and that acceptance would not replace."""
    email = invitation.email
    holders = User.objects.filter(
        Q(email__iexact=email) | Q(emailaddress__email__iexact=email, emailaddress__verified=True)
    ).distinct()
    for user in holders:
        if not _is_replaceable(user):
            return user
    return None


def accept_invitation(invitation: AccountInvitation, *, password: str) -> User:
    """Create the account for an invited person. The invitation proves they own the email."""
    with transaction.atomic():
        invitation, person = _lock_for_acceptance(invitation)
        email = invitation.email
        if existing_account_for(invitation) is not None:
            raise AccountExists()
        # Unconfirmed sign-ups for this address, and unconfirmed claims on it by other
        # accounts, would block the new account: the invitation proves ownership, so they go.
        stale = list(User.objects.filter(email__iexact=email))
        stray = EmailAddress.objects.filter(email__iexact=email, verified=False)
        stray_count = stray.exclude(user__in=stale).count()
        stray.delete()
        for user in stale:
            audit.record(
                "account.unverified_replaced",
                person,
                by=None,
                data={"user_id": user.pk, "date_joined": user.date_joined.isoformat()},
            )
            user.delete()
        if stray_count:
            audit.record(
                "account.unverified_addresses_removed", person, data={"count": stray_count}
            )
        user = User.objects.create_user(email, password, name=person.full_name)
        EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
        person.user = user
        person.save(update_fields=["user", "updated_at"])
        invitation.accepted_at = timezone.now()
        invitation.save(update_fields=["accepted_at"])
        audit.record("person.invitation_accepted", person, by=user)
    return user


def accept_invitation_as(invitation: AccountInvitation, *, user: User) -> Person:
    """Join the invited person with the account the invitee is signed in with.

    For someone whose address already had an account (say they signed up before their
    organisation invited them): the link proves the address, the session proves the account.
    """
    with transaction.atomic():
        invitation, person = _lock_for_acceptance(invitation)
        if not owns_address(user, invitation.email):
            raise DomainError(
                f"This invitation was sent to {invitation.email}. Sign out, then sign in with "
                "that address to accept it."
            )
        if Person.objects.filter(user=user).exists():
            raise Conflict(
                "Your Upward account already belongs to an organisation, so it cannot join "
                "another. Ask the admin who invited you to use a different address."
            )
        address, _created = EmailAddress.objects.get_or_create(
            user=user, email__iexact=invitation.email, defaults={"email": invitation.email}
        )
        if not address.verified:
            address.verified = True
            address.save(update_fields=["verified"])
        person.user = user
        person.save(update_fields=["user", "updated_at"])
        invitation.accepted_at = timezone.now()
        invitation.save(update_fields=["accepted_at"])
        audit.record("person.invitation_accepted", person, by=user, data={"existing_account": True})
    return person
