from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from upward.core.restore_hooks import hooks
from upward.organisations.models import Person
from upward.privacy import restore
from upward.privacy.models import ErasureRecord
from upward.privacy.services import TOMBSTONE_NAME, erase_person

pytestmark = pytest.mark.django_db

BACKUP_TAKEN = dt.datetime(2026, 5, 1, 3, 0, tzinfo=dt.UTC)


def _as_in_the_backup(person: Person, name: str, email: str) -> None:
    """What a backup from before the erasure brings back: the entry whole, no ledger row."""
    Person.objects.filter(pk=person.pk).update(full_name=name, email=email, is_active=True)
    ErasureRecord.objects.filter(person_id=person.pk).delete()


def test_the_hook_is_registered() -> None:
    hook = next(h for h in hooks() if h.name == "privacy.erasures")
    assert hook.before is restore.before and hook.after is restore.after


def test_before_reads_the_ledger(world) -> None:  # type: ignore[no-untyped-def]
    assert restore.before() == []
    with time_machine.travel(BACKUP_TAKEN + dt.timedelta(days=1), tick=False):
        erase_person(world.applicant, by=world.admin.user)
    (row,) = restore.before()
    assert row["person_id"] == world.applicant.pk and row["organisation_id"] == world.org.pk
    assert row["erased_at"] == BACKUP_TAKEN + dt.timedelta(days=1)
    assert set(row) == {"id", "person_id", "organisation_id", "erased_at", "by_user_id"}


def test_after_erases_again_who_was_erased_since_the_backup(world) -> None:  # type: ignore[no-untyped-def]
    with time_machine.travel(BACKUP_TAKEN - dt.timedelta(days=2), tick=False):
        erase_person(world.other_applicant, by=world.admin.user)  # already in the backup
    with time_machine.travel(BACKUP_TAKEN + dt.timedelta(days=1), tick=False):
        erase_person(world.applicant, by=world.admin.user)
    state = restore.before()
    ledger_ids = sorted(r["id"] for r in state)

    # The restore copies the backup back: Jess whole again, her ledger row gone.
    _as_in_the_backup(world.applicant, "Jess Junior", "jess@northwind.test")
    # An earlier erasure is in the backup already; make its entry look whole to prove `after`
    # leaves rows older than the backup alone.
    Person.objects.filter(pk=world.other_applicant.pk).update(full_name="Kai Keen")

    lines = restore.after(state, BACKUP_TAKEN)

    assert lines == ["Erasures made after the backup, applied again: 1."]
    assert Person.objects.get(pk=world.applicant.pk).full_name == TOMBSTONE_NAME
    assert Person.objects.get(pk=world.applicant.pk).email.endswith("@erased.invalid")
    assert Person.objects.get(pk=world.other_applicant.pk).full_name == "Kai Keen"
    assert sorted(ErasureRecord.objects.values_list("id", flat=True)) == ledger_ids
    rewritten = ErasureRecord.objects.get(person_id=world.applicant.pk)
    assert rewritten.erased_at == BACKUP_TAKEN + dt.timedelta(days=1)


def test_after_with_nothing_new_changes_nothing(world) -> None:  # type: ignore[no-untyped-def]
    assert restore.after([], BACKUP_TAKEN) == ["Erasures made after the backup, applied again: 0."]
    assert Person.objects.get(pk=world.applicant.pk).full_name == "Jess Junior"
