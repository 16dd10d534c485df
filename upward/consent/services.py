"""Writing special-category data and consent. Audit entries never hold the values."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from upward.consent.categories import BY_KEY, LIVED_EXPERIENCE, PREFER_NOT, SHAREABLE
from upward.consent.models import AboutYou, ConsentEvent
from upward.consent.purposes import CURRENT, Purpose
from upward.consent.selectors import current_consent
from upward.consent.signals import consent_withdrawn
from upward.core import audit
from upward.core.errors import DomainError
from upward.core.types import Actor
from upward.organisations.models import Person, Topic


def _lived_value(person: Person, topics: Iterable[Any], prefer_not: bool) -> str:
    ids: set[int] = set()
    for topic in topics:
        raw = getattr(topic, "pk", topic)
        try:
            ids.add(int(raw))
        except (TypeError, ValueError):
            raise DomainError(
                _("Choose lived-experience topics from the list shown."),
                field=LIVED_EXPERIENCE,
            ) from None
    if prefer_not:
        if ids:
            raise DomainError(
                _("Choose some topics or “Prefer not to say”, not both."), field=LIVED_EXPERIENCE
            )
        return PREFER_NOT
    if not ids:
        return ""
    found = Topic.objects.filter(
        pk__in=ids, organisation_id=person.organisation_id, kind=Topic.Kind.EXPERIENCE
    ).count()
    if found != len(ids):
        raise DomainError(
            _("Choose lived-experience topics from the list shown."), field=LIVED_EXPERIENCE
        )
    return json.dumps(sorted(ids))


def save_about_you(
    person: Person,
    *,
    answers: Mapping[str, str],
    lived_experience: Iterable[Any] = (),
    lived_prefer_not: bool = False,
    shared_with_partner: Iterable[str] = (),
    by: Actor,
) -> AboutYou:
    """Replace the person's answers. Unknown questions or option values are refused."""
    unknown = sorted(set(answers) - set(BY_KEY))
    if unknown:
        raise DomainError(_("“%(key)s” is not a question on this page.") % {"key": unknown[0]})
    values: dict[str, str] = {}
    for key, category in BY_KEY.items():
        code = str(answers.get(key) or "")
        if code and code not in dict(category.choices()):
            raise DomainError(
                _("“%(value)s” is not one of the options for %(question)s.")
                % {"value": code[:40], "question": str(category.label).lower()},
                field=key,
            )
        values[key] = code
    shared = [str(s) for s in shared_with_partner]
    bad = sorted(set(shared) - set(SHAREABLE))
    if bad:
        raise DomainError(
            _("“%(value)s” is not something you can share.") % {"value": bad[0][:40]},
            field="shared_with_partner",
        )
    lived = _lived_value(person, lived_experience, lived_prefer_not)
    with transaction.atomic():
        about, _created = AboutYou.objects.select_for_update().get_or_create(person=person)
        for key, code in values.items():
            setattr(about, key, code)
        about.lived_experience = lived
        about.shared_with_partner = [s for s in SHAREABLE if s in set(shared)]
        about.save()
        audit.record(
            "special_category.updated",
            about,
            by=by,
            organisation=person.organisation,
            data={"shared_items": len(about.shared_with_partner)},
        )
    return about


def set_lived_experience(person: Person, topics: Iterable[Any], *, by: Actor) -> AboutYou:
    """Only the lived-experience item (the application form's part); the rest stays."""
    lived = _lived_value(person, topics, prefer_not=False)
    with transaction.atomic():
        about, _created = AboutYou.objects.select_for_update().get_or_create(person=person)
        if about.lived_experience != lived and not (lived == "" and about.lived_prefer_not):
            about.lived_experience = lived
            about.save(update_fields=["lived_experience", "updated_at"])
            audit.record("special_category.updated", about, by=by, organisation=person.organisation)
    return about


def record_consent(
    person: Person, purpose: str, *, granted: bool, by: Actor
) -> ConsentEvent | None:
    """Append the person's answer under the current wording. Returns None when nothing changed
    (granting again under the same wording, or withdrawing what was never granted).

    A withdrawal takes effect at once: `consent_withdrawn` is sent inside this transaction, so
    reporting drops the person's groups before it returns, and the next matching run reads
    the new state."""
    if purpose not in Purpose.values:
        raise DomainError(_("“%(purpose)s” is not a purpose we ask about.") % {"purpose": purpose})
    version = CURRENT[purpose].version
    with transaction.atomic():
        # Serialise answers of one person (a double click records one event).
        Person.objects.select_for_update().filter(pk=person.pk).first()
        latest = current_consent(person.pk, purpose)
        if granted and latest is not None and latest.granted and latest.version == version:
            return None
        if not granted and (latest is None or not latest.granted):
            return None
        event = ConsentEvent.objects.create(
            person=person, purpose=purpose, granted=granted, version=version
        )
        audit.record(
            "consent.granted" if granted else "consent.withdrawn",
            event,
            by=by,
            organisation=person.organisation,
            data={"purpose": purpose, "version": version},
        )
        if not granted:
            consent_withdrawn.send(
                sender=ConsentEvent,
                person_id=person.pk,
                organisation_id=person.organisation_id,
                purpose=purpose,
            )
    return event
