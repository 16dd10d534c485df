from typing import Any

from django.http import HttpRequest

from upward.organisations.access import person_for
from upward.programmes.access import can_manage_programmes


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    person = person_for(user)
    return {
        "current_person": person,
        "is_org_admin": bool(person and person.is_org_admin),
        "can_manage": can_manage_programmes(user) if person else False,
    }
