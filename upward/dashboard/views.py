from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from upward.dashboard import selectors
from upward.dashboard import today as today_selectors
from upward.organisations.access import person_for
from upward.programmes.access import can_manage_programmes


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


@login_required
def today(request: HttpRequest) -> HttpResponse:
    """What needs the programme team today, across every programme they run."""
    if not can_manage_programmes(request.user):
        raise Http404("No such page.")
    return render(
        request, "dashboard/today.html", {"today": today_selectors.today_for(request.user)}
    )
