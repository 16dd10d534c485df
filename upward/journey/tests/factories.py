"""Test data for the journey: the built-in template, accepted applications and active pairs.

Pairings are created directly in the active state (the pairing app's services own the real
workflow; here we only need a pair that has reached the journey)."""

from __future__ import annotations

import datetime as dt
import importlib
from typing import Any

from django.apps import apps
from django.utils import timezone

from upward.journey.models import JourneyVersion
from upward.organisations.models import Person
from upward.pairing.models import Pairing
from upward.programmes.models import Programme
from upward.recruitment.models import Application

_migration = importlib.import_module(
    "upward.journey.migrations.0002_default_reverse_mentoring_journey"
)


def builtin_version() -> JourneyVersion:
    """The data migration's journey (tests run without migrations, so we apply it by hand)."""
    _migration.create_default(apps, None)
    return JourneyVersion.objects.get(template__key=_migration.KEY, number=1)


def accepted(programme: Programme, person: Person, role: str) -> Application:
    application, _created = Application.objects.get_or_create(
        programme=programme,
        person=person,
        defaults={
            "role": role,
            "status": Application.Status.ACCEPTED,
            "motivation": "I want to take part.",
            "consent_terms": True,
        },
    )
    return application


def active_pairing(
    programme: Programme, *, mentor: Person, mentee: Person, since: Any = None
) -> Pairing:
    since = since or timezone.now() - dt.timedelta(days=10)
    accepted(programme, mentor, "mentor")
    accepted(programme, mentee, "mentee")
    return Pairing.objects.create(
        programme=programme,
        mentor=mentor,
        mentee=mentee,
        state="active",
        respond_by=since + dt.timedelta(days=7),
        mentor_responded_at=since,
        mentee_told_at=since,
        mentee_responded_at=since,
    )
