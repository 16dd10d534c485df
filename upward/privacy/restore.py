"""Erasures survive a restore: `manage.py restore` calls these around copying a backup back.

`before()` reads the erasure ledger from the live database; `after(state, taken_at)` erases again
everyone erased after the backup was taken (the backup still holds them) and writes those ledger
rows back, so the next restore knows about them too.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from upward.organisations.models import Person
from upward.privacy.models import ErasureRecord
from upward.privacy.services import erase_person

FIELDS = ("id", "person_id", "organisation_id", "erased_at", "by_user_id")


def before() -> list[dict[str, Any]]:
    return list(ErasureRecord.objects.order_by("erased_at", "id").values(*FIELDS))


def after(state: list[dict[str, Any]], taken_at: dt.datetime) -> list[str]:
    again = 0
    for row in state:
        if row["erased_at"] <= taken_at:
            continue  # the backup already holds this erasure and its ledger row
        person = Person.objects.filter(
            pk=row["person_id"], organisation_id=row["organisation_id"]
        ).first()
        if person is not None:
            erase_person(person, by=None, ledger=False)
            again += 1
        ErasureRecord.objects.update_or_create(
            id=row["id"], defaults={k: row[k] for k in FIELDS if k != "id"}
        )
    return [f"Erasures made after the backup, applied again: {again}."]
