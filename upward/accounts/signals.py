from typing import Any

from allauth.account.signals import (
    email_changed,
    email_confirmed,
    login_code_rejected,
    password_changed,
    password_reset,
    user_logged_in,
)
from allauth.mfa.signals import (
    authentication_failed as mfa_authentication_failed,
)
from allauth.mfa.signals import (
    authenticator_added,
    authenticator_removed,
    authenticator_reset,
)
from django.contrib.auth.signals import user_logged_out, user_login_failed
from django.db.models.signals import m2m_changed, post_init, post_save
from django.dispatch import receiver

from upward.accounts import audit as account_audit
from upward.accounts.models import ApiToken, User
from upward.accounts.services import link_user_to_person
from upward.accounts.tokens import revoke_token
from upward.organisations.signals import person_left


@receiver(email_confirmed)
def _link_on_confirm(request, email_address, **kwargs):  # type: ignore[no-untyped-def]
    link_user_to_person(email_address.user)


@receiver(user_logged_in)
def _link_on_login(request, user, **kwargs):  # type: ignore[no-untyped-def]
    link_user_to_person(user)


# ---------------------------------------------------------------------------------------------
# The audit log (after linking, so a first sign-in already lands in the organisation's chain)


@receiver(user_logged_in)
def _audit_sign_in(request: Any, user: User, **kwargs: Any) -> None:
    account_audit.signed_in(user)


@receiver(user_logged_out)
def _audit_sign_out(sender: Any, request: Any, user: User | None, **kwargs: Any) -> None:
    if user is not None:
        account_audit.signed_out(user)


@receiver(user_login_failed)
def _audit_failed_sign_in(sender: Any, credentials: dict[str, Any], **kwargs: Any) -> None:
    account_audit.sign_in_failed(credentials)


@receiver(login_code_rejected)
def _audit_failed_login_code(request: Any, user: User, **kwargs: Any) -> None:
    account_audit.code_rejected(user, None, step="sign_in_code")


@receiver(mfa_authentication_failed)
def _audit_failed_code(request: Any, user: User, authenticator: Any = None, **kwargs: Any) -> None:
    account_audit.code_rejected(user, authenticator)


@receiver(authenticator_added)
def _audit_mfa_added(request: Any, user: User, authenticator: Any, **kwargs: Any) -> None:
    account_audit.two_factor_changed("account.two_factor_added", user, authenticator)


@receiver(authenticator_removed)
def _audit_mfa_removed(request: Any, user: User, authenticator: Any, **kwargs: Any) -> None:
    account_audit.two_factor_changed("account.two_factor_removed", user, authenticator)


@receiver(authenticator_reset)
def _audit_mfa_reset(request: Any, user: User, authenticator: Any, **kwargs: Any) -> None:
    account_audit.two_factor_changed("account.recovery_codes_renewed", user, authenticator)


@receiver(password_changed)
def _audit_password_changed(request: Any, user: User, **kwargs: Any) -> None:
    account_audit.account_event("account.password_changed", user)


@receiver(password_reset)
def _audit_password_reset(request: Any, user: User, **kwargs: Any) -> None:
    account_audit.account_event("account.password_reset", user)


@receiver(email_changed)
def _audit_email_changed(request: Any, user: User, **kwargs: Any) -> None:
    account_audit.account_event("account.email_changed", user)


@receiver(post_init, sender=User)
def _remember_rights(sender: Any, instance: User, **kwargs: Any) -> None:
    account_audit.remember_rights(instance)


@receiver(post_save, sender=User)
def _audit_rights(
    sender: Any, instance: User, created: bool, raw: bool = False, **kwargs: Any
) -> None:
    if not raw:
        account_audit.rights_saved(instance, created=created)


@receiver(m2m_changed, sender=User.groups.through)
@receiver(m2m_changed, sender=User.user_permissions.through)
def _audit_permissions(
    sender: Any, instance: Any, action: str, reverse: bool, **kwargs: Any
) -> None:
    if action in {"post_add", "post_remove", "post_clear"} and not reverse:
        account_audit.permissions_changed(instance, sender=sender, action=action)


@receiver(person_left, dispatch_uid="accounts.revoke_tokens_of_leaver")
def _revoke_tokens_of_leaver(sender, person, by, **kwargs):  # type: ignore[no-untyped-def]
    # A leaver's personal API tokens end for good: coming back (a rehire, a SCIM reactivation)
    # must not bring old tokens back to life. They make new ones if they need them.
    if person.user_id is None:
        return
    for token in ApiToken.objects.filter(
        user_id=person.user_id, organisation_id=person.organisation_id, revoked_at__isnull=True
    ):
        revoke_token(token, by=by)
