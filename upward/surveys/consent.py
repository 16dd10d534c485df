"""Withdrawing consent to reporting takes effect at once: the person's special-category groups
are stripped from the survey responses they already gave. Connected in SurveysConfig.ready to
upward.consent's `consent_withdrawn` (consent sits below surveys and cannot call it)."""

from __future__ import annotations

import json
from typing import Any

from upward.consent.purposes import Purpose
from upward.programmes.models import Programme
from upward.surveys.models import PendingResponse, Response
from upward.surveys.pseudonyms import pseudonym


def strip_groups_on_withdrawal(
    sender: Any, *, person_id: int, organisation_id: int, purpose: str, **kwargs: Any
) -> None:
    if purpose != Purpose.REPORTING:
        return
    # Anonymous responses hold no person: they are found through the person's pseudonym in
    # each of the organisation's programmes (computed here, never stored with the person).
    programme_ids = list(
        Programme.objects.filter(organisation_id=organisation_id).values_list("pk", flat=True)
    )
    for programme_id in programme_ids:
        alias = pseudonym(person_id=person_id, programme_id=programme_id, anonymous=True)
        Response.objects.filter(
            survey__programme_id=programme_id, pseudonym=alias, is_anonymous=True
        ).update(groups=[])
        # Answers still waiting to be written carry the groups inside their encrypted payload.
        for row in PendingResponse.objects.filter(survey__programme_id=programme_id):
            item = json.loads(row.payload)
            if item.get("pseudonym") == alias and item.get("groups"):
                item["groups"] = []
                row.payload = json.dumps(item, sort_keys=True)
                row.save(update_fields=["payload"])
    # Named responses carry the person.
    Response.objects.filter(person_id=person_id).update(groups=[])
