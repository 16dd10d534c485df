"""Matching runs: start, compute (now or as a background task), publish as proposals."""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from collections.abc import Iterable, Mapping
from typing import Any

from django.conf import settings as django_settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from matching import Weights, match_profiles
from matching.run import MatchResult
from upward.core.audit import record, record_many
from upward.core.errors import Conflict, DomainError, InvalidTransition
from upward.core.types import Actor
from upward.organisations.models import Person
from upward.pairing import tasks
from upward.pairing.models import LIVE_STATES, ChoiceRound, MatchRun, Pairing
from upward.pairing.selectors import (
    MatchInputs,
    MatchSettings,
    build_match_inputs,
    inputs_names,
    recently_left_pairing,
    settings_for,
    weights_for,
)
from upward.pairing.services._shared import (
    _actor_id,
    _check_programme_state,
    _has_open_round,
    _lock_programme,
    _name_people,
    _num,
    _refuse_own,
    _user,
)
from upward.pairing.services.choice_resolution import _add_choices, _resolve_round
from upward.pairing.services.emails import _email_proposals
from upward.pairing.services.match_setup import clean_settings, clean_weights
from upward.programmes.access import participants_among
from upward.programmes.models import Programme
from upward.programmes.team import notify_team
from upward.recruitment.models import Application
from upward.recruitment.services import tell_unmatched

logger = logging.getLogger(__name__)


# Cohorts bigger than this run as a background task; the page polls until the run is done.
BACKGROUND_THRESHOLD = 300


def start_match_run(
    programme: Programme,
    *,
    by: Actor,
    mode: str = MatchRun.Mode.OPTIMAL,
    weights: Mapping[str, Any] | Weights | None = None,
    settings: Mapping[str, Any] | MatchSettings | None = None,
    scope: Iterable[int] = (),
    left_aside: Iterable[int] = (),
    kind: str = MatchRun.Kind.FULL,
    choice_round: ChoiceRound | None = None,
    aside_recent_leavers: bool = True,
) -> MatchRun:
    """Run the engine over the programme's free participants (or the people in `scope`).

    Small cohorts are computed now; large ones are queued as a background task after the
    commit. Earlier runs not yet published are kept but marked superseded. A run of kind
    `choice` resolves the rankings of `choice_round` (see `close_choice_round`).
    """
    if mode not in MatchRun.Mode.values:
        raise DomainError(_("Choose the optimal or the fair mode."), field="mode")
    if kind not in MatchRun.Kind.values:
        raise DomainError(_("Unknown kind of run."))
    if (kind == MatchRun.Kind.CHOICE) != (choice_round is not None):
        raise DomainError(_("A run from participants' choices needs its choice round."))
    if weights is None:
        chosen_weights = weights_for(programme)
    elif isinstance(weights, Weights):
        chosen_weights = weights
    else:
        chosen_weights = clean_weights(weights)
    chosen_settings = clean_settings(settings) if settings is not None else settings_for(programme)
    scope = sorted({int(p) for p in scope})
    aside = {int(p) for p in left_aside}
    if aside_recent_leavers and kind != MatchRun.Kind.CHOICE:
        # Whoever just left a pairing themselves is not proposed again without asking them;
        # the review lists them with a way to include them. The person a run is for is in.
        aside |= set(recently_left_pairing(programme)) - set(scope)
    left_aside = sorted(aside)
    with transaction.atomic():
        programme = _lock_programme(programme)
        _check_programme_state(programme)
        actor = _actor_id(by)
        if actor is not None and participants_among(programme, [actor]):
            raise DomainError(
                _(
                    "You take part in this programme, so you cannot run its matching: another "
                    "manager must do it."
                )
            )
        busy = MatchRun.objects.filter(
            programme=programme, status__in=[MatchRun.Status.QUEUED, MatchRun.Status.RUNNING]
        ).exists()
        if busy:
            raise Conflict(_("A matching run is already in progress. Wait for it to finish."))
        if kind in (MatchRun.Kind.FULL, MatchRun.Kind.REMATCH) and _has_open_round(programme):
            raise Conflict(
                _(
                    "A choice round is open: the next proposal comes from participants' "
                    "choices. Close or cancel the round first."
                )
            )
        if kind != MatchRun.Kind.AUTOMATIC:
            MatchRun.objects.filter(
                programme=programme, superseded_at__isnull=True, published_at__isnull=True
            ).exclude(kind=MatchRun.Kind.AUTOMATIC).update(superseded_at=timezone.now())
        size = Application.objects.filter(
            programme=programme, status=Application.Status.ACCEPTED
        ).count()
        run = MatchRun.objects.create(
            programme=programme,
            status=MatchRun.Status.QUEUED,
            mode=mode,
            kind=kind,
            scope=scope,
            left_aside=left_aside,
            weights=dataclasses.asdict(chosen_weights),
            settings=dataclasses.asdict(chosen_settings),
            ran_by=_user(by),
            choice_round=choice_round,
        )
        record(
            "match_run.started",
            run,
            by=by,
            organisation=programme.organisation,
            data={"mode": mode, "kind": kind, "scope": scope, "participants": size},
        )
        background = size > BACKGROUND_THRESHOLD
        if background:
            run_id = run.pk
            transaction.on_commit(lambda: tasks.compute_match_run_task.enqueue(run_id))
    if not background:
        compute_match_run(run.pk)
        run.refresh_from_db()
    return run


def find_partner_for(programme: Programme, *, person_id: int, role: str, by: Actor) -> MatchRun:
    """A run for one waiting person among the people free now, for the team to review."""
    accepted = Application.objects.filter(
        programme=programme,
        person_id=person_id,
        role=role,
        status=Application.Status.ACCEPTED,
        person__is_active=True,
    ).exists()
    if not accepted:
        raise DomainError(
            _("Only an accepted participant still in the organisation can be matched.")
        )
    _refuse_own(by, [person_id], _("Another manager must find you a partner."))
    return start_match_run(
        programme,
        by=by,
        weights=weights_for(programme),
        settings=settings_for(programme),
        scope=[person_id],
        kind=MatchRun.Kind.REMATCH,
    )


def include_left_aside(run: MatchRun, *, person_id: int, by: Actor) -> MatchRun:
    """The same run again, with someone it left aside (they had left a pairing) taken in.
    An automatic run becomes the team's own rematch, to review and publish as usual."""
    if int(person_id) not in {int(p) for p in run.left_aside}:
        raise DomainError(_("That person was not left aside in this run."))
    kind = MatchRun.Kind.REMATCH if run.kind == MatchRun.Kind.AUTOMATIC else run.kind
    if kind == MatchRun.Kind.CHOICE:
        raise DomainError(_("Choice runs come from the round: resolve the choices again."))
    return start_match_run(
        run.programme,
        by=by,
        mode=run.mode,
        weights=run.weights,
        settings=run.settings,
        scope=run.scope,
        left_aside=[p for p in run.left_aside if int(p) != int(person_id)],
        kind=kind,
        aside_recent_leavers=False,
    )


def compute_match_run(run_id: int) -> MatchRun | None:
    """Load the inputs, run the engine and store what it proposes. Safe to call twice."""
    started = MatchRun.objects.filter(pk=run_id, status=MatchRun.Status.QUEUED).update(
        status=MatchRun.Status.RUNNING,
        started_at=timezone.now(),
        stage=MatchRun.Stage.LOADING,
        progress_percent=STAGE_PERCENT[MatchRun.Stage.LOADING],
    )
    run = MatchRun.objects.select_related("programme").filter(pk=run_id).first()
    if not started or run is None:
        return run  # Someone else took it, or it is gone.
    programme = run.programme
    choices: dict[str, Any] | None = None
    try:
        inputs = _current_inputs(run, programme)
        if run.kind == MatchRun.Kind.CHOICE:
            _report_stage(run.pk, MatchRun.Stage.SOLVING)
            result, choices = _resolve_round(run, inputs)
        else:
            result = match_profiles(
                inputs.mentees,
                inputs.mentors,
                objective=inputs.objective,
                weights=Weights(**run.weights),
                constraints=inputs.constraints,
                focus=inputs.focus,
                topic_relations=inputs.topic_relations,
                fair=run.mode == MatchRun.Mode.FAIR,
                min_group_size=django_settings.UPWARD_SPECIAL_CATEGORY_MIN_GROUP_SIZE,
                progress=lambda stage: _report_stage(run.pk, stage),
            )
    except ValueError as exc:
        # The engine refuses bad input (e.g. a pin that no longer fits) with a plain message.
        _finish(run, status=MatchRun.Status.FAILED, error=_name_people(str(exc), inputs_names(run)))
        return run
    except Exception:
        logger.exception("Matching run %s failed", run.pk)
        _finish(
            run,
            status=MatchRun.Status.FAILED,
            error=_(
                "Something went wrong while matching. Try again; if it fails again, tell "
                "your Upward administrator."
            ),
        )
        return run
    _report_stage(run.pk, MatchRun.Stage.SAVING)
    run.results = _results(inputs, result)
    if choices is not None:
        _add_choices(run.results, choices)
    run.fingerprint = inputs.fingerprint()
    run.n_mentees = len(inputs.mentees)
    run.n_mentors = len(inputs.mentors)
    _finish(run, status=MatchRun.Status.READY)
    return run


# How far a run is when each stage starts. Scoring and solving take most of the time on a
# large cohort; the bar moves at each stage rather than pretending to more precision.
STAGE_PERCENT = {
    MatchRun.Stage.QUEUED: 0,
    MatchRun.Stage.LOADING: 5,
    MatchRun.Stage.SCORING: 20,
    MatchRun.Stage.SOLVING: 45,
    MatchRun.Stage.EXPLAINING: 80,
    MatchRun.Stage.SAVING: 95,
    MatchRun.Stage.DONE: 100,
}


def _report_stage(run_id: int, stage: str) -> None:
    """Store the stage a running run has reached, for the page that polls it. An UPDATE on its
    own (autocommit in the background worker), so the page sees it while the run works."""
    if stage not in STAGE_PERCENT:
        return
    MatchRun.objects.filter(pk=run_id, status=MatchRun.Status.RUNNING).update(
        stage=stage, progress_percent=STAGE_PERCENT[MatchRun.Stage(stage)]
    )


def _finish(run: MatchRun, *, status: str, error: str = "") -> None:
    run.status = status
    run.error = error
    run.finished_at = timezone.now()
    run.stage = MatchRun.Stage.DONE
    run.progress_percent = 100
    run.save(
        update_fields=[
            "stage",
            "progress_percent",
            "status",
            "error",
            "finished_at",
            "results",
            "fingerprint",
            "n_mentees",
            "n_mentors",
        ]
    )


def _results(inputs: MatchInputs, result: MatchResult) -> dict[str, Any]:
    """The engine's answer as plain JSON, by person id."""
    mentees, mentors = result.scorer.mentees, result.scorer.mentors
    pairs = [
        {
            "mentee": int(mentees[e.mentee].id),
            "mentor": int(mentors[e.mentor].id),
            "score": _num(e.score),
            "pinned": e.pinned,
            "contributions": [
                {
                    "criterion": c.criterion,
                    "value": _num(c.value),
                    "weight": _num(c.weight),
                    "points": _num(c.points),
                }
                for c in e.contributions
            ],
        }
        for e in result.explanations
    ]
    pairs.sort(key=lambda p: (-float(p["score"] or 0), int(p["mentee"])))  # type: ignore[arg-type]
    unmatched = [
        {
            "mentee": int(mentees[u.mentee].id),
            "reason": u.reason,
            "eligible": u.eligible_mentors,
            "best_mentor": int(mentors[u.best_mentor].id) if u.best_mentor is not None else None,
            "best_score": _num(u.best_score),
            "cost": _num(u.cost_of_forcing),
            "cost_exact": u.cost_is_exact,
            "pairs_lost": u.pairs_lost,
            "blocking": dict(u.blocking_rules),
        }
        for u in result.unmatched
    ]
    paired_mentors = {p["mentor"] for p in pairs}
    report = result.report
    report_data: dict[str, Any] = {}
    if report is not None:
        report_data = {
            "n_mentees": report.n_mentees,
            "n_mentors": report.n_mentors,
            "matched": report.matched,
            "unmatched": report.unmatched,
            "total": _num(report.total),
            "min_score": _num(report.min_score),
            "p10_score": _num(report.p10_score),
            "median_score": _num(report.median_score),
            "gini": _num(report.gini),
            "mean_mentee_rank": _num(report.mean_mentee_rank),
            "mean_mentor_rank": _num(report.mean_mentor_rank),
            "mentor_load": {str(k): v for k, v in report.mentor_load.items()},
            "parity": [dataclasses.asdict(g) for g in report.parity],
            "suppressed_groups": report.suppressed_groups,
        }
    return {
        "pairs": pairs,
        "unmatched": unmatched,
        "unmatched_mentors": sorted(int(m.id) for m in mentors if int(m.id) not in paired_mentors),
        "left_out": [dataclasses.asdict(x) for x in inputs.left_out],
        "report": report_data,
        "timings": {k: round(v, 4) for k, v in result.timings.items() if isinstance(v, float)},
    }


def _current_inputs(run: MatchRun, programme: Programme) -> MatchInputs:
    return build_match_inputs(
        programme,
        settings=MatchSettings.from_dict(run.settings),
        scope=run.scope,
        left_aside=run.left_aside,
    )


def publish_match_run(run: MatchRun, *, by: Actor) -> list[Pairing]:
    """Turn the run's pairs into proposals; each mentor is asked first, privately."""
    with transaction.atomic():
        programme = _lock_programme(run.programme_id)
        run = MatchRun.objects.select_for_update().get(pk=run.pk)
        _check_programme_state(programme)
        if run.published_at is not None:
            raise Conflict(_("This run has already been published."))
        if run.superseded_at is not None:
            raise Conflict(_("A newer run has replaced this one. Publish the newest run."))
        if run.status != MatchRun.Status.READY:
            raise InvalidTransition(_("Only a finished run can be published."))
        if _current_inputs(run, programme).fingerprint() != run.fingerprint:
            raise Conflict(
                _(
                    "Participants, their answers or your pins and exclusions have changed since "
                    "this run. Run matching again, then publish the new result."
                )
            )
        _refuse_own(
            by,
            [p[role] for p in run.results.get("pairs", []) for role in ("mentor", "mentee")],
            _(
                "This run proposes a pair you are part of, so another manager of the programme "
                "must review and publish it."
            ),
        )
        match_settings = MatchSettings.from_dict(run.settings)
        pairings = _create_proposals(programme, run, match_settings, by=by)
        run.published_at = timezone.now()
        run.published_by = _user(by)
        run.save(update_fields=["published_at", "published_by"])
        record(
            "match_run.published",
            run,
            by=by,
            organisation=programme.organisation,
            data={"pairs": len(pairings), "kind": run.kind},
        )
        _email_proposals(pairings)
        _tell_who_is_left_without(programme, run)
    return pairings


def _tell_who_is_left_without(programme: Programme, run: MatchRun) -> None:
    """Nobody waits unseen: whoever a published run leaves without a partner is told kindly
    what happens next (once), and when an automatic rematch found nobody, the team is told."""
    results = run.results or {}
    paired = {p[role] for p in results.get("pairs", []) for role in ("mentor", "mentee")}
    scope = {int(p) for p in run.scope or []}
    if scope:
        # A rematch for someone: only they are left without; the other free people were
        # candidates, not people this run was for.
        left = scope - paired
    else:
        left = {int(u["mentee"]) for u in results.get("unmatched", [])}
        left |= {int(m) for m in results.get("unmatched_mentors", [])}
        # Of those left out, only people the team must fix something for (no level): people
        # away or who just left a pairing are not being looked for, so no "still looking" note.
        left |= {
            int(x["person_id"]) for x in results.get("left_out", []) if x["reason"] == "no_level"
        }
    if not left:
        return
    tell_unmatched(programme, left)
    if run.kind == MatchRun.Kind.AUTOMATIC:
        names = ", ".join(
            Person.objects.filter(pk__in=left)
            .order_by("full_name")
            .values_list("full_name", flat=True)
        )
        notify_team(
            programme,
            subject=_("Nobody found for %(names)s in %(programme)s")
            % {"names": names, "programme": programme.name},
            template="pairing/email/team_waiting.txt",
            context={"names": names},
            url=reverse("safety:attention", args=[programme.pk]),
            dedupe_key=f"pairing-waiting:{run.pk}",
        )


def _create_proposals(
    programme: Programme, run: MatchRun, match_settings: MatchSettings, *, by: Actor
) -> list[Pairing]:
    now = timezone.now()
    respond_by = now + dt.timedelta(days=match_settings.respond_days)
    pairs = run.results.get("pairs", [])
    live: dict[int, int] = {}
    for mentor_id in Pairing.objects.filter(programme=programme, state__in=LIVE_STATES).values_list(
        "mentor_id", flat=True
    ):
        live[mentor_id] = live.get(mentor_id, 0) + 1
    rows = []
    for pair in pairs:
        if live.get(pair["mentor"], 0) >= match_settings.capacity:
            raise Conflict(_("A mentor in this run has no place left. Run matching again."))
        live[pair["mentor"]] = live.get(pair["mentor"], 0) + 1
        rows.append(
            Pairing(
                programme=programme,
                mentor_id=pair["mentor"],
                mentee_id=pair["mentee"],
                run=run,
                score=pair["score"],
                explanation={"contributions": pair["contributions"], "pinned": pair["pinned"]},
                respond_by=respond_by,
            )
        )
    if not rows:
        return []
    # One INSERT for the whole run: publishing 500 pairs costs what publishing 5 does.
    try:
        with transaction.atomic():
            created = Pairing.objects.bulk_create(rows)
    except IntegrityError as exc:
        raise Conflict(
            _("A mentee in this run already has a partner. Run matching again.")
        ) from exc
    if not all(p.pk for p in created):  # a database that cannot return ids from a bulk insert
        created = list(Pairing.objects.filter(run=run).order_by("pk"))
    record_many(
        "pairing.proposed",
        created,
        by=by,
        organisation=programme.organisation,
        data={"run": run.pk},
    )
    people = Person.objects.in_bulk([p.mentor_id for p in created] + [p.mentee_id for p in created])
    for p in created:
        p.programme = programme
        p.mentor = people[p.mentor_id]
        p.mentee = people[p.mentee_id]
    return created
