"""Pages of the pair workspace (shared notes, private meeting notes, messages), the email
preference and the cohort spaces. Each view resolves access, calls one service or selector,
and renders."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from upward.core.errors import Conflict, DomainError
from upward.core.forms import apply_domain_error
from upward.core.types import AuthenticatedRequest
from upward.notes import selectors, services
from upward.notes.access import (
    access_cohort_post_for_moderator,
    access_cohort_space,
    access_meeting_for_notes,
    access_shared_note,
)
from upward.notes.forms import (
    CohortPostForm,
    MeetingNoteForm,
    MessageForm,
    SharedNoteForm,
)
from upward.notes.models import Cohort
from upward.pairing.workspace import access_pair_workspace

NOTES_PAGE_SIZE = 20
POSTS_PAGE_SIZE = 20


@login_required
def shared_notes(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    seat = access_pair_workspace(request.user, pk)
    page = Paginator(selectors.shared_notes(seat.pairing), NOTES_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "notes/shared_notes.html",
        {"seat": seat, "pairing": seat.pairing, "page_obj": page, "tab": "notes"},
    )


@login_required
@require_http_methods(["GET", "POST"])
def new_shared_note(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    seat = access_pair_workspace(request.user, pk)
    form = SharedNoteForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            note = services.create_shared_note(
                seat.pairing,
                title=form.cleaned_data["title"],
                body=form.cleaned_data["body"],
                author=seat.person,
            )
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("Note saved. Your partner can read and edit it too."))
            return redirect("notes:shared_note", seat.pairing.pk, note.pk)
    return render(
        request,
        "notes/shared_note_form.html",
        {"seat": seat, "pairing": seat.pairing, "form": form, "note": None, "tab": "notes"},
    )


@login_required
def shared_note(request: AuthenticatedRequest, pk: int, note_pk: int) -> HttpResponse:
    seat, note = access_shared_note(request.user, pk, note_pk)
    return render(
        request,
        "notes/shared_note.html",
        {"seat": seat, "pairing": seat.pairing, "note": note, "tab": "notes"},
    )


@login_required
@require_http_methods(["GET", "POST"])
def edit_shared_note(request: AuthenticatedRequest, pk: int, note_pk: int) -> HttpResponse:
    seat, note = access_shared_note(request.user, pk, note_pk)
    initial = {"title": note.title, "body": note.body, "version": note.version}
    form = SharedNoteForm(request.POST if request.method == "POST" else None, initial=initial)
    conflict = False
    if request.method == "POST" and form.is_valid():
        try:
            services.update_shared_note(
                note,
                title=form.cleaned_data["title"],
                body=form.cleaned_data["body"],
                base_version=form.cleaned_data["version"] or 0,
                person=seat.person,
            )
        except Conflict as exc:
            # Keep what they typed in the form; show the partner's newer text beside it.
            conflict = True
            note.refresh_from_db()
            data = request.POST.copy()
            data["version"] = str(note.version)
            form = SharedNoteForm(data)
            form.is_valid()
            apply_domain_error(form, exc)
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("Note saved. The earlier version is in the history."))
            return redirect("notes:shared_note", seat.pairing.pk, note.pk)
    return render(
        request,
        "notes/shared_note_form.html",
        {
            "seat": seat,
            "pairing": seat.pairing,
            "form": form,
            "note": note,
            "conflict": conflict,
            "tab": "notes",
        },
    )


@login_required
def note_history(request: AuthenticatedRequest, pk: int, note_pk: int) -> HttpResponse:
    seat, note = access_shared_note(request.user, pk, note_pk)
    page = Paginator(selectors.note_revisions(note), 20).get_page(request.GET.get("page"))
    return render(
        request,
        "notes/note_history.html",
        {"seat": seat, "pairing": seat.pairing, "note": note, "page_obj": page, "tab": "notes"},
    )


@login_required
@require_http_methods(["GET", "POST"])
def delete_shared_note(request: AuthenticatedRequest, pk: int, note_pk: int) -> HttpResponse:
    seat, note = access_shared_note(request.user, pk, note_pk)
    if request.method == "POST":
        try:
            services.delete_shared_note(note, person=seat.person)
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect("notes:shared_note", seat.pairing.pk, note.pk)
        messages.success(request, _("Note deleted, with its history."))
        return redirect("notes:shared_notes", seat.pairing.pk)
    return render(
        request,
        "notes/shared_note_delete.html",
        {"seat": seat, "pairing": seat.pairing, "note": note, "tab": "notes"},
    )


@login_required
def meeting_notes(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    seat = access_pair_workspace(request.user, pk)
    rows = selectors.meetings_with_my_notes(seat.pairing, seat.person)
    return render(
        request,
        "notes/meeting_notes.html",
        {"seat": seat, "pairing": seat.pairing, "rows": rows, "tab": "private"},
    )


@login_required
@require_http_methods(["GET", "POST"])
def meeting_note(request: AuthenticatedRequest, meeting_pk: int) -> HttpResponse:
    seat, meeting, note = access_meeting_for_notes(request.user, meeting_pk)
    form = MeetingNoteForm(
        request.POST if request.method == "POST" else None,
        initial={"body": note.body if note else ""},
    )
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.save_meeting_note(
                meeting, body=form.cleaned_data["body"], author=seat.person
            )
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(
                request,
                _("Private note saved. Only you can read it.")
                if saved
                else _("Private note deleted."),
            )
            return redirect("notes:meeting_notes", seat.pairing.pk)
    return render(
        request,
        "notes/meeting_note.html",
        {
            "seat": seat,
            "pairing": seat.pairing,
            "meeting": meeting,
            "note": note,
            "form": form,
            "tab": "private",
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def thread(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    seat = access_pair_workspace(request.user, pk)
    form = MessageForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.send_message(seat.pairing, body=form.cleaned_data["body"], author=seat.person)
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("Message sent."))
            return redirect("notes:messages", seat.pairing.pk)
    if request.method == "GET":
        services.mark_thread_read(seat.pairing, reader=seat.person)
    page, ordered = selectors.message_page(seat.pairing, request.GET.get("page"))
    return render(
        request,
        "notes/messages.html",
        {
            "seat": seat,
            "pairing": seat.pairing,
            "form": form,
            "page_obj": page,
            "thread": ordered,
            "wants_email": services.wants_message_email(seat.person),
            "tab": "messages",
        },
    )


@login_required
def preferences(request: AuthenticatedRequest) -> HttpResponse:
    # The message-alert choice moved to the one notification-preferences page.
    return redirect("notifications:preferences", permanent=True)


def _cohort_label(cohort: str) -> str:
    return str(Cohort(cohort).label)


@login_required
@require_http_methods(["GET", "POST"])
def cohort_space(request: AuthenticatedRequest, pk: int, cohort: str) -> HttpResponse:
    seat = access_cohort_space(request.user, pk, cohort)
    form = (
        CohortPostForm(request.POST if request.method == "POST" else None)
        if seat.is_member
        else None
    )
    if request.method == "POST":
        if form is None:
            messages.error(request, _("Only members of this cohort can post here."))
            return redirect("notes:cohort_space", pk, cohort)
        if form.is_valid():
            try:
                services.post_to_cohort(
                    seat.programme, cohort, body=form.cleaned_data["body"], author=seat.person
                )
            except DomainError as exc:
                apply_domain_error(form, exc)
            else:
                messages.success(request, _("Posted to the cohort."))
                return redirect("notes:cohort_space", pk, cohort)
    page = Paginator(selectors.cohort_posts(seat.programme, cohort), POSTS_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "notes/cohort_space.html",
        {
            "seat": seat,
            "programme": seat.programme,
            "cohort": cohort,
            "cohort_label": _cohort_label(cohort),
            "form": form,
            "page_obj": page,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def hide_post(request: AuthenticatedRequest, pk: int, cohort: str, post_pk: int) -> HttpResponse:
    seat, post = access_cohort_post_for_moderator(request.user, pk, cohort, post_pk)
    if request.method == "POST":
        try:
            services.hide_cohort_post(post, by=request.user)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Post hidden. Nobody can read it any more."))
        return redirect("notes:cohort_space", pk, cohort)
    context: dict[str, Any] = {
        "seat": seat,
        "programme": seat.programme,
        "cohort": cohort,
        "cohort_label": _cohort_label(cohort),
        "post": post,
    }
    return render(request, "notes/hide_post.html", context)
