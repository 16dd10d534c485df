"""Who may take part in a programme, in which role. Pure: no writes, no request.

The recruitment app calls `is_eligible` before accepting an application and shows the
explanation to the person as is, so every refusal says what the rule is and where the person
stands against it. Reads `programme.<role>_departments.all()`, which uses a prefetch if the
caller made one.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

ROLES = ("mentor", "mentee")


def _check_role(role: str) -> str:
    role = str(role)
    if role not in ROLES:
        raise ValueError(f"Unknown role {role!r}; expected one of {ROLES}.")
    return role


def role_plural(role: str) -> str:
    return _("Mentors") if _check_role(role) == "mentor" else _("Mentees")


def level_range(programme: Any, role: str) -> tuple[Any, Any]:
    role = _check_role(role)
    return getattr(programme, f"{role}_level_min"), getattr(programme, f"{role}_level_max")


def departments(programme: Any, role: str) -> list[Any]:
    role = _check_role(role)
    return list(getattr(programme, f"{role}_departments").all())


def describe_levels(low: Any, high: Any) -> str:
    """'levels 1 Apprentice to 4 Senior analyst', 'level 3 Analyst or above', or ''."""
    if low is not None and high is not None:
        if low.pk == high.pk:
            return _("level %(level)s") % {"level": low}
        return _("levels %(low)s to %(high)s") % {"low": low, "high": high}
    if low is not None:
        return _("level %(level)s or above") % {"level": low}
    if high is not None:
        return _("level %(level)s or below") % {"level": high}
    return ""


def describe_departments(names: list[str]) -> str:
    if not names:
        return ""
    if len(names) == 1:
        return names[0]
    return _("%(first)s or %(last)s") % {"first": ", ".join(names[:-1]), "last": names[-1]}


def is_eligible(programme: Any, person: Any, role: str) -> tuple[bool, str]:
    """(True, "") when the person may apply for the role; otherwise (False, why, in plain words)."""
    role = _check_role(role)
    who = role_plural(role)

    if person is None or person.organisation_id != programme.organisation_id:
        return False, _("This programme is only open to people in %(org)s.") % {
            "org": programme.organisation
        }
    if not person.is_active:
        return False, _("Your directory entry is marked as having left the organisation.")

    low, high = level_range(programme, role)
    if low is not None or high is not None:
        levels = describe_levels(low, high)
        if person.level_id is None:
            return False, _(
                "%(who)s in this programme are at %(levels)s, and your profile has no level "
                "yet. Ask your organisation admin to add your level, then apply again."
            ) % {"who": who, "levels": levels}
        rank = person.level.rank
        if (low is not None and rank < low.rank) or (high is not None and rank > high.rank):
            return False, _(
                "%(who)s in this programme are at %(levels)s; your level is %(mine)s."
            ) % {
                "who": who,
                "levels": levels,
                "mine": person.level,
            }

    allowed = departments(programme, role)
    if allowed:
        names = describe_departments([d.name for d in allowed])
        if person.department_id is None:
            return False, _(
                "%(who)s in this programme come from %(departments)s, and your profile has no "
                "department yet. Ask your organisation admin to add it, then apply again."
            ) % {"who": who, "departments": names}
        if person.department_id not in {d.pk for d in allowed}:
            return False, _(
                "%(who)s in this programme come from %(departments)s; you are in %(mine)s."
            ) % {"who": who, "departments": names, "mine": person.department.name}

    return True, ""
