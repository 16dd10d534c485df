"""Types for who is acting. They live here, not in `core`, because `core` sits below `accounts`."""

from __future__ import annotations

from typing import TypeAlias

from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails

from upward.accounts.models import User

Actor: TypeAlias = User | None
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
