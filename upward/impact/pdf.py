"""The mentor's contribution record and completion certificate as PDFs (fpdf2, no services).

Built only for the mentor. The shared version, sent to a line manager at the mentor's request,
leaves out the mentee's name and the mentor's self-ratings, and the thank-you note unless the
mentor chose to show it.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from upward.core.pdf import UpwardPDF
from upward.impact.selectors import ContributionRecord


def date_text(value: dt.date | dt.datetime | None) -> str:
    if value is None:
        return _("ongoing")
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value).date()
    return f"{value.day} {value:%B %Y}"


def hours_text(minutes: int) -> str:
    hours, rest = divmod(int(minutes), 60)
    if hours and rest:
        return _("%(h)s h %(m)s min") % {"h": hours, "m": rest}
    if hours:
        return _("%(h)s h") % {"h": hours}
    return _("%(m)s min") % {"m": rest}


def contribution_pdf(record: ContributionRecord, *, shared: bool = False) -> bytes:
    pdf = UpwardPDF(footer_text=_("Upward contribution record"))
    pdf.add_page()
    pdf.set_font(pdf.family, "B", 20)
    pdf.multi_cell(0, 10, pdf.t(_("Contribution record")), new_x="LMARGIN", new_y="NEXT")
    pdf.para(
        _("%(name)s, reverse mentor in %(programme)s")
        % {"name": record.mentor.full_name, "programme": record.programme.name}
    )
    pdf.ln(2)
    pdf.heading(_("What they gave"))
    pdf.fact(_("Organisation"), record.programme.organisation.name)
    pdf.fact(_("Programme"), record.programme.name)
    if not shared:
        pdf.fact(_("Mentee"), record.pairing.mentee.full_name)
    pdf.fact(_("Dates"), f"{date_text(record.started_on)} – {date_text(record.ended_on)}")
    pdf.fact(_("Sessions held"), str(record.time.sessions_held))
    pdf.fact(_("Time in sessions"), hours_text(record.time.meeting_minutes))
    pdf.fact(_("Events attended"), str(record.time.events_attended))
    pdf.fact(_("Time at events"), hours_text(record.time.event_minutes))
    pdf.fact(_("Time given in all"), hours_text(record.time.total_minutes))
    if record.events:
        pdf.heading(_("Programme events attended"), size=12)
        for title, starts_at, minutes in record.events:
            pdf.para(f"{date_text(starts_at)} · {title} · {hours_text(minutes)}")
    if not shared:
        grown = [s for s in record.skills if s.start is not None or s.end is not None]
        if grown:
            pdf.heading(_("Skills they developed (their own ratings, 1 to 5)"), size=12)
            for skill in grown:
                start = skill.start if skill.start is not None else "–"
                end = skill.end if skill.end is not None else "–"
                pdf.para(
                    _("%(skill)s: %(start)s at the start, %(end)s at the end")
                    % {"skill": skill.name, "start": start, "end": end}
                )
    note = record.shared_thank_you if shared else record.thank_you
    if note is not None:
        pdf.heading(_("A thank-you note from their mentee"), size=12)
        pdf.para(note.text)
    pdf.ln(4)
    pdf.set_text_color(95, 107, 122)
    pdf.para(
        _(
            "Reverse mentors are junior colleagues who share their expertise and experience "
            "with senior leaders. This record was produced by Upward from the programme's own "
            "records on %(date)s."
        )
        % {"date": date_text(timezone.localdate())},
        size=9,
    )
    return bytes(pdf.output())


def certificate_pdf(record: ContributionRecord) -> bytes:
    pdf = UpwardPDF(orientation="landscape")
    pdf.set_auto_page_break(False)
    pdf.add_page()
    pdf.set_draw_color(31, 78, 121)
    pdf.set_line_width(1.2)
    pdf.rect(10, 10, pdf.w - 20, pdf.h - 20)
    pdf.set_line_width(0.3)
    pdf.rect(13, 13, pdf.w - 26, pdf.h - 26)
    pdf.set_y(38)
    pdf.set_font(pdf.family, "B", 28)
    pdf.cell(0, 14, pdf.t(_("Certificate of completion")), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)
    pdf.set_font(pdf.family, "", 13)
    pdf.cell(0, 8, pdf.t(_("This certifies that")), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    pdf.set_font(pdf.family, "B", 24)
    pdf.cell(0, 14, pdf.t(record.mentor.full_name), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    pdf.set_font(pdf.family, "", 13)
    pdf.multi_cell(
        0,
        8,
        pdf.t(
            _(
                "completed a reverse mentoring partnership as a mentor in %(programme)s at "
                "%(organisation)s, sharing their expertise with a senior leader."
            )
            % {"programme": record.programme.name, "organisation": record.programme.organisation}
        ),
        align="C",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.ln(4)
    pdf.multi_cell(
        0,
        8,
        pdf.t(
            ngettext(
                "%(start)s to %(end)s · %(sessions)s session · %(hours)s given",
                "%(start)s to %(end)s · %(sessions)s sessions · %(hours)s given",
                record.time.sessions_held,
            )
            % {
                "start": date_text(record.started_on),
                "end": date_text(record.ended_on),
                "sessions": record.time.sessions_held,
                "hours": hours_text(record.time.total_minutes),
            }
        ),
        align="C",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.set_y(pdf.h - 40)
    pdf.set_font(pdf.family, "", 10)
    pdf.set_text_color(95, 107, 122)
    pdf.cell(
        0,
        6,
        pdf.t(_("Issued by Upward on %(date)s") % {"date": date_text(timezone.localdate())}),
        align="C",
    )
    return bytes(pdf.output())
