"""Receivers for the directory's signals (connected in ProgrammesConfig.ready)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _

from upward.organisations.models import Department
from upward.programmes.models import Programme


def refuse_deleting_an_eligible_department(
    sender: Any, *, department: Department, **kwargs: Any
) -> str | None:
    """An emptied eligibility list means "every department", which would open a programme."""
    limited = Programme.objects.filter(
        Q(mentor_departments=department) | Q(mentee_departments=department)
    ).exists()
    if not limited:
        return None
    return _(
        "A programme limits who may take part to “%(name)s”, so it cannot be "
        "deleted. Change that programme's eligibility first."
    ) % {"name": department.name}
