"""What scim shows on the organisation setup page (registered in its AppConfig.ready)."""

from __future__ import annotations

from typing import Any

from upward.organisations.access import person_for
from upward.organisations.models import Organisation


def setup_panel(context: Any, organisation: Organisation) -> dict[str, Any] | None:
    """A link for the organisation's admins; no query of its own (the page has a query budget)."""
    admin = person_for(context.get("user"))
    if admin is None or not admin.is_org_admin or admin.organisation_id != organisation.pk:
        return None
    return {}
