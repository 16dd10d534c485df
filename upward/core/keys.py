"""Organisation data keys: create, find, rewrap and destroy (crypto-shredding).

The organisation model lives above core, so it is named by string and by id here. A key is made
when an organisation is created (a post_save receiver wired in CoreConfig.ready) or, for an
organisation that has none, the first time something is encrypted for it.
"""

from __future__ import annotations

from typing import Any

from cryptography.fernet import Fernet
from django.db import IntegrityError, transaction
from django.utils import timezone

from upward.core import crypto
from upward.core.crypto import DataKey, cache
from upward.core.models import OrganisationKey


def _load(row: OrganisationKey) -> DataKey:
    if row.shredded_at is not None or not row.wrapped:
        return DataKey(row.pk, row.organisation_id, None)
    return DataKey(row.pk, row.organisation_id, Fernet(crypto.unwrap_key(row.wrapped)))


def create_key(organisation_id: int) -> DataKey:
    """A new live data key for the organisation, stored wrapped under the first master key."""
    raw = Fernet.generate_key()
    row = OrganisationKey.objects.create(
        organisation_id=organisation_id, wrapped=crypto.wrap_key(raw)
    )
    return DataKey(row.pk, organisation_id, Fernet(raw))


def active_key(organisation_id: int) -> DataKey:
    """The organisation's live key: from the cache, the database, or newly made."""
    key = cache.active_for(organisation_id)
    if key is not None:
        return key
    row = OrganisationKey.objects.filter(
        organisation_id=organisation_id, shredded_at__isnull=True
    ).first()
    if row is not None:
        key = _load(row)
        cache.put(key, active=True)
        return key
    try:
        with transaction.atomic():
            key = create_key(organisation_id)
    except IntegrityError:
        # Another process made it first (one live key per organisation): use theirs.
        row = OrganisationKey.objects.get(organisation_id=organisation_id, shredded_at__isnull=True)
        key = _load(row)
    # Cached only once committed: a key rolled back with its transaction must not be reused.
    transaction.on_commit(lambda: cache.put(key, active=True))
    return key


def key_by_id(key_id: int) -> DataKey | None:
    """Any key, live or shredded, by id (None: no such key)."""
    key = cache.by_id(key_id)
    if key is not None:
        return key
    row = OrganisationKey.objects.filter(pk=key_id).first()
    if row is None:
        return None
    key = _load(row)
    cache.put(key, active=False)
    return key


def organisation_created(sender: Any, instance: Any, created: bool, **kwargs: Any) -> None:
    """post_save receiver for organisations.Organisation: every organisation starts with a key."""
    if not created:
        return
    if OrganisationKey.objects.filter(
        organisation_id=instance.pk, shredded_at__isnull=True
    ).exists():
        return
    key = create_key(instance.pk)
    # Made in the same transaction as the organisation: if that rolls back, both go.
    cache.put(key, active=True)


def rewrap_all(*, for_real: bool) -> tuple[int, int]:
    """Re-encrypt every live wrapped key under the first master key.
    Returns (rewrapped or to rewrap, already current)."""
    changed = current = 0
    for row in OrganisationKey.objects.filter(shredded_at__isnull=True).order_by("pk"):
        if crypto.is_master_current(row.wrapped):
            current += 1
            continue
        changed += 1
        if for_real:
            OrganisationKey.objects.filter(pk=row.pk, wrapped=row.wrapped).update(
                wrapped=crypto.master_rotate(row.wrapped), rewrapped_at=timezone.now()
            )
    return changed, current


def shred_organisation_key(organisation: Any, *, by: Any = None) -> int:
    """Destroy every data key of the organisation (crypto-shredding) and forget it in this
    process. Everything encrypted for the organisation then reads as crypto.ERASED; other
    processes stop reading it within ENCRYPTION_KEY_CACHE_SECONDS. A later write for the
    organisation gets a fresh key. Audited without any key material. Returns keys destroyed."""
    from upward.core import audit

    with transaction.atomic():
        destroyed = OrganisationKey.objects.filter(
            organisation_id=organisation.pk, shredded_at__isnull=True
        ).update(wrapped="", shredded_at=timezone.now())
        audit.record(
            "encryption_key.shredded",
            organisation,
            by=by,
            organisation=organisation,
            data={"keys": destroyed},
        )
    cache.forget_organisation(organisation.pk)
    transaction.on_commit(lambda: cache.forget_organisation(organisation.pk))
    return destroyed
