"""What pairing shows on other apps' pages (core/panels.py), registered in its AppConfig.ready()."""

from __future__ import annotations

from typing import Any

from upward.core.panels import register_panel
from upward.pairing import selectors


def register_panels() -> None:
    register_panel(
        "programme.pairs",
        "pairing",
        template="pairing/_pairs_stat.html",
        data=_pairs_stat,
        order=10,
    )


def _pairs_stat(context: Any, programme: Any) -> dict[str, Any] | None:
    """ "3 of 4 pairs formed, 1 waiting" once pairing has begun; nothing before."""
    return selectors.pair_progress(programme)
