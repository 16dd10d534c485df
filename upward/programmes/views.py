# Placeholders; the programme pages replace them.
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from upward.programmes.access import (
    access_programme_by_token,
    access_programme_for_manager,
    managed_programmes,
)


@login_required
def programme_list(request: HttpRequest) -> HttpResponse:
    return render(request, "programmes/list.html", {"programmes": managed_programmes(request.user)})


@login_required
def programme_create(request: HttpRequest) -> HttpResponse:
    return render(request, "programmes/list.html", {"programmes": []})


@login_required
def programme_detail(request: HttpRequest, pk: int) -> HttpResponse:
    programme = access_programme_for_manager(request.user, pk)
    return render(request, "programmes/list.html", {"programmes": [programme]})


def public_page(request: HttpRequest, token: str) -> HttpResponse:
    programme = access_programme_by_token(token)
    return render(request, "programmes/list.html", {"programmes": [programme]})
