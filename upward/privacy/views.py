"""Your data (access), erasing a person and the retention rules. Each view asks an access helper
for its objects, calls one service and renders."""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from upward.core import audit
from upward.core.errors import DomainError
from upward.core.types import AuthenticatedRequest
from upward.organisations.access import access_person, require_org_admin
from upward.privacy import export, retention, services
from upward.privacy.forms import EraseForm, RetentionForm


@login_required
@require_GET
def my_data(request: AuthenticatedRequest) -> HttpResponse:
    sections = export.build(request.user)
    # Viewing everything held about oneself is recorded like downloading it (who, never what).
    person = getattr(request.user, "person", None)
    audit.record(
        "privacy.data_viewed",
        request.user,
        by=request.user,
        organisation=getattr(person, "organisation", None),
    )
    response = render(
        request,
        "privacy/my_data.html",
        {"sections": sections, "total": sum(len(s["rows"]) for s in sections)},
    )
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def my_data_json(request: AuthenticatedRequest) -> HttpResponse:
    payload = {
        "generated_at": timezone.now().isoformat(),
        "sections": export.build(request.user),
    }
    person = getattr(request.user, "person", None)
    audit.record(
        "privacy.data_exported",
        request.user,
        by=request.user,
        organisation=getattr(person, "organisation", None),
    )
    response = HttpResponse(
        json.dumps(payload, ensure_ascii=False, indent=2, default=export.as_json),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = 'attachment; filename="my-upward-data.json"'
    return response


@login_required
def erase(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    admin = require_org_admin(request.user)
    person = access_person(request.user, pk)
    if services.is_erased(person):
        messages.info(request, _("This entry has already been erased."))
        return redirect("organisations:person_detail", person.pk)
    is_self = person.pk == admin.pk
    form = EraseForm(request.POST if request.method == "POST" else None, expected=person.full_name)
    if request.method == "POST" and not is_self and form.is_valid():
        try:
            services.erase_person(person, by=request.user)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request, _("The person is erased. Their entry now reads “Former participant”.")
            )
            return redirect("organisations:person_detail", person.pk)
    return render(
        request, "privacy/erase.html", {"person": person, "form": form, "is_self": is_self}
    )


@login_required
def retention_rules(request: AuthenticatedRequest) -> HttpResponse:
    admin = require_org_admin(request.user)
    organisation = admin.organisation
    form = RetentionForm(
        request.POST if request.method == "POST" else None,
        current=retention.rules_for(organisation),
    )
    if request.method == "POST" and form.is_valid():
        try:
            retention.set_rules(
                organisation,
                {c.key: form.cleaned_data.get(c.key) for c in retention.CATEGORIES},
                by=request.user,
            )
        except DomainError as exc:
            form.add_error(exc.field, exc.message)
        else:
            messages.success(request, _("The retention rules are saved."))
            return redirect("privacy:retention")
    return render(
        request,
        "privacy/retention.html",
        {"form": form, "organisation": organisation, "categories": retention.CATEGORIES},
    )
