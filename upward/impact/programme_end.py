"""The close of a programme for the people in it (registered with programmes/lifecycle.py).

Contribution records and certificates are unlocked by a completed pairing (see
impact/access.py and views.certificate), whether the pair finished early or at the end, so
completing the programme's pairings is what makes them available. This module says so on the
confirmation page and sends everyone in a completed pairing a closing message: thanks, the
end survey when there is one for them, and for mentors their record and certificate.
"""

from __future__ import annotations

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from upward.core.types import Actor
from upward.notifications.services import absolute, notify
from upward.pairing.models import Pairing, PairingState
from upward.programmes.models import Programme
from upward.surveys.models import Survey, SurveyState, Timing

# Active pairings are completed by the pairing app's effect, which runs first.
_FINISHING = Q(state__in=[PairingState.ACTIVE, PairingState.COMPLETED])


def completion_consequences(programme: Programme) -> list[str]:
    pairings = Pairing.objects.filter(_FINISHING, programme=programme)
    mentors = pairings.values("mentor_id").distinct().count()
    people = len({pk for pair in pairings.values_list("mentor_id", "mentee_id") for pk in pair})
    if not people:
        return []
    return [
        ngettext(
            "Contribution records and certificates become available to %(n)s mentor.",
            "Contribution records and certificates become available to %(n)s mentors.",
            mentors,
        )
        % {"n": mentors},
        ngettext(
            "%(n)s person gets a closing message thanking them, with the end survey and, for "
            "mentors, their certificate.",
            "%(n)s people get a closing message thanking them, with the end survey and, for "
            "mentors, their certificate.",
            people,
        )
        % {"n": people},
    ]


def send_closing_messages(programme: Programme, by: Actor) -> None:
    surveys = list(
        Survey.objects.filter(
            programme=programme, timing=Timing.END, state=SurveyState.OPEN
        ).order_by("pk")
    )
    pairings = (
        Pairing.objects.filter(programme=programme, state=PairingState.COMPLETED)
        .select_related("mentor", "mentee")
        .order_by("pk")
    )
    for pairing in pairings:
        for role, person, partner in (
            ("mentor", pairing.mentor, pairing.mentee),
            ("mentee", pairing.mentee, pairing.mentor),
        ):
            survey = next((s for s in surveys if s.asks(role)), None)
            survey_path = reverse("surveys:answer", args=[survey.pk]) if survey else ""
            record_path = (
                reverse("impact:contribution", args=[pairing.pk]) if role == "mentor" else ""
            )
            notify(
                person,
                kind="pairing",
                subject=_("Thank you for taking part in %(programme)s")
                % {"programme": programme.name},
                template="impact/email/programme_closed.txt",
                context={
                    "name": person.full_name,
                    "partner": partner.full_name,
                    "programme": programme.name,
                    "survey": survey.title if survey else "",
                    "survey_link": absolute(survey_path) if survey_path else "",
                    "record_link": absolute(record_path) if record_path else "",
                },
                url=survey_path or record_path or reverse("pairing:pairing", args=[pairing.pk]),
                dedupe_key=f"programme-closed:{programme.pk}:{pairing.pk}",
            )
