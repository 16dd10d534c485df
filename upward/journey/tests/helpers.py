from __future__ import annotations

import datetime as dt
from typing import Any

from upward.journey import services
from upward.journey.models import JourneyStep, Meeting, StepKind
from upward.journey.tests.conftest import NOW


def sessions(version: Any) -> list[JourneyStep]:
    return list(version.steps.filter(kind=StepKind.SESSION).order_by("position"))


def book(pairs: Any, *, days: int = 3, hour: int = 10, step: Any = "first", **kw: Any) -> Meeting:
    if step == "first":
        step = sessions(pairs.version)[0]
    starts = NOW.replace(hour=hour) + dt.timedelta(days=days)
    kw.setdefault("duration_minutes", 60)
    return services.book_meeting(
        kw.pop("pairing", pairs.pairing),
        person=kw.pop("person", pairs.mentee),
        starts_at=starts,
        step=step,
        by=None,
        **kw,
    )
