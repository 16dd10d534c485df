"""The admin site behind the front door.

The admin has no password form of its own: `/admin/login/` sends people to the app's sign-in
(allauth: its rate limits, its two-factor step) and back to the admin afterwards. The admin
admits only active staff whose session passed two-factor authentication; staff without an
authenticator are sent to set one up first, whatever MFA_REQUIRED_FOR_STAFF says.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib.admin import AdminSite
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from upward.core.middleware import has_totp, passed_two_factor, setup_redirect


class UpwardAdminSite(AdminSite):
    def has_permission(self, request: HttpRequest) -> bool:
        return super().has_permission(request) and passed_two_factor(request)

    def login(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        index = reverse("admin:index", current_app=self.name)
        next_url = request.GET.get(REDIRECT_FIELD_NAME, "")
        if not (
            next_url.startswith(index)
            and url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()})
        ):
            next_url = index
        user = request.user
        if not user.is_authenticated:
            login = reverse("account_login")
            return HttpResponseRedirect(f"{login}?{urlencode({REDIRECT_FIELD_NAME: next_url})}")
        if not (user.is_active and user.is_staff):
            # Signed in, but the admin is not for them: no page here.
            raise Http404("No such page.")
        if not has_totp(user):
            return setup_redirect(request)
        if not passed_two_factor(request):
            # Has an authenticator, but this session never used it: ask for a code now.
            reauth = reverse("mfa_reauthenticate")
            return HttpResponseRedirect(f"{reauth}?{urlencode({REDIRECT_FIELD_NAME: next_url})}")
        return HttpResponseRedirect(next_url)
