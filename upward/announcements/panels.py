"""What announcements shows on other apps' pages (core/panels.py), registered in ready()."""

from __future__ import annotations

from typing import Any

from upward.core.panels import register_panel


def register_panels() -> None:
    register_panel(
        "programme.nav",
        "announcements",
        template="announcements/_programme_nav_link.html",
        data=_nav_link,
        order=20,
    )


def _nav_link(context: Any, programme: Any) -> dict[str, Any] | None:
    # The tabs are shown to the programme's managers only, who may all send announcements.
    if programme.state in ("draft", "archived"):
        return None
    return {"programme": programme, "current": context.get("current")}
