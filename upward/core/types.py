"""Types for who is acting, shared by every app.

`User` lives in `accounts`, above `core`; it is imported for the type checker only, so `core`
still imports no app at run time (the one ignored import in the layers contract, pyproject.toml).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeAlias

from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails

if TYPE_CHECKING:
    from upward.accounts.models import User

Actor: TypeAlias = "User | None"
"""Who did it, for the audit trail: every service that records an action takes `by: Actor`.

`None` is the system: a scheduled job, a management command, the demo data. A service that also
needs the `Person` acting inside a programme or a pairing takes it separately, as `person=` (or
`author=`, `mentor=` where that says more), never as `by`.
"""


class AuthenticatedRequest(HttpRequest):
    """The request a `@login_required` view sees: `user` is a signed-in `User`.

    `htmx` is set on every request by `django_htmx.middleware.HtmxMiddleware`.
    """

    user: User
    htmx: HtmxDetails
