from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import models

from upward.core import audit_chain
from upward.core.models import AuditChain, AuditEvent


def record(
    verb: str,
    obj: models.Model,
    *,
    by: Any = None,
    organisation: Any = None,
    data: dict[str, Any] | None = None,
) -> AuditEvent:
    """Write an audit entry for `obj`. Call inside the service's transaction."""
    actor = by if getattr(by, "is_authenticated", False) else None
    if organisation is None:
        organisation = getattr(obj, "organisation", None)
    return AuditEvent.objects.create(
        organisation=organisation,
        actor=actor,
        verb=verb,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        data=data or {},
    )


def record_many(
    verb: str,
    objs: Iterable[models.Model],
    *,
    by: Any = None,
    organisation: Any,
    data: dict[str, Any] | None = None,
) -> list[AuditEvent]:
    """One audit entry per object, written in one INSERT: for set-based writes (publishing a
    run of 500 pairs) whose entries all share a verb, an actor and an organisation."""
    actor = by if getattr(by, "is_authenticated", False) else None
    return AuditEvent.objects.bulk_create(
        [
            AuditEvent(
                organisation=organisation,
                actor=actor,
                verb=verb,
                object_type=obj._meta.label_lower,
                object_id=str(obj.pk),
                data=dict(data or {}),
            )
            for obj in objs
        ]
    )


# ---------------------------------------------------------------------------------------------
# Checking the chains


@dataclass(frozen=True)
class ChainReport:
    """What `verify_chain` found in one chain. `broken_at` is the position of the first entry
    that is changed, missing or out of place (None when the chain is intact)."""

    organisation_id: int | None
    checked: int
    broken_at: int | None = None
    problem: str = ""  # "changed", "missing", "unexpected" or "head"
    head_hash: str = ""

    @property
    def intact(self) -> bool:
        return self.broken_at is None


def _chain_entries(organisation_id: int | None) -> models.QuerySet[AuditEvent]:
    # The base manager: checking must see every row, whatever a default manager would hide.
    entries = AuditEvent._base_manager.all()
    if organisation_id is None:
        entries = entries.filter(organisation__isnull=True)
    else:
        entries = entries.filter(organisation_id=organisation_id)
    return entries.order_by("position")


def verify_chain(organisation: Any) -> ChainReport:
    """Walk one chain (an organisation's, or with None the entries with no organisation) from
    its first entry and report the first broken or missing link."""
    org_id = None if organisation is None else getattr(organisation, "pk", organisation)
    expected, prev_hash = 1, audit_chain.GENESIS
    columns = ("position", "prev_hash", "hash", "actor_id", *_HASHED)
    for row in _chain_entries(org_id).values_list(*columns).iterator(chunk_size=2000):
        entry = dict(zip(columns, row, strict=True))
        position = entry["position"]
        if position != expected:
            # Positions are never skipped: the entry at `expected` was removed.
            problem = "missing" if position > expected else "unexpected"
            return ChainReport(org_id, expected - 1, expected, problem)
        recomputed = audit_chain.entry_hash(
            position=position,
            prev_hash=entry["prev_hash"],
            organisation_id=org_id,
            **{name: entry[name] for name in _HASHED},
        )
        actor_ok = entry["actor_id"] is None or entry["actor_id"] == entry["actor_ref"]
        if entry["prev_hash"] != prev_hash or recomputed != entry["hash"] or not actor_ok:
            return ChainReport(org_id, position - 1, position, "changed")
        prev_hash, expected = entry["hash"], expected + 1
    last = expected - 1
    head = AuditChain.objects.filter(key=audit_chain.chain_key(org_id)).first()
    head_position, head_hash = (head.position, head.hash) if head else (0, "")
    if head_position > last:
        # The head remembers entries that are gone from the end.
        return ChainReport(org_id, last, last + 1, "missing")
    if head_position < last:
        return ChainReport(org_id, last, head_position + 1, "unexpected")
    if last and head_hash != prev_hash:
        return ChainReport(org_id, last, last, "head")
    return ChainReport(org_id, last, head_hash=prev_hash if last else "")


_HASHED = ("actor_ref", "verb", "object_type", "object_id", "data", "created_at")


def chain_organisation_ids() -> list[int | None]:
    """Every chain there is: None (entries with no organisation) first, then each
    organisation's, from the entries and from the heads (a chain whose entries were all
    removed still has its head)."""
    ids: set[int | None] = set(
        AuditEvent._base_manager.values_list("organisation_id", flat=True).distinct()
    )
    ids |= set(AuditChain.objects.values_list("organisation_id", flat=True))
    return [None, *sorted(i for i in ids if i is not None)]


def record_ref(
    verb: str,
    object_type: str,
    object_id: Any,
    *,
    by: Any = None,
    organisation: Any = None,
    data: dict[str, Any] | None = None,
) -> AuditEvent:
    """Like `record`, for an object named by its type ("accounts.user") and id instead of an
    instance: an admin-site change to any model, a failed sign-in for an address that has no
    account (object id ""). `organisation` is an organisation or its id."""
    actor = by if getattr(by, "is_authenticated", False) else None
    return AuditEvent.objects.create(
        organisation_id=getattr(organisation, "pk", organisation),
        actor=actor,
        verb=verb,
        object_type=object_type[:80],
        object_id=str(object_id if object_id is not None else "")[:40],
        data=data or {},
    )


def record_download(
    kind: str, obj: models.Model, *, by: Any, organisation: Any, data: dict[str, Any] | None = None
) -> AuditEvent:
    """One entry for a file of personal data someone downloaded (verb `export.<kind>`): which
    object it was made from, never its contents. `organisation` is an organisation or its id."""
    return record_ref(
        f"export.{kind}",
        obj._meta.label_lower,
        obj.pk,
        by=by,
        organisation=organisation,
        data=data,
    )
