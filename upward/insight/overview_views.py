"""The organisation overview page (`insight:overview`): org admins and people who run
programmes, each seeing the programmes they run (docs/insight.md, "Organisation overview")."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from upward.core.forms import Form, set_aside_unknown_filters
from upward.core.suppression import min_group
from upward.core.types import AuthenticatedRequest
from upward.insight import overview
from upward.organisations.access import person_for
from upward.programmes.access import can_manage_programmes
from upward.programmes.models import Objective


class OverviewFilterForm(Form):
    year = forms.TypedChoiceField(
        label=_("Year it started"), required=False, coerce=int, empty_value=None
    )
    objective = forms.ChoiceField(label=_("Objective"), required=False)

    def __init__(self, *args: object, years: list[int], objectives: list[tuple[str, str]]):
        super().__init__(*args)  # type: ignore[arg-type]
        self.fields["year"].choices = [("", _("Any year")), *[(y, str(y)) for y in years]]  # type: ignore[attr-defined]
        self.fields["objective"].choices = [("", _("Any objective")), *objectives]  # type: ignore[attr-defined]

    def filters(self) -> overview.Filters:
        data = self.cleaned_data if self.is_bound else {}
        return overview.Filters(year=data.get("year"), objective=data.get("objective") or "")


@login_required
@require_GET
def overview_page(request: AuthenticatedRequest) -> HttpResponse:
    person = person_for(request.user)
    if person is None or not can_manage_programmes(request.user):
        raise Http404("No such page.")
    entries = overview.scope_entries(request.user)
    filter_form = OverviewFilterForm(
        request.GET or None,
        years=overview.year_choices(entries),
        objectives=overview.objective_choices(entries),
    )
    unknown = set_aside_unknown_filters(filter_form)
    filters = filter_form.filters()
    page_obj, rows = overview.programme_page(request.user, filters, request.GET.get("page"))
    family_page, families = overview.families(
        entries,
        filters,
        request.GET.get("families"),
        known={row.programme.pk: row for row in rows},
    )
    return render(
        request,
        "insight/overview.html",
        {
            "filter_form": filter_form,
            "filters": filters,
            "unknown_filters": unknown,
            "page_obj": page_obj,
            "rows": rows,
            "n_in_scope": len(entries),
            "families": families,
            "family_page": family_page,
            "participation": overview.participation(
                person.organisation,
                programme_ids=[e.pk for e in entries],
                inclusion_in_scope=any(e.objective == Objective.INCLUSION for e in entries),
            ),
            "min_group": min_group(),
            "is_org_admin": person.is_org_admin,
        },
    )
