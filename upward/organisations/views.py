from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from upward.organisations.access import require_org_admin


@login_required
def people(request: HttpRequest) -> HttpResponse:
    # Placeholder list; the full directory (filters, edit, import) replaces it.
    admin = require_org_admin(request.user)
    return render(
        request, "organisations/people.html", {"people": admin.organisation.people.all()[:50]}
    )
