from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from upward.dashboard import selectors
from upward.organisations.access import person_for


def home(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("dashboard")
    return render(request, "dashboard/home.html")


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    person = person_for(request.user)
    context = {
        "person": person,
        "managed": selectors.managed_programme_rows(request.user),
        "applications": selectors.my_applications(person),
        "open_programmes": selectors.open_programmes_for(person),
        "pairings": selectors.my_pairings(person),
    }
    return render(request, "dashboard/dashboard.html", context)
