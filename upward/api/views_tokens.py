"""Pages for API tokens: a person's own personal tokens (/account/tokens/) and the organisation's
service tokens for its admins (/organisation/tokens/).

The secret is shown once, on the page that answers the form, and is stored nowhere. Only the
holder sees and revokes a personal token; admins do not see their people's personal tokens
(those stop by themselves when the person leaves). Admins make and revoke service tokens.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from upward.accounts.models import ApiToken, TokenKind
from upward.accounts.tokens import PERSONAL_SCOPES, SERVICE_SCOPES, issue_token, revoke_token
from upward.api.forms import TokenForm
from upward.core.types import AuthenticatedRequest
from upward.organisations.access import require_org_admin, require_person
from upward.organisations.models import Organisation

PER_PAGE = 25


def _make(
    request: AuthenticatedRequest,
    *,
    kind: str,
    organisation: Organisation,
    tokens: QuerySet[ApiToken],
    template: str,
) -> HttpResponse:
    allowed = PERSONAL_SCOPES if kind == TokenKind.PERSONAL else SERVICE_SCOPES
    form = TokenForm(request.POST or None, allowed=allowed)
    if request.method == "POST" and form.is_valid():
        try:
            token, raw = issue_token(
                kind=kind,
                organisation=organisation,
                user=request.user if kind == TokenKind.PERSONAL else None,
                name=form.cleaned_data["name"],
                scopes=form.cleaned_data["scopes"],
                by=request.user,
                expires_at=form.expires_at(),
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            # Shown once, here; nothing keeps it. Reloading this page does not show it again.
            return render(
                request,
                "api/tokens/created.html",
                {"token": token, "secret": raw, "kind": kind, "back": request.path},
            )
    page = Paginator(tokens, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        template,
        {"form": form, "page_obj": page, "tokens": page.object_list, "kind": kind},
    )


@login_required
@require_http_methods(["GET", "POST"])
def personal(request: AuthenticatedRequest) -> HttpResponse:
    person = require_person(request.user)
    tokens = ApiToken.objects.filter(
        kind=TokenKind.PERSONAL, user=request.user, organisation=person.organisation
    )
    return _make(
        request,
        kind=TokenKind.PERSONAL,
        organisation=person.organisation,
        tokens=tokens,
        template="api/tokens/personal.html",
    )


@login_required
@require_http_methods(["GET", "POST"])
def service(request: AuthenticatedRequest) -> HttpResponse:
    admin = require_org_admin(request.user)
    tokens = ApiToken.objects.filter(
        kind=TokenKind.SERVICE, organisation=admin.organisation
    ).select_related("created_by")
    return _make(
        request,
        kind=TokenKind.SERVICE,
        organisation=admin.organisation,
        tokens=tokens,
        template="api/tokens/service.html",
    )


def _revoke(request: AuthenticatedRequest, token: ApiToken, *, back: str) -> HttpResponse:
    if request.method == "POST":
        if token.revoked_at is None:
            revoke_token(token, by=request.user)
            messages.success(
                request, _("“%(name)s” is revoked: it no longer works.") % {"name": token.name}
            )
        return redirect(back)
    return render(request, "api/tokens/revoke.html", {"token": token, "back": back})


@login_required
@require_http_methods(["GET", "POST"])
def personal_revoke(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    require_person(request.user)
    token = ApiToken.objects.filter(pk=pk, kind=TokenKind.PERSONAL, user=request.user).first()
    if token is None:
        raise Http404("No such token.")
    return _revoke(request, token, back="tokens:personal")


@login_required
@require_http_methods(["GET", "POST"])
def service_revoke(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    admin = require_org_admin(request.user)
    token = ApiToken.objects.filter(
        pk=pk, kind=TokenKind.SERVICE, organisation=admin.organisation
    ).first()
    if token is None:
        raise Http404("No such token.")
    return _revoke(request, token, back="tokens:service")
