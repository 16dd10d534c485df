"""Who may see matching and pairings. Every lookup answers 404 for "missing" and "not yours"."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.http import Http404

from upward.organisations.access import person_for
from upward.pairing.models import ChoiceRound, Chooser, MatchRule, MatchRun, Pairing
from upward.programmes.access import access_programme_for_manager
from upward.programmes.models import Programme
from upward.recruitment.models import Application


def access_run_for_manager(user: Any, programme_id: int, run_id: int) -> MatchRun:
    programme = access_programme_for_manager(user, programme_id)
    try:
        run = MatchRun.objects.select_related("ran_by", "published_by").get(
            pk=run_id, programme=programme
        )
    except MatchRun.DoesNotExist as exc:
        raise Http404("No such run.") from exc
    run.programme = programme
    return run


def access_rule_for_manager(user: Any, programme_id: int, rule_id: int) -> MatchRule:
    programme = access_programme_for_manager(user, programme_id)
    try:
        rule = MatchRule.objects.get(pk=rule_id, programme=programme)
    except MatchRule.DoesNotExist as exc:
        raise Http404("No such rule.") from exc
    rule.programme = programme
    return rule


def access_pairing_for_manager(user: Any, programme_id: int, pairing_id: int) -> Pairing:
    programme = access_programme_for_manager(user, programme_id)
    try:
        pairing = Pairing.objects.select_related("mentor", "mentee", "run").get(
            pk=pairing_id, programme=programme
        )
    except Pairing.DoesNotExist as exc:
        raise Http404("No such pairing.") from exc
    pairing.programme = programme
    return pairing


def access_pairing_for_participant(user: Any, pairing_id: int) -> Pairing:
    """The mentor always; the mentee only once the mentor has said yes. A proposal the mentor
    declined therefore stays invisible to the mentee, whatever address they try."""
    person = person_for(user)
    if person is None:
        raise Http404("No such pairing.")
    try:
        return Pairing.objects.select_related(
            "programme__organisation", "mentor", "mentee", "run"
        ).get(
            Q(mentor=person) | Q(mentee=person, mentee_told_at__isnull=False),
            pk=pairing_id,
        )
    except Pairing.DoesNotExist as exc:
        raise Http404("No such pairing.") from exc


def matching_programme(user: Any, programme_id: int) -> Programme:
    """The matching pages: the programme's managers and the organisation's admins."""
    return access_programme_for_manager(user, programme_id)


def access_round_for_manager(user: Any, programme_id: int, round_id: int) -> ChoiceRound:
    programme = access_programme_for_manager(user, programme_id)
    try:
        round_ = ChoiceRound.objects.select_related("opened_by", "closed_by").get(
            pk=round_id, programme=programme
        )
    except ChoiceRound.DoesNotExist as exc:
        raise Http404("No such round.") from exc
    round_.programme = programme
    return round_


def access_chooser(user: Any, round_id: int) -> Chooser:
    """The signed-in person's own seat in a round, while they are still an accepted
    participant in that role. Anyone else, the programme team included, gets 404: a ranking
    is shown to nobody but its author (the programme team sees it only through the run)."""
    person = person_for(user)
    if person is None:
        raise Http404("No such round.")
    try:
        chooser = Chooser.objects.select_related("round__programme__organisation", "person").get(
            round_id=round_id,
            person=person,
            round__programme__organisation_id=person.organisation_id,
        )
    except Chooser.DoesNotExist as exc:
        raise Http404("No such round.") from exc
    accepted = Application.objects.filter(
        programme_id=chooser.round.programme_id,
        person=person,
        role=chooser.role,
        status=Application.Status.ACCEPTED,
    ).exists()
    if not accepted:
        raise Http404("No such round.")
    return chooser
