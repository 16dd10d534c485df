"""Sending safety notifications through the notifications app's `notify()` (in-app entry,
preferences, one send per dedupe key, email after commit). Texts are neutral: never a pulse
answer, a concern or a reason; a line and a link.

Who is told about a pairing's safety item is exactly who may read it (`access.safety_viewers`):
the programme's leads and the organisation's safeguarding contacts, never anyone in that
pairing. When that leaves nobody, the organisation's admins (outside the pairing) are asked to
name a safeguarding contact; they are not given the item itself."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _

from upward.core.links import absolute_url
from upward.notifications.services import notify
from upward.organisations.models import Person
from upward.pairing.models import Pairing
from upward.programmes.models import Programme
from upward.safety.access import safety_viewers


def link(name: str, *args: Any) -> str:
    return absolute_url(reverse(name, args=args))


def readers(programme: Programme, *, pairing: Pairing | None) -> list[Person]:
    return [reader.person for reader in safety_viewers(programme, pairing=pairing)]


def send(
    person: Person,
    *,
    kind: str,
    subject: str,
    template: str,
    context: dict[str, Any],
    url: str,
    dedupe_key: str,
) -> None:
    notify(
        person,
        kind=kind,
        subject=subject,
        template=template,
        context={**context, "name": person.full_name, "link": url},
        url=url,
        dedupe_key=dedupe_key,
    )


def tell_readers(
    programme: Programme,
    *,
    pairing: Pairing | None,
    subject: str,
    template: str,
    url: str,
    dedupe_key: str,
    context: dict[str, Any] | None = None,
) -> list[Person]:
    """Notify everyone who may read the item; `dedupe_key` gets the recipient's id appended.
    Returns the people told (empty when nobody may read it and the admins were asked)."""
    people = readers(programme, pairing=pairing)
    for person in people:
        send(
            person,
            kind="safety",
            subject=subject,
            template=template,
            context={"programme": programme.name, **(context or {})},
            url=url,
            dedupe_key=f"{dedupe_key}-{person.pk}",
        )
    if not people:
        _ask_admins_for_a_contact(programme, pairing=pairing, dedupe_key=dedupe_key)
    return people


def _ask_admins_for_a_contact(
    programme: Programme, *, pairing: Pairing | None, dedupe_key: str
) -> None:
    left_out = {pairing.mentor_id, pairing.mentee_id} if pairing is not None else set()
    admins = Person.objects.filter(
        organisation_id=programme.organisation_id, is_org_admin=True, is_active=True
    ).exclude(pk__in=left_out)
    url = link("safety:contacts")
    for admin in admins.order_by("pk"):
        send(
            admin,
            kind="safety",
            subject=_("Nobody may read something raised in %(programme)s")
            % {"programme": programme.name},
            template="safety/email/nobody_to_read.txt",
            context={"programme": programme.name},
            url=url,
            dedupe_key=f"{dedupe_key}-nobody-{admin.pk}",
        )


def tell_about_contact_change(contact: Any, *, added: bool, by_person: Person | None) -> None:
    """Who reads safety data changed: every other active org admin and safeguarding contact of
    the organisation hears of it, so an admin cannot quietly make themselves a reader."""
    organisation_id = contact.organisation_id
    from upward.safety.models import SafeguardingContact

    contacts = SafeguardingContact.objects.filter(organisation_id=organisation_id).values(
        "person_id"
    )
    audience = Person.objects.filter(organisation_id=organisation_id, is_active=True).filter(
        Q(is_org_admin=True) | Q(pk__in=contacts)
    )
    if by_person is not None:
        audience = audience.exclude(pk=by_person.pk)
    context = {
        "contact": contact.person.full_name,
        "by": by_person.full_name if by_person is not None else _("Upward"),
        "added": added,
    }
    subject = (
        _("%(name)s is now a safeguarding contact")
        if added
        else _("%(name)s is no longer a safeguarding contact")
    ) % {"name": contact.person.full_name}
    url = link("safety:contacts")
    for person in audience.order_by("pk"):
        send(
            person,
            kind="safety",
            subject=subject,
            template="safety/email/contact_changed.txt",
            context={**context, "about_you": person.pk == contact.person_id},
            url=url,
            dedupe_key=f"safety-contact-{'added' if added else 'removed'}-{contact.pk}-{person.pk}",
        )
