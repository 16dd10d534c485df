"""What privacy shows on the organisations app's pages (registered in PrivacyConfig.ready)."""

from __future__ import annotations

from typing import Any

from upward.organisations.access import person_for
from upward.organisations.models import Organisation, Person
from upward.privacy import services


def person_panel(context: Any, person: Person) -> dict[str, Any] | None:
    """The "Erase this person" card on a directory entry, for an admin of its organisation."""
    admin = person_for(context.get("user"))
    if admin is None or not admin.is_org_admin or admin.organisation_id != person.organisation_id:
        return None
    return {
        "person": person,
        "is_self": admin.pk == person.pk,
        "erased": services.is_erased(person),
    }


def setup_panel(context: Any, organisation: Organisation) -> dict[str, Any] | None:
    """A link to the retention rules; no query of its own (the setup page has a query budget)."""
    admin = person_for(context.get("user"))
    if admin is None or not admin.is_org_admin or admin.organisation_id != organisation.pk:
        return None
    return {}
