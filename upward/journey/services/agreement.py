"""The pair agreement: written together, confirmed by each person.

Audit entries never hold the agreement's wording."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from upward.core.audit import record
from upward.core.errors import Conflict, DomainError
from upward.core.types import Actor
from upward.journey.models import (
    MAX_MINUTES,
    MIN_MINUTES,
    PairAgreement,
)
from upward.journey.services._shared import _live, _role, _user
from upward.organisations.models import Person
from upward.pairing.models import Pairing

AGREEMENT_FIELDS = (
    "confidentiality",
    "meetings_per_month",
    "minutes_per_meeting",
    "ends_on",
    "raising_concerns",
)


def save_agreement(
    pairing: Pairing,
    *,
    person: Person,
    data: Mapping[str, Any],
    based_on: int | None = None,
    by: Actor,
) -> PairAgreement:
    """Create or change the agreement. Any change clears both confirmations: each person
    agrees to the words as they stand, not to an earlier version.

    `based_on` is the version the person's form showed (0 when it showed no agreement yet);
    if the agreement changed since, the save is refused so nobody overwrites words they have
    not read. None skips the check (callers that are not a page)."""
    _role(pairing, person)
    _live(pairing)
    minutes = int(data["minutes_per_meeting"])
    if not MIN_MINUTES <= minutes <= MAX_MINUTES:
        raise DomainError(
            _("Meetings last between %(min)s and %(max)s minutes.")
            % {"min": MIN_MINUTES, "max": MAX_MINUTES},
            field="minutes_per_meeting",
        )
    per_month = Decimal(data["meetings_per_month"])
    if not Decimal(0) < per_month <= Decimal(8):
        raise DomainError(
            _("Choose between 0.5 and 8 meetings a month."), field="meetings_per_month"
        )
    if data["ends_on"] < timezone.localdate():
        raise DomainError(_("Choose a date in the future."), field="ends_on")
    for field in ("confidentiality", "raising_concerns"):
        if not (data.get(field) or "").strip():
            raise DomainError(_("This part of the agreement cannot be empty."), field=field)
    with transaction.atomic():
        Pairing.objects.select_for_update().get(pk=pairing.pk)
        agreement = PairAgreement.objects.filter(pairing=pairing).first()
        created = agreement is None
        current = 0 if agreement is None else agreement.version
        if based_on is not None and based_on != current:
            raise Conflict(
                _(
                    "Your partner changed the agreement while you were editing it, so we have "
                    "not saved your version. Please read theirs below and make your change "
                    "again."
                )
            )
        if agreement is None:
            agreement = PairAgreement(pairing=pairing)
        changed = created or any(
            getattr(agreement, f) != (Decimal(data[f]) if f == "meetings_per_month" else data[f])
            for f in AGREEMENT_FIELDS
        )
        if not changed:
            return agreement
        if not created:
            agreement.version += 1
        for field in AGREEMENT_FIELDS:
            setattr(agreement, field, data[field])
        agreement.meetings_per_month = per_month
        agreement.minutes_per_meeting = minutes
        agreement.mentor_confirmed_at = None
        agreement.mentee_confirmed_at = None
        agreement.updated_by = _user(by)
        agreement.save()
        record(
            "journey.agreement_saved",
            pairing,
            by=by,
            organisation=pairing.programme.organisation,
        )
    return agreement


def confirm_agreement(
    pairing: Pairing, *, person: Person, version: int, by: Actor
) -> PairAgreement:
    """Confirm the version the person read. If the agreement changed since their page was
    opened, they are asked to read it again: nobody confirms words they have not seen."""
    role = _role(pairing, person)
    _live(pairing)
    with transaction.atomic():
        # The same lock as save_agreement, so a save and a confirmation never interleave.
        Pairing.objects.select_for_update().get(pk=pairing.pk)
        agreement = PairAgreement.objects.select_for_update().filter(pairing=pairing).first()
        if agreement is None:
            raise DomainError(_("Write the agreement together first, then confirm it."))
        if agreement.version != version:
            raise Conflict(
                _(
                    "The agreement has changed since you opened it. Please read the new "
                    "version below, then confirm it if you agree."
                )
            )
        field = f"{role}_confirmed_at"
        if getattr(agreement, field) is None:
            setattr(agreement, field, timezone.now())
            agreement.save(update_fields=[field, "updated_at"])
            record(
                "journey.agreement_confirmed",
                pairing,
                by=by,
                organisation=pairing.programme.organisation,
                data={"role": role, "version": agreement.version},
            )
    return agreement
