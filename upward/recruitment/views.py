# Placeholder; the recruitment pages replace it.
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from upward.organisations.access import require_person
from upward.recruitment.models import Application


@login_required
def my_application(request: HttpRequest, pk: int) -> HttpResponse:
    person = require_person(request.user)
    try:
        application = Application.objects.get(pk=pk, person=person)
    except Application.DoesNotExist as exc:
        raise Http404 from exc
    return render(request, "base.html", {"application": application})
