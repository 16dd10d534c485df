"""Thin views: parse the request, go through an access helper, call one service or selector,
render. Domain errors become form errors or messages."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from upward.core.errors import DomainError
from upward.core.forms import apply_domain_error, set_aside_unknown_filters
from upward.core.shortcuts import act_and_redirect
from upward.core.types import AuthenticatedRequest
from upward.core.validation import valid_ids
from upward.organisations.access import require_org_admin, require_person
from upward.pairing.models import PairingState
from upward.safety import selectors, services
from upward.safety.access import (
    access_check_in_for_safety,
    access_concern_for_safety,
    access_own_pairing,
    access_pairing_for_safety,
    access_programme_for_flag_limits,
    access_programme_for_safety,
    access_pulse_meeting,
    access_rematch_request_for_safety,
    access_safeguarding_contact,
    may_change_flag_limits,
    safety_viewers,
)
from upward.safety.forms import (
    BulkSnoozeForm,
    CheckInDoneForm,
    CheckInForm,
    ConcernForm,
    ConcernNoteForm,
    FlagFilterForm,
    LeaveForm,
    PulseForm,
    SafeguardingContactForm,
    SettingsForm,
)
from upward.safety.history import concern_history
from upward.safety.models import ConcernState, FlagKind, RematchRequest

ATTENTION_PAGE_SIZE = 20

# ---------------------------------------------------------------------------------------------
# The pair's side


@login_required
@require_http_methods(["GET", "POST"])
def pulse(request: AuthenticatedRequest, pk: int, meeting_pk: int) -> HttpResponse:
    meeting, person = access_pulse_meeting(request.user, pk, meeting_pk)
    answered = meeting.safety_pulses.filter(mentor=person).exists()
    form = PulseForm(request.POST or None)
    if request.method == "POST" and not answered and form.is_valid():
        try:
            services.submit_pulse(meeting, person=person, by=request.user, **form.cleaned_data)
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(
                request, _("Thank you. Only the people named on the form read your answers.")
            )
            return redirect("journey:pairing", meeting.pairing_id)
    return render(
        request,
        "safety/pulse.html",
        {
            "meeting": meeting,
            "pairing": meeting.pairing,
            "form": form,
            "answered": answered,
            "readers": safety_viewers(meeting.pairing.programme, pairing=meeting.pairing),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def leave(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Two steps: the calm explanation with the optional reason, then "are you sure?"."""
    pairing, person = access_own_pairing(request.user, pk)
    partner = pairing.mentee if pairing.mentor_id == person.pk else pairing.mentor
    form = LeaveForm(request.POST or None)
    context = {
        "pairing": pairing,
        "partner": partner,
        "form": form,
        "confirming": False,
        "readers": safety_viewers(pairing.programme, pairing=pairing),
    }
    if pairing.state not in services.LEAVABLE_STATES:
        return render(request, "safety/leave.html", {**context, "closed": True})
    if request.method == "POST" and form.is_valid():
        if request.POST.get("confirmed") != "yes":
            return render(request, "safety/leave.html", {**context, "confirming": True})
        try:
            services.leave_pairing(
                pairing,
                person=person,
                category=form.cleaned_data["category"],
                reason=form.cleaned_data["reason"],
                by=request.user,
            )
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect("safety:leave", pairing.pk)
        messages.success(request, _("Your pairing has ended. Thank you for the time you gave."))
        return redirect("safety:rematch", pairing.pk)
    return render(request, "safety/leave.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def rematch(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    pairing, person = access_own_pairing(request.user, pk)
    existing = RematchRequest.objects.filter(pairing=pairing, person=person).first()
    if request.method == "POST":
        try:
            existing = services.request_rematch(pairing, person=person, by=request.user)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request, _("Thank you. The programme team will look for a new partner for you.")
            )
        return redirect("safety:rematch", pairing.pk)
    return render(
        request,
        "safety/rematch.html",
        {
            "pairing": pairing,
            "request_made": existing,
            "ended": pairing.state == PairingState.ENDED,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def raise_concern(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    pairing, person = access_own_pairing(request.user, pk)
    form = ConcernForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.raise_concern(pairing, person=person, by=request.user, **form.cleaned_data)
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(
                request, _("Your concern has been sent. You can follow what happens here.")
            )
            return redirect("safety:my_concerns")
    return render(
        request,
        "safety/raise_concern.html",
        {
            "pairing": pairing,
            "form": form,
            "readers": safety_viewers(pairing.programme, pairing=pairing),
        },
    )


@login_required
@require_GET
def my_concerns(request: AuthenticatedRequest) -> HttpResponse:
    person = require_person(request.user)
    page_obj = Paginator(selectors.my_concerns(person), 20).get_page(request.GET.get("page"))
    return render(request, "safety/my_concerns.html", {"page_obj": page_obj})


# ---------------------------------------------------------------------------------------------
# Those who may see safety data: the programme's leads and the organisation's safeguarding
# contacts, never about a pairing they belong to (see access.py).


@login_required
@require_GET
def attention(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    programme, viewer = access_programme_for_safety(request.user, pk)
    queue = selectors.attention_queue(programme, viewer=viewer)
    counts = selectors.flag_kind_counts(queue.flagged)
    filter_form = FlagFilterForm(request.GET or None, counts=counts)
    unknown = set_aside_unknown_filters(filter_form)
    filters = filter_form.filters() if request.GET else {}
    shown = selectors.filter_flagged(queue.flagged, **filters)
    page_obj = Paginator(shown, ATTENTION_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "safety/attention.html",
        {
            "programme": programme,
            "q": queue,
            "filter_form": filter_form,
            "filters": filters,
            "unknown_filters": unknown,
            "page_obj": page_obj,
            "shown_count": len(shown),
            "flag_kinds": FlagKind,
            "snooze_days": services.SNOOZE_DAYS,
            "can_change_limits": may_change_flag_limits(viewer, programme),
            "can_match": programme.state in ("matching", "active"),
        },
    )


SNOOZE_NAMES_SHOWN = 10


@login_required
@require_POST
def snooze_bulk(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Hide the flags of the ticked cards, or of every pair matching the filter: step one
    shows the count and asks to confirm; step two applies the filter again and hides them,
    refusing if the set has changed."""
    programme, viewer = access_programme_for_safety(request.user, pk)
    filter_form = FlagFilterForm(request.POST)
    unknown = set_aside_unknown_filters(filter_form)
    filters = filter_form.filters()
    back = reverse("safety:attention", args=[programme.pk])
    if filters:
        back += "?" + urlencode(filters)
    back += "#flags-h"
    form = BulkSnoozeForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return redirect(back)
    rows, _settings = selectors.flagged_pairings(programme, viewer=viewer)
    rows = selectors.filter_flagged(rows, **filters)
    ticked = valid_ids(request.POST.getlist("pairings"))
    if form.cleaned_data["scope"] == "selected":
        if not ticked:
            messages.error(request, _("Tick at least one pair, or choose all pairs matching."))
            return redirect(back)
        rows = [r for r in rows if r.pairing.pk in set(ticked)]
        if not rows:
            # Ticks for pairs that are not flagged here (another programme's, or no longer flagged).
            messages.error(
                request, _("None of the ticked pairs is flagged in this programme any more.")
            )
            return redirect(back)
    targets = selectors.snooze_targets(rows)
    days = form.cleaned_data["days"]
    error = ""
    if form.cleaned_data["confirm"]:
        try:
            hidden = services.snooze_flags(
                programme,
                targets,
                days=days,
                by=request.user,
                fingerprint=form.cleaned_data["fingerprint"],
            )
        except DomainError as exc:
            error = exc.message
        else:
            messages.success(
                request,
                ngettext(
                    "%(n)s flag hidden for %(days)s days. It comes back if it still applies.",
                    "%(n)s flags hidden for %(days)s days. Each comes back if it still applies.",
                    hidden,
                )
                % {"n": hidden, "days": days},
            )
            return redirect(back)
    return render(
        request,
        "safety/snooze_confirm.html",
        {
            "programme": programme,
            "rows": rows[:SNOOZE_NAMES_SHOWN],
            "more": max(len(rows) - SNOOZE_NAMES_SHOWN, 0),
            "pair_count": len(rows),
            "flag_count": len(targets),
            "days": days,
            "scope": form.cleaned_data["scope"],
            "ticked": ticked,
            "filters": filters,
            "filter_form": filter_form,
            "unknown_filters": unknown,
            "fingerprint": selectors.snooze_fingerprint(targets),
            "error": error,
            "back": back,
        },
        status=409 if error else 200,
    )


@login_required
@require_GET
def pulses(request: AuthenticatedRequest, pk: int, pairing_pk: int) -> HttpResponse:
    pairing, _viewer = access_pairing_for_safety(request.user, pk, pairing_pk)
    return render(
        request,
        "safety/pulses.html",
        {
            "programme": pairing.programme,
            "pairing": pairing,
            "pulses": selectors.pairing_pulses(pairing),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def settings_view(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    programme, _viewer = access_programme_for_flag_limits(request.user, pk)
    current = selectors.flag_settings(programme)
    form = SettingsForm(
        request.POST or None,
        initial={
            "no_meeting_days": current.no_meeting_days,
            "missed_in_a_row": current.missed_in_a_row,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.save_settings(programme, by=request.user, **form.cleaned_data)
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("Saved. The queue now uses these limits."))
            return redirect("safety:attention", programme.pk)
    return render(request, "safety/settings.html", {"programme": programme, "form": form})


@login_required
@require_GET
def exits(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    programme, viewer = access_programme_for_safety(request.user, pk)
    page_obj = Paginator(selectors.exits_for(programme, viewer=viewer), 20).get_page(
        request.GET.get("page")
    )
    return render(request, "safety/exits.html", {"programme": programme, "page_obj": page_obj})


@login_required
@require_POST
def snooze(request: AuthenticatedRequest, pk: int, pairing_pk: int) -> HttpResponse:
    pairing, _viewer = access_pairing_for_safety(request.user, pk, pairing_pk)
    return act_and_redirect(
        request,
        lambda: services.snooze_flag(
            pairing,
            kind=request.POST.get("kind", ""),
            days=request.POST.get("days"),
            by=request.user,
        ),
        success=_("Hidden for now. It comes back if it still applies."),
        to=reverse("safety:attention", args=[pk]),
    )


@login_required
@require_http_methods(["GET", "POST"])
def concern(request: AuthenticatedRequest, pk: int, concern_pk: int) -> HttpResponse:
    item, viewer = access_concern_for_safety(request.user, pk, concern_pk)
    form = ConcernNoteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.add_concern_note(
                item, author=viewer, body=form.cleaned_data["body"], by=request.user
            )
        except DomainError as exc:
            apply_domain_error(form, exc, field="body")
        else:
            messages.success(request, _("Note added."))
            return redirect("safety:concern", pk, item.pk)
    return render(
        request,
        "safety/concern.html",
        {
            "programme": item.programme,
            "concern": item,
            "notes": selectors.concern_notes(item),
            "history": concern_history(item),
            "form": form,
            "moves": [
                (state, ConcernState(state).label)
                for state in services.CONCERN_TRANSITIONS[ConcernState(item.state)]
            ],
        },
    )


@login_required
@require_POST
def concern_move(request: AuthenticatedRequest, pk: int, concern_pk: int) -> HttpResponse:
    item, _viewer = access_concern_for_safety(request.user, pk, concern_pk)
    try:
        services.move_concern(item, to=request.POST.get("to", ""), by=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("The concern is now: %(state)s.") % {"state": item.get_state_display().lower()},
        )
    return redirect("safety:concern", pk, item.pk)


@login_required
@require_POST
def rematch_done(request: AuthenticatedRequest, pk: int, request_pk: int) -> HttpResponse:
    item, _viewer = access_rematch_request_for_safety(request.user, pk, request_pk)
    return act_and_redirect(
        request,
        lambda: services.close_rematch_request(item, by=request.user),
        success=_("Marked as dealt with."),
        to=reverse("safety:attention", args=[pk]),
    )


@login_required
@require_http_methods(["GET", "POST"])
def check_in_new(request: AuthenticatedRequest, pk: int, pairing_pk: int) -> HttpResponse:
    pairing, viewer = access_pairing_for_safety(request.user, pk, pairing_pk)
    form = CheckInForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        who = form.cleaned_data["who"]
        person = {"mentor": pairing.mentor, "mentee": pairing.mentee}.get(who)
        try:
            services.schedule_check_in(
                pairing.programme,
                pairing=pairing,
                person=person,
                due_on=form.cleaned_data["due_on"],
                purpose=form.cleaned_data["purpose"],
                lead=viewer,
                by=request.user,
            )
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("Check-in planned. You will get a reminder on the day."))
            return redirect("safety:attention", pk)
    return render(
        request,
        "safety/check_in_form.html",
        {"programme": pairing.programme, "pairing": pairing, "form": form},
    )


@login_required
@require_http_methods(["GET", "POST"])
def check_in(request: AuthenticatedRequest, pk: int, check_in_pk: int) -> HttpResponse:
    item, _viewer = access_check_in_for_safety(request.user, pk, check_in_pk)
    form = CheckInDoneForm(request.POST or None, initial={"notes": item.notes})
    if request.method == "POST" and form.is_valid():
        try:
            services.complete_check_in(item, notes=form.cleaned_data["notes"], by=request.user)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Check-in marked as done."))
            return redirect("safety:attention", pk)
    return render(
        request,
        "safety/check_in.html",
        {"programme": item.programme, "check_in": item, "form": form},
    )


# ---------------------------------------------------------------------------------------------
# Safeguarding contacts (org admins)


@login_required
@require_http_methods(["GET", "POST"])
def contacts(request: AuthenticatedRequest) -> HttpResponse:
    admin = require_org_admin(request.user)
    form = SafeguardingContactForm(request.POST or None, organisation=admin.organisation)
    if request.method == "POST" and form.is_valid():
        try:
            services.add_safeguarding_contact(
                admin.organisation, person=form.cleaned_data["person"], by=request.user
            )
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(
                request,
                _("%(name)s is now a safeguarding contact.")
                % {"name": form.cleaned_data["person"].full_name},
            )
            return redirect("safety:contacts")
    return render(
        request,
        "safety/contacts.html",
        {
            "form": form,
            "contacts": selectors.safeguarding_contacts(admin.organisation),
            "uncovered": selectors.programmes_without_independent_reader(admin.organisation),
        },
    )


@login_required
@require_POST
def contact_remove(request: AuthenticatedRequest, contact_pk: int) -> HttpResponse:
    contact = access_safeguarding_contact(request.user, contact_pk)
    services.remove_safeguarding_contact(contact, by=request.user)
    messages.success(
        request,
        _("%(name)s is no longer a safeguarding contact.") % {"name": contact.person.full_name},
    )
    return redirect("safety:contacts")
