from __future__ import annotations

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
