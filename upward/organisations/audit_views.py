"""The audit log page: an organisation admin reads their organisation's entries, newest first,
and sees whether its hash chain is intact. Admins only; nothing of another organisation."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET

from upward.core import audit
from upward.core.forms import set_aside_unknown_filters
from upward.core.htmx import announce
from upward.core.types import AuthenticatedRequest
from upward.organisations import audit_log
from upward.organisations.access import require_org_admin
from upward.organisations.forms import AuditFilterForm

PAGE_SIZE = 50


def _chain_check(organisation_id: int, *, again: bool) -> tuple[audit.ChainReport, dt.datetime]:
    """The last check of the organisation's chain, running one when asked or when none is
    remembered. Checking walks every entry, so filtering and paging (which may happen many times
    a minute) reuse the last result and say when it was made; "Check again" walks it anew."""
    key = f"upward:audit-check:{organisation_id}"
    remembered = None if again else cache.get(key)
    if remembered is None:
        remembered = (audit.verify_chain(organisation_id), timezone.now())
        cache.set(key, remembered, CHECK_REMEMBERED_SECONDS)
    return remembered


# A remembered result is shown for at most a day; `manage.py verify_audit_log` checks every chain
# and is the one to schedule.
CHECK_REMEMBERED_SECONDS = 24 * 60 * 60


@login_required
@require_GET
def audit_log_page(request: AuthenticatedRequest) -> HttpResponse:
    admin = require_org_admin(request.user)
    organisation = admin.organisation
    form = AuditFilterForm(request.GET or None)
    unknown = set_aside_unknown_filters(form)
    filters = form.filters() if form.is_bound else {}
    queryset = audit_log.entries(organisation, **filters)
    page_obj = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "filter_form": form,
        "unknown_filters": unknown,
        "page_obj": page_obj,
        "rows": audit_log.rows(organisation, page_obj.object_list),
        "chain": None,
        "checked_at": None,
        "filtered": any(filters.values()),
    }
    template = "organisations/audit_log.html"
    if getattr(request, "htmx", False):
        template += "#results"
    else:
        context["chain"], context["checked_at"] = _chain_check(
            organisation.pk, again=request.GET.get("check") == "1"
        )
    response = render(request, template, context)
    if getattr(request, "htmx", False):
        found = page_obj.paginator.count
        announce(
            response,
            ngettext("%(count)d entry", "%(count)d entries", found) % {"count": found},
        )
    patch_vary_headers(response, ["HX-Request"])
    response["Cache-Control"] = "private, no-store"
    return response
