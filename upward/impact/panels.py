"""What impact shows on other apps' pages (core/panels.py), registered in its AppConfig.ready()."""

from __future__ import annotations

from typing import Any

from upward.core.panels import register_panel
from upward.impact.templatetags.impact_tags import (
    pairing_impact_panel,
    programme_impact_summary,
)


def register_panels() -> None:
    register_panel(
        "pair",
        "impact",
        template="impact/_pairing_panel.html",
        data=lambda context, pairing, person: pairing_impact_panel(pairing, person),
        order=40,
    )
    register_panel(
        "programme.summary",
        "impact",
        template="impact/_programme_summary.html",
        data=_programme_summary,
        order=10,
    )


def _programme_summary(context: Any, programme: Any) -> dict[str, Any] | None:
    if programme.state not in ("active", "completed", "archived"):
        return None
    return programme_impact_summary(programme)
