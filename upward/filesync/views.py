"""The organisation admin's file sync page: settings, Check now, history, switch off."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from upward.core.errors import DomainError
from upward.core.types import AuthenticatedRequest
from upward.filesync import fetching, services
from upward.filesync.forms import FileSourceForm
from upward.filesync.models import FileSource, FileSyncRun
from upward.organisations.access import require_org_admin


def _source_for(admin_organisation_id: int) -> FileSource | None:
    return FileSource.objects.filter(organisation_id=admin_organisation_id).first()


@login_required
@require_http_methods(["GET", "POST"])
def settings_page(request: AuthenticatedRequest) -> HttpResponse:
    admin = require_org_admin(request.user)
    source = _source_for(admin.organisation_id) or FileSource(
        organisation=admin.organisation, time_zone=admin.time_zone
    )
    form = FileSourceForm(request.POST if request.method == "POST" else None, instance=source)
    if request.method == "POST" and form.is_valid():
        changed = form.changed_settings()
        saved = form.save(commit=False)
        services.save_source(
            saved, by=request.user, changed=changed, secret_changed=form.secret_changed
        )
        messages.success(request, _("File sync settings saved."))
        if form.secret_dropped:
            messages.warning(
                request,
                _(
                    "The web address now points to another server, so the stored authorization "
                    "value was removed. Type it again if the new server needs one."
                ),
            )
        return redirect("filesync:settings")
    runs = Paginator(
        FileSyncRun.objects.filter(organisation_id=admin.organisation_id).select_related(
            "people_import", "requested_by"
        ),
        20,
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "filesync/settings.html",
        {
            "form": form,
            "source": source if source.pk else None,
            "has_secret": bool(source.pk and source.auth_header),
            "has_folder": fetching.folder_root() is not None,
            "folder_name": admin.organisation.slug,
            "page_obj": runs,
            "runs": runs.object_list,
        },
    )


@login_required
@require_POST
def check_now(request: AuthenticatedRequest) -> HttpResponse:
    admin = require_org_admin(request.user)
    source = _source_for(admin.organisation_id)
    if source is None:
        messages.error(request, _("Set up file sync first: fill in the settings and save."))
        return redirect("filesync:settings")
    try:
        services.start_run(source, trigger=FileSyncRun.Trigger.MANUAL, by=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("Checking the file now. Nothing changes until you apply its preview."),
        )
    return redirect("filesync:settings")


@login_required
@require_POST
def disable(request: AuthenticatedRequest) -> HttpResponse:
    admin = require_org_admin(request.user)
    source = _source_for(admin.organisation_id)
    if source is None:
        messages.error(request, _("Set up file sync first: fill in the settings and save."))
        return redirect("filesync:settings")
    services.disable_source(source, by=request.user)
    messages.success(request, _("File sync is off. Save the settings to switch it on again."))
    return redirect("filesync:settings")
