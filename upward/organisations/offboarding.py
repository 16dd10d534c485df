"""Offboarding: destroy an organisation's data key, then delete the organisation and everything
under it (people, programmes, pairs and all they wrote), and the accounts of its people.

Shredding comes first and is committed on its own: if the deletion then fails part-way, what is
left is already unreadable. See docs/privacy.md, "Shredding and offboarding".
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.contrib.auth import get_user_model
from django.db import models, transaction
from django.db.models.deletion import ProtectedError

from upward.core import audit, keys
from upward.organisations.models import Organisation


def _delete(queryset: models.QuerySet[Any], counts: Counter[str], depth: int = 0) -> None:
    """Delete the queryset; rows that PROTECT it (all inside the organisation) go first."""
    if depth > 20:
        raise RuntimeError("Offboarding could not order the deletion (a cycle of PROTECT links).")
    while True:
        try:
            _total, per_model = queryset.delete()
        except ProtectedError as exc:
            by_model: dict[type[models.Model], set[Any]] = {}
            for obj in exc.protected_objects:
                by_model.setdefault(type(obj), set()).add(obj.pk)
            for model, pks in by_model.items():
                _delete(model._base_manager.filter(pk__in=pks), counts, depth + 1)
            continue
        counts.update({label: n for label, n in per_model.items() if n})
        return


def deletion_counts(organisation: Organisation) -> dict[str, int]:
    """What offboarding would delete, per model, without deleting anything."""
    counts: Counter[str] = Counter()

    class _Rollback(Exception):
        pass

    try:
        with transaction.atomic():
            _delete_everything(organisation, counts)
            raise _Rollback
    except _Rollback:
        pass
    return dict(sorted(counts.items()))


def _accounts(organisation: Organisation) -> models.QuerySet[Any]:
    # Site superusers are never deleted here, even if they had a place in the directory.
    return get_user_model()._default_manager.filter(
        person__organisation=organisation, is_superuser=False
    )


def _delete_everything(organisation: Organisation, counts: Counter[str]) -> None:
    user_ids = list(_accounts(organisation).values_list("pk", flat=True))
    _delete(Organisation.objects.filter(pk=organisation.pk), counts)
    _delete(get_user_model()._default_manager.filter(pk__in=user_ids), counts)


def offboard(organisation: Organisation, *, by: Any = None) -> dict[str, int]:
    """Shred the organisation's key, then delete it and everything under it. Returns the counts
    of deleted rows per model. Audited (counts only) in an entry that outlives the organisation."""
    org_id, slug = organisation.pk, organisation.slug
    keys.shred_organisation_key(organisation, by=by)
    counts: Counter[str] = Counter()
    with transaction.atomic():
        _delete_everything(organisation, counts)
        # Not tied to the organisation (that row is gone): the entry stays in the audit log.
        audit.record(
            "organisation.offboarded",
            Organisation(pk=org_id, slug=slug),
            by=by,
            organisation=None,
            data={"rows_deleted": sum(counts.values())},
        )
    return dict(sorted(counts.items()))


# --- Restores: a backup taken before a key was destroyed or an organisation offboarded holds
# the wrapped key and the data. `manage.py restore` runs these around copying the backup back,
# so what was destroyed since stays destroyed (core.restore_hooks).

OFFBOARDED = "organisation.offboarded"


def restore_before() -> dict[str, list[dict[str, Any]]]:
    """Read, from the live database, every destroyed key and every offboarding."""
    from upward.core.models import AuditEvent, OrganisationKey

    return {
        "shredded": [
            dict(row)
            for row in OrganisationKey.objects.filter(shredded_at__isnull=False).values(
                "pk", "organisation_id", "shredded_at"
            )
        ],
        "offboarded": [
            dict(row)
            for row in AuditEvent.objects.filter(
                verb=OFFBOARDED, organisation__isnull=True
            ).values("object_id", "created_at")
        ],
    }


def restore_after(state: dict[str, list[dict[str, Any]]], taken_at: Any) -> list[str]:
    """Destroy again the keys destroyed after the backup was taken, and offboard again the
    organisations offboarded since."""
    from upward.core.crypto import cache
    from upward.core.models import OrganisationKey

    shredded = 0
    for row in state.get("shredded", []):
        if row["shredded_at"] <= taken_at:
            continue
        done = OrganisationKey.objects.filter(pk=row["pk"], shredded_at__isnull=True).update(
            wrapped="", shredded_at=row["shredded_at"]
        )
        if done:
            shredded += done
            cache.forget_organisation(row["organisation_id"])
    offboarded = 0
    for row in state.get("offboarded", []):
        if row["created_at"] <= taken_at or not str(row["object_id"]).isdigit():
            continue
        organisation = Organisation.objects.filter(pk=int(row["object_id"])).first()
        if organisation is not None:
            offboard(organisation, by=None)
            offboarded += 1
    return [
        f"Organisation keys destroyed after the backup, destroyed again: {shredded}.",
        f"Organisations offboarded after the backup, offboarded again: {offboarded}.",
    ]
