"""File sync: settings, runs (fetch → dry run → apply or hold for an admin) and the schedule.

A run is a FileSyncRun; its dry run is an ordinary PeopleImport, so an admin reviews and
applies a held run on the people import's own preview page.
"""

from __future__ import annotations

import datetime as dt
import logging
import zoneinfo
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from upward.core import audit
from upward.core.errors import Conflict, DomainError
from upward.core.links import absolute_url
from upward.filesync import fetching
from upward.filesync.models import FileSource, FileSyncRun
from upward.notifications.outbox import queue_email
from upward.organisations import services as people_services
from upward.organisations.models import Organisation, PeopleImport, Person

logger = logging.getLogger(__name__)

# Settings an admin changes, audited by name (the secret only as "changed").
AUDITED_FIELDS = (
    "enabled",
    "kind",
    "path",
    "url",
    "file_format",
    "schedule",
    "hour",
    "weekday",
    "time_zone",
    "missing_have_left",
    "auto_apply",
    "max_changes",
    "max_leavers",
)


def save_source(
    source: FileSource, *, by: Any, changed: list[str], secret_changed: bool
) -> FileSource:
    """Store the admin's settings. The next scheduled slot is the first one after now."""
    with transaction.atomic():
        source.enabled = True
        source.last_slot = current_slot(source, timezone.now()) or ""
        source.save()
        audit.record(
            "filesync.settings_changed",
            source,
            by=by,
            organisation=source.organisation,
            data={
                "changed": [f for f in changed if f in AUDITED_FIELDS],
                "secret_changed": secret_changed,
                "missing_have_left": source.missing_have_left,
            },
        )
    return source


def disable_source(source: FileSource, *, by: Any) -> FileSource:
    with transaction.atomic():
        source.enabled = False
        source.save(update_fields=["enabled", "updated_at"])
        audit.record("filesync.disabled", source, by=by, organisation=source.organisation)
    return source


# A run still unfinished after this long lost its worker.
RUN_STALE_AFTER = dt.timedelta(minutes=30)


def start_run(source: FileSource, *, trigger: str, by: Any = None) -> FileSyncRun:
    """Queue a fetch and dry run in the background (after the caller's transaction commits)."""
    if not source.enabled:
        raise Conflict(_("File sync is switched off. Save the settings to switch it on again."))
    with transaction.atomic():
        unfinished = FileSyncRun.objects.filter(
            source=source, status__in=[FileSyncRun.Status.QUEUED, FileSyncRun.Status.RUNNING]
        )
        # A run whose worker died must not block the next one for ever.
        unfinished.filter(created_at__lt=timezone.now() - RUN_STALE_AFTER).update(
            status=FileSyncRun.Status.FAILED,
            error=_("The background worker stopped before this run finished. Nothing changed."),
            finished_at=timezone.now(),
        )
        busy = unfinished.exists()
        if busy and trigger == FileSyncRun.Trigger.MANUAL:
            raise Conflict(_("A check is already running. Its result appears below shortly."))
        run = FileSyncRun.objects.create(
            source=source,
            organisation_id=source.organisation_id,
            trigger=trigger,
            requested_by=by if getattr(by, "is_authenticated", False) else None,
        )
        audit.record(
            "filesync.run_started",
            run,
            by=by,
            organisation=source.organisation,
            data={"trigger": trigger},
        )
    from upward.filesync import tasks

    run_id = run.pk
    transaction.on_commit(lambda: tasks.file_sync_task.enqueue(run_id))
    return run


def execute_run(run_id: int) -> FileSyncRun | None:
    """The background half (the task calls it). Never raises: the outcome is on the run."""
    claimed = FileSyncRun.objects.filter(pk=run_id, status=FileSyncRun.Status.QUEUED).update(
        status=FileSyncRun.Status.RUNNING
    )
    if not claimed:
        return None
    run = FileSyncRun.objects.select_related("source__organisation", "requested_by").get(pk=run_id)
    try:
        _execute(run)
    except Exception:
        logger.exception("File sync run %s stopped", run_id)
        _finish(run, FileSyncRun.Status.FAILED, error=_("Something went wrong; try again."))
    return run


def _execute(run: FileSyncRun) -> None:
    source = run.source
    try:
        if source.kind == FileSource.Kind.FOLDER:
            fetched = fetching.fetch_folder(source.path, organisation_slug=source.organisation.slug)
        else:
            fetched = fetching.fetch_url(source.url, authorization=source.auth_header)
    except fetching.FetchError as exc:
        _finish(run, FileSyncRun.Status.FAILED, error=exc.message)
        _tell_admins(run, _("The HR file could not be fetched"), exc.message)
        return
    run.filename = _as_format(fetched.filename, source.file_format)[:255]
    run.size = len(fetched.content)
    by = run.requested_by
    _cancel_older_previews(source)
    try:
        people_import = people_services.start_people_import(
            source.organisation,
            by=by,
            filename=run.filename,
            content=fetched.content,
            missing_have_left=source.missing_have_left,
        )
    except DomainError as exc:
        _finish(run, FileSyncRun.Status.FAILED, error=exc.message)
        _tell_admins(run, _("The HR file could not be read"), exc.message)
        return
    run.people_import = people_import
    if people_import.status == PeopleImport.Status.INVALID:
        _finish(run, FileSyncRun.Status.INVALID)
        _tell_admins(
            run,
            _("The HR file has errors"),
            _("Nothing was changed. The errors are listed on the preview."),
        )
        return
    counts = people_import.counts
    changes = counts.get("new", 0) + counts.get("updated", 0)
    if not changes:
        people_services.cancel_people_import(people_import, by=None)
        _finish(run, FileSyncRun.Status.UNCHANGED)
        return
    if run.trigger == FileSyncRun.Trigger.MANUAL:
        _finish(run, FileSyncRun.Status.PREVIEW)
        return
    reason = hold_reason(source, people_import)
    if reason:
        _finish(run, FileSyncRun.Status.WAITING, held_because=reason)
        _tell_admins(run, _("The HR file sync waits for you"), reason)
        return
    try:
        people_services.apply_people_import(people_import, by=None)
    except DomainError as exc:
        _finish(run, FileSyncRun.Status.WAITING, held_because=exc.message)
        _tell_admins(run, _("The HR file sync waits for you"), exc.message)
        return
    _finish(run, FileSyncRun.Status.APPLIED)


def hold_reason(source: FileSource, people_import: PeopleImport) -> str:
    """Why the dry run must wait for an admin, or "" when it may be applied automatically."""
    if not source.auto_apply:
        return _("Automatic apply is off, so an admin applies each change.")
    counts = people_import.counts
    changes = counts.get("new", 0) + counts.get("updated", 0)
    leaving = int(people_import.preview.get("leaving", 0))
    admin_changes = int(people_import.preview.get("admin_changes", 0))
    if admin_changes:
        # Admin rights are never granted or taken away by a file alone, whatever the limits.
        return ngettext(
            "The file changes who is an organisation admin (%(n)s person gains or loses admin "
            "rights). A file never changes admin rights on its own: an admin must apply it.",
            "The file changes who is an organisation admin (%(n)s people gain or lose admin "
            "rights). A file never changes admin rights on its own: an admin must apply it.",
            admin_changes,
        ) % {"n": f"{admin_changes:,}"}
    if changes > source.max_changes:
        return ngettext(
            "The file adds or changes %(n)s person, more than the %(limit)s allowed without "
            "an admin.",
            "The file adds or changes %(n)s people, more than the %(limit)s allowed without "
            "an admin.",
            changes,
        ) % {"n": f"{changes:,}", "limit": f"{source.max_changes:,}"}
    if leaving > source.max_leavers:
        return ngettext(
            "The file marks %(n)s person as left, more than the %(limit)s allowed without an "
            "admin.",
            "The file marks %(n)s people as left, more than the %(limit)s allowed without an "
            "admin.",
            leaving,
        ) % {"n": f"{leaving:,}", "limit": f"{source.max_leavers:,}"}
    return ""


def _as_format(name: str, file_format: str) -> str:
    """The reader picks CSV or Excel by the name's ending: the admin's format decides."""
    suffix = "." + file_format
    return name if name.lower().endswith(suffix) else f"{name}{suffix}"


def _cancel_older_previews(source: FileSource) -> None:
    """A new run's preview replaces the previous runs' unapplied ones (their rows are old)."""
    for people_import in PeopleImport.objects.filter(
        organisation_id=source.organisation_id,
        status=PeopleImport.Status.READY,
        pk__in=FileSyncRun.objects.filter(source=source).values("people_import"),
    ):
        people_services.cancel_people_import(people_import, by=None)


def _finish(run: FileSyncRun, status: str, *, error: str = "", held_because: str = "") -> None:
    with transaction.atomic():
        run.status = status
        run.error = error
        run.held_because = held_because
        run.finished_at = timezone.now()
        run.save()
        audit.record(
            "filesync.run_finished",
            run,
            by=None,
            organisation=run.source.organisation,
            data={"status": status, "counts": run.counts},
        )


def _tell_admins(run: FileSyncRun, subject: str, detail: str) -> None:
    """Scheduled runs email the organisation's admins; a manual check shows on the page."""
    if run.trigger != FileSyncRun.Trigger.SCHEDULE:
        return
    organisation: Organisation = run.source.organisation
    link = absolute_url(reverse("filesync:settings"))
    if run.people_import_id:
        link = absolute_url(reverse("organisations:import_preview", args=[run.people_import_id]))
    body = _("%(subject)s.\n\n%(detail)s\n\nOpen Upward to review it: %(link)s\n") % {
        "subject": subject,
        "detail": detail,
        "link": link,
    }
    for admin in Person.objects.filter(
        organisation=organisation, is_org_admin=True, is_active=True
    ).order_by("pk"):
        queue_email(
            to=[admin.email],
            subject=subject,
            body=body,
            person=admin,
            organisation=organisation.name,
            reason=_("You get this because you are an admin of %(org)s.")
            % {"org": organisation.name},
            preferences=False,
        )


# ---------------------------------------------------------------------------------------------
# The schedule


def current_slot(source: FileSource, now: dt.datetime) -> str | None:
    """The latest scheduled time at or before `now`, in the source's time zone, as a key."""
    if source.schedule == FileSource.Schedule.OFF:
        return None
    try:
        zone = zoneinfo.ZoneInfo(source.time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        zone = zoneinfo.ZoneInfo("UTC")
    local = now.astimezone(zone)
    slot = local.replace(hour=source.hour, minute=0, second=0, microsecond=0)
    if slot > local:
        slot -= dt.timedelta(days=1)
    if source.schedule == FileSource.Schedule.WEEKLY:
        slot -= dt.timedelta(days=(slot.weekday() - source.weekday) % 7)
    return slot.strftime("%Y-%m-%d %H:00")


def run_due_sources(*, dry_run: bool = False) -> dict[str, int]:
    """The scheduled job: start each enabled source whose slot has come and not yet run.

    The slot is claimed with one conditional UPDATE, so two schedulers running at once (or one
    run twice) start each slot once."""
    now = timezone.now()
    started = due = 0
    sources = FileSource.objects.filter(enabled=True).exclude(schedule=FileSource.Schedule.OFF)
    for source in sources.select_related("organisation"):
        slot = current_slot(source, now)
        if slot is None or slot == source.last_slot:
            continue
        due += 1
        if dry_run:
            continue
        claimed = (
            FileSource.objects.filter(pk=source.pk, enabled=True)
            .exclude(last_slot=slot)
            .update(last_slot=slot)
        )
        if claimed:
            source.last_slot = slot
            start_run(source, trigger=FileSyncRun.Trigger.SCHEDULE)
            started += 1
    return {"due": due, "started": started}
