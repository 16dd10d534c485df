"""What goals shows on other apps' pages (core/panels.py), registered in its AppConfig.ready()."""

from __future__ import annotations

from upward.core.panels import register_panel
from upward.goals.templatetags.goals_tags import pairing_goals_panel


def register_panels() -> None:
    register_panel(
        "pair",
        "goals",
        template="goals/_panel.html",
        data=lambda context, pairing, person: pairing_goals_panel(pairing, person),
        order=10,
    )
