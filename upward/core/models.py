from __future__ import annotations

from collections.abc import Iterable
from typing import Any, NoReturn

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

from upward.core import audit_chain


class AuditLogIsAppendOnly(Exception):
    """Raised on any attempt to change or delete an audit entry through the ORM."""


def _refuse(*args: Any, **kwargs: Any) -> NoReturn:
    raise AuditLogIsAppendOnly("Audit entries are append-only: they cannot be changed or deleted.")


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    # Bulk changes are refused too. Deleting a whole organisation still removes its entries, and
    # deleting an account still empties `actor`: Django's cascades go through the plain base
    # manager, not these methods (and on PostgreSQL the trigger lets exactly those through, see
    # the migration `0004_audit_hash_chain`).
    update = _refuse
    delete = _refuse
    bulk_update = _refuse
    update_or_create = _refuse

    def bulk_create(  # type: ignore[override]
        self, objs: Iterable[AuditEvent], batch_size: int | None = None
    ) -> list[AuditEvent]:
        """Chain the entries, then write them all in one INSERT (no conflict options: an entry
        is never skipped or overwritten)."""
        entries = list(objs)
        if not entries:
            return []
        with transaction.atomic(using=self.db, savepoint=False):
            _seal(entries)
            return list(super().bulk_create(entries, batch_size=batch_size))  # type: ignore[arg-type]


def _seal(entries: list[AuditEvent]) -> None:
    """Give each new entry its place in its chain: position, previous hash and hash.

    Each chain's head row is locked first (`select_for_update`; SQLite serialises writers
    anyway), so concurrent writers queue and never take the same position; the unique
    constraints are the backstop. A batch locks its heads in key order. A head stays locked
    until the writer's transaction ends, so an organisation's writers queue behind each other
    for the rest of their transactions. Call inside a transaction.
    """
    by_chain: dict[str, list[AuditEvent]] = {}
    for entry in entries:
        if entry.pk is not None or entry.position:
            raise AuditLogIsAppendOnly("An audit entry is chained once, when it is written.")
        by_chain.setdefault(audit_chain.chain_key(entry.organisation_id), []).append(entry)
    for key in sorted(by_chain):
        chain = by_chain[key]
        head = _lock_head(key, chain[0].organisation_id)
        position, prev_hash = head.position, head.hash or audit_chain.GENESIS
        for entry in chain:
            position += 1
            entry.data = audit_chain.normalise_data(entry.data or {})
            if entry.actor_ref is None:
                entry.actor_ref = entry.actor_id
            entry.position, entry.prev_hash = position, prev_hash
            entry.hash = prev_hash = audit_chain.entry_hash(**entry.chained_fields())
        AuditChain.objects.filter(pk=head.pk).update(position=position, hash=prev_hash)


class AuditEvent(models.Model):
    """Who did what, when. Written by services inside the same transaction as the change
    (`upward.core.audit.record`), never changed afterwards.

    Entries form one hash chain per organisation (and one for entries with no organisation):
    `position` counts from 1 in the chain, `prev_hash` is the previous entry's `hash`, and `hash`
    covers a canonical serialisation of this entry (`upward.core.audit_chain`), so an edited,
    removed or inserted row shows in `verify_chain`.
    """

    organisation = models.ForeignKey(
        "organisations.Organisation",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="audit_events",
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # The actor's id when the entry was written, covered by the hash. `actor` is emptied when
    # an account is deleted (erasure); this number stays, pointing at nothing.
    actor_ref = models.BigIntegerField(null=True, blank=True)
    verb = models.CharField(max_length=80)
    object_type = models.CharField(max_length=80)
    object_id = models.CharField(max_length=40)
    # Never put note contents, messages or special-category data here.
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    position = models.PositiveBigIntegerField()
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["organisation", "object_type", "object_id"])]
        constraints = [
            # A second writer can never fork a chain: a position is taken once.
            models.UniqueConstraint(
                fields=["organisation", "position"], name="audit_one_entry_per_position"
            ),
            models.UniqueConstraint(
                fields=["position"],
                condition=models.Q(organisation__isnull=True),
                name="audit_one_entry_per_position_no_org",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.verb} {self.object_type}:{self.object_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            _refuse()
        with transaction.atomic(using=kwargs.get("using"), savepoint=False):
            _seal([self])
            super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        _refuse()

    def chained_fields(self) -> dict[str, Any]:
        """The values the hash covers (`upward.core.audit_chain.canonical`)."""
        return {
            "position": self.position,
            "prev_hash": self.prev_hash,
            "organisation_id": self.organisation_id,
            "actor_ref": self.actor_ref,
            "verb": self.verb,
            "object_type": self.object_type,
            "object_id": self.object_id,
            "data": self.data,
            "created_at": self.created_at,
        }


def _lock_head(key: str, organisation_id: int | None) -> AuditChain:
    heads = AuditChain.objects.select_for_update()
    head = heads.filter(key=key).first()
    if head is None:
        # Organisations get their head when they are created (`upward.core.signals`); this is
        # for the chain with no organisation, and organisations older than the chain. Two
        # first writers both insert; one insert is ignored and both then queue on the lock.
        ensure_head(organisation_id)
        head = heads.get(key=key)
    return head


def ensure_head(organisation_id: int | None) -> None:
    key = audit_chain.chain_key(organisation_id)
    AuditChain.objects.bulk_create(
        [AuditChain(key=key, organisation_id=organisation_id)], ignore_conflicts=True
    )


class AuditChain(models.Model):
    """The head of one chain: its last position and hash. Writers lock this row
    (`select_for_update`), so two transactions never take the same position; and a row removed
    from the end of a chain shows, because the head still names it."""

    # "org:<id>" for an organisation's chain, "none" for entries with no organisation.
    key = models.CharField(max_length=40, unique=True)
    organisation = models.OneToOneField(
        "organisations.Organisation",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    position = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64, default="")

    def __str__(self) -> str:
        return f"{self.key} at {self.position}"


class OrganisationKey(models.Model):
    """An organisation's data key, stored only wrapped (encrypted) by the master keys.

    Every encrypted value written for the organisation is under its active key. Destroying the
    key (crypto-shredding) empties `wrapped` and sets `shredded_at`; the row stays as a tombstone
    so those values read as "[erased]" instead of failing. See docs/privacy.md.
    """

    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    # A Fernet token of the data key under the first master key; "" once shredded.
    wrapped = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    rewrapped_at = models.DateTimeField(null=True, blank=True)
    shredded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation"],
                condition=models.Q(shredded_at__isnull=True),
                name="core_one_live_key_per_organisation",
            )
        ]

    def __str__(self) -> str:
        state = "shredded" if self.shredded_at else "live"
        return f"key {self.pk} of organisation {self.organisation_id} ({state})"
