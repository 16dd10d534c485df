"""Calendar files (RFC 5545) for meetings, events and personal feeds, made with icalendar.

An invite is a calendar with METHOD:REQUEST (or CANCEL), one VEVENT with a UID that never
changes for the meeting and a SEQUENCE the services raise on every change, so calendar
programs update or remove the entry they already have instead of adding a second one.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

from django.utils import timezone
from icalendar import Calendar, Timezone, vCalAddress
from icalendar import Event as VEvent

from upward.core.links import absolute_url
from upward.core.validation import one_line

PRODID = "-//Upward//Reverse mentoring//EN"
CONTENT_TYPE = "text/calendar; charset=utf-8"


@dataclass(frozen=True)
class Attendee:
    email: str
    name: str


@dataclass(frozen=True)
class CalendarItem:
    """Everything one VEVENT needs, built by the selectors from a meeting or an event."""

    uid: str
    sequence: int
    summary: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    time_zone: str
    organiser: Attendee
    attendees: tuple[Attendee, ...] = ()
    description: str = ""
    location: str = ""
    url: str = ""
    cancelled: bool = False
    updated_at: dt.datetime | None = None
    categories: tuple[str, ...] = field(default=())


@lru_cache(maxsize=64)
def _vtimezone(tzid: str, first_year: int, last_year: int) -> bytes:
    # Building a VTIMEZONE walks every offset change between the two dates; a window around
    # the calendar's items keeps it small and fast, and the result is cached.
    tz = Timezone.from_tzid(
        tzid, first_date=dt.date(first_year - 1, 1, 1), last_date=dt.date(last_year + 2, 1, 1)
    )
    return tz.to_ical()


def _zone(name: str) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


def _address(person: Attendee, **params: object) -> vCalAddress:
    return vCalAddress.new(person.email, cn=one_line(person.name), **params)  # type: ignore[arg-type]


def _vevent(item: CalendarItem, *, method: str) -> VEvent:
    zone = _zone(item.time_zone)
    event = VEvent()
    event.add("uid", item.uid)
    event.add("sequence", item.sequence)
    event.add("dtstamp", timezone.now())
    event.add("dtstart", item.starts_at.astimezone(zone))
    event.add("dtend", item.ends_at.astimezone(zone))
    event.add("summary", item.summary)
    if item.description:
        event.add("description", item.description)
    location = item.location or item.url
    if location:
        event.add("location", location)
    if item.url:
        event.add("url", item.url)
    if item.updated_at:
        event.add("last-modified", item.updated_at)
    if item.categories:
        event.add("categories", list(item.categories))
    event.add("organizer", _address(item.organiser))
    for attendee in item.attendees:
        event.add(
            "attendee",
            _address(
                attendee,
                role="REQ-PARTICIPANT",
                partstat="NEEDS-ACTION",
                rsvp=method == "REQUEST",
            ),
        )
    event.add("status", "CANCELLED" if item.cancelled else "CONFIRMED")
    event.add("transp", "OPAQUE")
    return event


def _calendar(method: str | None, name: str | None = None) -> Calendar:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    if method:
        cal.add("method", method)
    if name:
        cal.add("x-wr-calname", name)
    return cal


def _add_timezones(cal: Calendar, items: Iterable[CalendarItem]) -> None:
    years: dict[str, list[int]] = {}
    for item in items:
        if item.time_zone and item.time_zone != "UTC":
            years.setdefault(item.time_zone, []).append(item.starts_at.year)
    for tzid, seen in sorted(years.items()):
        try:
            block = _vtimezone(tzid, min(seen), max(seen))
        except ValueError:
            continue
        cal.add_component(Timezone.from_ical(block))


def invite(item: CalendarItem) -> bytes:
    """A REQUEST for a booked or changed meeting, or a CANCEL when it is cancelled."""
    method = "CANCEL" if item.cancelled else "REQUEST"
    cal = _calendar(method)
    _add_timezones(cal, [item])
    cal.add_component(_vevent(item, method=method))
    return cal.to_ical()


def method_of(item: CalendarItem) -> str:
    return "CANCEL" if item.cancelled else "REQUEST"


def feed(items: list[CalendarItem], *, name: str) -> bytes:
    """A subscription feed: PUBLISH, no RSVP, every zone it uses."""
    cal = _calendar("PUBLISH", name=name)
    cal.add("x-published-ttl", "PT1H")
    _add_timezones(cal, items)
    for item in items:
        cal.add_component(_vevent(item, method="PUBLISH"))
    return cal.to_ical()


def site_url(path: str) -> str:
    return absolute_url(path)
