"""Recruitment pages. Each view resolves access, parses input, calls one service or selector."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from upward.consent import selectors as consent_selectors
from upward.consent.purposes import Purpose
from upward.core import audit
from upward.core.errors import DomainError
from upward.core.forms import apply_domain_error, set_aside_unknown_filters
from upward.core.htmx import announce
from upward.core.ratelimit import limit_per_address
from upward.core.shortcuts import act_and_redirect
from upward.core.types import AuthenticatedRequest
from upward.core.validation import valid_ids
from upward.organisations.access import person_for
from upward.programmes.access import access_programme_by_token, access_programme_for_manager
from upward.programmes.models import State
from upward.recruitment import selectors, services
from upward.recruitment.access import (
    access_application_for_manager,
    access_own_application,
    access_own_invitation,
    access_programme_for_applicant,
)
from upward.recruitment.eligibility import role_noun, role_options, roles_noun
from upward.recruitment.forms import (
    ApplicationForm,
    BulkDecisionForm,
    DecisionForm,
    InviteFilterForm,
    InviteForm,
    ReviewFilterForm,
)
from upward.recruitment.models import Application, Role

Status = Application.Status
REVIEW_PAGE_SIZE = 25
CANDIDATES_PAGE_SIZE = 50


# ---------------------------------------------------------------------------------------------
# Applicant pages


@limit_per_address("signup_link")
@login_required
@require_http_methods(["GET", "POST"])
def apply(request: AuthenticatedRequest, token: str) -> HttpResponse:
    person = person_for(request.user)
    if person is None:
        programme = access_programme_by_token(token)
        return render(request, "recruitment/not_in_directory.html", {"programme": programme})
    programme = access_programme_for_applicant(token, person)

    existing = selectors.live_application(programme, person)
    if existing is not None:
        messages.info(
            request, _("You have already applied to this programme. Here is your application.")
        )
        return redirect("recruitment:my_application", existing.pk)

    managing = selectors.manager_refusal(programme, person)
    if managing:
        # Say why before any form, and offer none: the service refuses it too.
        return render(
            request,
            "recruitment/apply_roles.html",
            {"programme": programme, "options": [], "manager_refusal": managing},
        )

    options = role_options(programme, person)
    role = request.POST.get("role") or request.GET.get("role") or ""
    chosen = next((o for o in options if o.role == role), None)
    if chosen is None or not chosen.eligible:
        # Eligibility is shown before the form, so nobody fills it in only to be refused.
        return render(
            request,
            "recruitment/apply_roles.html",
            {
                "programme": programme,
                "options": options,
                "chosen": chosen,
                "bad_role": bool(role) and chosen is None,
                "any_eligible": any(o.eligible for o in options),
            },
        )

    questions = selectors.questions_for(programme, role)
    form = ApplicationForm(
        request.POST or None,
        programme=programme,
        person=person,
        role=role,
        questions=questions,
        nameable=selectors.nameable_colleague_ids(request.session, person, programme),
    )
    if request.method == "POST" and form.is_valid():
        try:
            application = services.submit_application(
                programme, person, role=role, by=request.user, **form.service_kwargs()
            )
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _submitted_message(application))
            return redirect("recruitment:my_application", application.pk)
    return render(
        request,
        "recruitment/apply.html",
        {
            "programme": programme,
            "form": form,
            "role": role,
            "role_noun": role_noun(role),
            "option": chosen,
            "editing": False,
            "search_url": reverse("recruitment:colleague_search", args=[programme.signup_token]),
        },
    )


def _submitted_message(application: Application) -> str:
    if application.status == Status.ACCEPTED:
        return _("Your place is confirmed: you are taking part as a %(role)s.") % {
            "role": role_noun(application.role)
        }
    if application.status == Status.WAITLISTED:
        return _(
            "Thank you for applying. All places for %(roles)s are taken, so you are on the "
            "waiting list; we will email you if a place opens."
        ) % {"roles": roles_noun(application.role)}
    return _(
        "Thank you for applying. The programme team will review your application and email "
        "you their decision. You can change your answers until then."
    )


@limit_per_address("colleague_search")
@login_required
@require_GET
def colleague_search(request: AuthenticatedRequest, token: str) -> HttpResponse:
    """htmx: the 'people you work with' picker, keeping those already ticked.

    It answers only while the programme recruits (applications can be made or changed only
    then); the selectors keep it to a few active colleagues found by name."""
    person = person_for(request.user)
    if person is None:
        access_programme_by_token(token)
        return HttpResponse(status=404)
    programme = access_programme_for_applicant(token, person)
    if programme.state != State.RECRUITING:
        raise Http404("This programme is not recruiting.")
    q = request.GET.get("people_q", "")[:100]
    nameable = selectors.nameable_colleague_ids(request.session, person, programme)
    ticked = [i for i in valid_ids(request.GET.getlist("works_with")) if i in nameable]
    selected = selectors.colleagues_by_id(person, ticked)
    chosen_ids = {p.pk for p in selected}
    results = [p for p in selectors.colleagues_matching(person, q) if p.pk not in chosen_ids]
    selectors.remember_shown_colleagues(request.session, results)
    response = render(
        request,
        "recruitment/apply.html#colleagues",
        {
            "selected": selected,
            "results": results,
            "q": q,
            "searched": len(q.strip()) >= selectors.COLLEAGUE_MIN_QUERY,
        },
    )
    patch_vary_headers(response, ["HX-Request"])
    return response


@login_required
@require_GET
def my_application(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    application = access_own_application(request.user, pk)
    return render(
        request,
        "recruitment/my_application.html",
        {
            "application": application,
            "programme": application.programme,
            "can_edit": _can_edit(application),
            "can_withdraw": _can_withdraw(application),
            # The applicant's own answer, as matching would use it for this programme.
            "show_lived_experience": application.programme.special_category_matching,
            "lived_topics": _lived_topics(application),
        },
    )


def _lived_topics(application: Application) -> list[Any]:
    """The mentor's lived-experience topics as matching may use them here: only where the
    programme's switch is on and the person consents to matching. Otherwise none."""
    if application.role != Role.MENTOR or not application.programme.special_category_matching:
        return []
    return consent_selectors.lived_experience_topics(application.person, Purpose.MATCHING)


def _can_edit(application: Application) -> bool:
    return (
        application.status == Status.SUBMITTED and application.programme.state == State.RECRUITING
    )


def _can_withdraw(application: Application) -> bool:
    return (
        application.status in services.WITHDRAWABLE
        and application.programme.state in services.DECIDING_STATES
    )


@login_required
@require_http_methods(["GET", "POST"])
def edit_application(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    application = access_own_application(request.user, pk)
    if not _can_edit(application):
        messages.info(
            request,
            _("Your application can no longer be changed; the programme team has it now."),
        )
        return redirect("recruitment:my_application", application.pk)
    programme = application.programme
    questions = selectors.questions_for(programme, application.role)
    form = ApplicationForm(
        request.POST or None,
        programme=programme,
        person=application.person,
        role=application.role,
        questions=questions,
        initial=ApplicationForm.initial_from(application),
        nameable=selectors.nameable_colleague_ids(request.session, application.person, programme),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.update_application(application, by=request.user, **form.service_kwargs())
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("Your changes are saved."))
            return redirect("recruitment:my_application", application.pk)
    return render(
        request,
        "recruitment/apply.html",
        {
            "programme": programme,
            "application": application,
            "form": form,
            "role": application.role,
            "role_noun": role_noun(application.role),
            "editing": True,
            "search_url": reverse("recruitment:colleague_search", args=[programme.signup_token]),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def withdraw_application(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    application = access_own_application(request.user, pk)
    if request.method == "POST":
        return act_and_redirect(
            request,
            lambda: services.withdraw_application(application, by=request.user),
            success=_("You have withdrawn your application. Thank you for letting the team know."),
            to=reverse("recruitment:my_application", args=[application.pk]),
        )
    if not _can_withdraw(application):
        messages.info(request, _("This application cannot be withdrawn now."))
        return redirect("recruitment:my_application", application.pk)
    return render(request, "recruitment/withdraw_confirm.html", {"application": application})


@limit_per_address("invitation")
@login_required
@require_GET
def invitation_accept(request: AuthenticatedRequest, token: str) -> HttpResponse:
    """The link in an invitation email: straight to the form, in the invited role."""
    invitation = access_own_invitation(request.user, token)
    if invitation.is_expired():
        return render(
            request,
            "recruitment/invitation_expired.html",
            {"invitation": invitation, "programme": invitation.programme},
            status=410,
        )
    url = reverse("recruitment:apply", args=[invitation.programme.signup_token])
    return redirect(f"{url}?role={invitation.role}")


# ---------------------------------------------------------------------------------------------
# Programme team pages


@login_required
@require_GET
def review(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    programme = access_programme_for_manager(request.user, pk)
    filter_form = ReviewFilterForm(request.GET or None, programme=programme)
    unknown = set_aside_unknown_filters(filter_form)
    filters = filter_form.filters() if request.GET else {}
    qs = selectors.review_list(programme, **filters)
    page_obj = Paginator(qs, REVIEW_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "programme": programme,
        "filter_form": filter_form,
        "page_obj": page_obj,
        "capacity": selectors.capacity_summary(programme),
        "filtered": bool(filters),
        "filter_query": _filter_query(filter_form) if request.GET else {},
        "unknown_filters": unknown,
        "can_decide": programme.state in services.DECIDING_STATES,
    }
    template = "recruitment/review.html"
    if request.htmx and not request.htmx.boosted:
        template += "#results"
    response = render(request, template, context)
    if request.htmx and not request.htmx.boosted:
        # The filter swapped the list in place: say what it found (docs/accessibility.md).
        total = page_obj.paginator.count
        announce(
            response,
            ngettext("%(n)s application", "%(n)s applications", total) % {"n": f"{total:,}"},
        )
    patch_vary_headers(response, ["HX-Request"])
    return response


BULK_NAMES_SHOWN = 10


def _filter_query(filter_form: ReviewFilterForm) -> dict[str, str]:
    """The applied filters as plain values, to carry through the confirmation and back."""
    values: dict[str, str] = {}
    for name, value in filter_form.filters().items():
        values[name] = str(getattr(value, "pk", value))
    return values


def _filter_summary(filter_form: ReviewFilterForm) -> list[tuple[str, str]]:
    summary: list[tuple[str, str]] = []
    for name, value in filter_form.filters().items():
        field = filter_form.fields[name]
        shown = str(value)
        if isinstance(field, forms.ChoiceField) and not isinstance(field, forms.ModelChoiceField):
            shown = str(dict(field.choices).get(value, value))  # type: ignore[arg-type]
        summary.append((str(field.label), shown))
    return summary


@login_required
@require_POST
def review_bulk(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Step one shows what a bulk decision would change and asks to confirm; step two
    (`confirm`) applies the filter again and decides, refusing if the set has changed."""
    programme = access_programme_for_manager(request.user, pk)
    filter_form = ReviewFilterForm(request.POST, programme=programme)
    unknown = set_aside_unknown_filters(filter_form)
    query = _filter_query(filter_form)
    back = reverse("recruitment:review", args=[programme.pk])
    if query:
        back += "?" + urlencode(query)
    form = BulkDecisionForm(request.POST, programme=programme)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return redirect(back)
    scope, decision = form.scope, form.decision
    if scope == "matching":
        candidates = selectors.review_list(programme, **filter_form.filters())
    else:
        candidates = Application.objects.filter(
            pk__in=[a.pk for a in form.cleaned_data["applications"]]
        )
    error = ""
    over_capacity = False
    if form.cleaned_data["confirm"]:
        try:
            result = services.decide_applications(
                programme,
                candidates,
                decision=decision,
                reason=form.cleaned_data["reason"],
                by=request.user,
                allow_overfill=form.cleaned_data["allow_overfill"],
                fingerprint=form.cleaned_data["fingerprint"],
            )
        except services.OverCapacity as exc:
            error, over_capacity = exc.message, True
        except DomainError as exc:
            error = exc.message
            if exc.field in form.fields:
                form.add_error(exc.field, exc.message)
        else:
            messages.success(request, _bulk_done_message(decision, result.decided))
            return redirect(back)
    # Required for a decline, as the service says; optional to the form only so that the
    # first step (which shows the count) can come without it.
    form.fields["reason"].required = decision == Status.DECLINED
    preview = selectors.bulk_preview(
        programme, candidates, decision=decision, by=request.user, names=BULK_NAMES_SHOWN
    )
    return render(
        request,
        "recruitment/bulk_confirm.html",
        {
            "programme": programme,
            "form": form,
            "scope": scope,
            "decision": decision,
            "action": form.cleaned_data["action"],
            "preview": preview,
            "fingerprint": services.bulk_fingerprint(preview.ids),
            "filter_query": query,
            "filter_summary": _filter_summary(filter_form),
            "unknown_filters": unknown,
            "ticked": [a.pk for a in form.cleaned_data["applications"]],
            "error": error,
            "over_capacity": over_capacity,
            "capacity": selectors.capacity_summary(programme),
            "back": back,
        },
        status=409 if error else 200,
    )


def _bulk_done_message(decision: str, n: int) -> str:
    if decision == Status.ACCEPTED:
        text = ngettext(
            "%(n)s application accepted. The applicant has been emailed.",
            "%(n)s applications accepted. Each applicant has been emailed.",
            n,
        )
    elif decision == Status.WAITLISTED:
        text = ngettext(
            "%(n)s application moved to the waiting list. The applicant has been emailed.",
            "%(n)s applications moved to the waiting list. Each applicant has been emailed.",
            n,
        )
    else:
        text = ngettext(
            "%(n)s application declined. The applicant has been emailed your message.",
            "%(n)s applications declined. Each applicant has been emailed your message.",
            n,
        )
    return text % {"n": n}


@login_required
@require_http_methods(["GET", "POST"])
def review_detail(request: AuthenticatedRequest, pk: int, application_pk: int) -> HttpResponse:
    programme, application = access_application_for_manager(request.user, pk, application_pk)
    form = DecisionForm(
        request.POST or None,
        initial={"reason": application.decision_reason, "internal_note": application.internal_note},
    )
    over_capacity: services.OverCapacity | None = None
    if request.method == "POST" and form.is_valid():
        try:
            services.decide_application(
                application,
                decision=form.cleaned_data["decision"],
                reason=form.cleaned_data["reason"],
                internal_note=form.cleaned_data["internal_note"],
                by=request.user,
                allow_overfill=form.cleaned_data["allow_overfill"],
            )
        except services.OverCapacity as exc:
            # Ask again, with the same answers and the confirmation ticked.
            over_capacity = exc
            data = request.POST.copy()
            data["allow_overfill"] = "on"
            form = DecisionForm(data)
            form.is_valid()
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(
                request,
                _("Decision saved. %(name)s has been emailed.")
                % {"name": application.person.full_name},
            )
            return redirect("recruitment:review", programme.pk)
    lived_topics = _lived_topics(application)
    if lived_topics:
        audit.record(
            "special_category.viewed",
            application.person,
            by=request.user,
            organisation=programme.organisation,
            data={"where": "application_review", "programme": programme.pk},
        )
    return render(
        request,
        "recruitment/review_detail.html",
        {
            "programme": programme,
            "application": application,
            "form": form,
            "over_capacity": over_capacity,
            "capacity": selectors.capacity_summary(programme),
            "can_decide": programme.state in services.DECIDING_STATES
            and application.status in services.DECISION_FROM,
            # Special-category data: shown only where the programme uses it in matching and
            # the applicant consents; each showing is audited (without the values).
            "show_lived_experience": bool(lived_topics),
            "lived_topics": lived_topics,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def invitations(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    programme = access_programme_for_manager(request.user, pk)
    if request.method == "POST":
        form = InviteForm(request.POST, programme=programme)
        if form.is_valid():
            try:
                result = services.invite_people(
                    programme,
                    form.cleaned_data["people"],
                    role=form.cleaned_data["role"],
                    message=form.cleaned_data["message"],
                    by=request.user,
                )
            except DomainError as exc:
                apply_domain_error(form, exc)
            else:
                _report_invitations(request, result)
                return redirect(request.get_full_path())
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
    else:
        form = InviteForm(programme=programme, initial={"role": Role.MENTOR})
    filter_form = InviteFilterForm(request.GET or None, programme=programme)
    filters = filter_form.filters() if request.GET else {}
    candidates = selectors.invite_candidates(programme, **filters)
    page_obj = Paginator(candidates, CANDIDATES_PAGE_SIZE).get_page(request.GET.get("page"))
    sent = selectors.invitations_for(programme)
    return render(
        request,
        "recruitment/invitations.html",
        {
            "programme": programme,
            "form": form,
            "filter_form": filter_form,
            "page_obj": page_obj,
            "sent": sent[:100],
            "sent_count": sent.count(),
            "can_invite": programme.state == State.RECRUITING,
            "invitation_days": settings.UPWARD_RECRUITMENT_INVITATION_DAYS,
        },
    )


def _report_invitations(request: HttpRequest, result: services.InvitationResult) -> None:
    if result.invited:
        messages.success(
            request,
            ngettext(
                "Invitation sent to %(n)s person.",
                "Invitations sent to %(n)s people.",
                len(result.invited),
            )
            % {"n": len(result.invited)},
        )
    if result.skipped:
        reasons: list[str] = []
        if result.already_invited:
            reasons.append(
                _("%(n)s already invited (%(names)s)")
                % {"n": len(result.already_invited), "names": _names(result.already_invited)}
            )
        if result.already_applied:
            reasons.append(
                _("%(n)s already applied (%(names)s)")
                % {"n": len(result.already_applied), "names": _names(result.already_applied)}
            )
        for person, why in result.not_eligible:
            reasons.append(
                _("%(name)s cannot take part in this role: %(why)s")
                % {"name": person.full_name, "why": why}
            )
        messages.warning(
            request,
            ngettext(
                "%(n)s person skipped: %(reasons)s.",
                "%(n)s people skipped: %(reasons)s.",
                result.skipped,
            )
            % {"n": result.skipped, "reasons": "; ".join(reasons)},
        )


def _names(people: list[Any], limit: int = 5) -> str:
    names = [p.full_name for p in people[:limit]]
    if len(people) > limit:
        names.append(_("and %(n)s more") % {"n": len(people) - limit})
    return ", ".join(names)
