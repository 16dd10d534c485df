"""The notification list, read marks and delivery preferences. Each view resolves the person,
calls one service or selector, and renders."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from upward.core.errors import DomainError
from upward.core.forms import apply_domain_error
from upward.core.htmx import announce
from upward.core.links import ForeignLinkError, relative_path
from upward.core.types import AuthenticatedRequest
from upward.notifications import chat, selectors, services
from upward.notifications.access import access_own_notification
from upward.notifications.forms import ChatOptInForm, PreferencesForm
from upward.organisations.access import require_person

PAGE_SIZE = 20


def _list_context(request: HttpRequest) -> dict:
    person = require_person(request.user)
    page = Paginator(selectors.notifications_for(person), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return {"person": person, "page_obj": page, "unread": selectors.unread_count(person)}


@login_required
@require_GET
@vary_on_headers("HX-Request")
def notification_list(request: AuthenticatedRequest) -> HttpResponse:
    return render(request, "notifications/list.html", _list_context(request))


@login_required
@require_POST
@vary_on_headers("HX-Request")
def mark_read(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    notification = access_own_notification(request.user, pk)
    services.mark_read(notification)
    if request.htmx:
        notification.refresh_from_db()
        response = render(
            request,
            "notifications/list.html#row",
            {"notification": notification, "oob_badge": True},
        )
        return announce(response, _("Marked as read"))
    return redirect(_back_to_list(request))


@login_required
@require_POST
@vary_on_headers("HX-Request")
def mark_all_read(request: AuthenticatedRequest) -> HttpResponse:
    person = require_person(request.user)
    count = services.mark_all_read(person)
    if request.htmx:
        context = {**_list_context(request), "oob_badge": True}
        response = render(request, "notifications/list.html#content", context)
        return announce(response, _("All notifications are marked as read."))
    if count:
        messages.success(request, _("All notifications are marked as read."))
    return redirect(_back_to_list(request))


@login_required
@require_POST
def open_notification(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Mark as read, then go where the notification points (only ever within this site)."""
    notification = access_own_notification(request.user, pk)
    services.mark_read(notification)
    try:
        # Stored links are relative; one stored absolute before that is re-based on this site.
        target = relative_path(notification.url)
    except ForeignLinkError:
        target = ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect("notifications:list")


def _back_to_list(request: HttpRequest) -> str:
    from django.urls import reverse

    page = request.POST.get("page", "")
    url = reverse("notifications:list")
    return f"{url}?page={page}" if page.isdigit() else url


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request: AuthenticatedRequest) -> HttpResponse:
    person = require_person(request.user)
    current = selectors.preferences_for(person)
    data = request.POST if request.method == "POST" else None
    form = PreferencesForm(data, current=current)
    # The Slack opt-in is offered only while the organisation has a Slack bot.
    chat_form = (
        ChatOptInForm(data, initial={"slack_direct": chat.opted_in(person)})
        if chat.slack_direct_available(person)
        else None
    )
    if request.method == "POST" and form.is_valid() and (chat_form is None or chat_form.is_valid()):
        try:
            with transaction.atomic():
                services.set_preferences(person, choices=form.cleaned_data, by=request.user)
                if chat_form is not None:
                    wanted = bool(chat_form.cleaned_data["slack_direct"])
                    if wanted != chat.opted_in(person):
                        chat.set_opt_in(person, slack_direct=wanted, by=request.user)
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("Your notification choices are saved."))
            return redirect("notifications:preferences")
    return render(
        request,
        "notifications/preferences.html",
        {"form": form, "chat_form": chat_form, "person": person},
    )
