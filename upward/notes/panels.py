"""What notes shows on other apps' pages (core/panels.py), registered in its AppConfig.ready()."""

from __future__ import annotations

from upward.core.panels import register_panel
from upward.notes.templatetags.notes_tags import pairing_notes_panel


def register_panels() -> None:
    register_panel(
        "pair",
        "notes",
        template="notes/_panel.html",
        data=lambda context, pairing, person: pairing_notes_panel(pairing, person),
        order=20,
    )
