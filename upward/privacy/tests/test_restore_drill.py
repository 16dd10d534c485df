"""The restore drill with the real privacy hook: back up, erase someone, restore the backup,
and the person is erased again (issue 15: "re-applies erasures made after the backup").

The hook's functions are tested on their own in test_restore.py and the backup machinery with a
stand-in hook in upward/core/tests/test_backup_restore.py; this test joins them end to end."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection

from upward.accounts.models import User
from upward.core.audit import verify_chain
from upward.core.models import AuditEvent
from upward.notes.models import Message
from upward.organisations.models import Person
from upward.privacy.models import ErasureRecord
from upward.privacy.services import TOMBSTONE_NAME, erase_person

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_restore_brings_back_everything_but_the_people_erased_since(
    pairs: Any, tmp_path: Path, settings: Any
) -> None:
    if connection.vendor != "sqlite":
        pytest.skip("The PostgreSQL drill is in upward/core/tests/test_backup_restore.py.")
    settings.BACKUP_DIR = tmp_path / "backups"
    mentee = pairs.mentee
    name, email, user_id = mentee.full_name, mentee.email, mentee.user_id
    partner_words = "I will bring the dashboard mock-ups on Friday"
    said = Message.objects.create(pairing=pairs.pairing, sender=pairs.mentor, body=partner_words)
    path = tmp_path / "before-erasure.tar"
    call_command("backup", output=str(path), stdout=open("/dev/null", "w"))  # noqa: SIM115

    erase_person(mentee, by=pairs.world.admin.user)
    assert Person.objects.get(pk=mentee.pk).full_name == TOMBSTONE_NAME
    # Something changed after the backup that the restore must undo.
    Message.objects.filter(pk=said.pk).delete()

    call_command("restore", str(path), for_real=True, stdout=open("/dev/null", "w"))  # noqa: SIM115

    # The backup is back (the partner's message returns, decryptable) ...
    assert Message.objects.get(pk=said.pk).body == partner_words
    # ... but the person erased after it was taken is erased again, with the ledger row kept.
    restored = Person.objects.get(pk=mentee.pk)
    assert restored.full_name == TOMBSTONE_NAME and restored.full_name != name
    assert restored.email != email and not restored.is_active
    assert not User.objects.filter(pk=user_id).exists()
    assert ErasureRecord.objects.filter(person_id=mentee.pk).count() == 1
    assert not Person.objects.filter(full_name=name).exists()
    # And the audit log still verifies after the restore and the re-applied erasure.
    assert AuditEvent.objects.filter(verb="privacy.person_erased").exists()
    assert verify_chain(pairs.world.org).intact
