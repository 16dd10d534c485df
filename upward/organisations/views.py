"""Directory, organisation setup and people import pages. Admins only; each view asks an
access helper for its objects, calls one service or selector, and renders."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from upward.core import exports
from upward.core.errors import DomainError
from upward.core.forms import apply_domain_error, set_aside_unknown_filters
from upward.core.htmx import announce
from upward.core.shortcuts import act_and_redirect
from upward.core.types import AuthenticatedRequest
from upward.organisations import importing, logo, selectors, services
from upward.organisations.access import (
    access_department,
    access_level,
    access_people_import,
    access_person,
    access_team,
    access_topic,
    require_org_admin,
    require_person,
)
from upward.organisations.forms import (
    PERSON_ERROR_FIELDS,
    ImportUploadForm,
    LogoForm,
    NameForm,
    PeopleFilterForm,
    PersonForm,
    TeamForm,
    TopicForm,
    UnavailabilityForm,
)

PAGE_SIZE = 50


def _bound(request: HttpRequest, *, files: bool = False) -> tuple[Any, ...]:
    """Form data for a POST (even an empty one, which must show "required"), else unbound."""
    if request.method != "POST":
        return (None, None) if files else (None,)
    return (request.POST, request.FILES) if files else (request.POST,)


# ---------------------------------------------------------------------------------------------
# Directory


@login_required
@require_GET
def people(request: AuthenticatedRequest) -> HttpResponse:
    admin = require_org_admin(request.user)
    organisation = admin.organisation
    filter_form = PeopleFilterForm(request.GET or {"status": "active"}, organisation=organisation)
    unknown = set_aside_unknown_filters(filter_form)
    filters = filter_form.filters()
    queryset = selectors.people_directory(organisation, **filters)
    page_obj = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "filter_form": filter_form,
        "unknown_filters": unknown,
        "page_obj": page_obj,
        "people": page_obj.object_list,
        "counts": selectors.directory_counts(organisation),
        "now": timezone.now(),
        "filtered": any(request.GET.get(k) for k in ("q", "level", "department"))
        or filters["status"] != "active",
    }
    template = "organisations/people.html"
    if getattr(request, "htmx", False):
        template += "#results"
    response = render(request, template, context)
    if getattr(request, "htmx", False):
        found = page_obj.paginator.count
        announce(
            response,
            ngettext("%(count)d person", "%(count)d people", found) % {"count": found},
        )
    # The same address answers with a whole page or a fragment; caches must keep both apart.
    patch_vary_headers(response, ["HX-Request"])
    return response


@login_required
def person_create(request: AuthenticatedRequest) -> HttpResponse:
    admin = require_org_admin(request.user)
    form = PersonForm(*_bound(request), organisation=admin.organisation)
    if request.method == "POST" and form.is_valid():
        try:
            person = services.create_person(
                admin.organisation, by=request.user, details=form.details()
            )
        except DomainError as exc:
            apply_domain_error(form, exc, field=PERSON_ERROR_FIELDS.get(exc.field or ""))
        else:
            messages.success(
                request, _("%(name)s is in the directory.") % {"name": person.full_name}
            )
            return redirect("organisations:person_detail", person.pk)
    return render(request, "organisations/person_form.html", {"form": form, "person": None})


@login_required
def person_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    person = access_person(request.user, pk)
    form = PersonForm(*_bound(request), organisation=person.organisation, person=person)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_person(person, by=request.user, details=form.details())
        except DomainError as exc:
            apply_domain_error(form, exc, field=PERSON_ERROR_FIELDS.get(exc.field or ""))
        else:
            messages.success(request, _("Changes saved."))
            return redirect("organisations:person_detail", person.pk)
    return render(request, "organisations/person_form.html", {"form": form, "person": person})


@login_required
@require_GET
def person_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    person = access_person(request.user, pk)
    context = {
        "person": person,
        "reporting_line": selectors.reporting_line(person),
        "reports": selectors.direct_reports(person),
        "invitation": selectors.latest_open_invitation(person),
        "now": timezone.now(),
    }
    return render(request, "organisations/person_detail.html", context)


@login_required
def person_leave(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    person = access_person(request.user, pk)
    if request.method == "POST":
        try:
            services.mark_person_left(person, by=request.user)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request,
                _("%(name)s is marked as having left.") % {"name": person.full_name},
            )
        return redirect("organisations:person_detail", person.pk)
    return render(request, "organisations/person_leave.html", {"person": person})


@login_required
@require_POST
def person_back(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    person = access_person(request.user, pk)
    return act_and_redirect(
        request,
        lambda: services.mark_person_back(person, by=request.user),
        success=_("%(name)s is active again.") % {"name": person.full_name},
        to=reverse("organisations:person_detail", args=[person.pk]),
    )


# ---------------------------------------------------------------------------------------------
# Import


@login_required
def import_start(request: AuthenticatedRequest) -> HttpResponse:
    admin = require_org_admin(request.user)
    form = ImportUploadForm(*_bound(request, files=True))
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            people_import = services.start_people_import(
                admin.organisation,
                by=request.user,
                filename=upload.name,
                content=upload.read(importing.MAX_BYTES + 1),
            )
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            return redirect("organisations:import_preview", people_import.pk)
    history = Paginator(selectors.import_history(admin.organisation), 20).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "organisations/import.html",
        {
            "form": form,
            "page_obj": history,
            "imports": history.object_list,
            "max_rows": f"{importing.MAX_ROWS:,}",
            "max_mb": importing.MAX_BYTES // (1024 * 1024),
        },
    )


@login_required
@require_GET
def import_template(request: AuthenticatedRequest) -> HttpResponse:
    admin = require_org_admin(request.user)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="upward-people-template.csv"'
    levels = list(admin.organisation.levels.order_by("rank"))
    junior = levels[0].name if levels else ""
    senior = levels[-1].name if levels else ""
    writer = exports.csv_writer(response)
    writer.writerow(importing.COLUMNS)
    writer.writerow(
        [
            "priya.shah@example.org",
            "Priya Shah",
            "Chief Operating Officer",
            senior,
            "Operations",
            "",
            "",
            "London",
            "Europe/London",
            "2015-09-01",
            "yes",
            "no",
        ]
    )
    writer.writerow(
        [
            "tom.okafor@example.org",
            "Tom Okafor",
            "Apprentice developer",
            junior,
            "Digital",
            "Platform",
            "priya.shah@example.org",
            "Leeds",
            "Europe/London",
            "04/09/2023",
            "yes",
            "",
        ]
    )
    return response


@login_required
@require_GET
def import_preview(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    people_import = access_people_import(request.user, pk)
    preview = people_import.preview
    changes = Paginator(preview.get("changes", []), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "organisations/import_preview.html",
        {
            "people_import": people_import,
            "preview": preview,
            "counts": people_import.counts,
            "page_obj": changes,
            "changes": changes.object_list,
        },
    )


@login_required
@require_POST
def import_apply(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    people_import = access_people_import(request.user, pk)
    try:
        services.queue_people_import(people_import, by=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("organisations:import_preview", people_import.pk)
    return redirect("organisations:import_status", people_import.pk)


@login_required
@require_GET
def import_status(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    people_import = access_people_import(request.user, pk)
    context = {"people_import": people_import, "result": people_import.result}
    if request.htmx:
        response = render(request, "organisations/import_status.html#progress", context)
        if not people_import.is_busy:
            # The job ended: htmx stops polling on 286 and swaps in the summary.
            response.status_code = 286
    else:
        response = render(request, "organisations/import_status.html", context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@login_required
@require_POST
def import_cancel(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    people_import = access_people_import(request.user, pk)
    try:
        services.cancel_people_import(people_import, by=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.info(request, _("Import cancelled. Nothing in the directory changed."))
    return redirect("organisations:import")


# ---------------------------------------------------------------------------------------------
# Organisation setup: levels, departments and teams, topics


def _setup_url(section: str) -> str:
    return reverse("organisations:setup") + f"#{section}"


@login_required
@require_GET
def setup(request: AuthenticatedRequest) -> HttpResponse:
    admin = require_org_admin(request.user)
    organisation = admin.organisation
    context = {
        "organisation": organisation,
        "levels": selectors.levels_with_usage(organisation),
        "departments": selectors.departments_with_teams(organisation),
        "topic_groups": selectors.topics_by_kind(organisation),
        "domains": selectors.organisation_domains(organisation),
        "level_form": NameForm(auto_id="id_level_%s", label=_("New level name")),
        "department_form": NameForm(
            auto_id="id_department_%s", label=_("New department name"), max_length=120
        ),
        "team_form": TeamForm(organisation=organisation, auto_id="id_team_%s"),
        "topic_form": TopicForm(organisation=organisation, auto_id="id_topic_%s"),
    }
    return render(request, "organisations/setup.html", context)


def _setup_form_page(
    request: HttpRequest,
    form: Any,
    *,
    title: str,
    section: str,
    save: Callable[[dict[str, Any]], Any],
    done: str,
    intro: str = "",
) -> HttpResponse:
    """A small form page shared by every add and rename in the setup sections."""
    if request.method == "POST" and form.is_valid():
        try:
            save(form.cleaned_data)
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, done)
            return redirect(_setup_url(section))
    return render(
        request,
        "organisations/setup_form.html",
        {"form": form, "title": title, "intro": intro, "back": _setup_url(section)},
    )


def _confirm_delete_page(
    request: HttpRequest, *, obj: Any, what: str, section: str, delete: Callable[[], None]
) -> HttpResponse:
    if request.method == "POST":
        try:
            delete()
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("%(name)s deleted.") % {"name": obj})
        return redirect(_setup_url(section))
    return render(
        request,
        "organisations/confirm_delete.html",
        {"obj": obj, "what": what, "back": _setup_url(section)},
    )


@login_required
def level_create(request: AuthenticatedRequest) -> HttpResponse:
    admin = require_org_admin(request.user)
    return _setup_form_page(
        request,
        NameForm(*_bound(request), label=_("Level name")),
        title=_("Add a level"),
        intro=_("A new level starts as the most senior. Move it into place afterwards."),
        section="levels",
        save=lambda d: services.create_level(admin.organisation, by=request.user, name=d["name"]),
        done=_("Level added."),
    )


@login_required
def level_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    level = access_level(request.user, pk)
    return _setup_form_page(
        request,
        NameForm(*_bound(request), initial={"name": level.name}, label=_("Level name")),
        title=_("Rename level %(rank)s") % {"rank": level.rank},
        section="levels",
        save=lambda d: services.rename_level(level, by=request.user, name=d["name"]),
        done=_("Level renamed."),
    )


@login_required
@require_POST
def level_move(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    level = access_level(request.user, pk)
    try:
        services.move_level(level, by=request.user, direction=request.POST.get("direction", ""))
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect(_setup_url("levels"))


@login_required
def level_delete(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    level = access_level(request.user, pk)
    return _confirm_delete_page(
        request,
        obj=level,
        what=_("level"),
        section="levels",
        delete=lambda: services.delete_level(level, by=request.user),
    )


@login_required
def department_create(request: AuthenticatedRequest) -> HttpResponse:
    admin = require_org_admin(request.user)
    return _setup_form_page(
        request,
        NameForm(*_bound(request), label=_("Department name"), max_length=120),
        title=_("Add a department"),
        section="departments",
        save=lambda d: services.create_department(
            admin.organisation, by=request.user, name=d["name"]
        ),
        done=_("Department added."),
    )


@login_required
def department_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    department = access_department(request.user, pk)
    return _setup_form_page(
        request,
        NameForm(
            *_bound(request),
            initial={"name": department.name},
            label=_("Department name"),
            max_length=120,
        ),
        title=_("Rename department"),
        section="departments",
        save=lambda d: services.rename_department(department, by=request.user, name=d["name"]),
        done=_("Department renamed."),
    )


@login_required
def department_delete(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    department = access_department(request.user, pk)
    return _confirm_delete_page(
        request,
        obj=department,
        what=_("department and its teams"),
        section="departments",
        delete=lambda: services.delete_department(department, by=request.user),
    )


@login_required
def team_create(request: AuthenticatedRequest) -> HttpResponse:
    admin = require_org_admin(request.user)
    form = TeamForm(*_bound(request), organisation=admin.organisation)
    return _setup_form_page(
        request,
        form,
        title=_("Add a team"),
        section="departments",
        save=lambda d: services.create_team(d["department"], by=request.user, name=d["name"]),
        done=_("Team added."),
    )


@login_required
def team_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    team = access_team(request.user, pk)
    return _setup_form_page(
        request,
        NameForm(
            *_bound(request),
            initial={"name": team.name},
            label=_("Team name"),
            max_length=120,
        ),
        title=_("Rename team in %(department)s") % {"department": team.department.name},
        section="departments",
        save=lambda d: services.rename_team(team, by=request.user, name=d["name"]),
        done=_("Team renamed."),
    )


@login_required
def team_delete(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    team = access_team(request.user, pk)
    return _confirm_delete_page(
        request,
        obj=team,
        what=_("team"),
        section="departments",
        delete=lambda: services.delete_team(team, by=request.user),
    )


@login_required
def topic_create(request: AuthenticatedRequest) -> HttpResponse:
    admin = require_org_admin(request.user)
    return _setup_form_page(
        request,
        TopicForm(*_bound(request), organisation=admin.organisation),
        title=_("Add a topic"),
        section="topics",
        save=lambda d: services.create_topic(admin.organisation, by=request.user, **d),
        done=_("Topic added."),
    )


@login_required
def topic_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    topic = access_topic(request.user, pk)
    return _setup_form_page(
        request,
        TopicForm(*_bound(request), organisation=topic.organisation, topic=topic),
        title=_("Edit topic"),
        section="topics",
        save=lambda d: services.update_topic(topic, by=request.user, **d),
        done=_("Topic saved."),
    )


# ---------------------------------------------------------------------------------------------
# A participant's own availability


@login_required
@require_http_methods(["GET", "POST"])
def my_availability(request: AuthenticatedRequest) -> HttpResponse:
    """Anyone in the directory marks themselves away for a period, or clears it."""
    person = require_person(request.user)
    current = selectors.unavailability_of(person)
    if request.method == "POST" and request.POST.get("action") == "clear":
        return act_and_redirect(
            request,
            lambda: services.clear_unavailability(person, by=request.user),
            success=_("You are shown as available again."),
            to="organisations:my_availability",
        )
    initial = (
        {"starts_on": current.starts_on, "ends_on": current.ends_on, "note": current.note}
        if current
        else {"starts_on": timezone.localdate()}
    )
    form = UnavailabilityForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.set_unavailability(
                person,
                by=request.user,
                starts_on=form.cleaned_data["starts_on"],
                ends_on=form.cleaned_data["ends_on"],
                note=form.cleaned_data["note"],
            )
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(
                request,
                _("Saved. While you are away, nobody is proposed to you and reminders pause."),
            )
            return redirect("organisations:my_availability")
    return render(
        request,
        "organisations/my_availability.html",
        {"form": form, "current": current, "today": timezone.localdate()},
    )


# ---------------------------------------------------------------------------------------------
# The organisation's logo, printed on the documents Upward makes


@login_required
@require_http_methods(["GET", "POST"])
def logo_edit(request: AuthenticatedRequest) -> HttpResponse:
    admin = require_org_admin(request.user)
    organisation = admin.organisation
    form = LogoForm(*_bound(request, files=True))
    if request.method == "POST" and form.is_valid():
        try:
            logo.set_organisation_logo(
                organisation, upload=form.cleaned_data["logo"], by=request.user
            )
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(
                request, _("Logo saved. It is printed on workbooks, records and certificates.")
            )
            return redirect("organisations:logo")
    current = logo.current_logo(organisation)
    return render(
        request,
        "organisations/logo.html",
        {"organisation": organisation, "form": form, "current": current},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_GET
def logo_image(request: AuthenticatedRequest) -> HttpResponse:
    admin = require_org_admin(request.user)
    png = logo.logo_png(admin.organisation)
    if png is None:
        raise Http404("No logo.")
    response = HttpResponse(png, content_type="image/png")
    response["Cache-Control"] = "private, no-cache"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def logo_remove(request: AuthenticatedRequest) -> HttpResponse:
    admin = require_org_admin(request.user)
    organisation = admin.organisation
    if logo.current_logo(organisation) is None:
        return redirect("organisations:logo")
    if request.method == "POST":
        logo.remove_organisation_logo(organisation, by=request.user)
        messages.success(request, _("Logo removed. Documents show the organisation's name only."))
        return redirect("organisations:logo")
    return render(request, "organisations/logo_remove.html", {"organisation": organisation})
