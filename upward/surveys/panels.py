"""What surveys shows on other apps' pages (core/panels.py), registered in its AppConfig.ready()."""

from __future__ import annotations

from upward.core.panels import register_panel
from upward.surveys.templatetags.surveys_tags import programme_outcomes_panel


def register_panels() -> None:
    register_panel(
        "programme.overview",
        "surveys",
        template="surveys/_outcomes_panel.html",
        data=lambda context, programme: programme_outcomes_panel(programme),
        order=10,
    )
