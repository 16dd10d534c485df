from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import models

from upward.core.models import AuditEvent


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
