"""The inclusion page: participation and outcome change by "About you" group."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from upward.core.types import AuthenticatedRequest
from upward.insight.inclusion import inclusion_report, reporting_programmes
from upward.organisations.access import require_org_admin
from upward.programmes.models import Programme


def _scope(programmes: list[Programme], raw: str | None) -> Programme | None:
    """The programme chosen in the filter: one that reports on groups, else 404 (the same for
    a programme that does not exist, is another organisation's or has reporting off)."""
    if not raw:
        return None
    for programme in programmes:
        if str(programme.pk) == raw:
            return programme
    raise Http404("No such programme reports on groups.")


@login_required
@require_GET
def inclusion(request: AuthenticatedRequest) -> HttpResponse:
    # Organisation admins only: special-category aggregates across programmes are theirs to see
    # (docs/privacy.md, "Inclusion reporting"); a programme team sees its own survey outcomes.
    admin = require_org_admin(request.user)
    programmes = reporting_programmes(admin.organisation)
    scope = _scope(programmes, request.GET.get("programme"))
    report = inclusion_report(admin.organisation, scope=scope, programmes=programmes)
    return render(request, "insight/inclusion.html", {"report": report})
