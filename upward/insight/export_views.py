"""The exports pages and downloads (docs/insight.md, "Exports"). Thin: access, one call, render."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.text import slugify

from upward.core import audit
from upward.core.types import AuthenticatedRequest
from upward.insight import exports
from upward.organisations.access import require_person
from upward.programmes.access import access_programme_for_manager

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _file_response(content: bytes, *, fmt: str, stem: str) -> HttpResponse:
    response = HttpResponse(content, content_type=CONTENT_TYPES[fmt])
    # Slugified, so a hostile programme name cannot break out of the header.
    filename = f"{slugify(stem)[:80] or 'export'}-{timezone.localdate():%Y-%m-%d}.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    # Personal data: never keep a copy in a shared cache.
    response["Cache-Control"] = "private, no-store"
    return response


def _rows(kinds: list[exports.ExportKind], subject: Any, person: Any) -> list[dict[str, Any]]:
    return [{"kind": k, "estimate": k.estimate(subject, person)} for k in kinds]


def _organisation_person(request: AuthenticatedRequest) -> Any:
    person = exports.may_open_organisation_exports(request.user)
    if person is None:
        raise Http404("No exports here.")
    return person


@login_required
def programme_exports(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    programme = access_programme_for_manager(request.user, pk)
    person = require_person(request.user)
    kinds = exports.kinds_for(exports.PROGRAMME, person)
    return render(
        request,
        "insight/programme_exports.html",
        {
            "programme": programme,
            "rows": _rows(kinds, programme, person),
            "formats": exports.FORMATS,
        },
    )


@login_required
def programme_export(request: AuthenticatedRequest, pk: int, kind: str, fmt: str) -> HttpResponse:
    programme = access_programme_for_manager(request.user, pk)
    person = require_person(request.user)
    found = exports.get_kind(exports.PROGRAMME, kind, fmt, person)
    if found is None:
        raise Http404("No such export.")
    content, _count = exports.render(found, programme, person, fmt)
    # Which file, in which format: never a value from it.
    audit.record_download(
        found.verb,
        programme,
        by=request.user,
        organisation=programme.organisation_id,
        data={"format": fmt},
    )
    return _file_response(content, fmt=fmt, stem=f"{programme.name}-{found.slug}")


@login_required
def organisation_exports(request: AuthenticatedRequest) -> HttpResponse:
    person = _organisation_person(request)
    kinds = exports.kinds_for(exports.ORGANISATION, person)
    return render(
        request,
        "insight/exports.html",
        {
            "organisation": person.organisation,
            "rows": _rows(kinds, person.organisation, person),
            "formats": exports.FORMATS,
        },
    )


@login_required
def organisation_export(request: AuthenticatedRequest, kind: str, fmt: str) -> HttpResponse:
    person = _organisation_person(request)
    found = exports.get_kind(exports.ORGANISATION, kind, fmt, person)
    if found is None:
        raise Http404("No such export.")
    organisation = person.organisation
    content, _count = exports.render(found, organisation, person, fmt)
    audit.record_download(
        found.verb, organisation, by=request.user, organisation=organisation, data={"format": fmt}
    )
    return _file_response(content, fmt=fmt, stem=f"{organisation.name}-{found.slug}")


@login_required
def export_dictionary(request: AuthenticatedRequest) -> HttpResponse:
    """What every column of every export means: a page, or `?download=csv` for the same as CSV.
    It holds no data, so anyone who runs programmes may read all of it."""
    _organisation_person(request)
    if request.GET.get("download") == "csv":
        content = exports.render_dataset(exports.dictionary_dataset(), "csv")
        return _file_response(content, fmt="csv", stem="upward-export-columns")
    return render(request, "insight/export_dictionary.html", {"kinds": exports.KINDS})
