"""The programme's Exports tab (core/panels.py), registered from InsightConfig.ready()."""

from __future__ import annotations

from typing import Any

from upward.core.panels import register_panel


def register_export_panels() -> None:
    register_panel(
        "programme.nav",
        "insight.exports",
        template="insight/_programme_nav_exports.html",
        data=_nav_link,
        order=90,
    )


def _nav_link(context: Any, programme: Any) -> dict[str, Any] | None:
    # The tabs are shown to the programme team only, who may download every programme export.
    return {"programme": programme, "current": context.get("current")}
