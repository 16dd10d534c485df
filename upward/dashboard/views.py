from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from upward.dashboard import selectors
from upward.dashboard import today as today_selectors
from upward.dashboard.home import home_for
from upward.organisations.access import person_for
from upward.programmes.access import can_manage_programmes


def home(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("dashboard")
    return render(request, "dashboard/home.html")


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """The signed-in person's home: their pairings (next meeting, journey, tasks), what waits
    for their answer and, for the programme team, the programmes they run."""
    person = person_for(request.user)
    managed = selectors.managed_programme_rows(request.user)
    applications = selectors.my_applications(person)
    open_programmes = selectors.open_programmes_for(person)
    pairings = selectors.my_pairings(person)
    context = {
        "person": person,
        "managed": managed,
        "applications": applications,
        "open_programmes": open_programmes,
        "pairings": pairings,
        "home": home_for(
            person,
            my_pairings=pairings,
            applications=applications,
            open_programmes=open_programmes,
        )
        if person is not None
        else None,
        # A recruiting programme already on the page (one the person applied to or runs):
        # "nothing is open" beside it would contradict it, so the empty text says "else".
        "recruiting_shown": any(a.programme.state == "recruiting" for a in applications)
        or any(row.programme.state == "recruiting" for row in managed),
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
