"""The programme report as a branded PDF for leadership (fpdf2 through core.pdf.UpwardPDF).

The same `ProgrammeReport` and charts as the page, so the same figures and the same hidden
cells (a dash). The charts are the page's SVG, drawn by fpdf2; should one fail to draw, its
table is printed instead. Never any text people wrote in sessions, notes or concerns: the
report holds none.
"""

from __future__ import annotations

import io
import logging
import re

from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from fpdf.fonts import FontFace

from upward.core.pdf import UpwardPDF, date_text
from upward.insight.charts import FONT, INK, Chart
from upward.insight.report import ProgrammeReport, ReportCharts

logger = logging.getLogger(__name__)
DASH = "—"
CHART_WIDTH = 110  # millimetres
OUTLINE = f'stroke="{INK}" stroke-width="3" paint-order="stroke" '


def _value(value: object, suffix: str = "") -> str:
    return DASH if value is None else f"{value}{suffix}"


def _table(pdf: UpwardPDF, headers: list[str], rows: list[list[str]]) -> None:
    pdf.set_font(pdf.family, "", 9.5)
    with pdf.table(
        headings_style=FontFace(emphasis="BOLD"),
        line_height=6,
        text_align="LEFT",
        borders_layout="HORIZONTAL_LINES",
    ) as table:
        head = table.row()
        for cell in headers:
            head.cell(pdf.t(cell))
        for values in rows:
            row = table.row()
            for cell in values:
                row.cell(pdf.t(cell))
    pdf.ln(2)


def _chart(pdf: UpwardPDF, chart: Chart | None) -> None:
    if chart is None:
        return
    # The SVG names the page's fonts; in the PDF its text uses the document's own font. fpdf2
    # draws no `paint-order`, so the values on bars lose their outline and stay white.
    svg = chart.svg.replace(f'font-family="{FONT}"', f'font-family="{pdf.family}"')
    svg = svg.replace(OUTLINE, "")
    match = re.search(r'viewBox="0 0 ([0-9.]+) ([0-9.]+)"', svg)
    ratio = float(match.group(2)) / float(match.group(1)) if match else 0.6
    height = CHART_WIDTH * ratio
    if pdf.get_y() + height + 12 > pdf.page_break_trigger:
        pdf.add_page()  # keep the chart with its title
    pdf.subheading(chart.title, size=10.5)
    try:
        pdf.image(io.BytesIO(svg.encode()), w=CHART_WIDTH, h=height)
    except Exception:  # a chart fpdf2 cannot draw: its table carries the same figures
        logger.warning("Chart %s could not be drawn in the PDF", chart.id, exc_info=True)
        _table(pdf, [h or "" for h in chart.table.headers], chart.table.rows)
    pdf.ln(2)


def _section(pdf: UpwardPDF, title: str) -> None:
    """A section heading, on a new page when too little room is left under it."""
    if pdf.get_y() + 40 > pdf.page_break_trigger:
        pdf.add_page()
    pdf.heading(title)


def programme_report_pdf(report: ProgrammeReport, charts: ReportCharts) -> bytes:
    programme = report.programme
    pdf = UpwardPDF(footer_text=_("Programme report · %(name)s") % {"name": programme.name})
    pdf.set_title(pdf.t(_("Programme report: %(name)s") % {"name": programme.name}))
    pdf.set_author(pdf.t(report.organisation_name))
    pdf.set_creator("Upward")
    pdf.add_page()
    pdf.letterhead(
        report.organisation_name, logo=report.logo, document=_("Reverse mentoring programme report")
    )
    pdf.title_block(
        programme.name,
        _("%(start)s to %(end)s · figures as of %(day)s")
        % {
            "start": date_text(programme.starts_on),
            "end": date_text(programme.end_date),
            "day": date_text(report.today),
        },
        ngettext(
            "Figures about fewer than %(n)s person are never shown: a dash marks them.",
            "Figures about fewer than %(n)s people are never shown: a dash marks them.",
            report.min_group,
        )
        % {"n": report.min_group},
    )

    # 1. Objective
    _section(pdf, _("Objective and success measure"))
    pdf.fact(_("Objective"), programme.objective_label())
    pdf.fact(_("What is measured"), programme.success_what or _("Not set yet."))
    if programme.success_how:
        pdf.fact(_("How"), programme.success_how)
    if programme.success_target:
        pdf.fact(_("Target"), programme.success_target)
    if report.verdict.item_text:
        pdf.fact(_("Measured by"), report.verdict.item_text)
    pdf.ln(1)
    pdf.para(f"{report.verdict.label}.", bold=True)
    pdf.para(report.verdict.reason)

    # 2. Funnel
    _section(pdf, _("Recruitment by role"))
    if report.has_funnel:
        _chart(pdf, charts.funnel)
        _table(
            pdf,
            [_("Stage"), _("Mentors"), _("Mentees")],
            [[row.label, str(row.mentors), str(row.mentees)] for row in report.funnel],
        )
    else:
        pdf.muted(_("No invitations or applications yet."))

    # 3. Engagement
    _section(pdf, _("Engagement"))
    e = report.engagement
    if e.pairs:
        pdf.fact(_("Pairs that went ahead"), str(e.pairs))
        pdf.fact(_("Meetings held"), str(e.held))
        pdf.fact(
            _("Meetings per pair"),
            _("%(held)s held; the commitment asks for %(expected)s by now")
            % {"held": e.held_per_pair, "expected": e.expected_per_pair},
        )
        pdf.fact(_("Commitment"), programme.commitment)
        if e.at_risk_hidden:
            pdf.fact(_("Pairs at risk now"), "—")
        elif e.at_risk is not None:
            pdf.fact(_("Pairs at risk now"), str(e.at_risk))
        if charts.meetings:
            _chart(pdf, charts.meetings)
        else:
            pdf.muted(_("No meetings logged yet."))
        _chart(pdf, charts.steps)
    else:
        pdf.muted(_("No pairs have started yet, so there are no meetings to count."))

    # 4. Goals
    _section(pdf, _("Goals and tasks"))
    g = report.goals
    if g.goals:
        pdf.fact(_("Pairs with goals"), f"{g.pairs_with_goals} / {g.pairs}")
        pdf.fact(
            _("Goals"),
            _("%(n)s: %(achieved)s achieved (%(pct)s%%), %(in_progress)s in progress")
            % {
                "n": g.goals,
                "achieved": g.achieved,
                "pct": g.achieved_share,
                "in_progress": g.in_progress,
            },
        )
        pdf.fact(_("Tasks"), _("%(n)s: %(done)s done") % {"n": g.tasks, "done": g.tasks_done})
    else:
        pdf.muted(_("No goals set yet."))

    # 5. Outcomes
    _section(pdf, _("Outcome changes"))
    if report.outcomes:
        _table(
            pdf,
            [
                _("Question"),
                _("Compared"),
                _("People"),
                _("Improved"),
                _("Mean"),
                _("95% interval"),
            ],
            [
                [
                    row.text,
                    row.comparison,
                    str(row.n) if row.change else DASH,
                    _value(row.improved_share, "%") if row.change else DASH,
                    row.mean_text,
                    row.interval_text,
                ]
                for row in report.outcomes
            ],
        )
    else:
        pdf.muted(_("No survey answers to compare yet."))

    # 6. Safety pulse
    _section(pdf, _("Safety pulse"))
    p = report.pulse
    if p.enough:
        pdf.fact(_("Responses"), str(p.responses))
        pdf.fact(_("I could speak openly"), f"{p.spoke_openly} / 5")
        pdf.fact(_("I felt listened to"), f"{p.felt_listened_to} / 5")
        pdf.fact(_("It was worth my time"), f"{p.worth_my_time} / 5")
        pdf.fact(_("With a low answer"), _value(p.low_share, "%"))
    elif p.responses:
        pdf.muted(
            ngettext(
                "Averages show once at least %(n)s mentor has answered.",
                "Averages show once at least %(n)s mentors have answered.",
                report.min_group,
            )
            % {"n": report.min_group}
        )
    else:
        pdf.muted(_("No pulse responses yet."))

    # 7. Commitments
    _section(pdf, _("Leaders' commitments"))
    c = report.commitments
    if c.enough:
        pdf.para(
            " ".join(
                (
                    ngettext("%(n)s commitment", "%(n)s commitments", c.commitments)
                    % {"n": c.commitments},
                    ngettext("from %(n)s leader;", "from %(n)s leaders;", c.people)
                    % {"n": c.people},
                    _("done or in progress: %(n)s.") % {"n": _value(c.done_or_in_progress)},
                )
            )
        )
        _chart(pdf, charts.commitments)
        _table(pdf, [_("Theme"), _("Commitments")], [[t.label, _value(t.count)] for t in c.themes])
    elif c.commitments:
        pdf.muted(
            ngettext(
                "Figures show once at least %(n)s leader has made at least %(n)s commitment.",
                "Figures show once at least %(n)s leaders have made at least %(n)s commitments.",
                c.min_group,
            )
            % {"n": c.min_group}
        )
    else:
        pdf.muted(_("No commitments recorded yet."))

    # 8. Mentor time
    _section(pdf, _("Mentor time given"))
    t = report.mentor_time
    if t.minutes:
        pdf.fact(_("Total hours"), str(t.hours))
        pdf.fact(_("Mentors who gave time"), f"{t.mentors_who_gave} / {t.mentors}")
        pdf.fact(
            _("Hours per mentor"),
            _value(t.average_hours),
        )
    else:
        pdf.muted(_("No mentor time recorded yet."))

    # 9. Retention
    _section(pdf, _("Retention after the programme"))
    if report.retention:
        _table(
            pdf,
            [_("After"), _("Participants still here"), _("Everyone else still here")],
            [
                [
                    ngettext("%(m)s month", "%(m)s months", r.months) % {"m": r.months},
                    _value(r.participants_rate, "%")
                    if r.available
                    else _("From %(day)s") % {"day": date_text(r.due_on)},
                    _value(r.others_rate, "%") if r.available else "",
                ]
                for r in report.retention
            ],
        )
    else:
        pdf.muted(report.retention_note)

    pdf.ln(3)
    pdf.muted(
        _(
            "How each figure is worked out, and the rule for the verdict, are on the report "
            "page in Upward."
        )
    )
    return bytes(pdf.output())
