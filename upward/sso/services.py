from __future__ import annotations

from typing import Any

from django.db import transaction

from upward.core import audit
from upward.sso.forms import IdentityProviderForm
from upward.sso.models import IdentityProvider


def save_identity_provider(form: IdentityProviderForm, *, by: Any) -> IdentityProvider:
    """Save the admin's form and audit which settings changed (names only, never values of
    the secret or the certificate)."""
    created = form.instance.pk is None
    changed = sorted(
        name
        for name in form.changed_data
        if name != "client_secret" or form.cleaned_data.get("client_secret")
    )
    with transaction.atomic():
        idp = form.save()
        audit.record(
            "sso.provider_created" if created else "sso.provider_updated",
            idp,
            by=by,
            organisation=idp.organisation,
            data={
                "changed": changed,
                "protocol": idp.protocol,
                "enabled": idp.enabled,
                "sso_only": idp.sso_only,
                "domains": idp.domain_names(),
            },
        )
    return idp


def disable_identity_provider(idp: IdentityProvider, *, by: Any) -> None:
    with transaction.atomic():
        idp.enabled = False
        idp.sso_only = False
        idp.save(update_fields=["enabled", "sso_only", "updated_at"])
        audit.record("sso.provider_disabled", idp, by=by, organisation=idp.organisation)
