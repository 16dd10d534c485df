"""The programme report: a page, its print version and a PDF, all from `report.programme_report`."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.http import require_GET

from upward.core import audit
from upward.core.types import AuthenticatedRequest
from upward.insight.pdf import programme_report_pdf as report_pdf
from upward.insight.report import programme_report, report_charts
from upward.organisations.access import person_for
from upward.programmes.access import access_programme_for_manager


def _context(request: AuthenticatedRequest, pk: int) -> dict[str, object]:
    programme = access_programme_for_manager(request.user, pk)
    report = programme_report(programme, viewer=person_for(request.user))
    return {
        "programme": programme,
        "report": report,
        "charts": report_charts(report),
        "current": "report",
    }


@login_required
@require_GET
def programme_report_page(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    return render(request, "insight/programme_report.html", _context(request, pk))


@login_required
@require_GET
def programme_report_print(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    return render(request, "insight/programme_report_print.html", _context(request, pk))


@login_required
@require_GET
def programme_report_pdf(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    programme = access_programme_for_manager(request.user, pk)
    report = programme_report(programme, viewer=person_for(request.user))
    content = report_pdf(report, report_charts(report))
    audit.record_download(
        "programme_report", programme, by=request.user, organisation=programme.organisation_id
    )
    name = slugify(programme.name) or "programme"
    response = HttpResponse(content, content_type="application/pdf")
    day = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="upward-report-{name}-{day}.pdf"'
    # Figures about people: never keep a copy in a shared cache.
    response["Cache-Control"] = "private, no-store"
    return response
