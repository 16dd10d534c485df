"""Matching and pairing pages. Each view resolves access, parses input, calls one service or
selector, and renders."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django.conf import settings as django_settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from upward.core.errors import DomainError
from upward.core.forms import apply_domain_error, unknown_filter
from upward.core.shortcuts import act_and_redirect
from upward.core.types import AuthenticatedRequest
from upward.organisations.access import require_person
from upward.pairing import review as review_selectors
from upward.pairing import review_words, selectors, services
from upward.pairing.access import (
    access_chooser,
    access_pairing_for_manager,
    access_pairing_for_participant,
    access_round_for_manager,
    access_rule_for_manager,
    access_run_for_manager,
    matching_programme,
)
from upward.pairing.forms import (
    ChoiceRoundForm,
    EndForm,
    RankingForm,
    RuleForm,
    RunForm,
    SwapForm,
)
from upward.pairing.models import LIVE_STATES, ChoiceRound, MatchingMode, MatchRun, PairingState
from upward.programmes.models import State
from upward.recruitment.models import Role

RUNS_PAGE_SIZE = 20
PAIRINGS_PAGE_SIZE = 25


def _next(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


# ---------------------------------------------------------------------------------------------
# Programme team


@login_required
@require_http_methods(["GET", "POST"])
def matching(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    programme = matching_programme(request.user, pk)
    saved = selectors.settings_for(programme)
    form = RunForm(
        request.POST or None,
        weights=selectors.weights_for(programme),
        settings=saved,
    )
    if request.method == "POST" and form.is_valid():
        # With participants choosing, the form only saves during the matching stage: the
        # proposal comes from a round. Later (new partners while active) the engine runs as usual.
        save_only = request.POST.get("action") == "save" or (
            form.cleaned_data["matching_mode"] == MatchingMode.CHOICE
            and programme.state == State.MATCHING
        )
        try:
            if save_only:
                services.save_match_setup(
                    programme, by=request.user, weights=form.weights(), settings=form.settings()
                )
            else:
                run = services.start_match_run(
                    programme,
                    by=request.user,
                    mode=form.cleaned_data["mode"],
                    weights=form.weights(),
                    settings=form.settings(),
                )
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            if save_only:
                text = _("Settings saved.")
                if form.cleaned_data["matching_mode"] == MatchingMode.CHOICE:
                    text += " " + _(
                        "Participants choose in this programme: open a choice round when you "
                        "are ready."
                    )
                messages.success(request, text)
                return redirect("pairing:matching", programme.pk)
            if run.status == MatchRun.Status.READY:
                messages.success(request, _("Matching finished. Review the proposal below."))
            return redirect("pairing:run", programme.pk, run.pk)
    people = selectors.participants(programme)
    round_ = selectors.open_round(programme)
    return render(
        request,
        "pairing/matching.html",
        {
            "programme": programme,
            "form": form,
            "saved": saved,
            "can_match": programme.state in services.MATCHING_STATES,
            "can_open_round": programme.state == State.MATCHING,
            "current": selectors.current_run(programme),
            "recent_runs": selectors.label_runs(selectors.runs_for(programme)[:5]),
            "rules": selectors.rules_for(programme),
            "n_mentees": len(people[Role.MENTEE]),
            "n_mentors": len(people[Role.MENTOR]),
            "counts": selectors.pairing_counts(programme),
            "open_round": round_,
            "progress": selectors.round_progress(round_) if round_ else None,
            "round_form": ChoiceRoundForm(initial={"closes_at": _default_deadline()}),
            "rounds": selectors.rounds_for(programme)[:3],
        },
    )


def _default_deadline() -> dt.datetime:
    """A week from now at five in the afternoon, local time."""
    later = timezone.localtime() + dt.timedelta(days=7)
    return later.replace(hour=17, minute=0, second=0, microsecond=0)


@login_required
@require_GET
def run_detail(request: AuthenticatedRequest, pk: int, run_pk: int) -> HttpResponse:
    run = access_run_for_manager(request.user, pk, run_pk)
    programme = run.programme
    context: dict[str, Any] = {"programme": programme, "run": run}
    htmx_target = request.htmx.target if request.htmx else None
    if request.htmx and htmx_target != "run-results":
        # Polling while the run is busy; once it is done, reload the whole page.
        response = render(request, "pairing/run.html#progress", context)
        if not run.is_busy:
            response["HX-Refresh"] = "true"
        patch_vary_headers(response, ["HX-Request"])
        return response
    review = selectors.run_review(run) if run.status == MatchRun.Status.READY else None
    # Who chose whom is for the programme team only: this page is behind manager access.
    choice = (run.results or {}).get("choice") if run.kind == MatchRun.Kind.CHOICE else None
    context.update(
        {
            "review": review,
            "can_change": programme.state in services.MATCHING_STATES
            and run.is_current
            and not run.is_published,
            "can_include": programme.state in services.MATCHING_STATES and not run.superseded_at,
            "choice": choice,
        }
    )
    # Read once: the out-of-date check, the pairs in words and a swap's preview share it.
    inputs = selectors.review_inputs(run) if review is not None else None
    if review is not None:
        context.update(_review_page(request, run, review, inputs))
    if htmx_target == "run-results":
        # The filter form asks for the results alone; the rest of the page stays as it is.
        response = render(request, "pairing/run.html#results", context)
        patch_vary_headers(response, ["HX-Request", "HX-Target"])
        return response
    context.update(
        {
            "out_of_date": selectors.run_is_out_of_date(run, inputs),
            "plain": review_words.plain_report(run.results or {}) if review else None,
            "rules_checked": selectors.rules_checked(
                selectors.MatchSettings.from_dict(run.settings)
            ),
            "outcome": selectors.run_outcome(run),
            # Parity groups smaller than this are left out of the report (lived experience).
            "min_group_size": django_settings.UPWARD_SPECIAL_CATEGORY_MIN_GROUP_SIZE,
            "choice_sides": [
                (choice.get("mentee"), _("Mentees")),
                (choice.get("mentor"), _("Mentors")),
            ]
            if choice
            else [],
        }
    )
    response = render(request, "pairing/run.html", context)
    patch_vary_headers(response, ["HX-Request", "HX-Target"])
    return response


def _review_page(
    request: HttpRequest,
    run: MatchRun,
    review: selectors.RunReview,
    inputs: selectors.MatchInputs | None,
) -> dict[str, Any]:
    """One page of the proposal, filtered, searched and sorted from the address."""
    departments = review_selectors.review_departments(review)
    filters = review_selectors.review_filters(request.GET, departments)
    people = review_selectors.without_partner(review, run)
    rows: list[Any]
    if filters.show == "unmatched":
        rows = review_selectors.filter_people(people, filters)
    else:
        rows = review_selectors.filter_pairs(review, filters)
    page_obj = Paginator(rows, filters.per_page).get_page(request.GET.get("page"))
    # The pairs of this page in words (the rest of the run is not put into words).
    page_rows = cast("list[selectors.PairRow]", list(page_obj.object_list))
    stories = (
        []
        if filters.show == "unmatched"
        else review_words.pair_stories(
            page_rows,
            # A run no longer in review: its people are paired now, so read them from their
            # applications (this page's only).
            inputs if inputs is not None else review_selectors.page_inputs(run, page_rows),
            weights=run.weights or {},
        )
    )
    return {
        "stories": stories,
        "filters": filters,
        "unknown_filters": filters.unknown,
        "page_obj": page_obj,
        "departments": departments,
        "show_choices": review_selectors.SHOW_CHOICES,
        "sort_choices": review_selectors.SORT_CHOICES,
        "page_sizes": review_selectors.PAGE_SIZES,
        "low_threshold": review_selectors.low_score_threshold(review.pairs),
        "n_without_partner": len(people),
        # Back to this very page (filters and all) after a pin, an exclusion or a swap.
        "here": request.get_full_path(),
    }


@login_required
@require_GET
def run_people(request: AuthenticatedRequest, pk: int, run_pk: int) -> HttpResponse:
    """The person picker: the run's people whose name matches what was typed, as a list of
    radio buttons named for the form field that asked."""
    run = access_run_for_manager(request.user, pk, run_pk)
    field = request.GET.get("field", "")
    if field not in review_selectors.PICKER_FIELDS:
        return HttpResponseBadRequest(_("Unknown picker."))
    q = _picker_text(request, field)
    answer = review_selectors.pick_people(
        run,
        role=review_selectors.PICKER_FIELDS[field],
        q=q,
        paired_only=field in review_selectors.PAIRED_ONLY_FIELDS,
    )
    return _picker_results(request, answer, q=q, field=field, in_run=True)


@login_required
@require_GET
def programme_people(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The person picker of the matching page: the programme's accepted participants."""
    programme = matching_programme(request.user, pk)
    field = request.GET.get("field", "")
    if field not in ("mentee", "mentor"):
        return HttpResponseBadRequest(_("Unknown picker."))
    q = _picker_text(request, field)
    answer = review_selectors.pick_participants(
        programme, role=review_selectors.PICKER_FIELDS[field], q=q
    )
    return _picker_results(request, answer, q=q, field=field, in_run=False)


def _picker_text(request: AuthenticatedRequest, field: str) -> str:
    # The picker's search box is named for its field, so two pickers in one form stay apart.
    typed = request.GET.get(f"pick_{field}") or request.GET.get("q") or ""
    return " ".join(typed.split())[:100]


def _picker_results(
    request: AuthenticatedRequest, answer: Any, *, q: str, field: str, in_run: bool
) -> HttpResponse:
    response = render(
        request,
        "pairing/_picker_results.html",
        {"answer": answer, "q": q, "field": field, "in_run": in_run},
    )
    patch_vary_headers(response, ["HX-Request"])
    return response


@login_required
@require_GET
def run_list(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    programme = matching_programme(request.user, pk)
    page_obj = Paginator(selectors.runs_for(programme), RUNS_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    page_obj.object_list = selectors.label_runs(page_obj.object_list)
    return render(request, "pairing/runs.html", {"programme": programme, "page_obj": page_obj})


@login_required
@require_http_methods(["GET", "POST"])
def publish(request: AuthenticatedRequest, pk: int, run_pk: int) -> HttpResponse:
    run = access_run_for_manager(request.user, pk, run_pk)
    if request.method == "POST":
        try:
            pairings = services.publish_match_run(run, by=request.user)
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect("pairing:run", pk, run.pk)
        messages.success(
            request,
            ngettext(
                "Published. %(n)s mentor has been asked, privately, whether they accept.",
                "Published. %(n)s mentors have been asked, privately, whether they accept.",
                len(pairings),
            )
            % {"n": len(pairings)},
        )
        return redirect("pairing:pairings", pk)
    n_pairs = len((run.results or {}).get("pairs", []))
    return render(
        request,
        "pairing/publish_confirm.html",
        {"programme": run.programme, "run": run, "n_pairs": n_pairs},
    )


@login_required
@require_POST
def add_rule(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    programme = matching_programme(request.user, pk)
    people = selectors.participants(programme)
    form = RuleForm(request.POST, mentees=people[Role.MENTEE], mentors=people[Role.MENTOR])
    back = _next(request, _matching_url(pk))
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return redirect(back)
    if request.POST.get("run"):
        # Chosen on a run's page with the person picker: both people must be in that run.
        run = access_run_for_manager(request.user, pk, _int_or_404(request.POST["run"]))
        in_run = int(form.cleaned_data["mentee"]) in review_selectors.run_people_ids(
            run, Role.MENTEE
        ) and int(form.cleaned_data["mentor"]) in review_selectors.run_people_ids(run, Role.MENTOR)
        if not in_run:
            messages.error(request, _("Choose a mentee and a mentor from this run."))
            return redirect(back)
    try:
        rule = services.add_match_rule(
            programme,
            kind=form.cleaned_data["kind"],
            mentee_id=form.cleaned_data["mentee"],
            mentor_id=form.cleaned_data["mentor"],
            by=request.user,
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        if rule.kind == "pin":
            text = _("%(mentee)s and %(mentor)s will be paired on the next run.")
        else:
            text = _("%(mentee)s and %(mentor)s will not be paired on the next run.")
        messages.success(
            request,
            text % {"mentee": rule.mentee.full_name, "mentor": rule.mentor.full_name}
            + " "
            + _("Run matching again to apply it."),
        )
    return redirect(back)


@login_required
@require_POST
def remove_rule(request: AuthenticatedRequest, pk: int, rule_pk: int) -> HttpResponse:
    rule = access_rule_for_manager(request.user, pk, rule_pk)
    return act_and_redirect(
        request,
        lambda: services.remove_match_rule(rule, by=request.user),
        success=_("Rule removed. Run matching again to apply it."),
        to=_next(request, _matching_url(pk)),
    )


@login_required
@require_POST
def find_partner(request: AuthenticatedRequest, pk: int, person_pk: int) -> HttpResponse:
    """From the attention queue: a run for one person who is waiting for a partner."""
    programme = matching_programme(request.user, pk)
    role = request.POST.get("role", "")
    if role not in (Role.MENTOR, Role.MENTEE):
        messages.error(request, _("Choose the mentor or the mentee."))
        return redirect("safety:attention", programme.pk)
    try:
        run = services.find_partner_for(programme, person_id=person_pk, role=role, by=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("safety:attention", programme.pk)
    return redirect("pairing:run", programme.pk, run.pk)


@login_required
@require_POST
def include(request: AuthenticatedRequest, pk: int, run_pk: int) -> HttpResponse:
    """Run again with someone the run left aside (they had left a pairing) taken in."""
    run = access_run_for_manager(request.user, pk, run_pk)
    try:
        person_id = int(request.POST.get("person") or "")
    except ValueError:
        messages.error(request, _("Choose someone the run left aside."))
        return redirect("pairing:run", pk, run.pk)
    try:
        new_run = services.include_left_aside(run, person_id=person_id, by=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("pairing:run", pk, run.pk)
    messages.success(request, _("Matching ran again with them included. Review the result."))
    return redirect("pairing:run", pk, new_run.pk)


@login_required
@require_POST
def swap(request: AuthenticatedRequest, pk: int, run_pk: int) -> HttpResponse:
    run = access_run_for_manager(request.user, pk, run_pk)
    review = selectors.run_review(run)
    form = SwapForm(request.POST, mentees=[row.mentee for row in review.pairs])
    back = _next(request, reverse("pairing:run", args=[pk, run.pk]))
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return redirect(back)
    if request.POST.get("confirmed") != "yes":
        # First the what-if: both pairs' scores before and after, from the engine's scorer.
        return _swap_preview(request, run, form.cleaned_data, back)
    try:
        services.swap_mentors(
            run,
            mentee_a=form.cleaned_data["mentee_a"],
            mentee_b=form.cleaned_data["mentee_b"],
            by=request.user,
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("Swapped: both new pairs are pinned. Run matching again to see the result."),
        )
    return redirect(back)


def _swap_preview(
    request: AuthenticatedRequest, run: MatchRun, chosen: dict[str, Any], back: str
) -> HttpResponse:
    inputs = selectors.review_inputs(run)
    try:
        preview = review_selectors.swap_preview(
            run, inputs, mentee_a=chosen["mentee_a"], mentee_b=chosen["mentee_b"]
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect(back)
    return render(
        request,
        "pairing/swap_confirm.html",
        {
            "programme": run.programme,
            "run": run,
            "preview": preview,
            "mentee_a": chosen["mentee_a"],
            "mentee_b": chosen["mentee_b"],
            "back": back,
            "out_of_date": selectors.run_is_out_of_date(run, inputs),
        },
    )


def _int_or_404(value: str) -> int:
    try:
        return int(value)
    except ValueError as exc:
        raise Http404("No such run.") from exc


def _matching_url(pk: int) -> str:
    return reverse("pairing:matching", args=[pk])


@login_required
@require_GET
def pairing_list(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    programme = matching_programme(request.user, pk)
    state = request.GET.get("state", "")
    unknown = []
    if state not in {"", "live", *PairingState.values}:
        unknown = [unknown_filter(_("State"), state)]
        state = ""
    q = " ".join(request.GET.get("q", "").split())[:100]
    page_obj = Paginator(
        selectors.pairings_for_manager(programme, state=state, q=q), PAIRINGS_PAGE_SIZE
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "pairing/pairings.html",
        {
            "programme": programme,
            "page_obj": page_obj,
            "state": state,
            "q": q,
            "unknown_filters": unknown,
            "states": PairingState.choices,
            "counts": selectors.pairing_counts(programme),
            "live_states": LIVE_STATES,
            "now": timezone.now(),
            "can_match": programme.state in services.MATCHING_STATES,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def end(request: AuthenticatedRequest, pk: int, pairing_pk: int) -> HttpResponse:
    pairing = access_pairing_for_manager(request.user, pk, pairing_pk)
    form = EndForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.end_pairing(pairing, by=request.user, reason=form.cleaned_data["reason"])
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(
                request,
                _("The pairing has ended. You can now look for a new partner for either person."),
            )
            return redirect("pairing:pairings", pk)
    return render(
        request,
        "pairing/end_confirm.html",
        {"programme": pairing.programme, "pairing": pairing, "form": form},
    )


@login_required
@require_POST
def new_partner(request: AuthenticatedRequest, pk: int, pairing_pk: int) -> HttpResponse:
    pairing = access_pairing_for_manager(request.user, pk, pairing_pk)
    try:
        run = services.find_new_partner(
            pairing, for_role=request.POST.get("role", ""), by=request.user
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("pairing:pairings", pk)
    return redirect("pairing:run", pk, run.pk)


@login_required
@require_POST
def complete(request: AuthenticatedRequest, pk: int, pairing_pk: int) -> HttpResponse:
    pairing = access_pairing_for_manager(request.user, pk, pairing_pk)
    return act_and_redirect(
        request,
        lambda: services.complete_pairing(pairing, by=request.user),
        success=_("Marked as completed."),
        to=reverse("pairing:pairings", args=[pk]),
    )


# ---------------------------------------------------------------------------------------------
# Choice rounds (programme team)


@login_required
@require_POST
def open_round(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    programme = matching_programme(request.user, pk)
    form = ChoiceRoundForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return redirect("pairing:matching", pk)
    try:
        round_ = services.open_choice_round(
            programme, by=request.user, closes_at=form.cleaned_data["closes_at"]
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("pairing:matching", pk)
    asked = round_.summary.get("mentees_asked", 0) + round_.summary.get("mentors_asked", 0)
    messages.success(
        request,
        ngettext(
            "Choice round open. %(n)s person has been asked to rank their recommendations.",
            "Choice round open. %(n)s people have been asked to rank their recommendations.",
            asked,
        )
        % {"n": asked},
    )
    return redirect("pairing:round", pk, round_.pk)


@login_required
@require_GET
def round_detail(request: AuthenticatedRequest, pk: int, round_pk: int) -> HttpResponse:
    round_ = access_round_for_manager(request.user, pk, round_pk)
    return render(
        request,
        "pairing/round.html",
        {
            "programme": round_.programme,
            "round": round_,
            "progress": selectors.round_progress(round_),
            "choosers": selectors.choosers_of(round_),
            "runs": list(round_.runs.select_related("ran_by", "published_by")),
        },
    )


@login_required
@require_POST
def close_round(request: AuthenticatedRequest, pk: int, round_pk: int) -> HttpResponse:
    round_ = access_round_for_manager(request.user, pk, round_pk)
    try:
        run = services.close_choice_round(round_, by=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("pairing:round", pk, round_.pk)
    if run.status == MatchRun.Status.READY:
        messages.success(
            request, _("Round closed. Everyone's choices are resolved: review the proposal.")
        )
    return redirect("pairing:run", pk, run.pk)


@login_required
@require_POST
def cancel_round(request: AuthenticatedRequest, pk: int, round_pk: int) -> HttpResponse:
    round_ = access_round_for_manager(request.user, pk, round_pk)
    return act_and_redirect(
        request,
        lambda: services.cancel_choice_round(round_, by=request.user),
        success=_("Round cancelled. The choosers have been told."),
        to=_matching_url(pk),
        on_error=reverse("pairing:round", args=[pk, round_.pk]),
    )


@login_required
@require_POST
def resolve_again(request: AuthenticatedRequest, pk: int, run_pk: int) -> HttpResponse:
    run = access_run_for_manager(request.user, pk, run_pk)
    try:
        new_run = services.resolve_choices_again(run, by=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("pairing:run", pk, run.pk)
    messages.success(request, _("The same choices were resolved again with your latest rules."))
    return redirect("pairing:run", pk, new_run.pk)


# ---------------------------------------------------------------------------------------------
# Participants


@login_required
@require_GET
def pairing_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    pairing = access_pairing_for_participant(request.user, pk)
    person = require_person(request.user)
    is_mentor = pairing.mentor_id == person.pk
    return render(
        request,
        "pairing/pairing.html",
        {
            "pairing": pairing,
            "person": person,
            "is_mentor": is_mentor,
            "profile": selectors.shared_profile(pairing, viewer=person),
            "waiting": selectors.waiting_for(person, pairing),
        },
    )


@login_required
@require_POST
def answer(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    pairing = access_pairing_for_participant(request.user, pk)
    person = require_person(request.user)
    decision = request.POST.get("decision")
    if decision not in ("accept", "decline"):
        messages.error(request, _("Choose to accept or to decline."))
        return redirect("pairing:pairing", pairing.pk)
    accept = decision == "accept"
    if not accept and request.POST.get("confirmed") != "yes":
        # Declining cannot be undone, so the first press only explains what it does.
        return render(
            request,
            "pairing/decline_confirm.html",
            {"pairing": pairing, "is_mentor": pairing.mentor_id == person.pk},
        )
    try:
        if pairing.mentor_id == person.pk:
            services.answer_proposal(pairing, person=person, accept=accept)
            text = (
                # The page the mentor lands on says what happens next (pairing.html), so the
                # flash only acknowledges the answer instead of repeating it.
                _("Thank you for accepting.")
                if accept
                else _(
                    "Thank you for letting us know. %(name)s will not be told; the programme "
                    "team will look for another mentor for them."
                )
            )
        else:
            services.answer_pairing(pairing, person=person, accept=accept)
            text = (
                _("Thank you for confirming your pairing with %(name)s.")
                if accept
                else _("Thank you for letting us know. The programme team will be in touch.")
            )
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("pairing:pairing", pairing.pk)
    other = pairing.mentee if pairing.mentor_id == person.pk else pairing.mentor
    messages.success(request, text % {"name": other.full_name})
    if not accept:
        return redirect("dashboard")
    return redirect("pairing:pairing", pairing.pk)


@login_required
@require_http_methods(["GET", "POST"])
def choose(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    chooser = access_chooser(request.user, pk)
    round_ = chooser.round
    cards = selectors.choice_cards(chooser)
    form = RankingForm(
        request.POST or None, options=[c.option for c in cards], max_ranked=round_.max_ranked
    )
    can_rank = round_.status == ChoiceRound.Status.OPEN and timezone.now() < round_.closes_at
    if request.method == "POST":
        if not can_rank:
            messages.error(request, _("This round has closed: rankings can no longer change."))
            return redirect("pairing:choose", round_.pk)
        if form.is_valid():
            try:
                services.save_ranking(
                    chooser, ranking=form.cleaned_data["ranking"], by=request.user
                )
            except DomainError as exc:
                apply_domain_error(form, exc)
            else:
                n = len(form.cleaned_data["ranking"])
                if n:
                    messages.success(
                        request,
                        ngettext(
                            "Your choice is saved. You can change it until the round closes.",
                            "Your %(n)s choices are saved. You can change them until the round "
                            "closes.",
                            n,
                        )
                        % {"n": n},
                    )
                else:
                    messages.success(
                        request,
                        _("Your ranking is cleared. You will be matched on your profile."),
                    )
                return redirect("pairing:choose", round_.pk)
    ranked = sorted((c for c in cards if c.option.rank), key=lambda c: c.option.rank or 0)
    return render(
        request,
        "pairing/choose.html",
        {
            "chooser": chooser,
            "round": round_,
            "programme": round_.programme,
            "cards": [
                (c, form.field_for(c.option), selectors.ordinal(c.option.rank or 0)) for c in cards
            ],
            "ranked": [(selectors.ordinal(c.option.rank or 0), c) for c in ranked],
            "form": form,
            "can_rank": can_rank,
            "rank_limit": min(round_.max_ranked, len(cards)),
            "as_mentee": chooser.role == Role.MENTEE,
        },
    )
