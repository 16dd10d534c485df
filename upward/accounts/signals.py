from allauth.account.signals import email_confirmed, user_logged_in
from django.dispatch import receiver

from upward.accounts.services import link_user_to_person


@receiver(email_confirmed)
def _link_on_confirm(request, email_address, **kwargs):  # type: ignore[no-untyped-def]
    link_user_to_person(email_address.user)


@receiver(user_logged_in)
def _link_on_login(request, user, **kwargs):  # type: ignore[no-untyped-def]
    link_user_to_person(user)
