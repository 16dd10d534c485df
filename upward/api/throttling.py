"""Rate limits for the API (docs/integrations.md): per token for service tokens, per person for
personal tokens and browser sessions, per address for callers without credentials.

The counts live in the default cache (the database cache unless REDIS_URL is set), so every
server process shares them. `settings.UPWARD_RATE_LIMITS = False` turns them off (the tests).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from rest_framework.request import Request
from rest_framework.throttling import SimpleRateThrottle

from upward.accounts.models import ApiToken


class ApiRateThrottle(SimpleRateThrottle):
    scope = "api"
    cache_format = "api-throttle:%(scope)s:%(ident)s"

    def get_rate(self) -> str | None:
        return None  # read per request in allow_request: the settings may change in tests

    def allow_request(self, request: Request, view: Any) -> bool:
        if settings.UPWARD_RATE_LIMITS is False:
            return True
        anonymous = not getattr(request.user, "is_authenticated", False)
        self.rate = settings.API_ANON_RATE_LIMIT if anonymous else settings.API_RATE_LIMIT
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        token = request.auth if isinstance(request.auth, ApiToken) else None
        if token is not None and token.kind == ApiToken.Kind.SERVICE:
            ident = f"token-{token.pk}"
        elif getattr(request.user, "is_authenticated", False):
            ident = f"user-{request.user.pk}"
        else:
            ident = f"address-{self.get_ident(request)}"
        return self.cache_format % {"scope": self.scope, "ident": ident}
