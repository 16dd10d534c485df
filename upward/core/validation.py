"""Rules every input shares, defined once: which characters text may hold, which dates make
sense, which ids can exist. Forms (`upward.core.forms`), the people import and the services
that put names into email headers and calendar files all use these."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable

from django.utils.formats import date_format
from django.utils.translation import gettext as _

# Characters that end a line somewhere (email headers, calendar files, CSV readers), besides
# the C0/C1 control characters: Unicode's line and paragraph separators.
_LINE_SEPARATORS = frozenset("\u2028\u2029")
# What a multi-line text (a textarea) may keep: the ordinary line breaks and the tab.
_MULTILINE_ALLOWED = frozenset("\n\r\t")

# One range for every date a person types, wide enough for a senior leader's start date in the
# 1980s and a programme planned decades ahead, narrow enough that adding a meeting's length or
# moving between time zones can never leave the range Python's datetime supports (years 1-9999).
EARLIEST_DATE = dt.date(1900, 1, 1)
LATEST_DATE = dt.date(2100, 12, 31)

# Ids are 64-bit signed integers in the database (BigAutoField).
MAX_ID = 2**63 - 1


def is_forbidden_character(char: str, *, multiline: bool = False) -> bool:
    if multiline and char in _MULTILINE_ALLOWED:
        return False
    return unicodedata.category(char) == "Cc" or char in _LINE_SEPARATORS


def has_control_characters(text: str, *, multiline: bool = False) -> bool:
    """True if `text` holds a control character (NUL, escape, a line break in a single line...)."""
    return any(is_forbidden_character(c, multiline=multiline) for c in text)


_CONTROL_RUN = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")


def one_line(text: str) -> str:
    """`text` safe for an email header or a calendar parameter: every run of control characters
    (line breaks included) becomes one space. For data stored before inputs were checked."""
    return _CONTROL_RUN.sub(" ", text or "").strip()


def date_in_range(value: dt.date) -> bool:
    day = value.date() if isinstance(value, dt.datetime) else value
    return EARLIEST_DATE <= day <= LATEST_DATE


def date_range_message() -> str:
    return _("Enter a date between %(first)s and %(last)s.") % {
        "first": date_format(EARLIEST_DATE, "j F Y"),
        "last": date_format(LATEST_DATE, "j F Y"),
    }


def valid_ids(values: Iterable[object], *, limit: int | None = None) -> list[int]:
    """The values that can be ids (positive whole numbers the database can hold), in order,
    without repeats; anything else is dropped. At most `limit` of them."""
    ids: list[int] = []
    seen: set[int] = set()
    for value in values:
        try:
            number = int(str(value).strip())
        except (TypeError, ValueError):
            continue
        if not 0 < number <= MAX_ID or number in seen:
            continue
        seen.add(number)
        ids.append(number)
        if limit is not None and len(ids) >= limit:
            break
    return ids


def is_valid_id(value: object) -> bool:
    return bool(valid_ids([value]))
