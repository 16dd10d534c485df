"""The organisation admin's chat settings: Slack and Teams addresses, a test message, removal
with confirmation, and the delivery log. Secrets are never sent back to the browser."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from upward.core.types import AuthenticatedRequest
from upward.notifications import chat
from upward.notifications.forms import ChatSettingsForm
from upward.notifications.models import ChatState
from upward.organisations.access import person_for, require_org_admin
from upward.organisations.models import Organisation

LOG_PAGE_SIZE = 10
# The removal page's slug for each stored secret.
REMOVABLE = {
    "slack-webhook": "slack_webhook_url",
    "slack-bot": "slack_bot_token",
    "teams": "teams_webhook_url",
}


@login_required
@require_http_methods(["GET", "POST"])
def chat_settings(request: AuthenticatedRequest) -> HttpResponse:
    admin = require_org_admin(request.user)
    organisation = admin.organisation
    current = chat.settings_for(organisation)
    initial = {"post_programme_news": current.post_programme_news if current else True}
    form = ChatSettingsForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        changes = {name: data[name] for name in chat.FIELDS if data.get(name)}
        chat.save_settings(
            organisation,
            changes=changes,
            post_programme_news=bool(data.get("post_programme_news")),
            by=request.user,
        )
        messages.success(request, _("The chat settings are saved."))
        return redirect("notifications:chat-settings")
    stored = [
        {
            "slug": slug,
            "label": chat.FIELDS[name],
            "masked": chat.mask(getattr(current, name, "") if current else ""),
        }
        for slug, name in REMOVABLE.items()
    ]
    log = Paginator(chat.log_for(organisation), LOG_PAGE_SIZE).get_page(request.GET.get("page"))
    response = render(
        request,
        "notifications/chat_settings.html",
        {
            "form": form,
            "organisation": organisation,
            "stored": stored,
            "configured": bool(current and current.is_configured),
            "log": log,
            "states": ChatState,
        },
    )
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def chat_test(request: AuthenticatedRequest) -> HttpResponse:
    admin = require_org_admin(request.user)
    results = chat.send_test(admin.organisation, admin=admin)
    if not results:
        messages.info(request, _("Set up Slack or Teams first, then send a test message."))
    for result in results:
        if result.state == ChatState.SENT:
            messages.success(
                request,
                _("%(destination)s: the test message was sent.")
                % {"destination": result.destination},
            )
        else:
            messages.error(
                request,
                _("%(destination)s: the test message failed. %(error)s")
                % {"destination": result.destination, "error": result.error},
            )
    return redirect("notifications:chat-settings")


@login_required
@require_http_methods(["GET", "POST"])
def chat_remove(request: AuthenticatedRequest, what: str) -> HttpResponse:
    admin = require_org_admin(request.user)
    name = REMOVABLE.get(what)
    if name is None:
        raise Http404("No such chat setting.")
    current = chat.settings_for(admin.organisation)
    masked = chat.mask(getattr(current, name, "") if current else "")
    if request.method == "POST":
        if chat.remove_setting(admin.organisation, name, by=request.user):
            messages.success(
                request, _("%(what)s is removed.") % {"what": str(chat.FIELDS[name]).capitalize()}
            )
        else:
            messages.info(request, _("There was nothing stored to remove."))
        return redirect("notifications:chat-settings")
    return render(
        request,
        "notifications/chat_remove.html",
        {"label": chat.FIELDS[name], "masked": masked, "what": what},
    )


def chat_setup_panel(context: Any, organisation: Organisation) -> dict[str, Any] | None:
    """A link from the organisation setup page; no query of its own."""
    admin = person_for(context.get("user"))
    if admin is None or not admin.is_org_admin or admin.organisation_id != organisation.pk:
        return None
    return {}
