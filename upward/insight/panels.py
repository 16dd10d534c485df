"""What insight shows on other apps' pages (core/panels.py), registered in its AppConfig.ready()."""

from __future__ import annotations

from typing import Any

from upward.core.panels import register_panel


def register_panels() -> None:
    register_panel(
        "programme.nav",
        "insight.report",
        template="insight/_programme_nav_link.html",
        data=_report_link,
        order=40,
    )


def _report_link(context: Any, programme: Any) -> dict[str, Any] | None:
    # The tabs are only on the programme team's pages, who may all open the report.
    return {"programme": programme, "current": context.get("current")}
