"""Reading a meeting cadence out of a programme's commitment text, and judging a pair against it.

The commitment is free text ("One hour a month for six months"); the programme journey stores
numbers. This parser gives the setup page sensible defaults and never fails: text it cannot
read falls back to one hour a month.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal

WORD_NUMBERS = {
    "a": 1,
    "an": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "half": 0.5,
}
DEFAULT_PER_MONTH = Decimal("1")
DEFAULT_MINUTES = 60


@dataclass(frozen=True)
class Cadence:
    meetings_per_month: Decimal
    minutes_per_meeting: int


def _number(token: str) -> float | None:
    token = token.lower()
    if token in WORD_NUMBERS:
        return float(WORD_NUMBERS[token])
    try:
        return float(token)
    except ValueError:
        return None


def parse_commitment(text: str) -> Cadence:
    """'One hour a month' → 1 a month, 60 minutes. 'Two 45-minute sessions a month' → 2 × 45.
    'Fortnightly for an hour' → 2 × 60. 'Weekly, 30 minutes' → 4 × 30."""
    t = (text or "").lower().replace("-", " ")
    minutes: float | None = None
    m = re.search(r"(\d+(?:\.\d+)?|an|a|one|two|half an?)\s*(?:hours?|hrs?)\b", t)
    if m:
        amount = 0.5 if m.group(1).startswith("half") else _number(m.group(1))
        if amount:
            minutes = amount * 60
    if re.search(r"\bhalf an hour\b", t):
        minutes = 30
    if re.search(r"\b(?:an|one) hour and a half\b", t):
        minutes = 90
    m = re.search(r"(\d+)\s*(?:minutes?|mins?)\b", t)
    if m:
        minutes = float(m.group(1))

    per_month: float | None = None
    if re.search(r"\b(?:fortnightly|every (?:two|2|other) weeks?|twice a month)\b", t):
        per_month = 2
    elif re.search(r"\b(?:weekly|every week|once a week|a week)\b", t):
        per_month = 4
    elif re.search(r"\b(?:every (?:two|2|other) months?|bi ?monthly)\b", t):
        per_month = 0.5
    else:
        m = re.search(
            r"\b(\d+|one|two|three|four|once|twice)\s+(?:\w+\s+){0,3}?(?:a|per|each|every)\s+month",
            t,
        )
        if m:
            word = m.group(1)
            per_month = {"once": 1.0, "twice": 2.0}.get(word) or _number(word)
            # "One hour a month" counts hours, not meetings: one meeting of that length.
            if m.group(0).split()[1:2] and m.group(0).split()[1].startswith(("hour", "hr")):
                per_month = 1
        elif re.search(r"\b(?:monthly|a month|per month|each month|every month)\b", t):
            per_month = 1

    if minutes is None or not 15 <= minutes <= 240:
        minutes = DEFAULT_MINUTES
    if per_month is None or not 0 < per_month <= 8:
        per_month = float(DEFAULT_PER_MONTH)
    return Cadence(Decimal(str(per_month)).quantize(Decimal("0.1")), int(minutes))


@dataclass(frozen=True)
class Progress:
    expected: int
    held: int
    booked: int
    on_track: bool
    # Minutes held against minutes expected, for managers' overview.
    minutes_held: int


def expected_meetings(
    *, per_month: Decimal, since: dt.date, today: dt.date, grace_days: int = 14
) -> int:
    """Meetings a pair should have held by `today`, counting from `since` and allowing a grace
    period, so a pair is never "behind" in its first weeks."""
    days = (today - since).days - grace_days
    if days <= 0:
        return 0
    return int(Decimal(days) / Decimal("30.44") * per_month)


def progress(
    *,
    per_month: Decimal,
    since: dt.date,
    today: dt.date,
    held: int,
    booked: int,
    minutes_held: int,
) -> Progress:
    expected = expected_meetings(per_month=per_month, since=since, today=today)
    # A meeting already in the diary counts towards keeping up: the pair has done its part.
    on_track = held + min(booked, 1) >= expected
    return Progress(
        expected=expected, held=held, booked=booked, on_track=on_track, minutes_held=minutes_held
    )
