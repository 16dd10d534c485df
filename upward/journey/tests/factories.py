"""Test data for the journey: the built-in template. `accepted` and `active_pairing` live with
the shared pairs in upward/core/testing/pairs.py and are re-exported here."""

from __future__ import annotations

import importlib

from django.apps import apps

from upward.journey.models import JourneyVersion
from upward.testing.pairs import accepted, active_pairing

__all__ = ["accepted", "active_pairing", "builtin_version"]

_migration = importlib.import_module(
    "upward.journey.migrations.0002_default_reverse_mentoring_journey"
)


def builtin_version() -> JourneyVersion:
    """The data migration's journey (tests run without migrations, so we apply it by hand)."""
    _migration.create_default(apps, None)
    return JourneyVersion.objects.get(template__key=_migration.KEY, number=1)
