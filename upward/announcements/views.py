"""Announcements: managers write, check and send them; the people they reach read them."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from upward.announcements import library, selectors, services
from upward.announcements.access import access_announcement_for_reader
from upward.announcements.forms import AnnouncementForm, SendForm
from upward.announcements.models import AnnouncementAudience
from upward.core.errors import DomainError
from upward.core.forms import apply_domain_error
from upward.core.types import AuthenticatedRequest
from upward.programmes.access import access_programme_for_manager
from upward.programmes.models import Programme


@login_required
def programme_announcements(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    programme = access_programme_for_manager(request.user, pk)
    return render(
        request,
        "announcements/list.html",
        {
            "programme": programme,
            "announcements": list(selectors.programme_announcements(programme)),
            "ready_made": library.READY_MADE,
        },
    )


def _compose(
    request: AuthenticatedRequest, programme: Programme, form: Any, *, status: int = 200
) -> HttpResponse:
    return render(
        request,
        "announcements/compose.html",
        {"programme": programme, "form": form, "ready_made": library.READY_MADE},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def new_announcement(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Write (GET, optionally from a ready-made text) and check (POST): a valid draft shows the
    confirmation page with its audience count; nothing is sent until that page is confirmed."""
    programme = access_programme_for_manager(request.user, pk)
    if request.method == "GET":
        key = request.GET.get("template", "")
        initial: dict[str, str] = {"audience": AnnouncementAudience.EVERYONE}
        ready_made = library.READY_MADE_BY_KEY.get(key)
        if ready_made is not None:
            initial = {**library.filled(ready_made, programme), "template_key": key}
        elif key:
            messages.warning(request, _("There is no ready-made text by that name."))
        return _compose(request, programme, AnnouncementForm(initial=initial))
    if request.GET.get("edit"):
        # "Change it" on the confirmation page: the same text, back in the editable form.
        fields = ("audience", "title", "body", "template_key")
        return _compose(
            request,
            programme,
            AnnouncementForm(initial={name: request.POST.get(name, "") for name in fields}),
        )
    form = AnnouncementForm(request.POST)
    if not form.is_valid():
        return _compose(request, programme, form, status=400)
    data = form.cleaned_data
    try:
        title, body = services.clean_announcement(
            title=data["title"], body=data["body"], audience=data["audience"]
        )
    except DomainError as exc:
        apply_domain_error(form, exc)
        return _compose(request, programme, form, status=400)
    people = selectors.audience_people(programme, data["audience"])
    if not people:
        form.add_error("audience", _("Nobody is in this audience today. Choose another."))
        return _compose(request, programme, form, status=400)
    send_form = SendForm(
        initial={
            "audience": data["audience"],
            "title": title,
            "body": body,
            "template_key": data["template_key"],
            "send_token": uuid.uuid4(),
        }
    )
    return render(
        request,
        "announcements/confirm.html",
        {
            "programme": programme,
            "form": send_form,
            "title": title,
            "body": body,
            "audience_label": AnnouncementAudience(data["audience"]).label,
            "count": len(people),
        },
    )


@login_required
@require_POST
def send_announcement(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    programme = access_programme_for_manager(request.user, pk)
    form = SendForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            announcement = services.send_announcement(
                programme,
                title=data["title"],
                body=data["body"],
                audience=data["audience"],
                template_key=data["template_key"],
                send_token=data["send_token"],
                by=request.user,
            )
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(
                request,
                ngettext(
                    "Announcement sent to %(n)s person.",
                    "Announcement sent to %(n)s people.",
                    announcement.recipient_count,
                )
                % {"n": announcement.recipient_count},
            )
            return redirect("announcements:list", programme.pk)
    # Back to the editable form with what was sent and why it was refused.
    retry = AnnouncementForm(request.POST)
    retry.is_valid()
    for field, errors in form.errors.items():
        for error in errors:
            retry.add_error(field if field in retry.fields else None, error)
    return _compose(request, programme, retry, status=400)


@login_required
def read_announcement(request: AuthenticatedRequest, announcement_pk: int) -> HttpResponse:
    announcement = access_announcement_for_reader(request.user, announcement_pk)
    return render(
        request,
        "announcements/read.html",
        {"announcement": announcement, "programme": announcement.programme},
    )
