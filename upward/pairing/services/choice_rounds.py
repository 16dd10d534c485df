"""Choice rounds: participants rank their recommended partners; the engine resolves everyone's
choices together (matching.choice) into a run the programme team reviews and publishes."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from matching import Weights
from matching.choice import shortlist
from upward.core.audit import record
from upward.core.errors import Conflict, DomainError, InvalidTransition
from upward.core.types import Actor
from upward.pairing.models import ChoiceOption, ChoiceRound, Chooser, Choosers, MatchRun
from upward.pairing.selectors import MatchSettings, build_match_inputs, settings_for, weights_for
from upward.pairing.services._shared import (
    _has_open_round,
    _lock_programme,
    _name_people,
    _num,
    _user,
)
from upward.pairing.services.choice_resolution import (
    _choice_problem,
    _ChoiceProblem,
    _contribution_rows,
)
from upward.pairing.services.emails import _link, _send_later
from upward.pairing.services.runs import start_match_run
from upward.programmes.models import Programme, State
from upward.recruitment.models import Application

# A choice round lasts at least this long, and at most ROUND_LONGEST.
ROUND_SHORTEST = dt.timedelta(hours=1)


ROUND_LONGEST = dt.timedelta(days=60)


def open_choice_round(programme: Programme, *, by: Actor, closes_at: dt.datetime) -> ChoiceRound:
    """Ask each chooser to rank the partners the engine recommends for them.

    Uses the programme's saved settings (they must say that participants choose): each chooser
    gets the `shortlist_size` allowed partners with the highest score, with a free place,
    and may rank up to `max_ranked` of them until `closes_at`. Earlier proposals not yet
    published are set aside: the next one comes from the choices.
    """
    now = timezone.now()
    if closes_at is None or timezone.is_naive(closes_at):
        raise DomainError(_("Choose when the round closes."), field="closes_at")
    if closes_at < now + ROUND_SHORTEST:
        raise DomainError(
            _("The round must stay open for at least an hour from now."), field="closes_at"
        )
    if closes_at > now + ROUND_LONGEST:
        raise DomainError(_("A round can stay open for 60 days at most."), field="closes_at")
    with transaction.atomic():
        programme = _lock_programme(programme)
        if programme.state != State.MATCHING:
            raise InvalidTransition(
                _("Choice rounds happen while the programme is in its matching stage.")
            )
        match_settings = settings_for(programme)
        if not match_settings.participants_choose:
            raise DomainError(
                _(
                    "This programme's matching is set to “the programme team proposes pairs”. "
                    "Save the setting “participants choose” first."
                )
            )
        if _has_open_round(programme):
            raise Conflict(_("A choice round is already open for this programme."))
        if MatchRun.objects.filter(
            programme=programme, status__in=[MatchRun.Status.QUEUED, MatchRun.Status.RUNNING]
        ).exists():
            raise Conflict(_("A matching run is in progress. Wait for it to finish."))
        weights = weights_for(programme)
        inputs = build_match_inputs(programme, settings=match_settings)
        try:
            problem = _choice_problem(inputs, weights)
        except ValueError as exc:
            raise DomainError(_name_people(str(exc), inputs.names)) from exc
        seats = _shortlists(problem, match_settings)
        if not seats:
            raise DomainError(
                _(
                    "Nobody who chooses has a possible partner: check that mentors and mentees "
                    "are accepted and that the hard rules leave some pairs."
                )
            )
        MatchRun.objects.filter(
            programme=programme, superseded_at__isnull=True, published_at__isnull=True
        ).exclude(kind=MatchRun.Kind.AUTOMATIC).update(superseded_at=now)
        asked = {"mentee": 0, "mentor": 0}
        for role, _pid, _options in seats:
            asked[role] += 1
        considered = _considered(problem, match_settings)
        try:
            with transaction.atomic():
                round_ = _create_round(programme, match_settings, weights, closes_at, by=by)
        except IntegrityError as exc:  # Another round opened at the same moment.
            raise Conflict(_("A choice round is already open for this programme.")) from exc
        round_.summary = {
            "mentees_asked": asked["mentee"],
            "mentors_asked": asked["mentor"],
            "without_options": considered - len(seats),
            "pinned": len(problem.pinned),
        }
        round_.save(update_fields=["summary"])
        _create_seats(round_, problem, seats)
        record(
            "choice_round.opened",
            round_,
            by=by,
            organisation=programme.organisation,
            data={"choosers": len(seats), "closes_at": closes_at.isoformat()},
        )
        round_.programme = programme
        _notify_choosers(round_)
    return round_


def _create_round(
    programme: Programme,
    match_settings: MatchSettings,
    weights: Weights,
    closes_at: dt.datetime,
    *,
    by: Actor,
) -> ChoiceRound:
    return ChoiceRound.objects.create(
        programme=programme,
        who_chooses=match_settings.who_chooses,
        shortlist_size=match_settings.shortlist_size,
        max_ranked=match_settings.max_ranked,
        weights=dataclasses.asdict(weights),
        settings=dataclasses.asdict(match_settings),
        closes_at=closes_at,
        opened_by=_user(by),
    )


def _considered(problem: _ChoiceProblem, match_settings: MatchSettings) -> int:
    """How many people could have been asked (before dropping those with no option)."""
    pinned_rows = {i for i, _j in problem.pinned}
    n = problem.scorer.shape[0]
    total = 0
    if match_settings.who_chooses in (Choosers.MENTEES, Choosers.BOTH):
        total += n - len(pinned_rows)
    if match_settings.who_chooses in (Choosers.MENTORS, Choosers.BOTH):
        total += int((problem.capacity > 0).sum())
    return total


def _shortlists(
    problem: _ChoiceProblem, match_settings: MatchSettings
) -> list[tuple[str, int, list[tuple[int, int]]]]:
    """(role, person index, [(mentee index, mentor index), …] best first) per chooser."""
    seats: list[tuple[str, int, list[tuple[int, int]]]] = []
    who = match_settings.who_chooses
    pinned_rows = {i for i, _j in problem.pinned}

    def best(side: str) -> tuple[tuple[int, ...], ...]:
        return shortlist(
            problem.scores,
            allowed=problem.allowed,
            capacity=problem.capacity,
            k=match_settings.shortlist_size,
            side=side,
        )

    if who in (Choosers.MENTEES, Choosers.BOTH):
        for i, mentors in enumerate(best("mentee")):
            if mentors and i not in pinned_rows:
                seats.append(("mentee", i, [(i, j) for j in mentors]))
    if who in (Choosers.MENTORS, Choosers.BOTH):
        for j, mentees in enumerate(best("mentor")):
            if mentees:
                seats.append(("mentor", j, [(i, j) for i in mentees]))
    return seats


def _create_seats(
    round_: ChoiceRound,
    problem: _ChoiceProblem,
    seats: list[tuple[str, int, list[tuple[int, int]]]],
) -> None:
    mentees, mentors = problem.scorer.mentees, problem.scorer.mentors
    choosers = Chooser.objects.bulk_create(
        [
            Chooser(
                round=round_,
                person_id=int(mentees[k].id if role == "mentee" else mentors[k].id),
                role=role,
            )
            for role, k, _pairs in seats
        ]
    )
    every_pair = [pair for _role, _k, pairs in seats for pair in pairs]
    contributions = iter(_contribution_rows(problem.scorer, every_pair))
    options = []
    for chooser, (role, _k, pairs) in zip(choosers, seats, strict=True):
        for position, (i, j) in enumerate(pairs, start=1):
            partner = mentors[j] if role == "mentee" else mentees[i]
            options.append(
                ChoiceOption(
                    chooser=chooser,
                    partner_id=int(partner.id),
                    position=position,
                    score=_num(problem.scores[i, j]) or 0.0,
                    contributions=next(contributions),
                )
            )
    ChoiceOption.objects.bulk_create(options)


def _notify_choosers(round_: ChoiceRound) -> None:
    programme = round_.programme
    link = _link("pairing:choose", round_.pk)
    for chooser in Chooser.objects.filter(round=round_).select_related("person"):
        _send_later(
            _("Choose your partner in %(programme)s") % {"programme": programme.name},
            "choice_round.txt",
            {
                "name": chooser.person.full_name,
                "programme": programme.name,
                "as_mentee": chooser.role == "mentee",
                "shortlist_size": round_.shortlist_size,
                "max_ranked": round_.max_ranked,
                "closes_at": round_.closes_at,
                "link": link,
            },
            chooser.person,
            key=f"choice-round:{round_.pk}",
        )


def save_ranking(chooser: Chooser, *, ranking: Iterable[Any], by: Actor) -> Chooser:
    """The chooser's ranking, best first (partner person ids); empty clears it.

    Only the people recommended to them, at most `max_ranked`, each once, while the round is
    open. The audit entry records how many were ranked, never whom.
    """
    try:
        ordered = [int(p) for p in ranking]
    except (TypeError, ValueError) as exc:
        raise DomainError(_("Choose from the people recommended to you.")) from exc
    if len(set(ordered)) != len(ordered):
        raise DomainError(_("Rank each person once."))
    with transaction.atomic():
        round_ = (
            ChoiceRound.objects.select_for_update()
            .select_related("programme__organisation")
            .get(pk=chooser.round_id)
        )
        if not round_.is_open or timezone.now() >= round_.closes_at:
            raise InvalidTransition(_("This round has closed: rankings can no longer change."))
        still_in = Application.objects.filter(
            programme_id=round_.programme_id,
            person_id=chooser.person_id,
            role=chooser.role,
            status=Application.Status.ACCEPTED,
        ).exists()
        if not still_in:
            raise DomainError(_("Only accepted participants of the programme can choose."))
        if len(ordered) > round_.max_ranked:
            raise DomainError(
                ngettext(
                    "You can rank %(n)s person at most.",
                    "You can rank up to %(n)s people.",
                    round_.max_ranked,
                )
                % {"n": round_.max_ranked}
            )
        options = {o.partner_id: o.pk for o in ChoiceOption.objects.filter(chooser=chooser)}
        if any(p not in options for p in ordered):
            raise DomainError(_("Choose from the people recommended to you."))
        # Clear first: the database allows each rank once per chooser.
        ChoiceOption.objects.filter(chooser=chooser).update(rank=None)
        for rank, partner_id in enumerate(ordered, start=1):
            ChoiceOption.objects.filter(pk=options[partner_id]).update(rank=rank)
        chooser.ranked_at = timezone.now() if ordered else None
        Chooser.objects.filter(pk=chooser.pk).update(ranked_at=chooser.ranked_at)
        record(
            "choice.ranked",
            chooser,
            by=by,
            organisation=round_.programme.organisation,
            data={"round": round_.pk, "ranked": len(ordered)},
        )
    return chooser


def close_choice_round(round_: ChoiceRound, *, by: Actor, on_deadline: bool = False) -> MatchRun:
    """Stop the rankings and resolve everyone's choices together into a run for review."""
    with transaction.atomic():
        programme = _lock_programme(round_.programme_id)
        now = timezone.now()
        won = ChoiceRound.objects.filter(pk=round_.pk, status=ChoiceRound.Status.OPEN).update(
            status=ChoiceRound.Status.CLOSED,
            closed_at=now,
            closed_by=_user(by),
            closed_on_deadline=on_deadline,
        )
        if not won:
            raise Conflict(_("This choice round has already been closed."))
        round_.refresh_from_db()
        record(
            "choice_round.closed",
            round_,
            by=by,
            organisation=programme.organisation,
            data={"on_deadline": on_deadline},
        )
        run = _start_choice_run(programme, round_, by=by)
    return run


def _start_choice_run(programme: Programme, round_: ChoiceRound, *, by: Actor) -> MatchRun:
    return start_match_run(
        programme,
        by=by,
        mode=MatchRun.Mode.OPTIMAL,
        weights=round_.weights,
        settings=round_.settings,
        kind=MatchRun.Kind.CHOICE,
        choice_round=round_,
    )


def resolve_choices_again(run: MatchRun, *, by: Actor) -> MatchRun:
    """After pins or exclusions changed: resolve the same round's choices again."""
    round_ = ChoiceRound.objects.filter(runs=run).first()
    if run.kind != MatchRun.Kind.CHOICE or round_ is None:
        raise DomainError(_("Only a run from participants' choices can be resolved again."))
    if round_.is_open:
        raise InvalidTransition(_("Close the choice round first."))
    if round_.status == ChoiceRound.Status.CANCELLED:
        raise InvalidTransition(_("This choice round was cancelled."))
    return _start_choice_run(run.programme, round_, by=by)


def cancel_choice_round(round_: ChoiceRound, *, by: Actor) -> ChoiceRound:
    """End the round without using its rankings; choosers are told, neutrally."""
    with transaction.atomic():
        programme = _lock_programme(round_.programme_id)
        won = ChoiceRound.objects.filter(pk=round_.pk, status=ChoiceRound.Status.OPEN).update(
            status=ChoiceRound.Status.CANCELLED, closed_at=timezone.now(), closed_by=_user(by)
        )
        if not won:
            raise Conflict(_("This choice round has already been closed."))
        round_.refresh_from_db()
        round_.programme = programme
        record("choice_round.cancelled", round_, by=by, organisation=programme.organisation)
        for chooser in Chooser.objects.filter(round=round_).select_related("person"):
            _send_later(
                _("Choosing partners in %(programme)s") % {"programme": programme.name},
                "choice_cancelled.txt",
                {
                    "name": chooser.person.full_name,
                    "programme": programme.name,
                    "link": _link("pairing:choose", round_.pk),
                },
                chooser.person,
                key=f"choice-round-cancelled:{round_.pk}",
            )
    return round_
