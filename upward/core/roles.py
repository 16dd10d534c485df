"""Roles that let a person see other people's information.

Such a person must use two-factor authentication when MFA_REQUIRED_FOR_STAFF is on
(`upward.core.middleware.TwoFactorRequiredMiddleware`). Core cannot know every app's roles
without importing the apps above it, so each app that grants one registers a check here from
its `AppConfig.ready`: programmes (managers and org admins), safety (safeguarding contacts).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

RoleCheck = Callable[[Any], bool]
_checks: dict[str, RoleCheck] = {}


def register_privileged_role(name: str, check: RoleCheck) -> None:
    """`check(user)` answers whether the signed-in user holds the role `name`."""
    _checks[name] = check


def privileged_roles() -> tuple[str, ...]:
    return tuple(sorted(_checks))


def holds_privileged_role(user: Any) -> bool:
    """Staff always; otherwise any registered role."""
    if not (getattr(user, "is_authenticated", False) and user.is_active):
        return False
    if user.is_staff or user.is_superuser:
        return True
    return any(check(user) for check in _checks.values())
