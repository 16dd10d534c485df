"""The notes section of the personal workbook (registered in NotesConfig.ready).

Printed only when the person ticks "include my notes": their own private notes and the pair's
shared notes, never anything of their partner's private notes.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from upward.core.pdf import UpwardPDF, date_text
from upward.notes import selectors
from upward.pairing.workspace import Seat


def notes_section(pdf: UpwardPDF, seat: Seat) -> None:
    """The person's own private meeting notes and the pair's shared notes; never the partner's
    private notes."""
    pdf.add_page()
    pdf.heading(_("Your notes"))
    pdf.muted(_("Private: you chose to include your notes. Keep this copy safe."))
    private = selectors.my_meeting_notes(seat.pairing, seat.person)
    pdf.subheading(_("Private meeting notes"))
    if not private:
        pdf.muted(_("None."))
    for note in private:
        pdf.para(date_text(note.meeting.starts_at), bold=True)
        pdf.para(note.body)
        pdf.ln(1)
    pdf.subheading(_("Shared notes of your pair"))
    shared = list(selectors.shared_notes(seat.pairing))
    if not shared:
        pdf.muted(_("None."))
    for shared_note in shared:
        pdf.para(shared_note.title, bold=True)
        if shared_note.body:
            pdf.para(shared_note.body)
        pdf.ln(1)
