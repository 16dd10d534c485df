"""The organisation's resource library, its curation, and each pair's saved list."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from upward.core.errors import DomainError
from upward.core.forms import apply_domain_error, set_aside_unknown_filters
from upward.core.shortcuts import act_and_redirect
from upward.core.types import AuthenticatedRequest
from upward.core.validation import is_valid_id
from upward.organisations.access import require_person
from upward.pairing.workspace import access_pair_workspace
from upward.resources import selectors, services
from upward.resources.access import (
    access_resource,
    access_resource_for_editor,
    access_saved_item,
    activities_for,
    can_curate,
    can_edit_resource,
    require_curator,
)
from upward.resources.forms import LibraryFilterForm, ResourceForm
from upward.resources.models import ActivityIdea, Resource

PAGE_SIZE = 20


@login_required
def library(request: AuthenticatedRequest) -> HttpResponse:
    person = require_person(request.user)
    filters = LibraryFilterForm(request.GET or None)
    unknown = set_aside_unknown_filters(filters)
    criteria = filters.cleaned_data if filters.is_valid() else {}
    qs = selectors.library(
        person,
        kind=criteria.get("kind") or "",
        step=criteria.get("step"),
        q=criteria.get("q") or "",
    )
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    curator = can_curate(request.user)
    # Edit and remove links only on the rows this person may change (their own, or all for
    # an org admin); the edit and delete pages answer 404 to everyone else.
    editable = (
        {r.pk for r in page.object_list if can_edit_resource(person, r)} if curator else set()
    )
    return render(
        request,
        "resources/library.html",
        {
            "filters": filters,
            "unknown_filters": unknown,
            "page_obj": page,
            "can_curate": curator,
            "editable": editable,
        },
    )


def _resource_form(request: HttpRequest, resource: Resource | None) -> HttpResponse:
    person = require_curator(request.user)
    form = ResourceForm(
        request.POST if request.method == "POST" else None,
        request.FILES or None,
        instance=resource,
        organisation=person.organisation,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        fields = {
            "title": data["title"],
            "kind": data["kind"],
            "summary": data["summary"],
            "url": data["url"],
            "file": data.get("file") or None,
            "topics": data["topics"],
            "journey_step": data["journey_step"],
            "by": request.user,
        }
        try:
            if resource is None:
                services.create_resource(person.organisation, **fields)
            else:
                services.update_resource(resource, **fields)
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("Resource saved to the library."))
            return redirect("resources:library")
    return render(request, "resources/form.html", {"form": form, "resource": resource})


@login_required
@require_http_methods(["GET", "POST"])
def new_resource(request: AuthenticatedRequest) -> HttpResponse:
    return _resource_form(request, None)


@login_required
@require_http_methods(["GET", "POST"])
def edit_resource(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    return _resource_form(request, access_resource_for_editor(request.user, pk))


@login_required
@require_http_methods(["GET", "POST"])
def delete_resource(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    resource = access_resource_for_editor(request.user, pk)
    if request.method == "POST":
        return act_and_redirect(
            request,
            lambda: services.delete_resource(resource, by=request.user),
            success=_("Resource removed from the library."),
            to="resources:library",
        )
    return render(request, "resources/delete.html", {"resource": resource})


@login_required
def download(request: AuthenticatedRequest, pk: int) -> FileResponse:
    """Files are served through this view, never from a public media URL, so only people in
    the organisation can fetch them."""
    resource = access_resource(request.user, pk)
    if not resource.file:
        raise Http404("No file.")
    try:
        handle = resource.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404("File missing.") from exc
    return FileResponse(
        handle, as_attachment=True, filename=(resource.file.name or "").rsplit("/", 1)[-1]
    )


# ---------------------------------------------------------------------------------------------
# The pair


@login_required
def saved(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    seat = access_pair_workspace(request.user, pk)
    items = selectors.saved_items(seat.pairing)
    saved_resources = {i.resource_id for i in items if i.resource_id}
    saved_activities = {i.activity_id for i in items if i.activity_id}
    filters = LibraryFilterForm(request.GET or None)
    criteria = filters.cleaned_data if filters.is_valid() else {}
    page = Paginator(
        selectors.library(
            seat.person,
            kind=criteria.get("kind") or "",
            step=criteria.get("step"),
            q=criteria.get("q") or "",
        ),
        PAGE_SIZE,
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "resources/saved.html",
        {
            "seat": seat,
            "pairing": seat.pairing,
            "items": items,
            "page_obj": page,
            "filters": filters,
            "activities": selectors.activity_ideas(seat.person),
            "saved_resources": saved_resources,
            "saved_activities": saved_activities,
            "tab": "resources",
        },
    )


@login_required
@require_POST
def save(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    seat = access_pair_workspace(request.user, pk)
    resource = activity = None
    # Ids come from the form as text: anything that cannot be an id (2**70 included) is a 404.
    resource_id = request.POST.get("resource")
    activity_id = request.POST.get("activity")
    try:
        if resource_id:
            if not is_valid_id(resource_id):
                raise Http404("No such item.")
            resource = access_resource(request.user, int(resource_id))
        elif activity_id:
            if not is_valid_id(activity_id):
                raise Http404("No such item.")
            activity = activities_for(seat.person).get(pk=int(activity_id))
        else:
            raise Http404("Nothing to save.")
    except ActivityIdea.DoesNotExist as exc:
        raise Http404("No such item.") from exc
    try:
        services.save_item(seat.pairing, resource=resource, activity=activity, person=seat.person)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Saved to your pair's list."))
    return redirect("resources:saved", seat.pairing.pk)


@login_required
@require_POST
def mark_done(request: AuthenticatedRequest, pk: int, item_pk: int) -> HttpResponse:
    seat, item = access_saved_item(request.user, pk, item_pk)
    try:
        services.set_item_done(item, done=request.POST.get("done") == "1", person=seat.person)
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("resources:saved", seat.pairing.pk)


@login_required
@require_POST
def remove(request: AuthenticatedRequest, pk: int, item_pk: int) -> HttpResponse:
    seat, item = access_saved_item(request.user, pk, item_pk)
    return act_and_redirect(
        request,
        lambda: services.remove_item(item, person=seat.person),
        success=_("Removed from your list. You can save it again any time."),
        to=reverse("resources:saved", args=[seat.pairing.pk]),
    )
