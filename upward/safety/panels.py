"""What safety shows on other apps' pages (core/panels.py), registered in its AppConfig.ready()."""

from __future__ import annotations

from typing import Any

from upward.core.panels import register_panel
from upward.safety.templatetags.safety_tags import (
    pairing_safety_panel,
    programme_attention_summary,
    reads_safety,
)


def register_panels() -> None:
    register_panel(
        "pair",
        "safety",
        template="safety/_pairing_panel.html",
        data=lambda context, pairing, person: pairing_safety_panel(pairing, person),
        order=50,
    )
    register_panel(
        "pairing.status",
        "safety",
        template="safety/_pairing_panel.html",
        data=lambda context, pairing, person: pairing_safety_panel(pairing, person),
        order=10,
    )
    register_panel(
        "programme.overview",
        "safety",
        template="safety/_attention_summary.html",
        data=_attention_summary,
        order=20,
    )
    register_panel(
        "programme.nav",
        "safety",
        template="safety/_programme_nav_link.html",
        data=_nav_link,
        order=10,
    )


# From matching on: people waiting for a partner need the team before the launch.
_RUNNING = ("matching", "active", "completed")


def _attention_summary(context: Any, programme: Any) -> dict[str, Any] | None:
    if programme.state not in _RUNNING:
        return None
    return programme_attention_summary(context, programme)


def _nav_link(context: Any, programme: Any) -> dict[str, Any] | None:
    """The programme's "Needs attention" tab, for its safety readers only, so the tabs never
    offer a link that would answer 404."""
    if programme.state not in _RUNNING or not reads_safety(context, programme):
        return None
    return {"programme": programme, "current": context.get("current")}
