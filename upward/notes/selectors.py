"""Reads for the pair workspace and cohort spaces. Callers have been through notes.access."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Count, Q, QuerySet

from upward.journey.models import Meeting
from upward.notes.models import CohortPost, MeetingNote, Message, SharedNote
from upward.organisations.models import Person
from upward.pairing.models import Pairing

MESSAGES_PAGE_SIZE = 30


def shared_notes(pairing: Pairing) -> QuerySet[SharedNote]:
    return (
        SharedNote.objects.filter(pairing=pairing)
        .select_related("updated_by")
        .order_by("-updated_at", "-id")
    )


def note_revisions(note: SharedNote) -> QuerySet[Any]:
    return note.revisions.select_related("saved_by").order_by("-number")


def message_page(pairing: Pairing, page_number: Any) -> tuple[Page, list[Message]]:
    """The newest messages first in pages; each page shown oldest-to-newest like a thread."""
    qs = (
        Message.objects.filter(pairing=pairing).select_related("sender").order_by("-sent_at", "-id")
    )
    page = Paginator(qs, MESSAGES_PAGE_SIZE).get_page(page_number)
    return page, list(reversed(page.object_list))


def unread_count(pairing: Pairing, person: Person) -> int:
    return (
        Message.objects.filter(pairing=pairing, read_at__isnull=True).exclude(sender=person).count()
    )


@dataclass(frozen=True)
class MeetingRow:
    meeting: Any
    has_note: bool


def meetings_with_my_notes(pairing: Pairing, person: Person) -> list[MeetingRow]:
    """The pair's meetings, each saying whether *this* person wrote a private note on it."""
    meetings = (
        Meeting.objects.filter(pairing=pairing)
        .select_related("step")
        .annotate(my_notes=Count("private_notes", filter=Q(private_notes__author=person)))
        .order_by("-starts_at", "-id")
    )
    return [MeetingRow(m, bool(m.my_notes)) for m in meetings]


def my_meeting_notes(pairing: Pairing, person: Person) -> list[MeetingNote]:
    """The person's own private notes for the pair's meetings (for their workbook)."""
    return list(
        MeetingNote.objects.filter(meeting__pairing=pairing, author=person)
        .select_related("meeting__step")
        .order_by("meeting__starts_at", "id")
    )


def cohort_posts(programme: Any, cohort: str) -> QuerySet[CohortPost]:
    return (
        CohortPost.objects.filter(programme=programme, cohort=cohort)
        .select_related("author")
        .order_by("-created_at", "-id")
    )


@dataclass(frozen=True)
class PanelCounts:
    notes: int
    unread: int
    latest_notes: list[SharedNote]


def panel_counts(pairing: Pairing, person: Person) -> PanelCounts:
    latest = list(shared_notes(pairing)[:3])
    counts = Pairing.objects.filter(pk=pairing.pk).aggregate(
        notes=Count("shared_notes", distinct=True),
        unread=Count(
            "messages",
            filter=Q(messages__read_at__isnull=True) & ~Q(messages__sender=person),
            distinct=True,
        ),
    )
    return PanelCounts(notes=counts["notes"], unread=counts["unread"], latest_notes=latest)
