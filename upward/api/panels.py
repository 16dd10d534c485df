"""What the API shows on other apps' pages (core/panels.py)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.utils import timezone

from upward.accounts.models import ApiToken, TokenKind
from upward.organisations.models import Organisation


def setup_panel(context: Any, organisation: Organisation) -> dict[str, Any] | None:
    """The organisation setup page (admins only): a link to the service tokens."""
    active = (
        ApiToken.objects.filter(
            organisation=organisation, kind=TokenKind.SERVICE, revoked_at__isnull=True
        )
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=timezone.now()))
        .count()
    )
    return {"active": active}
