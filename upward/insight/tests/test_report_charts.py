"""The charts module: markup fit for the strict CSP, accessible, escaped, with its table."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from upward.insight.charts import HIDDEN, bar_chart

SVG = "{http://www.w3.org/2000/svg}"


def parse(markup: str) -> ET.Element:
    return ET.fromstring(markup)  # noqa: S314 (our own chart's markup, not outside input)


def test_a_chart_has_no_script_style_or_style_attribute() -> None:
    chart = bar_chart("Funnel", "People at each stage", ["Invited", "Applied"], [("All", [4, 2])])
    assert "<script" not in chart.svg
    assert "<style" not in chart.svg
    assert "style=" not in chart.svg
    assert "<!--" not in chart.svg
    root = parse(chart.svg)
    assert root.get("role") == "img"
    assert root.get("width") == "100%"
    assert root.get("viewBox", "").startswith("0 0 ")
    title, desc = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
    assert title is not None and title.text == "Funnel"
    assert desc is not None and desc.text == "People at each stage"
    assert root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"


def test_text_in_a_chart_is_escaped() -> None:
    chart = bar_chart(
        "<script>alert(1)</script>",
        "a & b",
        ['<img src=x onerror="alert(2)">'],
        [("<b>bold</b>", [3])],
    )
    assert "<script>" not in chart.svg
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in chart.svg
    assert "<img" not in chart.svg
    assert "&lt;img src=x" in chart.svg
    assert "<b>" not in chart.svg
    # The markup still parses: nothing broke out of its element.
    assert parse(chart.svg).tag == f"{SVG}svg"


def test_the_table_holds_the_figures_and_hides_hidden_cells() -> None:
    chart = bar_chart(
        "Stages",
        "By role",
        ["Invited", "Applied"],
        [("Mentors", [7, None]), ("Mentees", [6, 5])],
        unit="%",
    )
    assert chart.table.headers == ["", "Mentors", "Mentees"]
    assert chart.table.rows == [["Invited", "7%", "6%"], ["Applied", HIDDEN, "5%"]]
    # Labels read top down in a horizontal chart (pygal draws them bottom up).
    y = {el.text: float(el.get("y", 0)) for el in parse(chart.svg).iter(f"{SVG}text")}
    assert y["Invited"] < y["Applied"]


def test_two_charts_have_different_ids() -> None:
    one = bar_chart("Same", "d", ["a"], [("s", [1])])
    two = bar_chart("Same", "d", ["a"], [("s", [1])])
    assert one.id != two.id
    assert bar_chart("X", "d", ["a"], [("s", [1])], chart_id="fixed").id == "fixed"


def test_long_names_are_cut_in_the_chart_and_whole_in_the_table() -> None:
    name = "Session 1: Introductions and expectations"
    chart = bar_chart("Steps", "d", [name], [("Pairs", [3])])
    texts = [el.text for el in parse(chart.svg).iter(f"{SVG}text")]
    assert "Session 1: Introductions an…" in texts
    assert name not in texts
    assert chart.table.rows == [[name, "3"]]
