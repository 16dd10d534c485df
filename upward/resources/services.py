"""Writes for the resource library and the pairs' saved lists."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from upward.core.audit import record
from upward.core.errors import Conflict, DomainError
from upward.core.types import Actor
from upward.organisations.models import Person, Topic
from upward.pairing.models import Pairing
from upward.pairing.workspace import require_active
from upward.resources.models import ActivityIdea, Kind, Resource, SavedItem

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
# Extension → the first bytes such a file starts with (None: plain text, checked as UTF-8).
ALLOWED_UPLOADS: dict[str, tuple[bytes, ...] | None] = {
    ".pdf": (b"%PDF-",),
    ".docx": (b"PK\x03\x04",),
    ".pptx": (b"PK\x03\x04",),
    ".xlsx": (b"PK\x03\x04",),
    ".odt": (b"PK\x03\x04",),
    ".png": (b"\x89PNG\r\n\x1a\n",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".mp3": (b"ID3", b"\xff\xfb", b"\xff\xf3", b"\xff\xf2"),
    ".txt": None,
    ".md": None,
}


def validate_upload(upload: UploadedFile) -> None:
    """Type by extension *and* by content, and at most 10 MB, so a renamed file is refused."""
    ext = Path(upload.name or "").suffix.lower()
    if ext not in ALLOWED_UPLOADS:
        raise DomainError(
            _("Upload a PDF, Word, PowerPoint, Excel, OpenDocument, PNG, JPEG, MP3 or text file."),
            field="file",
        )
    if upload.size is None or upload.size > MAX_UPLOAD_BYTES:
        raise DomainError(_("The file is larger than 10 MB."), field="file")
    if upload.size == 0:
        raise DomainError(_("The file is empty."), field="file")
    upload.seek(0)
    head = upload.read(2048)
    upload.seek(0)
    signatures = ALLOWED_UPLOADS[ext]
    if signatures is None:
        try:
            head.decode("utf-8")
        except UnicodeDecodeError as exc:
            # A cut in the middle of a multi-byte character is fine; anything else is binary.
            if exc.start < len(head) - 4:
                raise DomainError(
                    _("The file does not look like a text file."), field="file"
                ) from exc
    elif not any(head.startswith(sig) for sig in signatures):
        raise DomainError(
            _("The file's contents do not match its type (%(ext)s).") % {"ext": ext},
            field="file",
        )


def _clean(
    *, title: str, kind: str, url: str, file: UploadedFile | None, journey_step: Any, has_file: bool
) -> tuple[str, int | None]:
    title = (title or "").strip()
    if not title:
        raise DomainError(_("Give the resource a title."), field="title")
    if kind not in Kind.values:
        raise DomainError(_("Choose a type."), field="kind")
    if url and file:
        raise DomainError(_("Give a link or upload a file, not both."), field="url")
    if not url and not file and not has_file:
        raise DomainError(_("Give a link or upload a file."), field="url")
    if file:
        validate_upload(file)
    step = int(journey_step) if journey_step not in (None, "") else None
    if step is not None and not 1 <= step <= 6:
        raise DomainError(_("Choose a step from 1 to 6."), field="journey_step")
    return title, step


def _check_topics(organisation: Any, topics: Iterable[Topic]) -> list[Topic]:
    topics = list(topics)
    if any(t.organisation_id != organisation.pk for t in topics):
        raise DomainError(_("Choose topics from your organisation."), field="topics")
    return topics


@transaction.atomic
def create_resource(
    organisation: Any,
    *,
    title: str,
    kind: str,
    summary: str = "",
    url: str = "",
    file: UploadedFile | None = None,
    topics: Iterable[Topic] = (),
    journey_step: Any = None,
    by: Actor,
) -> Resource:
    title, step = _clean(
        title=title, kind=kind, url=url, file=file, journey_step=journey_step, has_file=False
    )
    topics = _check_topics(organisation, topics)
    resource = Resource(
        organisation=organisation,
        title=title,
        kind=kind,
        summary=(summary or "").strip(),
        url=url or "",
        journey_step=step,
        created_by=by,
    )
    if file:
        assert file.name is not None  # validate_upload refused a file without a name
        resource.file.save(Path(file.name).name, file, save=False)
    resource.save()
    resource.topics.set(topics)
    record("resources.created", resource, by=by)
    return resource


def _check_editor(resource: Resource, by: Actor) -> None:
    """Only the author and the organisation's admins change a resource (a second line behind
    `access.access_resource_for_editor`). Calls without a signed-in user are the system's."""
    if by is None:
        return
    person = Person.objects.filter(user_id=by.pk, is_active=True).first()
    allowed = person is not None and person.organisation_id == resource.organisation_id and (
        person.is_org_admin or resource.created_by_id == by.pk
    )
    if not allowed:
        raise DomainError(
            _(
                "Only the person who added this resource, or an organisation admin, can change "
                "or remove it."
            )
        )


@transaction.atomic
def update_resource(
    resource: Resource,
    *,
    title: str,
    kind: str,
    summary: str = "",
    url: str = "",
    file: UploadedFile | None = None,
    topics: Iterable[Topic] = (),
    journey_step: Any = None,
    by: Actor,
) -> Resource:
    _check_editor(resource, by)
    # Keeping the stored file is allowed only when no link replaces it.
    title, step = _clean(
        title=title,
        kind=kind,
        url=url,
        file=file,
        journey_step=journey_step,
        has_file=bool(resource.file) and not url,
    )
    topics = _check_topics(resource.organisation, topics)
    old_file = resource.file.name if resource.file else ""
    resource.title, resource.kind, resource.summary = title, kind, (summary or "").strip()
    resource.journey_step = step
    if url:
        resource.url, resource.file = url, ""
    elif file:
        resource.url = ""
        assert file.name is not None  # validate_upload refused a file without a name
        resource.file.save(Path(file.name).name, file, save=False)
    resource.save()
    resource.topics.set(topics)
    if old_file and old_file != (resource.file.name if resource.file else ""):
        _delete_file_later(resource, old_file)
    record("resources.updated", resource, by=by)
    return resource


def _delete_file_later(resource: Resource, name: str) -> None:
    storage = resource.file.storage
    transaction.on_commit(lambda: storage.delete(name))


@transaction.atomic
def delete_resource(resource: Resource, *, by: Actor) -> None:
    _check_editor(resource, by)
    if resource.file.name:  # what `if resource.file` tests
        _delete_file_later(resource, resource.file.name)
    record("resources.deleted", resource, by=by, data={"title": resource.title})
    resource.delete()


@transaction.atomic
def save_item(
    pairing: Pairing,
    *,
    resource: Resource | None = None,
    activity: ActivityIdea | None = None,
    person: Person,
) -> SavedItem:
    if person.pk not in (pairing.mentor_id, pairing.mentee_id):
        raise DomainError(_("Only the two people in a pairing can do this."))
    require_active(pairing)
    if (resource is None) == (activity is None):
        raise DomainError(_("Choose one resource or activity to save."))
    org_id = pairing.programme.organisation_id
    if resource is not None and resource.organisation_id != org_id:
        raise DomainError(_("That resource is not in your organisation's library."))
    if activity is not None and activity.organisation_id not in (None, org_id):
        raise DomainError(_("That activity is not available to your organisation."))
    try:
        with transaction.atomic():
            item = SavedItem.objects.create(
                pairing=pairing, resource=resource, activity=activity, saved_by=person
            )
    except IntegrityError as exc:
        raise Conflict(_("Your pair has already saved this.")) from exc
    record("resources.saved", item, by=person.user, organisation=pairing.programme.organisation)
    return item


@transaction.atomic
def set_item_done(item: SavedItem, *, done: bool, person: Person) -> SavedItem:
    require_active(item.pairing)
    item.done_at = timezone.now() if done else None
    item.save(update_fields=["done_at"])
    record(
        "resources.done" if done else "resources.reopened",
        item,
        by=person.user,
        organisation=item.pairing.programme.organisation,
    )
    return item


@transaction.atomic
def remove_item(item: SavedItem, *, person: Person) -> None:
    require_active(item.pairing)
    record(
        "resources.unsaved", item, by=person.user, organisation=item.pairing.programme.organisation
    )
    item.delete()
