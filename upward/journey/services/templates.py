"""Journey templates and their versions: copy, draft, edit steps, publish."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from upward.core.audit import record
from upward.core.errors import DomainError, InvalidTransition
from upward.core.types import Actor
from upward.journey.models import (
    AgendaItem,
    JourneyStep,
    JourneyTemplate,
    JourneyVersion,
    StepKind,
)
from upward.journey.services._shared import _user

STEP_FIELDS = (
    "kind",
    "title",
    "purpose",
    "mentor_prepares",
    "mentee_prepares",
    "activities",
    "resources",
    "is_optional",
)


def _copy_steps(source: JourneyVersion, target: JourneyVersion) -> None:
    steps = list(source.steps.prefetch_related("agenda_items"))
    for step in steps:
        copy = JourneyStep.objects.create(
            version=target,
            position=step.position,
            **{f: getattr(step, f) for f in STEP_FIELDS},
        )
        AgendaItem.objects.bulk_create(
            AgendaItem(step=copy, position=item.position, text=item.text)
            for item in step.agenda_items.all()
        )


def clone_template(
    version: JourneyVersion, *, organisation: Any, name: str, by: Actor
) -> JourneyTemplate:
    """A copy of a published version as the organisation's own journey, published as v1 so a
    programme can use it straight away."""
    name = (name or "").strip()
    if not name:
        raise DomainError(_("Give the new journey a name."), field="name")
    if version.is_draft:
        raise DomainError(_("Only a published version can be copied."))
    with transaction.atomic():
        template = JourneyTemplate.objects.create(
            organisation=organisation,
            name=name[:150],
            description=version.template.description,
            cloned_from=version,
            created_by=_user(by),
        )
        copy = JourneyVersion.objects.create(
            template=template,
            number=1,
            published_at=timezone.now(),
            published_by=_user(by),
            change_note=_("Copied from %(name)s, version %(number)s.")
            % {"name": version.template.name, "number": version.number},
        )
        _copy_steps(version, copy)
        record("journey.template_cloned", template, by=by, data={"from_version": version.pk})
    return template


def _editable(template: JourneyTemplate) -> None:
    if template.is_builtin or template.organisation_id is None:
        raise DomainError(_("Built-in journeys cannot be edited. Make a copy and edit that."))


def start_draft(template: JourneyTemplate, *, by: Actor) -> JourneyVersion:
    """The template's draft, created from its latest published version if there is none."""
    _editable(template)
    with transaction.atomic():
        JourneyTemplate.objects.select_for_update().get(pk=template.pk)
        draft = template.versions.filter(number__isnull=True).first()
        if draft is not None:
            return draft
        latest = template.versions.filter(number__isnull=False).order_by("-number").first()
        draft = JourneyVersion.objects.create(template=template)
        if latest is not None:
            _copy_steps(latest, draft)
        record("journey.draft_started", template, by=by)
    return draft


def _draft_only(version: JourneyVersion) -> None:
    if not version.is_draft:
        # The heart of versioning: a published edition is what running programmes follow.
        raise InvalidTransition(
            _("This version is published and cannot change. Edit the draft instead.")
        )


def _agenda_lines(text: str) -> list[str]:
    lines = [line.strip(" \t-•*") for line in (text or "").splitlines()]
    lines = [line for line in lines if line]
    too_long = [line for line in lines if len(line) > 300]
    if too_long:
        raise DomainError(_("Keep each agenda item under 300 characters."), field="agenda")
    if len(lines) > 30:
        raise DomainError(_("An agenda can have at most 30 items."), field="agenda")
    return lines


def save_step(
    version: JourneyVersion,
    step: JourneyStep | None,
    *,
    data: Mapping[str, Any],
    agenda: str,
    by: Actor,
) -> JourneyStep:
    _draft_only(version)
    _editable(version.template)
    lines = _agenda_lines(agenda)
    if not (data.get("title") or "").strip():
        raise DomainError(_("Give the step a title."), field="title")
    with transaction.atomic():
        if step is None:
            last = version.steps.aggregate(m=Max("position"))["m"] or 0
            step = JourneyStep(version=version, position=last + 1)
        for field in STEP_FIELDS:
            if field in data:
                setattr(step, field, data[field])
        step.save()
        step.agenda_items.all().delete()
        AgendaItem.objects.bulk_create(
            AgendaItem(step=step, position=i, text=text) for i, text in enumerate(lines, start=1)
        )
        record("journey.step_saved", version.template, by=by, data={"version": version.pk})
    return step


def delete_step(step: JourneyStep, *, by: Actor) -> None:
    version = step.version
    _draft_only(version)
    _editable(version.template)
    with transaction.atomic():
        step.delete()
        _renumber(version)
        record("journey.step_deleted", version.template, by=by, data={"version": version.pk})


def _renumber(version: JourneyVersion) -> None:
    steps = list(version.steps.order_by("position", "id"))
    # Two passes so the unique (version, position) constraint never sees a clash mid-way.
    for i, step in enumerate(steps, start=1):
        step.position = 1000 + i
        step.save(update_fields=["position"])
    for i, step in enumerate(steps, start=1):
        step.position = i
        step.save(update_fields=["position"])


def move_step(step: JourneyStep, *, up: bool, by: Actor) -> None:
    version = step.version
    _draft_only(version)
    _editable(version.template)
    with transaction.atomic():
        steps = list(version.steps.order_by("position", "id"))
        index = next(i for i, s in enumerate(steps) if s.pk == step.pk)
        other = index - 1 if up else index + 1
        if not 0 <= other < len(steps):
            return
        steps[index], steps[other] = steps[other], steps[index]
        for i, s in enumerate(steps, start=1):
            s.position = 1000 + i
            s.save(update_fields=["position"])
        for i, s in enumerate(steps, start=1):
            s.position = i
            s.save(update_fields=["position"])
        record("journey.step_moved", version.template, by=by, data={"version": version.pk})


def publish_draft(version: JourneyVersion, *, change_note: str, by: Actor) -> JourneyVersion:
    """The draft becomes the next numbered version. Programmes stay on the version they pinned
    until a manager moves them."""
    _draft_only(version)
    _editable(version.template)
    if not version.steps.filter(kind=StepKind.SESSION).exists():
        raise DomainError(_("A journey needs at least one pair session before it is published."))
    with transaction.atomic():
        JourneyTemplate.objects.select_for_update().get(pk=version.template_id)
        last = version.template.versions.aggregate(m=Max("number"))["m"] or 0
        version.number = last + 1
        version.published_at = timezone.now()
        version.published_by = _user(by)
        version.change_note = (change_note or "").strip()[:300]
        version.save(update_fields=["number", "published_at", "published_by", "change_note"])
        record(
            "journey.version_published",
            version.template,
            by=by,
            data={"number": version.number},
        )
    return version


def discard_draft(version: JourneyVersion, *, by: Actor) -> None:
    _draft_only(version)
    _editable(version.template)
    with transaction.atomic():
        template = version.template
        version.delete()
        record("journey.draft_discarded", template, by=by)


def rename_template(template: JourneyTemplate, *, name: str, description: str, by: Actor) -> None:
    _editable(template)
    name = (name or "").strip()
    if not name:
        raise DomainError(_("Give the journey a name."), field="name")
    with transaction.atomic():
        template.name = name[:150]
        template.description = description or ""
        template.save(update_fields=["name", "description", "updated_at"])
        record("journey.template_renamed", template, by=by)
