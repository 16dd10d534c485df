"""A restore must not undo crypto-shredding or offboarding done after the backup was taken:
the backup holds the wrapped data keys and the data (issue 15, crypto-shredding + restore)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection

from upward.core import crypto, keys
from upward.core.models import AuditEvent
from upward.organisations.models import Organisation, Unavailability
from upward.organisations.offboarding import offboard

pytestmark = pytest.mark.django_db(transaction=True)

SECRET = "Signed off after surgery until March"


def _away(person: Any) -> Unavailability:
    return Unavailability.objects.create(
        person=person,
        starts_on=dt.date(2026, 12, 1),
        ends_on=dt.date(2027, 3, 1),
        note=SECRET,
    )


def _restore(path: Path) -> None:
    call_command("restore", str(path), for_real=True, stdout=open("/dev/null", "w"))  # noqa: SIM115


@pytest.fixture
def sqlite_only(settings: Any, tmp_path: Path) -> None:
    if connection.vendor != "sqlite":
        pytest.skip("The restore machinery is drilled on PostgreSQL in core's backup tests.")
    settings.BACKUP_DIR = tmp_path / "backups"


def test_a_restore_does_not_bring_back_an_offboarded_organisation(world, tmp_path, sqlite_only):
    outsider = world.outsider_admin.organisation
    away = _away(world.outsider_admin)
    path = tmp_path / "before.tar"
    call_command("backup", output=str(path), stdout=open("/dev/null", "w"))  # noqa: SIM115

    offboard(outsider, by=None)
    _restore(path)

    assert not Organisation.objects.filter(pk=outsider.pk).exists()
    assert not Unavailability.objects.filter(pk=away.pk).exists()
    # The other organisation is back as it was in the backup, and the restore is in the log.
    assert Organisation.objects.filter(pk=world.org.pk).exists()
    assert AuditEvent.objects.filter(verb="backup.restored").count() == 1


def test_a_restore_does_not_bring_back_a_destroyed_key(world, tmp_path, sqlite_only):
    mine = _away(world.applicant)
    theirs = _away(world.outsider_admin)
    path = tmp_path / "before.tar"
    call_command("backup", output=str(path), stdout=open("/dev/null", "w"))  # noqa: SIM115

    keys.shred_organisation_key(world.org)
    _restore(path)

    assert Unavailability.objects.get(pk=mine.pk).note == crypto.ERASED
    assert Unavailability.objects.get(pk=theirs.pk).note == SECRET


def test_keys_destroyed_before_the_backup_are_left_alone(world, tmp_path, sqlite_only):
    theirs = _away(world.outsider_admin)
    keys.shred_organisation_key(world.outsider_admin.organisation)
    path = tmp_path / "before.tar"
    call_command("backup", output=str(path), stdout=open("/dev/null", "w"))  # noqa: SIM115
    mine = _away(world.applicant)
    _restore(path)
    # The backup already had it destroyed; the organisation's later key is untouched.
    assert Unavailability.objects.get(pk=theirs.pk).note == crypto.ERASED
    assert not Unavailability.objects.filter(pk=mine.pk).exists()
