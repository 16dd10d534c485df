"""The participant's personal workbook as a PDF (fpdf2, no external services).

Only ever built for the signed-in participant from their own seat in the pair. Notes are added
only when the person ticks the box, and then only their own private notes and the pair's
shared notes, never anything of their partner's private notes.
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from upward.core.pdf import UpwardPDF, date_text
from upward.goals import selectors
from upward.goals.services import ensure_framework
from upward.journey.models import Meeting
from upward.organisations.logo import logo_png
from upward.pairing.workspace import Seat, workbook_sections


class _Workbook(UpwardPDF):
    heading_size = 14

    def footer_line(self) -> str:
        return _("Upward workbook · page %(n)s") % {"n": self.page_no()}


def _journey(pdf: _Workbook, seat: Seat) -> None:
    pdf.heading(_("Your journey so far"))
    meetings = list(
        Meeting.objects.filter(pairing=seat.pairing).select_related("step").order_by("starts_at")
    )
    if not meetings:
        pdf.muted(_("No meetings booked yet."))
        return
    for meeting in meetings:
        title = meeting.step.title if meeting.step is not None else _("Meeting")
        pdf.para(f"{date_text(meeting.starts_at)} · {title} · {meeting.get_status_display()}")


def _goals(pdf: _Workbook, seat: Seat) -> None:
    pdf.heading(_("Your goals and tasks"))
    goals = selectors.goals_of(seat.pairing, seat.person)
    if not goals:
        pdf.muted(_("You have not set any goals yet."))
    for number, goal in enumerate(goals, start=1):
        pdf.subheading(f"{number}. {goal.statement}")
        pdf.para(_("How you will know: %(m)s") % {"m": goal.measure})
        if goal.why:
            pdf.para(_("Why it matters: %(w)s") % {"w": goal.why})
        pdf.muted(
            _("%(term)s · target %(date)s · %(status)s · %(progress)s%% done")
            % {
                "term": goal.get_term_display(),
                "date": date_text(goal.target_date),
                "status": goal.get_status_display(),
                "progress": goal.progress,
            }
        )
        for task in goal.tasks.all():
            mark = "[x]" if task.is_done else "[ ]"
            pdf.para(
                f"    {mark} {task.title} — {task.owner.full_name}, "
                + _("due %(date)s") % {"date": date_text(task.due_on)},
                size=9.5,
            )
        pdf.ln(2)


def _skills(pdf: _Workbook, seat: Seat) -> None:
    pdf.heading(_("Your skills, then and now"))
    skills = ensure_framework(seat.pairing.programme)
    rows = selectors.skill_rows(seat.pairing, skills, subject=seat.person, viewer=seat.person)
    if not any(
        r.self_baseline or r.self_final or r.partner_final or r.partner_baseline for r in rows
    ):
        pdf.muted(_("You have not rated your skills yet."))
        return
    pdf.muted(
        _(
            "Levels 1 (new to this) to 5 (can show others). Your rating at the start → at the end; "
            "your partner's view in brackets."
        )
    )
    for row in rows:
        partner = row.partner_final or row.partner_baseline
        line = f"{row.skill.name}: {row.self_baseline or '–'} → {row.self_final or '–'}"
        if partner:
            line += " " + _("(partner's view: %(n)s)") % {"n": partner}
        pdf.para(line)


def build_workbook(seat: Seat, *, include_notes: bool = False) -> bytes:
    pdf = _Workbook()
    programme = seat.pairing.programme
    organisation = programme.organisation
    pdf.set_title(pdf.t(_("Workbook of %(name)s") % {"name": seat.person.full_name}))
    pdf.set_author(pdf.t(organisation.name))
    pdf.set_creator("Upward")
    pdf.add_page()
    pdf.letterhead(
        organisation.name,
        logo=logo_png(organisation),
        document=_("Reverse mentoring workbook"),
    )
    role = _("Reverse mentor") if seat.is_mentor else _("Mentee")
    pdf.title_block(
        _("Workbook of %(name)s") % {"name": seat.person.full_name},
        _("%(role)s in %(programme)s, paired with %(partner)s")
        % {"role": role, "programme": programme.name, "partner": seat.partner.full_name},
        _("Made on %(date)s. Personal: for you and, if you choose, your partner.")
        % {"date": date_text(timezone.localdate())},
    )
    _journey(pdf, seat)
    _goals(pdf, seat)
    _skills(pdf, seat)
    # Sections the pair's other apps add (notes registers "Your notes", private).
    for section in workbook_sections(include_private=include_notes):
        section(pdf, seat)
    return bytes(pdf.output())
