from typing import Any

from allauth.account.signals import user_logged_in
from django.dispatch import receiver

from upward.sso.linking import SESSION_KEY


@receiver(user_logged_in)
def _remember_provider(request: Any, user: Any, **kwargs: Any) -> None:
    """Remember which provider signed this session in, to sign out there too."""
    sociallogin = kwargs.get("sociallogin")
    if request is None or not hasattr(request, "session"):
        return
    if sociallogin is None:
        request.session.pop(SESSION_KEY, None)
        return
    extra = sociallogin.account.extra_data or {}
    claims = extra.get("id_token") if isinstance(extra, dict) else None
    request.session[SESSION_KEY] = {
        "provider_id": sociallogin.account.provider,
        "sid": (claims or {}).get("sid", "") if isinstance(claims, dict) else "",
    }
