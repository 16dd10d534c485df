"""Someone left the organisation: what pairing does about it (organisations' `person_left`).

They are never proposed again (the selectors only read people still here); their unanswered
proposals are withdrawn (the partner is looked for a new one, as after a decline); their live
pairings end, closed by the programme team with the reason kept for the team; each partner is
told neutrally, never why, and offered a new partner; the programme team is told once.

The partner of a pairing that had started is offered a link to ask for a new partner rather
than being rematched at once: they had a relationship, may be mid-way through the programme and
may prefer to finish alone, and the team sees them waiting in the attention queue either way.
A partner of a mere proposal never met anyone, so the automatic search starts as after a no.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from upward.core.types import Actor
from upward.organisations.models import Person
from upward.pairing.models import LIVE_STATES, Pairing, PairingState
from upward.pairing.services.emails import _link, _send_later
from upward.pairing.services.moves import _move, withdraw_open_proposals
from upward.programmes.models import Programme, State
from upward.programmes.team import notify_team
from upward.recruitment.models import Application, ApplicationStatus

LEFT_REASON = "Left the organisation."
# Programmes still under way: a leaver's accepted place there matters to the team.
_RUNNING = (State.RECRUITING, State.MATCHING, State.ACTIVE)


def end_pairings_of_leaver(person: Person, *, by: Actor) -> list[Pairing]:
    """Everything pairing does when `person` leaves. Returns the pairings that ended."""
    ended: list[Pairing] = []
    with transaction.atomic():
        programme_ids = set(
            Pairing.objects.filter(
                Q(mentor=person) | Q(mentee=person), state__in=LIVE_STATES
            ).values_list("programme_id", flat=True)
        ) | set(
            Application.objects.filter(
                person=person,
                status__in=[ApplicationStatus.ACCEPTED, ApplicationStatus.SUBMITTED],
                programme__state__in=_RUNNING,
            ).values_list("programme_id", flat=True)
        )
        for programme in Programme.objects.filter(pk__in=programme_ids).order_by("pk"):
            withdrawn = withdraw_open_proposals(
                programme, person=person, by=by, reason=_(LEFT_REASON)
            )
            live = (
                Pairing.objects.select_related("programme__organisation", "mentor", "mentee")
                .filter(programme=programme, state=PairingState.ACTIVE)
                .filter(Q(mentor=person) | Q(mentee=person))
                .order_by("pk")
            )
            here = []
            for pairing in live:
                pairing = _move(
                    pairing,
                    to=PairingState.ENDED,
                    by=by,
                    expect=[PairingState.ACTIVE],
                    closed_by=Pairing.ClosedBy.MANAGER,
                    closed_reason=_(LEFT_REASON),
                    closed_at=timezone.now(),
                )
                partner = pairing.mentee if pairing.mentor_id == person.pk else pairing.mentor
                _email_partner_left(pairing, partner=partner, leaver=person)
                here.append(pairing)
            ended.extend(here)
            _tell_team(programme, person, ended=here, withdrawn=withdrawn)
    return ended


def _email_partner_left(pairing: Pairing, *, partner: Person, leaver: Person) -> None:
    # Neutral: no reason, nothing the leaver said; a way to ask for a new partner.
    _send_later(
        _("Your pairing in %(programme)s has ended") % {"programme": pairing.programme.name},
        "partner_left.txt",
        {
            "name": partner.full_name,
            "other": leaver.full_name,
            "programme": pairing.programme.name,
            "link": _link("safety:rematch", pairing.pk),
        },
        partner,
        key=f"pairing-partner-left:{pairing.pk}",
    )


def _tell_team(
    programme: Programme, person: Person, *, ended: list[Pairing], withdrawn: list[Pairing]
) -> None:
    partners = [
        (p.mentee if p.mentor_id == person.pk else p.mentor).full_name for p in ended + withdrawn
    ]
    notify_team(
        programme,
        subject=_("%(name)s has left the organisation") % {"name": person.full_name},
        template="pairing/email/team_leaver.txt",
        context={
            "leaver": person.full_name,
            "what": " ".join(
                [
                    ngettext(
                        "Their live pairing has ended.",
                        "Their %(n)s live pairings have ended.",
                        len(ended),
                    )
                    % {"n": len(ended)}
                    if ended
                    else "",
                    ngettext(
                        "Their open proposal was withdrawn.",
                        "Their %(n)s open proposals were withdrawn.",
                        len(withdrawn),
                    )
                    % {"n": len(withdrawn)}
                    if withdrawn
                    else "",
                ]
            ).strip(),
            "partners": ", ".join(partners),
        },
        url=reverse("pairing:pairings", args=[programme.pk]),
        dedupe_key=f"pairing-leaver:{person.pk}:{programme.pk}:{timezone.localdate().isoformat()}",
    )
