from typing import Any

from allauth.account.signals import user_logged_in
from django.contrib.auth.signals import user_logged_out
from django.dispatch import receiver

from upward.sso import backchannel
from upward.sso.linking import SESSION_KEY
from upward.sso.models import ProviderSession


@receiver(user_logged_in)
def _remember_provider(request: Any, user: Any, **kwargs: Any) -> None:
    """Remember which provider signed this session in, to sign out there too (and to end the
    session when the provider says so, by back-channel logout)."""
    sociallogin = kwargs.get("sociallogin")
    if request is None or not hasattr(request, "session"):
        return
    if sociallogin is None:
        request.session.pop(SESSION_KEY, None)
        return
    request.session[SESSION_KEY] = {"provider_id": sociallogin.account.provider}
    backchannel.remember_session(request, sociallogin)


@receiver(user_logged_out)
def _forget_session(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    key = getattr(getattr(request, "session", None), "session_key", None)
    if key:
        ProviderSession.objects.filter(session_key=key).delete()
