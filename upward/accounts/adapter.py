from django.conf import settings
from django.http import HttpRequest

from upward.core.ratelimit import ThrottledLoginAdapter


class AccountAdapter(ThrottledLoginAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        # Anyone may create an account, but it only reaches an organisation's data once its
        # verified email matches a person in that organisation's directory.
        return getattr(settings, "UPWARD_OPEN_SIGNUP", True)
