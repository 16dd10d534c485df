"""What the sign-in pages ask about single sign-on (registered in upward.accounts.policies)."""

from __future__ import annotations

from django.db.models import F
from django.urls import reverse

from upward.accounts.policies import SingleSignOn
from upward.sso.models import IdentityProvider


def _describe(idp: IdentityProvider) -> SingleSignOn:
    return SingleSignOn(
        organisation_id=idp.organisation_id,
        name=idp.display_name,
        start_url=reverse("sso:start", args=[idp.organisation.slug]),
        sso_only=idp.sso_only,
    )


def find(*, domain: str = "", organisation_id: int | None = None) -> SingleSignOn | None:
    providers = IdentityProvider.objects.filter(enabled=True).select_related("organisation")
    if organisation_id is not None:
        idp = providers.filter(organisation_id=organisation_id).first()
    elif domain:
        # Only a domain the provider's own organisation owns counts.
        idp = providers.filter(
            domains__domain=domain.lower(), domains__organisation_id=F("organisation_id")
        ).first()
    else:
        idp = None
    return _describe(idp) if idp is not None else None
