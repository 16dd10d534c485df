"""Commitments, thank-you notes and the contribution record for the pair; impact, mentor time
and the "who is asked to mentor" guard for programme managers and admins."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from upward.core import audit
from upward.core.errors import DomainError
from upward.core.forms import apply_domain_error
from upward.core.types import AuthenticatedRequest
from upward.impact import pdf, selectors, services
from upward.impact.access import (
    access_commitment,
    access_commitments,
    access_contribution,
    access_thank_you,
    require_load_viewer,
)
from upward.impact.forms import (
    CapForm,
    CommitmentEditForm,
    CommitmentForm,
    StatusForm,
    ThankYouForm,
)
from upward.impact.models import ThankYouNote
from upward.programmes.access import access_programme_for_manager, managed_programmes

PAGE_SIZE = 25


def _record_download(kind: str, seat: Any, request: AuthenticatedRequest) -> None:
    pairing = seat.pairing
    audit.record_download(
        kind, pairing, by=request.user, organisation=pairing.programme.organisation_id
    )


def _pdf_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    # Personal content: never keep a copy in a shared cache.
    response["Cache-Control"] = "private, no-store"
    return response


# ---------------------------------------------------------------------------------------------
# Commitments (the owner only)


@login_required
def commitments(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    seat = access_commitments(request.user, pk)
    items = selectors.commitments_of(seat.pairing, seat.person)
    return render(
        request,
        "impact/commitments.html",
        {
            "seat": seat,
            "pairing": seat.pairing,
            "items": items,
            "commitment_items": [i for i in items if i.is_commitment],
            "insight_items": [i for i in items if not i.is_commitment],
            "status_form": StatusForm(),
            "tab": "commitments",
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def new_commitment(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    seat = access_commitments(request.user, pk)
    form = CommitmentForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.add_commitment(
                seat.pairing,
                owner=seat.person,
                kind=data["kind"],
                text=data["text"],
                due_on=data["due_on"],
                theme=data["theme"],
                by=request.user,
            )
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("Saved. Only you can read it."))
            return redirect("impact:commitments", seat.pairing.pk)
    return render(
        request,
        "impact/commitment_form.html",
        {"seat": seat, "pairing": seat.pairing, "form": form, "item": None, "tab": "commitments"},
    )


@login_required
@require_http_methods(["GET", "POST"])
def edit_commitment(request: AuthenticatedRequest, pk: int, item_pk: int) -> HttpResponse:
    seat, item = access_commitment(request.user, pk, item_pk)
    initial = {"text": item.text, "due_on": item.due_on, "theme": item.theme}
    form = CommitmentEditForm(request.POST if request.method == "POST" else None, initial=initial)
    if not item.is_commitment:
        del form.fields["due_on"]
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.update_commitment(
                item,
                text=data["text"],
                due_on=data.get("due_on"),
                theme=data["theme"],
                by=request.user,
            )
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("impact:commitments", seat.pairing.pk)
    return render(
        request,
        "impact/commitment_form.html",
        {"seat": seat, "pairing": seat.pairing, "form": form, "item": item, "tab": "commitments"},
    )


@login_required
@require_POST
def commitment_status(request: AuthenticatedRequest, pk: int, item_pk: int) -> HttpResponse:
    seat, item = access_commitment(request.user, pk, item_pk)
    form = StatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose done, in progress, not done or no longer relevant."))
    else:
        try:
            services.set_commitment_status(
                item, status=form.cleaned_data["status"], by=request.user
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Thank you: your update is saved."))
    return redirect(reverse("impact:commitments", args=[seat.pairing.pk]) + f"#item-{item.pk}")


@login_required
@require_http_methods(["GET", "POST"])
def delete_commitment(request: AuthenticatedRequest, pk: int, item_pk: int) -> HttpResponse:
    seat, item = access_commitment(request.user, pk, item_pk)
    if request.method == "POST":
        services.delete_commitment(item, by=request.user)
        messages.success(request, _("Deleted."))
        return redirect("impact:commitments", seat.pairing.pk)
    return render(
        request,
        "impact/commitment_delete.html",
        {"seat": seat, "pairing": seat.pairing, "item": item, "tab": "commitments"},
    )


# ---------------------------------------------------------------------------------------------
# Thank-you note (the mentee writes, the mentor reads)


@login_required
@require_http_methods(["GET", "POST"])
def thank_you(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    seat = access_thank_you(request.user, pk)
    note = ThankYouNote.objects.filter(pairing=seat.pairing).first()
    form = ThankYouForm(
        request.POST if request.method == "POST" else None,
        initial={"text": note.text if note else ""},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.write_thank_you(
                seat.pairing, author=seat.person, text=form.cleaned_data["text"], by=request.user
            )
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(
                request,
                _("Your note is saved. %(name)s can read it on their contribution record.")
                % {"name": seat.partner.full_name},
            )
            return redirect("impact:thank_you", seat.pairing.pk)
    return render(
        request,
        "impact/thank_you.html",
        {"seat": seat, "pairing": seat.pairing, "form": form, "note": note, "tab": "thank_you"},
    )


# ---------------------------------------------------------------------------------------------
# Contribution record (the mentor only)


@login_required
def contribution(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    seat = access_contribution(request.user, pk)
    record = selectors.contribution_record(seat.pairing)
    programme_time = selectors.mentor_time(seat.pairing.programme, seat.person)
    return render(
        request,
        "impact/contribution.html",
        {
            "seat": seat,
            "pairing": seat.pairing,
            "record": record,
            "programme_time": programme_time,
            "tab": "contribution",
        },
    )


@login_required
def contribution_pdf(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    seat = access_contribution(request.user, pk)
    record = selectors.contribution_record(seat.pairing)
    name = slugify(seat.person.full_name) or "record"
    content = pdf.contribution_pdf(record)
    _record_download("contribution_record", seat, request)
    return _pdf_response(content, f"upward-contribution-{name}.pdf")


@login_required
def certificate(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    seat = access_contribution(request.user, pk)
    record = selectors.contribution_record(seat.pairing)
    if not record.is_completed:
        messages.error(
            request, _("The certificate is ready once the pairing has been marked as completed.")
        )
        return redirect("impact:contribution", seat.pairing.pk)
    name = slugify(seat.person.full_name) or "certificate"
    content = pdf.certificate_pdf(record)
    _record_download("certificate", seat, request)
    return _pdf_response(content, f"upward-certificate-{name}.pdf")


@login_required
@require_http_methods(["GET", "POST"])
def share(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    seat = access_contribution(request.user, pk)
    if request.method == "POST":
        try:
            services.share_record_with_line_manager(
                seat.pairing, mentor=seat.person, by=request.user
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request,
                _("Sent to %(name)s.") % {"name": seat.person.manager.full_name},  # type: ignore[union-attr]
            )
        return redirect("impact:contribution", seat.pairing.pk)
    record = selectors.contribution_record(seat.pairing)
    return render(
        request,
        "impact/share.html",
        {
            "seat": seat,
            "pairing": seat.pairing,
            "record": record,
            "line_manager": seat.person.manager,
            "tab": "contribution",
        },
    )


@login_required
@require_POST
def thank_you_visibility(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    seat = access_contribution(request.user, pk)
    note = ThankYouNote.objects.filter(pairing=seat.pairing).first()
    if note is None:
        messages.error(request, _("There is no thank-you note yet."))
    else:
        note.pairing = seat.pairing
        show = request.POST.get("show") == "1"
        services.set_thank_you_visibility(note, show=show, by=request.user)
        messages.success(
            request,
            _("The note will go with your record when you share it.")
            if show
            else _("The note stays with you: it will not go with your shared record."),
        )
    return redirect("impact:contribution", seat.pairing.pk)


# ---------------------------------------------------------------------------------------------
# Programme team


@login_required
def programme_impact(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    programme = access_programme_for_manager(request.user, pk)
    return render(
        request,
        "impact/programme_impact.html",
        {"programme": programme, "report": selectors.commitment_report(programme)},
    )


@login_required
def mentor_time(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    programme = access_programme_for_manager(request.user, pk)
    rows = selectors.programme_mentor_time(programme)
    q = request.GET.get("q", "").strip()[:100]
    shown = selectors.mentor_time_named(rows, q)
    page = Paginator(shown, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "impact/mentor_time.html",
        {
            "programme": programme,
            "page_obj": page,
            "q": q,
            "warnings": selectors.cap_warnings(rows),
            "cap": rows[0].cap if rows else selectors.cap_minutes(programme),
            "mentor_count": len(rows),
            "shown_count": len(shown),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def cap_settings(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    programme = access_programme_for_manager(request.user, pk)
    current = Decimal(selectors.cap_minutes(programme)) / 60
    form = CapForm(
        request.POST if request.method == "POST" else None,
        initial={"monthly_cap_hours": current.quantize(Decimal("0.1"))},
    )
    if request.method == "POST" and form.is_valid():
        hours = form.cleaned_data["monthly_cap_hours"]
        minutes = int((hours * 60).quantize(Decimal("1"), rounding=ROUND_HALF_UP))
        try:
            services.update_impact_settings(programme, monthly_cap_minutes=minutes, by=request.user)
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("The cap is saved."))
            return redirect("impact:mentor_time", programme.pk)
    return render(request, "impact/cap_settings.html", {"programme": programme, "form": form})


@login_required
def mentor_load(request: AuthenticatedRequest) -> HttpResponse:
    person = require_load_viewer(request.user)
    # Only the programmes the viewer runs: for a manager their own, for an org admin every
    # programme they may manage (all but those they take part in). Counts from anyone else's
    # programmes, inclusion ones above all, are not theirs to see.
    load = selectors.mentor_ask_counts(
        person.organisation,
        programme_ids=managed_programmes(request.user).values_list("pk", flat=True),
    )
    often = request.GET.get("often") == "1"
    # Counted and sorted in the database; only the page shown is read, with the totals in the
    # same query (a page number past the end costs one more query for the last page).
    rows = load.rows(often=often)
    try:
        number = max(int(request.GET.get("page") or 1), 1)
    except ValueError:
        number = 1
    rows.prefetch((number - 1) * PAGE_SIZE, PAGE_SIZE)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "impact/mentor_load.html",
        {
            "page_obj": page,
            "often": often,
            "asked_often": load.asked_often,
            "total": load.total,
            "threshold": selectors.TOKENISM_THRESHOLD,
            "months": selectors.TOKENISM_MONTHS,
            "hidden": load.hidden,
            "n_programmes": load.programmes,
            "min_group": load.min_group,
        },
    )
