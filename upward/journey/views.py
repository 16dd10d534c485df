"""Journey pages. Each view resolves access, parses input, calls one service or selector, and
renders. Domain errors become form errors or messages, never a 500."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

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
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from upward.core.errors import Conflict, DomainError
from upward.core.forms import apply_domain_error
from upward.core.htmx import announce
from upward.core.ratelimit import limit_per_address
from upward.core.shortcuts import act_and_redirect
from upward.core.types import AuthenticatedRequest
from upward.core.validation import valid_ids
from upward.journey import ics, selectors, services
from upward.journey.access import (
    access_agenda_item,
    access_event_for_manager,
    access_event_for_participant,
    access_feed,
    access_meeting,
    access_pair_journey,
    access_pairing_for_manager,
    access_template,
    access_template_for_edit,
    require_template_manager,
)
from upward.journey.forms import (
    AgendaItemForm,
    AgreementForm,
    AttendanceForm,
    CancelForm,
    CloneForm,
    EventForm,
    LogMeetingForm,
    MarkForm,
    MeetingForm,
    ProgrammeJourneyForm,
    PublishForm,
    ResponseForm,
    StepForm,
    TemplateForm,
)
from upward.journey.models import (
    CalendarFeed,
    EventResponse,
    JourneyStep,
    JourneyVersion,
    Meeting,
    MeetingStatus,
    PairAgreement,
    ProgrammeJourney,
)
from upward.organisations.access import require_person
from upward.pairing.models import PairingState
from upward.programmes.access import access_programme_for_manager

PAGE_SIZE = 20
ATTENDANCE_PAGE_SIZE = 50


def _local(value: dt.datetime, zone: str) -> dt.datetime:
    return services.in_zone(value, zone)


def _ics_response(content: bytes, filename: str, method: str | None = None) -> HttpResponse:
    content_type = "text/calendar; charset=utf-8"
    if method:
        content_type = f"text/calendar; method={method}; charset=utf-8"
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


# ---------------------------------------------------------------------------------------------
# Participants: pairings


@login_required
@require_GET
def my_journeys(request: AuthenticatedRequest) -> HttpResponse:
    person = require_person(request.user)
    pairings = selectors.my_pairings(person)
    if len(pairings) == 1 and request.GET.get("all") is None:
        return redirect("journey:pairing", pairings[0].pk)
    return render(request, "journey/my_journeys.html", {"pairings": pairings, "person": person})


@login_required
@require_GET
def pairing(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    seat = access_pair_journey(request.user, pk)
    pairing = seat.pairing
    overview = selectors.pairing_overview(pairing, seat.person)
    return render(request, "journey/pairing.html", {"o": overview, "pairing": pairing})


@login_required
@require_http_methods(["GET", "POST"])
def agreement(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    seat = access_pair_journey(request.user, pk)
    pairing = seat.pairing
    person = seat.person
    current = PairAgreement.objects.filter(pairing=pairing).first()
    instance = current or selectors.default_agreement(pairing)
    form = AgreementForm(
        request.POST or None,
        instance=instance,
        initial={"based_on": current.version if current else 0},
    )
    stale = False
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.save_agreement(
                pairing,
                person=person,
                data=form.cleaned_data,
                based_on=form.cleaned_data["based_on"],
                by=request.user,
            )
            if request.POST.get("and_confirm"):
                # The words just saved are the ones this person read.
                services.confirm_agreement(
                    pairing, person=person, version=saved.version, by=request.user
                )
        except Conflict as exc:
            # Saved meanwhile by the partner: show their words, keep this person's edits in
            # the form, now based on the version they can read on this page.
            current = PairAgreement.objects.filter(pairing=pairing).first()
            stale = True
            data = request.POST.copy()
            data["based_on"] = str(current.version if current else 0)
            # Its own copy: validating a model form writes the posted words into its instance,
            # and the card above the form must show the saved ones.
            form = AgreementForm(
                data, instance=PairAgreement.objects.filter(pairing=pairing).first() or instance
            )
            form.is_valid()
            apply_domain_error(form, exc)
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(
                request,
                _("Agreement saved. It is in place once both of you have confirmed it."),
            )
            return redirect("journey:pairing", pairing.pk)
    return render(
        request,
        "journey/agreement.html",
        {
            "pairing": pairing,
            "form": form,
            "agreement": current,
            "person": person,
            "stale": stale,
        },
    )


@login_required
@require_POST
def agreement_confirm(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    seat = access_pair_journey(request.user, pk)
    pairing = seat.pairing
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        # A form without the version it showed cannot say what the person read.
        messages.error(request, _("Please read the agreement below, then confirm it."))
        return redirect("journey:agreement", pairing.pk)
    try:
        services.confirm_agreement(pairing, person=seat.person, version=version, by=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("journey:agreement", pairing.pk)
    messages.success(request, _("You have confirmed the agreement."))
    return redirect("journey:pairing", pairing.pk)


@login_required
@require_GET
def meetings(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    seat = access_pair_journey(request.user, pk)
    pairing = seat.pairing
    page_obj = Paginator(selectors.pair_meetings(pairing), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "journey/meetings.html",
        {"pairing": pairing, "page_obj": page_obj, "person": seat.person},
    )


def _meeting_form(
    request: HttpRequest, pairing: Any, person: Any, meeting: Any = None
) -> MeetingForm:
    journey = selectors.programme_journey(pairing.programme)
    steps, suggestion = selectors.bookable_steps(pairing, meeting)
    free = journey.mode == ProgrammeJourney.Mode.FREE
    if meeting is not None:
        local = _local(meeting.starts_at, meeting.time_zone)
        initial = {
            "step": meeting.step_id,
            "date": local.date(),
            "start_time": local.time().replace(second=0, microsecond=0),
            "duration_minutes": meeting.duration_minutes,
            "time_zone": meeting.time_zone,
            "place": meeting.place,
            "video_url": meeting.video_url,
        }
    else:
        agreement = PairAgreement.objects.filter(pairing=pairing).first()
        initial = {
            "step": suggestion.pk if suggestion else None,
            "duration_minutes": (
                agreement.minutes_per_meeting if agreement else journey.minutes_per_meeting
            ),
            "time_zone": person.time_zone,
        }
    return MeetingForm(request.POST or None, initial=initial, steps=steps, free=free)


def _starts_at(form: MeetingForm) -> dt.datetime:
    data = form.cleaned_data
    return services.local_datetime(data["date"], data["start_time"], data["time_zone"])


def _meeting_form_page(
    request: HttpRequest,
    pairing: Any,
    form: MeetingForm,
    *,
    allowed: bool,
    meeting: Meeting | None,
) -> HttpResponse:
    """Booking and moving share one form page. A refused POST answers 403: the person is in
    the pair (access already checked), so saying "not allowed" reveals nothing."""
    return render(
        request,
        "journey/meeting_form.html",
        {
            "pairing": pairing,
            "form": form,
            "allowed": allowed,
            "organisers": selectors.organisers(pairing),
            "meeting": meeting,
        },
        status=200 if allowed or request.method == "GET" else 403,
    )


@login_required
@require_http_methods(["GET", "POST"])
def book(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    seat = access_pair_journey(request.user, pk)
    pairing = seat.pairing
    person = seat.person
    allowed = selectors.may_organise(pairing, person)
    form = _meeting_form(request, pairing, person)
    if request.method == "POST" and allowed and form.is_valid():
        data = form.cleaned_data
        try:
            meeting = services.book_meeting(
                pairing,
                person=person,
                starts_at=_starts_at(form),
                duration_minutes=data["duration_minutes"],
                step=data["step"],
                place=data["place"],
                video_url=data["video_url"],
                time_zone=data["time_zone"],
                by=request.user,
            )
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(
                request,
                _("Meeting booked. We have emailed a calendar invitation to both of you."),
            )
            return redirect("journey:meeting", meeting.pk)
    return _meeting_form_page(request, pairing, form, allowed=allowed, meeting=None)


@login_required
@require_http_methods(["GET", "POST"])
def meeting(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    seat, meeting = access_meeting(request.user, pk)
    person = seat.person
    add_form = AgendaItemForm(request.POST or None)
    if request.method == "POST":
        if add_form.is_valid():
            try:
                services.add_agenda_item(
                    meeting, person=person, text=add_form.cleaned_data["text"], by=request.user
                )
            except DomainError as exc:
                apply_domain_error(add_form, exc)
            else:
                if not request.htmx:
                    return redirect("journey:meeting", meeting.pk)
                added = add_form.cleaned_data["text"]
                add_form = AgendaItemForm()
                return announce(
                    _agenda_partial(request, meeting, person, add_form),
                    _("Added to the agenda: %(item)s") % {"item": added},
                )
        if request.htmx:
            return _agenda_partial(request, meeting, person, add_form)
    context = _meeting_context(meeting, person)
    context["add_form"] = add_form
    response = render(request, "journey/meeting.html", context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def _meeting_context(meeting: Any, person: Any) -> dict[str, Any]:
    pairing = meeting.pairing
    partner = pairing.mentor if person.pk == pairing.mentee_id else pairing.mentee
    role = "mentor" if person.pk == pairing.mentor_id else "mentee"
    step = meeting.step
    return {
        "meeting": meeting,
        "pairing": pairing,
        "person": person,
        "partner": partner,
        "my_time": _local(meeting.starts_at, person.time_zone),
        "my_end": _local(meeting.ends_at, person.time_zone),
        "partner_time": _local(meeting.starts_at, partner.time_zone),
        "different_zone": _local(meeting.starts_at, person.time_zone).utcoffset()
        != _local(meeting.starts_at, partner.time_zone).utcoffset(),
        "agenda": selectors.meeting_agenda(meeting),
        "may_organise": selectors.may_organise(pairing, person),
        "can_mark": meeting.starts_at <= timezone.now()
        and meeting.status != MeetingStatus.CANCELLED,
        "is_upcoming": meeting.status == MeetingStatus.SCHEDULED
        and meeting.starts_at > timezone.now(),
        "prepare": (step.mentor_prepares if role == "mentor" else step.mentee_prepares)
        if step
        else "",
        "editable": pairing.state == "active" and meeting.status != MeetingStatus.CANCELLED,
        "my_outcome": meeting.outcome_of(role),
    }


def _agenda_partial(request: HttpRequest, meeting: Any, person: Any, add_form: Any) -> HttpResponse:
    context = _meeting_context(meeting, person)
    context["add_form"] = add_form
    response = render(request, "journey/meeting.html#agenda", context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@login_required
@require_POST
def agenda_toggle(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    seat, item = access_agenda_item(request.user, pk)
    person = seat.person
    try:
        item = services.toggle_agenda_item(item, person=person, by=request.user)
    except DomainError as exc:
        if not request.htmx:  # type: ignore[attr-defined]
            messages.error(request, exc.message)
        said = str(exc.message)
    else:
        template = _("Ticked: %(item)s") if item.done_at else _("Unticked: %(item)s")
        said = template % {"item": item.text}
    if request.htmx:  # type: ignore[attr-defined]
        seat, meeting = access_meeting(request.user, item.meeting_id)
        return announce(_agenda_partial(request, meeting, seat.person, AgendaItemForm()), said)
    response = redirect("journey:meeting", item.meeting_id)
    patch_vary_headers(response, ["HX-Request"])
    return response


@login_required
@require_http_methods(["GET", "POST"])
def reschedule(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    seat, meeting = access_meeting(request.user, pk)
    pairing = meeting.pairing
    person = seat.person
    allowed = selectors.may_organise(pairing, person) and meeting.is_scheduled
    form = _meeting_form(request, pairing, person, meeting)
    if request.method == "POST" and allowed and form.is_valid():
        data = form.cleaned_data
        try:
            services.reschedule_meeting(
                meeting,
                person=person,
                starts_at=_starts_at(form),
                duration_minutes=data["duration_minutes"],
                step=data["step"],
                place=data["place"],
                video_url=data["video_url"],
                time_zone=data["time_zone"],
                by=request.user,
            )
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("Meeting changed. We have emailed the updated invitation."))
            return redirect("journey:meeting", meeting.pk)
    return _meeting_form_page(request, pairing, form, allowed=allowed, meeting=meeting)


@login_required
@require_http_methods(["GET", "POST"])
def cancel(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    seat, meeting = access_meeting(request.user, pk)
    pairing = meeting.pairing
    person = seat.person
    allowed = selectors.may_organise(pairing, person) and meeting.is_scheduled
    form = CancelForm(request.POST or None)
    if request.method == "POST" and allowed and form.is_valid():
        try:
            services.cancel_meeting(meeting, person=person, by=request.user)
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(
                request, _("Meeting cancelled. We have emailed both of you a cancellation.")
            )
            return redirect("journey:pairing", pairing.pk)
    return render(
        request,
        "journey/meeting_cancel.html",
        {
            "meeting": meeting,
            "pairing": pairing,
            "form": form,
            "allowed": allowed,
            "my_time": _local(meeting.starts_at, person.time_zone),
        },
    )


def _locked_reason(meeting: Meeting) -> str:
    """Why the record cannot be changed from this page, or "" when it can."""
    if meeting.pairing.state != PairingState.ACTIVE:
        return _(
            "This pairing has finished, so its meeting records are kept as they were and can "
            "no longer be changed."
        )
    if meeting.status == MeetingStatus.CANCELLED:
        return _("This meeting was cancelled, so there is nothing to record.")
    if meeting.starts_at > timezone.now():
        return _("You can record a meeting once its start time has passed.")
    return ""


def _record_context(meeting: Meeting, person: Any) -> dict[str, Any]:
    pairing = meeting.pairing
    role = "mentor" if person.pk == pairing.mentor_id else "mentee"
    partner_role = "mentee" if role == "mentor" else "mentor"
    partner = pairing.mentee if role == "mentor" else pairing.mentor
    return {
        "meeting": meeting,
        "pairing": pairing,
        "partner": partner,
        "my_outcome": meeting.outcome_of(role),
        "my_minutes": meeting.minutes_of(role),
        "partner_outcome": meeting.outcome_of(partner_role),
        "partner_minutes": meeting.minutes_of(partner_role),
        "proposal_mine": meeting.proposed_by_id == person.pk,
        "locked_reason": _locked_reason(meeting),
        "history": selectors.record_history(meeting),
        "limit": services.minutes_limit(meeting),
        "my_time": _local(meeting.starts_at, person.time_zone),
    }


@login_required
@require_http_methods(["GET", "POST"])
def record_outcome(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Each person's own account; once both agree, proposing and answering a change."""
    seat, meeting = access_meeting(request.user, pk)
    person = seat.person
    role = "mentor" if person.pk == meeting.pairing.mentor_id else "mentee"
    own = meeting.outcome_of(role)
    initial: dict[str, Any] = {
        "actual_minutes": meeting.minutes_of(role) or meeting.duration_minutes,
        "outcome": own or None,
    }
    limit = services.minutes_limit(meeting)
    action = request.POST.get("action", "record")
    form = MarkForm(
        request.POST if request.method == "POST" and action in ("record", "propose") else None,
        initial=initial,
        limit=limit,
    )
    if request.method == "POST":
        if action in ("accept", "decline"):
            try:
                services.answer_record_change(
                    meeting,
                    person=person,
                    accept=action == "accept",
                    by=request.user,
                    proposal=request.POST.get("proposal", ""),
                )
            except DomainError as exc:
                messages.error(request, exc.message)
                return redirect("journey:record", meeting.pk)
            messages.success(request, _("Thank you: the record is up to date."))
            return redirect("journey:meeting", meeting.pk)
        try:
            if form.is_valid():
                write = (
                    services.propose_record_change if action == "propose" else services.mark_meeting
                )
                write(
                    meeting,
                    person=person,
                    held=form.cleaned_data["outcome"] == "held",
                    actual_minutes=form.cleaned_data.get("actual_minutes"),
                    by=request.user,
                )
                if action == "propose":
                    messages.success(
                        request, _("Change proposed. It applies once your partner accepts it.")
                    )
                else:
                    messages.success(request, _("Thank you: your account is recorded."))
                return redirect("journey:meeting", meeting.pk)
        except DomainError as exc:
            apply_domain_error(form, exc)
            meeting.refresh_from_db()
    context = _record_context(meeting, person)
    context["form"] = form
    return render(request, "journey/meeting_record.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def log_meeting(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Log a meeting that already happened: either person, no invitation."""
    seat = access_pair_journey(request.user, pk)
    pairing = seat.pairing
    person = seat.person
    agreement = PairAgreement.objects.filter(pairing=pairing).first()
    form = LogMeetingForm(
        request.POST or None,
        initial={
            "time_zone": person.time_zone,
            "duration_minutes": agreement.minutes_per_meeting if agreement else 60,
        },
    )
    live = pairing.state == PairingState.ACTIVE
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            meeting = services.log_past_meeting(
                pairing,
                person=person,
                starts_at=services.local_datetime(
                    data["date"], data["start_time"], data["time_zone"]
                ),
                duration_minutes=data["duration_minutes"],
                time_zone=data["time_zone"],
                by=request.user,
            )
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(
                request,
                _(
                    "Meeting logged. Your partner can add their own account; it is settled "
                    "once you agree."
                ),
            )
            return redirect("journey:meeting", meeting.pk)
    return render(
        request,
        "journey/meeting_log.html",
        {"pairing": pairing, "form": form, "live": live},
        status=200 if live or request.method == "GET" else 409,
    )


@login_required
@require_GET
def meeting_ics(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    _seat, meeting = access_meeting(request.user, pk)
    item = selectors.meeting_item(meeting)
    return _ics_response(ics.invite(item), f"meeting-{meeting.pk}.ics", ics.method_of(item))


# ---------------------------------------------------------------------------------------------
# Participants: events


@login_required
@require_GET
def events(request: AuthenticatedRequest) -> HttpResponse:
    person = require_person(request.user)
    now = timezone.now()
    mine = selectors.my_events(person)
    upcoming = [e for e in mine if e.ends_at >= now]
    past = [e for e in mine if e.ends_at < now][::-1]
    page_obj = Paginator(past, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "journey/events.html",
        {"upcoming": upcoming, "page_obj": page_obj, "person": person},
    )


@login_required
@require_http_methods(["GET", "POST"])
def event(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    event = access_event_for_participant(request.user, pk)
    person = event.viewer  # type: ignore[attr-defined]
    response = EventResponse.objects.filter(event=event, person=person).first()
    form = ResponseForm(
        request.POST or None, initial={"answer": response.answer if response else None}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.respond_to_event(
                event, person=person, answer=form.cleaned_data["answer"], by=request.user
            )
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("Thank you for letting us know."))
            return redirect("journey:event", event.pk)
    return render(
        request,
        "journey/event.html",
        {
            "event": event,
            "form": form,
            "response": response,
            "my_time": _local(event.starts_at, person.time_zone),
            "my_end": _local(event.ends_at, person.time_zone),
            "is_past": event.ends_at <= timezone.now(),
        },
    )


@login_required
@require_GET
def event_ics(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    event = access_event_for_participant(request.user, pk)
    item = selectors.event_item(event, event.viewer)  # type: ignore[attr-defined]
    return _ics_response(ics.invite(item), f"event-{event.pk}.ics", ics.method_of(item))


# ---------------------------------------------------------------------------------------------
# Calendar feed


@login_required
@require_http_methods(["GET", "POST"])
def calendar_settings(request: AuthenticatedRequest) -> HttpResponse:
    person = require_person(request.user)
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "revoke":
            services.revoke_feed(person, by=request.user)
            messages.success(
                request, _("Your calendar link is switched off. The old address no longer works.")
            )
        elif action == "regenerate":
            services.regenerate_feed(person, by=request.user)
            messages.success(
                request,
                _("Here is your new calendar link. The old address no longer works."),
            )
        return redirect("journey:calendar")
    feed = CalendarFeed.objects.filter(person=person).first()
    url = ics.site_url(f"/calendar/{feed.token}.ics") if feed else ""
    return render(request, "journey/calendar.html", {"feed": feed, "feed_url": url})


@limit_per_address("calendar_feed")
@never_cache
@require_GET
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    # Public by design: calendar programs cannot sign in. The token is the key; a revoked or
    # regenerated token answers 404 like any unknown one.
    feed = access_feed(token)
    services.touch_feed(feed)
    content = ics.feed(selectors.feed_items(feed.person), name=_("Upward mentoring"))
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="upward.ics"'
    response["X-Robots-Tag"] = "noindex"
    return response


# ---------------------------------------------------------------------------------------------
# Programme team: setup, pairs (counts only), events


@login_required
@require_http_methods(["GET", "POST"])
def programme_setup(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    programme = access_programme_for_manager(request.user, pk)
    current = selectors.programme_journey(programme)
    versions = selectors.published_versions_for(programme)
    initial = {
        "version": current.version_id,
        "mode": current.mode,
        "meetings_per_month": current.meetings_per_month,
        "minutes_per_meeting": current.minutes_per_meeting,
    }
    form = ProgrammeJourneyForm(request.POST or None, initial=initial, versions=versions)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.set_programme_journey(
                programme,
                version=data["version"],
                mode=data["mode"],
                meetings_per_month=data["meetings_per_month"],
                minutes_per_meeting=data["minutes_per_meeting"],
                by=request.user,
            )
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("Journey saved for this programme."))
            return redirect("journey:programme_setup", programme.pk)
    version = current.version if current.version_id else None
    return render(
        request,
        "journey/programme_setup.html",
        {
            "programme": programme,
            "form": form,
            "current": current,
            "saved": current.pk is not None,
            "version": selectors.version_with_steps(version) if version else None,
        },
    )


@login_required
@require_GET
def programme_pairs(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    programme = access_programme_for_manager(request.user, pk)
    q = request.GET.get("q", "").strip()[:100]
    pairings = selectors.journey_pairings(programme, q=q)
    page_obj = Paginator(pairings, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = selectors.programme_pair_rows(
        programme,
        selectors.journey_pairings(programme).filter(pk__in=[p.pk for p in page_obj]),
    )
    return render(
        request,
        "journey/programme_pairs.html",
        {"programme": programme, "page_obj": page_obj, "rows": rows, "q": q},
    )


@login_required
@require_GET
def manager_pairing(request: AuthenticatedRequest, pk: int, pairing_pk: int) -> HttpResponse:
    pairing = access_pairing_for_manager(request.user, pk, pairing_pk)
    rows = selectors.programme_pair_rows(
        pairing.programme, selectors.journey_pairings(pairing.programme).filter(pk=pairing.pk)
    )
    return render(
        request,
        "journey/manager_pairing.html",
        {"programme": pairing.programme, "pairing": pairing, "row": rows[0]},
    )


@login_required
@require_GET
def programme_events(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    programme = access_programme_for_manager(request.user, pk)
    page_obj = Paginator(selectors.event_counts(programme), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "journey/programme_events.html",
        {"programme": programme, "page_obj": page_obj, "now": timezone.now()},
    )


def _event_times(form: EventForm) -> tuple[dt.datetime, dt.datetime]:
    data = form.cleaned_data
    starts = services.local_datetime(data["date"], data["start_time"], data["time_zone"])
    ends = services.local_datetime(data["date"], data["end_time"], data["time_zone"])
    return starts, ends


@login_required
@require_http_methods(["GET", "POST"])
def event_edit(request: AuthenticatedRequest, pk: int, event_pk: int | None = None) -> HttpResponse:
    programme = access_programme_for_manager(request.user, pk)
    manager = require_person(request.user)
    instance = access_event_for_manager(request.user, pk, event_pk) if event_pk else None
    if instance is not None and instance.cancelled_at is not None:
        raise Http404("Cancelled events cannot change.")
    initial: dict[str, Any] = {"time_zone": manager.time_zone}
    if instance is not None:
        start = _local(instance.starts_at, instance.time_zone)
        initial = {
            "date": start.date(),
            "start_time": start.time(),
            "end_time": _local(instance.ends_at, instance.time_zone).time(),
            "time_zone": instance.time_zone,
        }
    form = EventForm(request.POST or None, instance=instance, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            starts, ends = _event_times(form)
            event = services.save_event(
                programme,
                instance,
                data=form.cleaned_data,
                starts_at=starts,
                ends_at=ends,
                time_zone=form.cleaned_data["time_zone"],
                organiser=manager,
                by=request.user,
            )
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("Event saved. Invitations are on their way."))
            return redirect("journey:event_attendance", programme.pk, event.pk)
    return render(
        request,
        "journey/event_form.html",
        {"programme": programme, "form": form, "event": instance},
    )


@login_required
@require_http_methods(["GET", "POST"])
def event_cancel(request: AuthenticatedRequest, pk: int, event_pk: int) -> HttpResponse:
    event = access_event_for_manager(request.user, pk, event_pk)
    if request.method == "POST":
        return act_and_redirect(
            request,
            lambda: services.cancel_event(event, by=request.user),
            success=_("Event cancelled. Everyone invited has been told."),
            to=reverse("journey:programme_events", args=[pk]),
        )
    return render(
        request, "journey/event_cancel.html", {"programme": event.programme, "event": event}
    )


@login_required
@require_http_methods(["GET", "POST"])
def event_attendance(request: AuthenticatedRequest, pk: int, event_pk: int) -> HttpResponse:
    """Attendance a page at a time: each save records the people on that page only (their
    ids travel with the form), so a list that shifted meanwhile cannot mark the wrong person."""
    event = access_event_for_manager(request.user, pk, event_pk)
    q = request.GET.get("q", "").strip()[:100]
    audience = selectors.event_audience_queryset(event, q=q)
    page_obj = Paginator(audience, ATTENDANCE_PAGE_SIZE).get_page(request.GET.get("page"))
    if request.method == "POST":
        posted = valid_ids(request.POST.getlist("people"), limit=ATTENDANCE_PAGE_SIZE)
        people = list(selectors.event_audience_queryset(event).filter(pk__in=posted))
        # Someone who left the audience since the page was drawn is left out, and said so.
        missing = [i for i in posted if i not in {p.pk for p in people}]
    else:
        people, missing = list(page_obj), []
    rows = selectors.event_attendance_rows(event, people)
    responses = {r["person"].pk: r["response"] for r in rows if r["response"]}
    form = AttendanceForm(request.POST or None, people=people, responses=responses)
    if request.method == "POST" and form.is_valid():
        try:
            count = services.mark_attendance(event, attended=form.attended(), by=request.user)
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(
                request,
                ngettext(
                    "Attendance saved for %(n)s person on this page.",
                    "Attendance saved for %(n)s people on this page.",
                    count,
                )
                % {"n": count},
            )
            if missing:
                messages.warning(
                    request,
                    ngettext(
                        "%(n)s person is no longer in this event's audience, so nothing was "
                        "saved for them.",
                        "%(n)s people are no longer in this event's audience, so nothing was "
                        "saved for them.",
                        len(missing),
                    )
                    % {"n": len(missing)},
                )
            target = page_obj.number
            if request.POST.get("then") == "next" and page_obj.has_next():
                target = page_obj.next_page_number()
            query = urlencode({k: v for k, v in (("q", q), ("page", target)) if v})
            url = reverse("journey:event_attendance", args=[pk, event.pk])
            return redirect(f"{url}?{query}" if query else url)
    return render(
        request,
        "journey/event_attendance.html",
        {
            "programme": event.programme,
            "event": event,
            "rows": [(r, form[f"attended_{r['person'].pk}"]) for r in rows],
            "form": form,
            "page_obj": page_obj,
            "q": q,
            "counts": selectors.event_attendance_counts(event),
            "started": event.starts_at <= timezone.now(),
        },
    )

@login_required
@require_GET
def templates(request: AuthenticatedRequest) -> HttpResponse:
    person = require_template_manager(request.user)
    return render(request, "journey/templates.html", {"templates": selectors.template_rows(person)})


@login_required
@require_GET
def template(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    template = access_template(request.user, pk)
    versions = list(template.versions.select_related("published_by").order_by("-number"))
    published = [v for v in versions if not v.is_draft]
    draft = next((v for v in versions if v.is_draft), None)
    number = request.GET.get("v")
    shown = published[0] if published else None
    if number and number.isdigit():
        shown = next((v for v in published if v.number == int(number)), shown)
    return render(
        request,
        "journey/template.html",
        {
            "template": template,
            "versions": published,
            "draft": draft,
            "shown": selectors.version_with_steps(shown) if shown else None,
            "editable": template.organisation_id is not None,
            "clone_form": CloneForm(
                initial={"name": _("%(name)s (our copy)") % {"name": template.name}}
            ),
        },
    )


@login_required
@require_POST
def template_clone(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    template = access_template(request.user, pk)
    person = template.viewer  # type: ignore[attr-defined]
    form = CloneForm(request.POST)
    version = template.versions.filter(number__isnull=False).order_by("-number").first()
    if not form.is_valid() or version is None:
        messages.error(request, _("Give the copy a name."))
        return redirect("journey:template", template.pk)
    try:
        copy = services.clone_template(
            version,
            organisation=person.organisation,
            name=form.cleaned_data["name"],
            by=request.user,
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("journey:template", template.pk)
    messages.success(request, _("Copied. Edit the draft, then publish it for your programmes."))
    return redirect("journey:template", copy.pk)


def _draft(request: HttpRequest, pk: int) -> JourneyVersion:
    template = access_template_for_edit(request.user, pk)
    draft = template.versions.filter(number__isnull=True).first()
    if draft is None:
        raise Http404("No draft.")
    draft.template = template
    return draft


@login_required
@require_http_methods(["GET", "POST"])
def draft(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    template = access_template_for_edit(request.user, pk)
    if request.method == "POST":
        try:
            services.start_draft(template, by=request.user)
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect("journey:template", template.pk)
        return redirect("journey:draft", template.pk)
    draft = _draft(request, pk)
    form = TemplateForm(initial={"name": template.name, "description": template.description})
    return render(
        request,
        "journey/draft.html",
        {
            "template": template,
            "draft": selectors.version_with_steps(draft),
            "form": form,
            "publish_form": PublishForm(),
        },
    )


@login_required
@require_POST
def template_rename(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    template = access_template_for_edit(request.user, pk)
    form = TemplateForm(request.POST)
    if form.is_valid():
        try:
            services.rename_template(
                template,
                name=form.cleaned_data["name"],
                description=form.cleaned_data["description"],
                by=request.user,
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Name saved."))
    else:
        messages.error(request, _("Give the journey a name."))
    return redirect("journey:template", template.pk)


def _step(request: HttpRequest, pk: int, step_pk: int) -> JourneyStep:
    draft = _draft(request, pk)
    try:
        step = draft.steps.get(pk=step_pk)
    except JourneyStep.DoesNotExist as exc:
        raise Http404("No such step.") from exc
    step.version = draft
    return step


@login_required
@require_http_methods(["GET", "POST"])
def step_edit(request: AuthenticatedRequest, pk: int, step_pk: int | None = None) -> HttpResponse:
    draft = _draft(request, pk)
    step = _step(request, pk, step_pk) if step_pk else None
    form = StepForm(request.POST or None, instance=step)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_step(
                draft,
                step,
                data=form.cleaned_data,
                agenda=form.cleaned_data.get("agenda", ""),
                by=request.user,
            )
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("Step saved in the draft."))
            return redirect("journey:draft", pk)
    return render(
        request,
        "journey/step_form.html",
        {"template": draft.template, "draft": draft, "form": form, "step": step},
    )


@login_required
@require_POST
def step_delete(request: AuthenticatedRequest, pk: int, step_pk: int) -> HttpResponse:
    step = _step(request, pk, step_pk)
    return act_and_redirect(
        request,
        lambda: services.delete_step(step, by=request.user),
        success=_("Step removed from the draft."),
        to=reverse("journey:draft", args=[pk]),
    )


@login_required
@require_POST
def step_move(request: AuthenticatedRequest, pk: int, step_pk: int) -> HttpResponse:
    step = _step(request, pk, step_pk)
    try:
        services.move_step(step, up=request.POST.get("direction") == "up", by=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("journey:draft", pk)


@login_required
@require_POST
def draft_publish(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    draft = _draft(request, pk)
    form = PublishForm(request.POST)
    note = form.cleaned_data["change_note"] if form.is_valid() else ""
    try:
        version = services.publish_draft(draft, change_note=note, by=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("journey:draft", pk)
    messages.success(
        request,
        _("Version %(n)s published. Programmes move to it only when their managers choose it.")
        % {"n": version.number},
    )
    return redirect("journey:template", pk)


@login_required
@require_POST
def draft_discard(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    draft = _draft(request, pk)
    return act_and_redirect(
        request,
        lambda: services.discard_draft(draft, by=request.user),
        success=_("Draft discarded."),
        to=reverse("journey:template", args=[pk]),
    )
