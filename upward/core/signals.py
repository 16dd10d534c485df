"""Audit entries for what happens outside Upward's services: the Django admin site, and the
deletion of a whole organisation. Connected in `CoreConfig.ready`; core imports no app, so the
organisation model is named by its label."""

from __future__ import annotations

import json
from typing import Any

from django.contrib.admin import ModelAdmin
from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.db import connections
from django.db.models.signals import post_save, pre_delete

from upward.core import audit
from upward.core.models import ensure_head

ADMIN_VERBS = {ADDITION: "admin.added", CHANGE: "admin.changed", DELETION: "admin.deleted"}
ORGANISATION = "organisations.organisation"


def _changed_fields(change_message: str) -> list[str]:
    """The names of the fields an admin-site change touched (labels from our models, never
    the values; an inline's object is left out, since its name could be a value)."""
    try:
        messages = json.loads(change_message or "[]")
    except ValueError:
        return []
    fields: list[str] = []
    for message in messages if isinstance(messages, list) else []:
        changed = message.get("changed") if isinstance(message, dict) else None
        if isinstance(changed, dict) and "object" not in changed:
            fields.extend(str(f) for f in changed.get("fields") or [])
    return fields


def record_admin_entry(entry: LogEntry, obj: Any = None) -> None:
    """One audit entry for one admin-site LogEntry: who, which model and id, what kind of
    change, never the values. In the organisation's chain when the object belongs to one."""
    verb = ADMIN_VERBS.get(entry.action_flag)
    if verb is None or entry.content_type is None:
        return
    object_type = f"{entry.content_type.app_label}.{entry.content_type.model}"
    if obj is None:
        try:
            obj = entry.get_edited_object()
        except Exception:
            obj = None
    if object_type == ORGANISATION:
        # Deleting an organisation takes its own chain with it, so say so where it survives.
        organisation_id = None if entry.action_flag == DELETION else getattr(obj, "pk", None)
    else:
        organisation_id = getattr(obj, "organisation_id", None)
    data: dict[str, Any] = {"admin_site": True}
    if entry.action_flag == CHANGE:
        data["fields"] = _changed_fields(entry.change_message)
    audit.record_ref(
        verb,
        object_type,
        entry.object_id,
        by=entry.user,
        organisation=organisation_id,
        data=data,
    )


def _on_log_entry(
    sender: Any, instance: LogEntry, created: bool, raw: bool = False, **kwargs: Any
) -> None:
    if created and not raw:
        record_admin_entry(instance)


_log_deletions = ModelAdmin.log_deletions


def _log_deletions_audited(self: ModelAdmin, request: Any, queryset: Any) -> Any:
    # Django writes one LogEntry with `save()` (post_save records it) but several with
    # `bulk_create`, which sends no signal: record those here, before the objects are deleted.
    entries = _log_deletions(self, request, queryset)
    # (An admin that still overrides the deprecated `log_deletion` saves each entry itself.)
    # (getattr: the type stubs no longer list the deprecated method.)
    bulk = getattr(type(self), "log_deletion", None) is getattr(ModelAdmin, "log_deletion", None)
    if bulk and isinstance(entries, list) and len(entries) > 1:
        objects = {str(obj.pk): obj for obj in queryset}
        for entry in entries:
            record_admin_entry(entry, objects.get(str(entry.object_id)))
    return entries


def _on_organisation_delete(sender: Any, instance: Any, using: str, **kwargs: Any) -> None:
    """Before Django's cascade removes an organisation's audit chain: record the deletion in
    the chain with no organisation, with where its own chain ended, and (on PostgreSQL) tell
    the append-only trigger that this organisation's entries may go, for this transaction."""
    head = audit.AuditChain.objects.using(using).filter(organisation_id=instance.pk).first()
    audit.record_ref(
        "organisation.deleted",
        ORGANISATION,
        instance.pk,
        organisation=None,
        data={"entries": head.position if head else 0, "last_hash": head.hash if head else ""},
    )
    connection = connections[using]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT set_config('upward.audit_deleting_organisations', "
                "coalesce(current_setting('upward.audit_deleting_organisations', true), '') "
                "|| ',' || %s || ',', true)",
                [str(instance.pk)],
            )


def _on_organisation_created(
    sender: Any, instance: Any, created: bool, raw: bool = False, **kwargs: Any
) -> None:
    # Its chain head exists from the start, so its first audit entry costs no more than the next.
    if created and not raw:
        ensure_head(instance.pk)


def connect() -> None:
    post_save.connect(_on_log_entry, sender=LogEntry, dispatch_uid="upward.audit.admin_site")
    post_save.connect(
        _on_organisation_created, sender=ORGANISATION, dispatch_uid="upward.audit.organisation_head"
    )
    pre_delete.connect(
        _on_organisation_delete, sender=ORGANISATION, dispatch_uid="upward.audit.organisation"
    )
    ModelAdmin.log_deletions = _log_deletions_audited  # type: ignore[method-assign]
