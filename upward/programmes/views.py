"""Programme pages. Each view finds its object through an access helper, calls one service or
selector, and renders; domain errors become form errors or messages."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from upward.core.errors import DomainError
from upward.core.forms import apply_domain_error, unknown_filter
from upward.core.ratelimit import limit_per_address
from upward.core.types import AuthenticatedRequest
from upward.organisations.access import person_for
from upward.programmes import selectors, services
from upward.programmes.access import (
    access_programme_by_token,
    access_programme_for_manager,
    access_programme_for_org_admin,
    access_question_for_manager,
    can_manage_programmes,
    participants_among,
    require_programme_creator,
    set_aside_programmes,
)
from upward.programmes.design import LOCK_REASONS, design_warnings, editable_fields
from upward.programmes.forms import ManagersForm, ProgrammeForm, QuestionForm
from upward.programmes.models import Programme, SelectionMode, State
from upward.programmes.services import QUESTION_STATES, SIGNUP_STATES

PER_PAGE = 20


def _detail(programme: Programme) -> HttpResponse:
    return redirect("programmes:detail", programme.pk)


# ---------------------------------------------------------------------------------------------
# List, create, detail, edit


@login_required
def programme_list(request: AuthenticatedRequest) -> HttpResponse:
    state = request.GET.get("state") or ""
    unknown = []
    if state and state not in State.values:
        # An unknown filter shows everything rather than failing, and says so.
        unknown = [unknown_filter(_("Stage"), state)]
        state = ""
    page_obj = Paginator(
        selectors.programme_list(request.user, state=state or None), PER_PAGE
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "programmes/list.html",
        {
            "page_obj": page_obj,
            "state": state,
            "unknown_filters": unknown,
            "states": State.choices,
            "can_create": can_manage_programmes(request.user),
            # Programmes they would run but take part in: say why they are not listed.
            "set_aside": list(set_aside_programmes(request.user)),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def programme_create(request: AuthenticatedRequest) -> HttpResponse:
    creator = require_programme_creator(request.user)
    form = ProgrammeForm(request.POST or None, organisation=creator.organisation)
    if request.method == "POST" and form.is_valid():
        try:
            programme = services.create_programme(creator, fields=form.cleaned_data)
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            messages.success(
                request,
                _("Draft saved. Nothing is public until you open recruitment."),
            )
            return _detail(programme)
    return render(request, "programmes/form.html", {"form": form, "programme": None})


@login_required
def programme_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    programme = access_programme_for_manager(request.user, pk)
    counts = selectors.recruitment_counts(programme)
    person = person_for(request.user)
    context = {
        "programme": programme,
        "counts": counts,
        "steps": selectors.lifecycle_steps(programme),
        "next_step": selectors.NEXT_STEPS[State(programme.state)],
        "moves": selectors.available_moves(programme, counts),
        "design_warnings": design_warnings(programme),
        "mentor_eligibility": selectors.eligibility_text(programme, "mentor"),
        "mentee_eligibility": selectors.eligibility_text(programme, "mentee"),
        "managers": list(programme.managers.order_by("full_name")),
        "questions": list(programme.questions.all()),
        "history": list(programme.state_changes.select_related("by").order_by("-at", "-id")[:10]),
        "public_url": request.build_absolute_uri(
            reverse("programmes:public", args=[programme.signup_token])
        ),
        "is_public": programme.state not in (State.DRAFT, State.ARCHIVED),
        "signup_toggle_allowed": programme.state in SIGNUP_STATES,
        "questions_editable": programme.state in QUESTION_STATES,
        "lock_reason": LOCK_REASONS.get(programme.state),
        "is_org_admin": bool(person and person.is_org_admin),
    }
    return render(request, "programmes/detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def programme_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    programme = access_programme_for_manager(request.user, pk)
    editable = editable_fields(programme.state)
    form = ProgrammeForm(
        request.POST or None,
        instance=programme,
        organisation=programme.organisation,
        editable=editable,
    )
    if request.method == "POST" and editable and form.is_valid():
        try:
            services.update_programme_design(
                programme, fields=form.design_values(), by=request.user
            )
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            messages.success(request, _("Design saved."))
            return _detail(programme)
    return render(
        request,
        "programmes/form.html",
        {
            "form": form,
            "programme": programme,
            "lock_reason": LOCK_REASONS.get(programme.state),
            "read_only": not editable,
        },
    )


# ---------------------------------------------------------------------------------------------
# Lifecycle


@login_required
@require_http_methods(["GET", "POST"])
def programme_transition(request: AuthenticatedRequest, pk: int, to: str) -> HttpResponse:
    programme = access_programme_for_manager(request.user, pk)
    if to not in State.values:
        raise Http404("No such state.")
    move = selectors.move_for(programme, to)
    if move is None:
        messages.error(
            request,
            _("A programme that is %(state)s cannot move to %(to)s.")
            % {
                "state": programme.get_state_display().lower(),
                "to": State(to).label.lower(),
            },
        )
        return _detail(programme)
    confirmed = request.POST.get("confirmed") == "yes"
    if request.method == "POST" and (confirmed or not move.needs_confirmation):
        try:
            services.transition_programme(
                programme,
                to=to,
                by=request.user,
                acknowledged=request.POST.get("acknowledged") == "yes",
            )
        except DomainError as error:
            messages.error(request, error.message)
            if move.asks:  # Most likely the unticked box: ask again on the same page.
                return render(
                    request, "programmes/confirm_move.html", {"programme": programme, "move": move}
                )
        else:
            messages.success(
                request,
                _("The programme is now %(state)s.") % {"state": State(to).label.lower()},
            )
        return _detail(programme)
    return render(request, "programmes/confirm_move.html", {"programme": programme, "move": move})


# ---------------------------------------------------------------------------------------------
# Sign-up link


@login_required
@require_http_methods(["GET", "POST"])
def signup_toggle(request: AuthenticatedRequest, pk: int, action: str) -> HttpResponse:
    programme = access_programme_for_manager(request.user, pk)
    if action not in ("open", "close"):
        raise Http404("No such action.")
    if request.method == "POST":
        try:
            services.set_signup_open(programme, is_open=action == "open", by=request.user)
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request,
                _("Sign-up is open again.") if action == "open" else _("Sign-up is closed."),
            )
        return _detail(programme)
    return render(
        request, "programmes/confirm_signup.html", {"programme": programme, "action": action}
    )


@login_required
@require_http_methods(["GET", "POST"])
def regenerate_link(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    programme = access_programme_for_manager(request.user, pk)
    if request.method == "POST":
        try:
            services.regenerate_signup_token(programme, by=request.user)
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("New sign-up link created. The old link no longer works."))
        return _detail(programme)
    return render(
        request, "programmes/confirm_signup.html", {"programme": programme, "action": "regenerate"}
    )


# ---------------------------------------------------------------------------------------------
# Managers


@login_required
@require_http_methods(["GET", "POST"])
def programme_managers(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    programme = access_programme_for_org_admin(request.user, pk)
    current = list(programme.managers.order_by("full_name", "pk"))
    taking_part = participants_among(programme, [p.pk for p in current])
    form = ManagersForm(
        request.POST or None,
        organisation=programme.organisation,
        initial={"managers": current},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.set_programme_managers(
                programme, managers=form.cleaned_data["managers"], by=request.user
            )
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            messages.success(request, _("Managers saved."))
            return _detail(programme)
    return render(
        request,
        "programmes/managers.html",
        {
            "programme": programme,
            "form": form,
            # Named before the rule existed, or since: they cannot reach the programme until
            # an admin removes them (or they stop taking part).
            "managers_taking_part": [p for p in current if p.pk in taking_part],
        },
    )


# ---------------------------------------------------------------------------------------------
# Extra application questions


@login_required
@require_http_methods(["GET", "POST"])
def question_list(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    programme = access_programme_for_manager(request.user, pk)
    editable = programme.state in QUESTION_STATES
    form = QuestionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.add_question(programme, fields=form.cleaned_data, by=request.user)
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            messages.success(request, _("Question added."))
            return redirect("programmes:questions", programme.pk)
    return render(
        request,
        "programmes/questions.html",
        {
            "programme": programme,
            "questions": list(programme.questions.all()),
            "form": form,
            "editable": editable,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def question_edit(request: AuthenticatedRequest, pk: int, question_pk: int) -> HttpResponse:
    question = access_question_for_manager(request.user, pk, question_pk)
    form = QuestionForm(request.POST or None, instance=question)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_question(question, fields=form.cleaned_data, by=request.user)
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            messages.success(request, _("Question saved."))
            return redirect("programmes:questions", pk)
    return render(
        request,
        "programmes/question_form.html",
        {
            "programme": question.programme,
            "question": question,
            "form": form,
            "editable": question.programme.state in QUESTION_STATES,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def question_delete(request: AuthenticatedRequest, pk: int, question_pk: int) -> HttpResponse:
    question = access_question_for_manager(request.user, pk, question_pk)
    if request.method == "POST":
        try:
            services.delete_question(question, by=request.user)
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Question deleted."))
        return redirect("programmes:questions", pk)
    return render(
        request,
        "programmes/question_delete.html",
        {
            "programme": question.programme,
            "question": question,
            "answers": question.answers.count(),
        },
    )


@login_required
@require_POST
def question_move(request: AuthenticatedRequest, pk: int, question_pk: int) -> HttpResponse:
    question = access_question_for_manager(request.user, pk, question_pk)
    try:
        services.move_question(
            question, direction=request.POST.get("direction", ""), by=request.user
        )
    except DomainError as error:
        messages.error(request, error.message)
    return redirect("programmes:questions", pk)


# ---------------------------------------------------------------------------------------------
# The public recruitment page


@limit_per_address("signup_link")
def public_page(request: HttpRequest, token: str) -> HttpResponse:
    programme = access_programme_by_token(token)
    accepting = programme.state == State.RECRUITING and programme.signup_open
    context = {
        "programme": programme,
        "accepting": accepting,
        "invitation_only": programme.selection_mode == SelectionMode.INVITATION,
        "mentor_eligibility": selectors.eligibility_text(programme, "mentor"),
        "mentee_eligibility": selectors.eligibility_text(programme, "mentee"),
        "objective_pitch": selectors.OBJECTIVE_PITCH.get(programme.objective, ""),
        "selection_explanation": selectors.SELECTION_EXPLANATION.get(programme.selection_mode, ""),
    }
    response = render(request, "programmes/public.html", context)
    # The link is shared inside the organisation; search engines have no business with it.
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response
