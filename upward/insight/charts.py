"""Charts for reports: server-rendered SVG that works under the strict Content-Security-Policy.

One call, `bar_chart(title, desc, labels, series)`, returns a `Chart` with:
- `.svg`: the chart's markup, ready to inline in a page (`{{ chart.svg }}`) or to hand to the
  PDF. pygal lays the chart out; we then take its element tree and make it fit our pages:
  no `<script>`, no `<style>` element, no `style` attribute (the CSP forbids all three), no
  comments; colours, fonts and text alignment set as SVG presentation attributes (`fill`,
  `font-size`, `text-anchor`), which the CSP allows and which print and PDF renderers read
  without a stylesheet; `role="img"` with `<title>` and `<desc>` named by `aria-labelledby`;
  a `viewBox` and `width="100%"`, so it shrinks to a phone's width and to a printed page.
- `.table`: the same figures as rows, for the "Show as a table" alternative beside the chart
  (templates/insight/includes/chart.html renders both).

Every text (a programme's name, a label) is an element's text or attribute in the tree, and
xml.etree escapes it when the tree is written out: a name such as `<script>` prints as text.
That written-out string is the only markup this module marks safe (tests/test_no_unsafe_output).

A value of None is a hidden cell (core.suppression): no bar is drawn and the table shows "—".

Docs: docs/decisions.md ("Charts: pygal, tidied for the CSP"), docs/insight.md.
"""

from __future__ import annotations

import contextlib
import itertools
import math
import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass

import pygal
import pygal.style
from django.utils.safestring import mark_safe
from pygal.etree import etree as pygal_etree

# The site's palette (static/css/upward.css): brand green first, then colours that stay apart
# for the common colour-vision deficiencies and in greyscale print.
LEGEND_CHARS = 32
# Eight colours, each at least 3:1 against white, so up to eight series never share one.
PALETTE = (
    "#1f5f5b",
    "#c46a1b",
    "#5b6fb5",
    "#8a4b08",
    "#6d7179",
    "#a23b72",
    "#2e7d32",
    "#1c2430",
)
INK = "#1c2430"
INK_SOFT = "#4a5566"
GUIDE = "#d9dee3"
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif"
HIDDEN = "—"
FONT_SIZE = 15
LABEL_CHARS = 28

_ids = itertools.count(1)


@dataclass(frozen=True)
class Table:
    """The chart's figures as a table: `headers` then one row per label (values as text)."""

    caption: str
    headers: list[str]
    rows: list[list[str]]


@dataclass(frozen=True)
class Chart:
    id: str
    title: str
    desc: str
    svg: str  # safe markup (see the module docstring)
    table: Table

    @property
    def empty(self) -> bool:
        return not self.table.rows


def _number(value: float | None, unit: str) -> str:
    if value is None:
        return HIDDEN
    text = f"{value:g}" if isinstance(value, float) else str(value)
    return f"{text}{unit}"


def _short(label: str) -> str:
    return label if len(label) <= LABEL_CHARS else label[: LABEL_CHARS - 1].rstrip() + "…"


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:30] or "chart"


def bar_chart(
    title: str,
    desc: str,
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[float | None]]],
    *,
    horizontal: bool = True,
    unit: str = "",
    chart_id: str = "",
) -> Chart:
    """A bar chart of one or more series over `labels` (one value per label in each series).

    `horizontal` suits named categories (roles, statuses); vertical bars suit time (months).
    `unit` is appended to values in the table ("%"). `chart_id` names the element ids (a fresh
    one is made from the title when empty)."""
    chart_id = chart_id or f"chart-{_slug(title)}-{next(_ids)}"
    labels = [str(label) for label in labels]
    # Long series names (survey items) are numbered, in the legend and the table alike, so a
    # legend cut short still matches its column.
    if max((len(str(name)) for name, _values in series), default=0) > 24 and len(series) > 1:
        series = [(f"{i}. {name}", values) for i, (name, values) in enumerate(series, start=1)]
    table = Table(
        caption=str(title),
        headers=["", *(str(name) for name, _values in series)],
        rows=[
            [label, *(_number(values[i], unit) for _name, values in series)]
            for i, label in enumerate(labels)
        ],
    )
    rows = max(len(labels), 1)
    # Narrow on purpose: the chart is scaled to the column, and on a 375 px phone a narrow
    # viewBox keeps its text readable (about 10 px), while on a desktop it is drawn at most
    # 640 px wide (static/css/upward.css).
    width = 480
    if horizontal:
        # Long category names (a journey step's title) are cut in the chart, whole in its
        # table, and widen the chart a little so the bars keep room.
        longest = min(max((len(label) for label in labels), default=0), LABEL_CHARS)
        width += max(0, longest * 7 - 140)
    # The legend: three to a line for short names; long names (survey items) one to a line,
    # cut at LEGEND_CHARS (the table alongside has them whole), so they never overlap.
    long_names = max((len(str(name)) for name, _values in series), default=0) > 24
    columns = 1 if long_names else min(len(series), 3)
    legend_lines = math.ceil(len(series) / max(columns, 1)) if len(series) > 1 else 0
    if horizontal:
        height = max(150, 60 + rows * 24 * max(len(series), 1) + 24 * legend_lines)
    else:
        height = 300 + 24 * max(legend_lines - 1, 0)
    # Whole-number ticks: the figures are counts of people, pairs and meetings.
    highest = max([v for _n, vs in series for v in vs if v is not None] or [1])
    step = max(1, math.ceil(highest / 5))
    top = max(step * math.ceil(highest / step), 1)
    ticks = list(range(0, int(top) + 1, step))
    kind = pygal.HorizontalBar if horizontal else pygal.Bar
    # pygal sizes its margins from these; _tidy writes the same sizes onto the text.
    style = pygal.style.Style(
        font_family=FONT,
        label_font_size=FONT_SIZE,
        major_label_font_size=FONT_SIZE,
        legend_font_size=FONT_SIZE,
        value_font_size=FONT_SIZE,
        tooltip_font_size=FONT_SIZE,
    )
    config = pygal.Config(
        style=style,
        js=[],
        css=[],
        disable_xml_declaration=True,
        width=width,
        height=height,
        show_legend=len(series) > 1,
        legend_at_bottom=True,
        legend_at_bottom_columns=max(columns, 1),
        print_values=True,
        print_zeroes=False,
        show_y_guides=not horizontal,
        show_x_guides=horizontal,
        x_label_rotation=0 if horizontal or len(labels) <= 8 else 35,
        truncate_label=-1,
        truncate_legend=LEGEND_CHARS if long_names else -1,
        include_x_axis=True,
        range=(0, top),
        y_labels=ticks,
        margin=12,
        margin_left=24,
        spacing=8,
        no_data_text="",
    )
    chart = kind(config)
    # pygal stacks horizontal categories from the bottom up; we read top down.
    order = list(reversed(range(len(labels)))) if horizontal else list(range(len(labels)))
    chart.x_labels = [_short(labels[i]) if horizontal else labels[i] for i in order]
    for name, values in series:
        chart.add(str(name), [values[i] for i in order])
    # pygal builds its tree with lxml when lxml is installed (SAML brings it in); the tidying
    # and the escaping argument below are written for the standard library's ElementTree.
    pygal_etree.to_etree()
    tree = chart.render_tree()
    _tidy(tree, chart_id=chart_id, title=str(title), desc=str(desc), width=width, height=height)
    markup = ET.tostring(tree, encoding="unicode", short_empty_elements=True)
    # Safe, and unreachable by raw user text: names, labels, titles and descriptions (all of
    # which users write) enter the tree only as element text or attribute values, which
    # xml.etree escapes when it writes the tree out; _tidy has removed pygal's <script> and
    # <style>. upward/insight/tests/test_report_charts.py puts <script> in every text and
    # finds it escaped.
    return Chart(chart_id, str(title), str(desc), mark_safe(markup), table)  # noqa: S308


def _classes(el: ET.Element) -> set[str]:
    return set((el.get("class") or "").split())


def _tidy(
    svg: ET.Element, *, chart_id: str, title: str, desc: str, width: int, height: int
) -> None:
    """Make pygal's tree fit the CSP, assistive technology and print (module docstring)."""
    parents = {child: parent for parent in svg.iter() for child in parent}
    for el in list(svg.iter()):
        drop = (
            not isinstance(el.tag, str)  # comments
            or el.tag in ("style", "script", "title", "desc")
            or "tooltip" in _classes(el)
            or "tooltip-overlay" in _classes(el)
            or ("overlay" in _classes(el) and "text-overlay" not in _classes(el))
        )
        if drop and el in parents:
            parents[el].remove(el)
    defs = svg.find("defs")
    if defs is not None:
        svg.remove(defs)

    svg.attrib.pop("id", None)
    svg.set("id", chart_id)
    svg.set("class", "chart-svg")
    svg.set("viewBox", f"0 0 {width} {height}")
    svg.set("width", "100%")
    svg.set("preserveAspectRatio", "xMidYMid meet")
    svg.set("role", "img")
    svg.set("aria-labelledby", f"{chart_id}-title {chart_id}-desc")
    svg.set("font-family", FONT)
    svg.set("font-size", str(FONT_SIZE))
    title_el = ET.Element("title", {"id": f"{chart_id}-title"})
    title_el.text = title
    desc_el = ET.Element("desc", {"id": f"{chart_id}-desc"})
    desc_el.text = desc
    svg.insert(0, desc_el)
    svg.insert(0, title_el)

    def paint(el: ET.Element, inherited: dict[str, str]) -> None:
        classes = _classes(el)
        context = dict(inherited)
        for cls in classes:
            if cls.startswith("color-"):
                with contextlib.suppress(ValueError):
                    context["colour"] = PALETTE[int(cls[6:]) % len(PALETTE)]
        if "axis" in classes:
            context["axis"] = "y" if "y" in classes else "x"
        if "text-overlay" in classes:
            context["overlay"] = "1"
        if "legends" in classes:
            context["legend"] = "1"
        el.attrib.pop("style", None)
        if el.tag == "rect":
            if "background" in classes:
                el.set("fill", "#ffffff" if "plot" not in inherited.get("where", "") else "none")
            elif "colour" in context:
                el.set("fill", context["colour"])
        elif el.tag == "path":
            el.set("fill", "none")
            if "axis" in classes and "guide" not in classes:
                el.set("stroke", INK_SOFT)
            else:
                el.set("stroke", GUIDE)
        elif el.tag == "text":
            el.set("fill", INK)
            if "overlay" in context:
                # A value printed on its bar: white with a dark outline, readable on the bar
                # and, for a short bar, on the white beside it.
                el.set("fill", "#ffffff")
                el.set("stroke", INK)
                el.set("stroke-width", "3")
                el.set("paint-order", "stroke")
                el.set("font-weight", "bold")
                el.set("text-anchor", "middle")
                el.set("font-size", str(FONT_SIZE))
            elif "legend" in context:
                el.set("font-size", str(FONT_SIZE))
            elif context.get("axis") == "y":
                el.set("text-anchor", "end")
                el.set("font-size", str(FONT_SIZE))
            elif context.get("axis") == "x":
                el.set("text-anchor", "start" if el.get("transform") else "middle")
                el.set("font-size", str(FONT_SIZE))
                el.set("fill", INK_SOFT)
        for child in el:
            paint(child, context)

    paint(svg, {})
    # Class names that say nothing outside pygal's own stylesheet stay: they are harmless and
    # let static/css/upward.css tune the chart (`.chart-svg .guide`) should it need to.
