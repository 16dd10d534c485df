"""Email-first sign-in and the organisation admin's single sign-on settings."""

from __future__ import annotations

import contextlib
import logging
from urllib.parse import urlencode, urlsplit

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from upward.accounts.forms import SIGN_IN_EMAIL_SESSION_KEY
from upward.accounts.policies import single_sign_on_for_email
from upward.core.links import absolute_url
from upward.core.types import AuthenticatedRequest
from upward.organisations.access import require_org_admin
from upward.sso import backchannel, logout, services
from upward.sso.forms import EmailStepForm, IdentityProviderForm
from upward.sso.linking import TEST_SESSION_KEY
from upward.sso.models import IdentityProvider, Protocol, provider_id_for

logger = logging.getLogger(__name__)


def _safe_next(request: HttpRequest, value: str) -> str:
    if value and url_has_allowed_host_and_scheme(
        value, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return value
    return ""


def provider_login_url(idp: IdentityProvider) -> str:
    if idp.protocol == Protocol.SAML:
        return reverse("saml_login", kwargs={"organization_slug": idp.provider_id})
    return reverse("openid_connect_login", kwargs={"provider_id": idp.provider_id})


def provider_origins(idp: IdentityProvider) -> list[str]:
    """Where the provider's sign-in page lives. The continue page's form posts to Upward,
    which redirects the browser there, and browsers check such a redirect against the page's
    CSP form-action rule: the page allows these origins besides its own."""
    urls = (
        [idp.saml_sso_url, idp.saml_metadata_url]
        if idp.protocol == Protocol.SAML
        else [idp.server_url]
    )
    origins = []
    for url in urls:
        parts = urlsplit(url or "")
        if parts.scheme in ("https", "http") and parts.netloc:
            origins.append(f"{parts.scheme}://{parts.netloc}")
    return sorted(set(origins))


def _continue_page(
    request: HttpRequest, idp: IdentityProvider, next_url: str, *, testing: bool = False
) -> HttpResponse:
    response = render(
        request,
        "sso/continue.html",
        {
            "idp": idp,
            "action": provider_login_url(idp),
            "next_url": next_url,
            "testing": testing,
            "password_url": reverse("account_login")
            + "?"
            + urlencode({"step": "password", **({"next": next_url} if next_url else {})}),
        },
    )
    origins = provider_origins(idp)
    if origins:
        response._csp_update = {"form-action": origins}  # type: ignore[attr-defined]
    return response


@require_GET
def signed_out(request: HttpRequest) -> HttpResponse:
    """After signing out of Upward: on to the provider's own sign-out, where it offers one."""
    idp = logout.provider_for_token(str(request.GET.get("t", "")))
    provider_url = logout.end_session_url(idp) if idp is not None else ""
    return render(request, "sso/signed_out.html", {"idp": idp, "provider_url": provider_url})


@require_POST
def continue_sign_in(request: HttpRequest) -> HttpResponse:
    """The sign-in page's first step. Decides by the address's domain only, never by whether
    it has an account: to the organisation's provider, or on to the password step."""
    form = EmailStepForm(request.POST)
    next_url = _safe_next(request, str(request.POST.get("next", "")))
    login_url = reverse("account_login")
    if not form.is_valid():
        messages.error(request, _("Enter your email address, e.g. name@example.com."))
        return redirect(login_url + ("?" + urlencode({"next": next_url}) if next_url else ""))
    email = form.cleaned_data["login"].strip()
    request.session[SIGN_IN_EMAIL_SESSION_KEY] = email
    sso = single_sign_on_for_email(email)
    if sso is not None:
        idp = IdentityProvider.objects.select_related("organisation").get(
            organisation_id=sso.organisation_id
        )
        return _continue_page(request, idp, next_url)
    params = {"step": "password"}
    if next_url:
        params["next"] = next_url
    return redirect(login_url + "?" + urlencode(params))


@require_GET
def start(request: HttpRequest, slug: str) -> HttpResponse:
    """An organisation's "Continue with …" page (linked from the SSO-only messages)."""
    idp = get_object_or_404(
        IdentityProvider.objects.select_related("organisation"),
        organisation__slug=slug,
        enabled=True,
    )
    return _continue_page(request, idp, _safe_next(request, str(request.GET.get("next", ""))))


def _values_to_paste(idp: IdentityProvider | None, slug: str) -> dict[str, str]:
    provider_id = idp.provider_id if idp is not None else provider_id_for(slug)
    values = {
        "redirect_uri": absolute_url(
            reverse("openid_connect_callback", kwargs={"provider_id": provider_id})
        ),
        "post_logout_uri": absolute_url(reverse("account_login")),
        "backchannel_url": absolute_url(reverse("sso:backchannel_logout", args=[slug])),
        "sign_in_url": absolute_url(reverse("account_login")),
    }
    with contextlib.suppress(NoReverseMatch):  # unless the SAML provider is not installed
        values.update(
            {
                "acs_url": absolute_url(reverse("saml_acs", args=[provider_id])),
                "sls_url": absolute_url(reverse("saml_sls", args=[provider_id])),
                "sp_metadata_url": absolute_url(reverse("saml_metadata", args=[provider_id])),
            }
        )
    return values


@login_required
@require_http_methods(["GET", "POST"])
def settings_page(request: AuthenticatedRequest) -> HttpResponse:
    admin = require_org_admin(request.user)
    organisation = admin.organisation
    idp = IdentityProvider.objects.filter(organisation=organisation).first()
    form = IdentityProviderForm(
        request.POST or None,
        instance=idp,
        organisation=organisation,
        initial=None
        if idp
        else {"display_name": _("%(name)s sign-in") % {"name": organisation.name}},
    )
    if request.method == "POST" and form.is_valid():
        idp = services.save_identity_provider(form, by=request.user)
        messages.success(
            request,
            _(
                "Single sign-on saved. It is on: people of the ticked domains now sign in through it."
            )
            if idp.enabled
            else _(
                "Single sign-on saved. It is off until you turn it on; try it with “Test sign-in” first."
            ),
        )
        return redirect("sso:settings")
    if idp is not None and form.is_bound:
        # A refused form has already written its values onto `idp` (ModelForm validation does):
        # "where things stand" must show what is saved, not what was refused (review finding).
        idp = IdentityProvider.objects.filter(pk=idp.pk).first()
    return render(
        request,
        "sso/settings.html",
        {
            "organisation": organisation,
            "idp": idp,
            "form": form,
            "values": _values_to_paste(idp, organisation.slug),
            "domains": list(organisation.domains.all()),
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def test_sign_in(request: AuthenticatedRequest) -> HttpResponse:
    """Try the provider as it is saved, on or off: the answer page says who it would sign in,
    and nobody is signed in (the admin stays signed in as themselves)."""
    admin = require_org_admin(request.user)
    idp = IdentityProvider.objects.filter(organisation_id=admin.organisation_id).first()
    if idp is None:
        messages.error(request, _("Save your provider's settings first, then test them."))
        return redirect("sso:settings")
    request.session[TEST_SESSION_KEY] = idp.pk
    return _continue_page(request, idp, reverse("sso:settings"), testing=True)


@login_required
@require_http_methods(["GET", "POST"])
def disable(request: AuthenticatedRequest) -> HttpResponse:
    admin = require_org_admin(request.user)
    idp = IdentityProvider.objects.filter(organisation_id=admin.organisation_id).first()
    if idp is None or not idp.enabled:
        return redirect("sso:settings")
    if request.method == "POST":
        services.disable_identity_provider(idp, by=request.user)
        messages.success(
            request, _("Single sign-on is off. Your people sign in with their Upward password.")
        )
        return redirect("sso:settings")
    return render(request, "sso/disable.html", {"idp": idp})


# The identity provider's server posts here, with no browser session and so no CSRF token. What
# authorises the call is the logout token: a JWT signed with the provider's key, checked in
# sso/backchannel.py before any session ends. It can only end sessions, never start one.
@csrf_exempt
@require_POST
def backchannel_logout(request: HttpRequest, slug: str) -> HttpResponse:
    """The provider's server tells Upward a session ended there (docs/integrations.md)."""
    idp = (
        IdentityProvider.objects.filter(organisation__slug=slug, protocol=Protocol.OIDC)
        .select_related("organisation")
        .first()
    )
    token = str(request.POST.get("logout_token", ""))
    response: HttpResponse
    if idp is None or not token:
        response = JsonResponse({"error": "invalid_request"}, status=400)
    else:
        try:
            claims = backchannel.verify_logout_token(idp, token)
        except backchannel.InvalidLogoutToken as exc:
            logger.warning("Back-channel logout refused for %s: %s", idp.provider_id, exc)
            response = JsonResponse({"error": "invalid_request"}, status=400)
        else:
            backchannel.end_sessions(idp, claims)
            response = HttpResponse(status=200)
    response["Cache-Control"] = "no-store"
    return response
