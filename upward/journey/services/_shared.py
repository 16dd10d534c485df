"""What several journey services check or convert: the acting user, the pair's roles, a
live pairing, time zones."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

from django.templatetags.tz import do_timezone
from django.utils.translation import gettext as _

from upward.core.errors import DomainError, InvalidTransition
from upward.core.types import Actor
from upward.organisations.models import Person
from upward.pairing.models import Pairing, PairingState


def _user(by: Actor) -> Any:
    return by if getattr(by, "is_authenticated", False) else None


def _role(pairing: Pairing, person: Person) -> str:
    if person.pk == pairing.mentor_id:
        return "mentor"
    if person.pk == pairing.mentee_id:
        return "mentee"
    raise DomainError(_("Only the two people in this pairing can do that."))


def _live(pairing: Pairing) -> None:
    if pairing.state != PairingState.ACTIVE:
        raise InvalidTransition(_("This pairing has finished, so nothing more can be changed."))


def _zone(name: str) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        raise DomainError(
            _("“%(tz)s” is not a known time zone, e.g. Europe/London.") % {"tz": name},
            field="time_zone",
        ) from exc


def in_zone(value: dt.datetime, zone_name: str) -> dt.datetime:
    """The time in a person's zone, marked so templates' |date does not convert it back to the
    site's zone (Django's own |timezone filter does the same)."""
    try:
        zone = zoneinfo.ZoneInfo(zone_name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        zone = zoneinfo.ZoneInfo("UTC")
    return do_timezone(value, zone)
