"""Goals, tasks, skills and the workbook for the pair; the skills framework and the counts-only
overview for the programme team."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from upward.core import audit
from upward.core.errors import Conflict, DomainError
from upward.core.forms import apply_domain_error
from upward.core.shortcuts import act_and_redirect
from upward.core.types import AuthenticatedRequest
from upward.goals import selectors, services
from upward.goals.access import access_goal, access_skill_for_manager, access_task
from upward.goals.forms import (
    AssessmentForm,
    GoalForm,
    GoalUpdateForm,
    SkillForm,
    TaskForm,
    WorkbookForm,
)
from upward.goals.models import LEVELS, AssessmentKind
from upward.goals.workbook import build_workbook
from upward.pairing.workspace import access_pair_workspace
from upward.programmes.access import access_programme_for_manager


def _goals_url(pk: int) -> str:
    return reverse("goals:goals", args=[pk])


@login_required
def goals(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    seat = access_pair_workspace(request.user, pk)
    return render(
        request,
        "goals/goals.html",
        {
            "seat": seat,
            "pairing": seat.pairing,
            "columns": selectors.goal_columns(seat),
            "tab": "goals",
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def new_goal(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    seat = access_pair_workspace(request.user, pk)
    people = [seat.person, seat.partner]
    form = GoalForm(
        request.POST if request.method == "POST" else None,
        people=people,
        initial={"owner": seat.person.pk},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.create_goal(
                seat.pairing,
                owner=data["owner"],
                statement=data["statement"],
                measure=data["measure"],
                why=data["why"],
                target_date=data["target_date"],
                term=data["term"],
                person=seat.person,
            )
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("Goal added. Add a first task to get it moving."))
            return redirect("goals:goals", seat.pairing.pk)
    return render(
        request,
        "goals/goal_form.html",
        {"seat": seat, "pairing": seat.pairing, "form": form, "goal": None, "tab": "goals"},
    )


@login_required
@require_http_methods(["GET", "POST"])
def edit_goal(request: AuthenticatedRequest, pk: int, goal_pk: int) -> HttpResponse:
    seat, goal = access_goal(request.user, pk, goal_pk)
    form = GoalUpdateForm(request.POST if request.method == "POST" else None, instance=goal)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.update_goal(
                goal,
                statement=data["statement"],
                measure=data["measure"],
                why=data["why"],
                target_date=data["target_date"],
                term=data["term"],
                status=data["status"],
                progress=data["progress"] if data["progress"] is not None else goal.progress,
                person=seat.person,
            )
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("Goal updated."))
            return redirect("goals:goals", seat.pairing.pk)
    return render(
        request,
        "goals/goal_form.html",
        {"seat": seat, "pairing": seat.pairing, "form": form, "goal": goal, "tab": "goals"},
    )


@login_required
@require_POST
def move_goal(request: AuthenticatedRequest, pk: int, goal_pk: int) -> HttpResponse:
    seat, goal = access_goal(request.user, pk, goal_pk)
    try:
        services.move_goal(goal, direction=request.POST.get("direction", ""), person=seat.person)
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect(_goals_url(seat.pairing.pk) + f"#goal-{goal.pk}")


@login_required
@require_http_methods(["GET", "POST"])
def delete_goal(request: AuthenticatedRequest, pk: int, goal_pk: int) -> HttpResponse:
    seat, goal = access_goal(request.user, pk, goal_pk)
    if request.method == "POST":
        return act_and_redirect(
            request,
            lambda: services.delete_goal(goal, person=seat.person),
            success=_("Goal deleted, with its tasks."),
            to=_goals_url(seat.pairing.pk),
        )
    return render(
        request,
        "goals/confirm_delete.html",
        {
            "seat": seat,
            "pairing": seat.pairing,
            "tab": "goals",
            "title": _("Delete a goal"),
            "what": goal.statement,
            "consequence": _("The goal and all its tasks will be deleted for both of you."),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def new_task(request: AuthenticatedRequest, pk: int, goal_pk: int) -> HttpResponse:
    seat, goal = access_goal(request.user, pk, goal_pk)
    form = TaskForm(
        request.POST if request.method == "POST" else None,
        people=[seat.person, seat.partner],
        initial={"owner": goal.owner_id},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.add_task(
                goal,
                title=data["title"],
                due_on=data["due_on"],
                owner=data["owner"],
                person=seat.person,
            )
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("Task added."))
            return redirect(_goals_url(seat.pairing.pk) + f"#goal-{goal.pk}")
    return render(
        request,
        "goals/task_form.html",
        {"seat": seat, "pairing": seat.pairing, "form": form, "goal": goal, "tab": "goals"},
    )


@login_required
@require_POST
def toggle_task(request: AuthenticatedRequest, pk: int, task_pk: int) -> HttpResponse:
    seat, task = access_task(request.user, pk, task_pk)
    try:
        services.set_task_done(task, done=request.POST.get("done") == "1", person=seat.person)
    except Conflict as exc:
        # Already in the state asked for (a second tab, or the partner got there first).
        messages.info(request, exc.message)
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect(_goals_url(seat.pairing.pk) + f"#goal-{task.goal_id}")


@login_required
@require_http_methods(["GET", "POST"])
def delete_task(request: AuthenticatedRequest, pk: int, task_pk: int) -> HttpResponse:
    seat, task = access_task(request.user, pk, task_pk)
    if request.method == "POST":
        return act_and_redirect(
            request,
            lambda: services.delete_task(task, person=seat.person),
            success=_("Task deleted."),
            to=_goals_url(seat.pairing.pk),
        )
    return render(
        request,
        "goals/confirm_delete.html",
        {
            "seat": seat,
            "pairing": seat.pairing,
            "tab": "goals",
            "title": _("Delete a task"),
            "what": task.title,
            "consequence": _("The task will be deleted for both of you."),
        },
    )


# ---------------------------------------------------------------------------------------------
# Skills


@login_required
def skills(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    seat = access_pair_workspace(request.user, pk)
    framework = services.ensure_framework(seat.pairing.programme)
    mine = selectors.skill_rows(seat.pairing, framework, subject=seat.person, viewer=seat.person)
    given = selectors.skill_rows(seat.pairing, framework, subject=seat.partner, viewer=seat.person)
    return render(
        request,
        "goals/skills.html",
        {
            "seat": seat,
            "pairing": seat.pairing,
            "rows": mine,
            "given": given,
            "chart": selectors.skills_chart(mine),
            "has_self": any(r.self_baseline or r.self_final for r in mine),
            "has_given": any(r.partner_baseline or r.partner_final for r in given),
            "levels": LEVELS,
            "tab": "skills",
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def rate(request: AuthenticatedRequest, pk: int, kind: str, whom: str) -> HttpResponse:
    seat = access_pair_workspace(request.user, pk)
    if kind not in AssessmentKind.values or whom not in ("me", "partner"):
        from django.http import Http404

        raise Http404("No such assessment.")
    subject = seat.person if whom == "me" else seat.partner
    framework = services.ensure_framework(seat.pairing.programme)
    current = selectors.ratings_given(seat.pairing, subject=subject, rater=seat.person, kind=kind)
    form = AssessmentForm(
        request.POST if request.method == "POST" else None, skills=framework, initial_levels=current
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.save_assessment(
                seat.pairing, subject=subject, kind=kind, ratings=form.ratings(), person=seat.person
            )
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("Ratings saved."))
            return redirect("goals:skills", seat.pairing.pk)
    return render(
        request,
        "goals/rate.html",
        {
            "seat": seat,
            "pairing": seat.pairing,
            "form": form,
            "kind": kind,
            "kind_label": AssessmentKind(kind).label,
            "subject": subject,
            "is_self": whom == "me",
            "tab": "skills",
        },
    )


# ---------------------------------------------------------------------------------------------
# Workbook


@login_required
@require_http_methods(["GET", "POST"])
def workbook(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    seat = access_pair_workspace(request.user, pk)
    form = WorkbookForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        pdf = build_workbook(seat, include_notes=form.cleaned_data["include_notes"])
        audit.record_download(
            "workbook",
            seat.pairing,
            by=request.user,
            organisation=seat.pairing.programme.organisation_id,
            data={"include_notes": bool(form.cleaned_data["include_notes"])},
        )
        response = HttpResponse(pdf, content_type="application/pdf")
        name = slugify(seat.person.full_name) or "workbook"
        response["Content-Disposition"] = f'attachment; filename="upward-workbook-{name}.pdf"'
        # Personal content: never keep a copy in a shared cache.
        response["Cache-Control"] = "private, no-store"
        return response
    return render(
        request,
        "goals/workbook.html",
        {"seat": seat, "pairing": seat.pairing, "form": form, "tab": "workbook"},
    )


# ---------------------------------------------------------------------------------------------
# Programme team


@login_required
def programme_overview(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    programme = access_programme_for_manager(request.user, pk)
    return render(
        request,
        "goals/programme_overview.html",
        {"programme": programme, "rows": selectors.programme_goal_counts(programme)},
    )


@login_required
def framework(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    programme = access_programme_for_manager(request.user, pk)
    return render(
        request,
        "goals/framework.html",
        {"programme": programme, "skills": services.ensure_framework(programme)},
    )


def _skill_initial(skill: object | None) -> dict[str, object]:
    if skill is None:
        from upward.goals.defaults import default_levels

        return {f"level_{i}": text for i, text in enumerate(default_levels(), start=1)}
    initial: dict[str, object] = {"name": skill.name, "description": skill.description}  # type: ignore[attr-defined]
    for level in LEVELS:
        initial[f"level_{level}"] = skill.descriptor(level)  # type: ignore[attr-defined]
    return initial


@login_required
@require_http_methods(["GET", "POST"])
def skill_form(request: AuthenticatedRequest, pk: int, skill_pk: int | None = None) -> HttpResponse:
    if skill_pk is None:
        programme = access_programme_for_manager(request.user, pk)
        skill = None
    else:
        skill = access_skill_for_manager(request.user, pk, skill_pk)
        programme = skill.programme
    form = SkillForm(
        request.POST if request.method == "POST" else None, initial=_skill_initial(skill)
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if skill is None:
                services.add_skill(
                    programme,
                    name=data["name"],
                    description=data["description"],
                    levels=form.levels(),
                    by=request.user,
                )
            else:
                services.update_skill(
                    skill,
                    name=data["name"],
                    description=data["description"],
                    levels=form.levels(),
                    by=request.user,
                )
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("Skills framework saved."))
            return redirect("goals:framework", programme.pk)
    return render(
        request, "goals/skill_form.html", {"programme": programme, "skill": skill, "form": form}
    )


@login_required
@require_http_methods(["GET", "POST"])
def remove_skill(request: AuthenticatedRequest, pk: int, skill_pk: int) -> HttpResponse:
    skill = access_skill_for_manager(request.user, pk, skill_pk)
    if request.method == "POST":
        return act_and_redirect(
            request,
            lambda: services.remove_skill(skill, by=request.user),
            success=_("Skill removed from the framework."),
            to=reverse("goals:framework", args=[skill.programme.pk]),
        )
    return render(
        request, "goals/skill_remove.html", {"programme": skill.programme, "skill": skill}
    )
