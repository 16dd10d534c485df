"""What resources shows on other apps' pages (core/panels.py), registered in its AppConfig.ready()."""

from __future__ import annotations

from upward.core.panels import register_panel
from upward.resources.templatetags.resources_tags import pairing_resources_panel


def register_panels() -> None:
    register_panel(
        "pair",
        "resources",
        template="resources/_panel.html",
        data=lambda context, pairing, person: pairing_resources_panel(pairing, person),
        order=30,
    )
