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

from upward.core.pdf import BRAND_COLOUR, MUTED_GREY, UpwardPDF, fit, image_size
from upward.impact.selectors import ContributionRecord
from upward.organisations.logo import logo_png
from upward.organisations.models import Person


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


def _letterhead(pdf: UpwardPDF, record: ContributionRecord, document: str) -> None:
    organisation = record.programme.organisation
    pdf.letterhead(organisation.name, logo=logo_png(organisation), document=document)


def contribution_pdf(record: ContributionRecord, *, shared: bool = False) -> bytes:
    organisation = record.programme.organisation
    pdf = UpwardPDF(
        footer_text=_("Contribution record · %(name)s") % {"name": record.mentor.full_name}
    )
    pdf.set_title(pdf.t(_("Contribution record of %(name)s") % {"name": record.mentor.full_name}))
    pdf.set_author(pdf.t(organisation.name))
    pdf.set_creator("Upward")
    pdf.add_page()
    _letterhead(pdf, record, _("Reverse mentoring contribution record"))
    pdf.title_block(
        _("Contribution record"),
        _("%(name)s, reverse mentor in %(programme)s")
        % {"name": record.mentor.full_name, "programme": record.programme.name},
    )
    pdf.heading(_("What they gave"))
    pdf.fact(_("Organisation"), organisation.name)
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
        pdf.subheading(_("Programme events attended"))
        for title, starts_at, minutes in record.events:
            pdf.para(f"{date_text(starts_at)} · {title} · {hours_text(minutes)}")
    if not shared:
        grown = [s for s in record.skills if s.start is not None or s.end is not None]
        if grown:
            pdf.heading(_("Skills they developed"))
            pdf.muted(_("Their own ratings, from 1 (new to this) to 5 (can show others)."))
            for skill in grown:
                start = skill.start if skill.start is not None else "–"
                end = skill.end if skill.end is not None else "–"
                pdf.para(
                    _("%(skill)s: %(start)s at the start, %(end)s at the end")
                    % {"skill": skill.name, "start": start, "end": end}
                )
    note = record.shared_thank_you if shared else record.thank_you
    if note is not None:
        pdf.heading(_("A thank-you note from their mentee"))
        pdf.para(note.text)
    pdf.ln(6)
    pdf.muted(
        _(
            "Reverse mentors are junior colleagues who share their expertise and experience "
            "with senior leaders. This record was produced by Upward for %(organisation)s from "
            "the programme's own records on %(date)s."
        )
        % {"organisation": organisation.name, "date": date_text(timezone.localdate())},
        size=9,
    )
    return bytes(pdf.output())


def signatory(record: ContributionRecord) -> Person | None:
    """Who signs the certificate: the programme's lead, taken to be the first of its managers
    (by name) still with the organisation; None when it has none."""
    return record.programme.managers.filter(is_active=True).order_by("full_name", "pk").first()


def certificate_pdf(record: ContributionRecord) -> bytes:
    """A landscape certificate: a double border, the organisation's logo and name, the mentor's
    name large, what they did, and a signature line for the programme lead with the date."""
    organisation = record.programme.organisation
    pdf = UpwardPDF(orientation="landscape")
    pdf.set_title(pdf.t(_("Certificate of %(name)s") % {"name": record.mentor.full_name}))
    pdf.set_author(pdf.t(organisation.name))
    pdf.set_creator("Upward")
    pdf.set_auto_page_break(False)
    pdf.add_page()
    pdf.set_draw_color(*BRAND_COLOUR)
    pdf.set_line_width(1.2)
    pdf.rect(10, 10, pdf.w - 20, pdf.h - 20)
    pdf.set_line_width(0.3)
    pdf.rect(13, 13, pdf.w - 26, pdf.h - 26)
    # The organisation heads the page: its logo centred when it has one, its name below.
    logo = logo_png(organisation)
    size = image_size(logo) if logo else None
    top = 22.0
    if logo and size:
        width, height = fit(size[0], size[1], 70, 20)
        pdf.logo(logo, x=(pdf.w - width) / 2, y=top, max_width=width, max_height=height)
        top += height + 4
    pdf.set_y(top)
    pdf.set_font(pdf.family, "B", 13)
    pdf.set_text_color(*MUTED_GREY)
    # A long name (up to 150 characters) wraps inside the margins rather than running off.
    pdf.multi_cell(0, 7, pdf.t(organisation.name), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(0, 0, 0)
    pdf.set_y(max(pdf.get_y() + 6, 52))
    pdf.set_font(pdf.family, "B", 28)
    pdf.set_text_color(*BRAND_COLOUR)
    pdf.cell(0, 14, pdf.t(_("Certificate of completion")), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(0, 0, 0)
    pdf.ln(4)
    pdf.set_font(pdf.family, "", 13)
    pdf.cell(0, 8, pdf.t(_("This certifies that")), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(1)
    pdf.set_font(pdf.family, "B", 24)
    pdf.multi_cell(0, 12, pdf.t(record.mentor.full_name), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(1)
    pdf.set_font(pdf.family, "", 13)
    pdf.set_x(40)
    pdf.multi_cell(
        pdf.w - 80,
        7,
        pdf.t(
            _(
                "completed a reverse mentoring partnership as a mentor in %(programme)s at "
                "%(organisation)s, sharing their expertise with a senior leader."
            )
            % {"programme": record.programme.name, "organisation": organisation.name}
        ),
        align="C",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.ln(3)
    pdf.set_font(pdf.family, "", 11)
    pdf.set_text_color(*MUTED_GREY)
    pdf.multi_cell(
        0,
        6,
        pdf.t(
            _("%(start)s to %(end)s · %(sessions)s · %(hours)s given")
            % {
                "start": date_text(record.started_on),
                "end": date_text(record.ended_on),
                "sessions": ngettext("%(n)s session", "%(n)s sessions", record.time.sessions_held)
                % {"n": record.time.sessions_held},
                "hours": hours_text(record.time.total_minutes),
            }
        ),
        align="C",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.set_text_color(0, 0, 0)
    _signature_lines(pdf, record)
    pdf.set_y(pdf.h - 22)
    pdf.set_font(pdf.family, "", 8)
    pdf.set_text_color(*MUTED_GREY)
    pdf.cell(
        0,
        5,
        pdf.t(_("Made with Upward on %(date)s") % {"date": date_text(timezone.localdate())}),
        align="C",
    )
    pdf.set_text_color(0, 0, 0)
    return bytes(pdf.output())


def _signature_lines(pdf: UpwardPDF, record: ContributionRecord) -> None:
    """Two lines to sign and date by hand: the programme lead's (named, when the programme
    has a manager) at the left, the date of completion at the right."""
    lead = signatory(record)
    y = pdf.h - 52
    width = 80
    left = 40
    right = pdf.w - 40 - width
    pdf.set_draw_color(60, 60, 60)
    pdf.set_line_width(0.3)
    pdf.line(left, y, left + width, y)
    pdf.line(right, y, right + width, y)
    pdf.set_font(pdf.family, "B", 11)
    pdf.set_xy(left, y + 2)
    pdf.cell(width, 6, pdf.t(lead.full_name if lead else _("For the programme team")), align="C")
    pdf.set_xy(right, y + 2)
    when = record.ended_on or timezone.localdate()
    pdf.cell(width, 6, pdf.t(date_text(when)), align="C")
    pdf.set_font(pdf.family, "", 9.5)
    pdf.set_text_color(*MUTED_GREY)
    role = (
        _("Programme lead, %(programme)s") % {"programme": record.programme.name}
        if lead
        else _("Signature")
    )
    pdf.set_xy(left, y + 8)
    pdf.multi_cell(width, 5, pdf.t(role), align="C")
    pdf.set_xy(right, y + 8)
    pdf.cell(width, 5, pdf.t(_("Date")), align="C")
    pdf.set_text_color(0, 0, 0)
