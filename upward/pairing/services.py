"""Every write of the matching workflow: runs, the manager's rules, publishing, and each move
of a pairing from the junior mentor's answer to the end.

Services check their rules, write inside one transaction, record an audit entry and send
email after the commit. Pairing moves are conditional UPDATEs on the state that was checked,
so two simultaneous answers cannot both win.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import logging
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.conf import settings as django_settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from matching import (
    Assignment,
    ProfileScorer,
    Weights,
    effective_capacity,
    explain_pairs,
    explain_unmatched,
    match_profiles,
    run_report,
)
from matching.choice import resolve_choices, shortlist
from matching.run import MatchResult
from upward.core.audit import record
from upward.core.errors import Conflict, DomainError, InvalidTransition
from upward.notifications.services import notify
from upward.organisations.models import Person
from upward.pairing import tasks
from upward.pairing.models import (
    LIVE_STATES,
    PAIRING_TRANSITIONS,
    ChoiceOption,
    ChoiceRound,
    Chooser,
    Choosers,
    MatchingMode,
    MatchRule,
    MatchRun,
    MatchSetup,
    Pairing,
    PairingState,
    PairingStateChange,
)
from upward.pairing.selectors import (
    RULE_LABELS,
    MatchInputs,
    MatchSettings,
    build_match_inputs,
    settings_for,
    weights_for,
)
from upward.programmes.access import participants_among
from upward.programmes.models import Programme, State
from upward.recruitment.models import Application, Role

logger = logging.getLogger(__name__)

# Cohorts bigger than this run as a background task; the page polls until the run is done.
BACKGROUND_THRESHOLD = 300
MATCHING_STATES = (State.MATCHING, State.ACTIVE)
REMIND_BEFORE = dt.timedelta(days=2)

SETTING_LIMITS = {
    "min_level_gap": (0, 10),
    "capacity": (1, 10),
    "max_concurrent": (1, 20),
    "respond_days": (1, 60),
    "shortlist_size": (2, 20),
    "max_ranked": (1, 10),
}
# A choice round lasts at least this long, and at most ROUND_LONGEST.
ROUND_SHORTEST = dt.timedelta(hours=1)
ROUND_LONGEST = dt.timedelta(days=60)


def _user(by: Any) -> Any:
    return by if getattr(by, "is_authenticated", False) else None


def _actor_id(by: Any) -> int | None:
    """The directory entry of the user acting, if any (None for the scheduler)."""
    if not getattr(by, "is_authenticated", False):
        return None
    return Person.objects.filter(user_id=by.pk).values_list("pk", flat=True).first()


def _refuse_own(by: Any, people: Iterable[Any], message: str) -> None:
    """Nobody decides about a pairing they are part of. A second line of defence behind the
    access rule (nobody manages a programme they take part in), for data made before it."""
    actor = _actor_id(by)
    if actor is None:
        return
    ids = set()
    for value in people:
        with contextlib.suppress(TypeError, ValueError):
            ids.add(int(getattr(value, "pk", value)))
    if actor in ids:
        raise DomainError(message)


def _own_rule() -> str:
    return _(
        "You cannot pin, exclude or swap a pair you are part of: another manager of the "
        "programme must decide who you are paired with."
    )


def _own_pairing() -> str:
    return _(
        "You are part of this pairing, so another manager of the programme must take this step."
    )


def _lock_programme(programme: Programme | int) -> Programme:
    # Serialises runs, publishing and capacity checks of one programme (a row lock on
    # PostgreSQL; SQLite's IMMEDIATE transactions already serialise writers).
    pk = programme if isinstance(programme, int) else programme.pk
    return Programme.objects.select_for_update().select_related("organisation").get(pk=pk)


def _check_programme_state(programme: Programme) -> None:
    if programme.state not in MATCHING_STATES:
        raise InvalidTransition(
            _(
                "Matching happens while the programme is in its matching stage (and, to find "
                "new partners, while it is active). This programme is %(state)s."
            )
            % {"state": programme.get_state_display().lower()}
        )


def clean_weights(values: Mapping[str, Any]) -> Weights:
    """Weights from a form or the API, with a plain message when one is not usable."""
    try:
        numbers = {k: float(v) for k, v in values.items()}
        return Weights(**numbers)
    except TypeError as exc:
        raise DomainError(_("Unknown weight: %(error)s.") % {"error": exc}) from exc
    except ValueError as exc:
        raise DomainError(
            _(
                "Each weight must be a number of 0 or more, and the related-topic credit "
                "between 0 and 1."
            )
        ) from exc


def clean_settings(values: Mapping[str, Any] | MatchSettings) -> MatchSettings:
    if isinstance(values, MatchSettings):
        values = dataclasses.asdict(values)
    defaults = MatchSettings()
    try:
        result = MatchSettings(
            min_level_gap=int(values.get("min_level_gap", 1)),
            exclude_same_team=bool(values.get("exclude_same_team", True)),
            capacity=int(values.get("capacity", 1)),
            max_concurrent=int(values.get("max_concurrent", 2)),
            respond_days=int(values.get("respond_days", 7)),
            matching_mode=str(values.get("matching_mode") or defaults.matching_mode),
            who_chooses=str(values.get("who_chooses") or defaults.who_chooses),
            shortlist_size=int(values.get("shortlist_size", defaults.shortlist_size)),
            max_ranked=int(values.get("max_ranked", defaults.max_ranked)),
        )
    except (TypeError, ValueError) as exc:
        raise DomainError(_("The matching settings must be whole numbers.")) from exc
    for name, (low, high) in SETTING_LIMITS.items():
        value = getattr(result, name)
        if not low <= value <= high:
            raise DomainError(
                _("%(name)s must be between %(low)s and %(high)s.")
                % {"name": name.replace("_", " ").capitalize(), "low": low, "high": high},
                field=name,
            )
    if result.matching_mode not in MatchingMode.values:
        raise DomainError(
            _("Choose whether the programme team proposes pairs or participants choose."),
            field="matching_mode",
        )
    if result.who_chooses not in Choosers.values:
        raise DomainError(
            _("Choose who chooses: mentees, mentors or both."), field="who_chooses"
        )
    if result.max_ranked > result.shortlist_size:
        raise DomainError(
            _("People cannot rank more partners than they are shown (%(n)s).")
            % {"n": result.shortlist_size},
            field="max_ranked",
        )
    return result


def save_match_setup(
    programme: Programme,
    *,
    by: Any,
    weights: Mapping[str, Any] | Weights,
    settings: Mapping[str, Any] | MatchSettings,
) -> MatchSetup:
    """Keep the settings and weights (the matching mode included) for the next run or round."""
    chosen_weights = weights if isinstance(weights, Weights) else clean_weights(weights)
    chosen_settings = clean_settings(settings)
    with transaction.atomic():
        programme = _lock_programme(programme)
        _check_programme_state(programme)
        setup, _created = MatchSetup.objects.update_or_create(
            programme=programme,
            defaults={
                "weights": dataclasses.asdict(chosen_weights),
                "settings": dataclasses.asdict(chosen_settings),
                "saved_by": _user(by),
                "saved_at": timezone.now(),
            },
        )
        record(
            "match_setup.saved",
            setup,
            by=by,
            organisation=programme.organisation,
            data={"matching_mode": chosen_settings.matching_mode},
        )
    return setup


# ---------------------------------------------------------------------------------------------
# Runs


def start_match_run(
    programme: Programme,
    *,
    by: Any,
    mode: str = MatchRun.Mode.OPTIMAL,
    weights: Mapping[str, Any] | Weights | None = None,
    settings: Mapping[str, Any] | MatchSettings | None = None,
    scope: Iterable[int] = (),
    left_aside: Iterable[int] = (),
    kind: str = MatchRun.Kind.FULL,
    choice_round: ChoiceRound | None = None,
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
    left_aside = sorted({int(p) for p in left_aside})
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


def compute_match_run(run_id: int) -> MatchRun | None:
    """Load the inputs, run the engine and store what it proposes. Safe to call twice."""
    started = MatchRun.objects.filter(pk=run_id, status=MatchRun.Status.QUEUED).update(
        status=MatchRun.Status.RUNNING, started_at=timezone.now()
    )
    run = MatchRun.objects.select_related("programme").filter(pk=run_id).first()
    if not started or run is None:
        return run  # Someone else took it, or it is gone.
    programme = run.programme
    choices: dict[str, Any] | None = None
    try:
        inputs = _current_inputs(run, programme)
        if run.kind == MatchRun.Kind.CHOICE:
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
    run.results = _results(inputs, result)
    if choices is not None:
        _add_choices(run.results, choices)
    run.fingerprint = inputs.fingerprint()
    run.n_mentees = len(inputs.mentees)
    run.n_mentors = len(inputs.mentors)
    _finish(run, status=MatchRun.Status.READY)
    return run


def _finish(run: MatchRun, *, status: str, error: str = "") -> None:
    run.status = status
    run.error = error
    run.finished_at = timezone.now()
    run.save(
        update_fields=[
            "status",
            "error",
            "finished_at",
            "results",
            "fingerprint",
            "n_mentees",
            "n_mentors",
        ]
    )


def inputs_names(run: MatchRun) -> dict[int, str]:
    ids = {r.mentee_id for r in run.programme.match_rules.all()} | {
        r.mentor_id for r in run.programme.match_rules.all()
    }
    return dict(Person.objects.filter(pk__in=ids).values_list("pk", "full_name"))


def _name_people(message: str, names: Mapping[int, str]) -> str:
    for pk, name in names.items():
        message = message.replace(f"'{pk}'", name)
    return message


def _num(value: float | None) -> float | None:
    return None if value is None else round(float(value), 4)


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


def publish_match_run(run: MatchRun, *, by: Any) -> list[Pairing]:
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
        for pairing in pairings:
            _email_proposal(pairing)
    return pairings


def _create_proposals(
    programme: Programme, run: MatchRun, match_settings: MatchSettings, *, by: Any
) -> list[Pairing]:
    now = timezone.now()
    respond_by = now + dt.timedelta(days=match_settings.respond_days)
    pairs = run.results.get("pairs", [])
    live: dict[int, int] = {}
    for mentor_id in Pairing.objects.filter(programme=programme, state__in=LIVE_STATES).values_list(
        "mentor_id", flat=True
    ):
        live[mentor_id] = live.get(mentor_id, 0) + 1
    created = []
    for pair in pairs:
        if live.get(pair["mentor"], 0) >= match_settings.capacity:
            raise Conflict(_("A mentor in this run has no place left. Run matching again."))
        live[pair["mentor"]] = live.get(pair["mentor"], 0) + 1
        try:
            with transaction.atomic():
                pairing = Pairing.objects.create(
                    programme=programme,
                    mentor_id=pair["mentor"],
                    mentee_id=pair["mentee"],
                    run=run,
                    score=pair["score"],
                    explanation={
                        "contributions": pair["contributions"],
                        "pinned": pair["pinned"],
                    },
                    respond_by=respond_by,
                )
        except IntegrityError as exc:
            raise Conflict(
                _("A mentee in this run already has a partner. Run matching again.")
            ) from exc
        record(
            "pairing.proposed",
            pairing,
            by=by,
            organisation=programme.organisation,
            data={"run": run.pk},
        )
        created.append(pairing)
    if created:
        mentors = Person.objects.in_bulk([p.mentor_id for p in created])
        mentees = Person.objects.in_bulk([p.mentee_id for p in created])
        for p in created:
            p.programme = programme
            p.mentor = mentors[p.mentor_id]
            p.mentee = mentees[p.mentee_id]
    return created


# ---------------------------------------------------------------------------------------------
# The manager's pins and exclusions


def _accepted(programme: Programme, person_id: Any, role: str) -> Person:
    try:
        pk = int(person_id)
    except (TypeError, ValueError):
        pk = None
    application = (
        Application.objects.select_related("person")
        .filter(programme=programme, person_id=pk, role=role, status=Application.Status.ACCEPTED)
        .first()
        if pk is not None
        else None
    )
    if application is None:
        noun = _("mentee") if role == Role.MENTEE else _("mentor")
        raise DomainError(
            _("That person is not an accepted %(role)s of this programme.") % {"role": noun},
            field=role,
        )
    return application.person


def _check_pin(programme: Programme, mentee: Person, mentor: Person) -> None:
    """The pin must pass every hard rule and fit in the mentor's free places."""
    inputs = build_match_inputs(
        programme, settings=settings_for(programme), scope=[mentee.pk, mentor.pk]
    )
    me = [p for p in inputs.mentees if p.id == str(mentee.pk)]
    mo = [p for p in inputs.mentors if p.id == str(mentor.pk)]
    if not me:
        raise DomainError(
            _("%(name)s already has a partner or has no level in the directory.")
            % {"name": mentee.full_name}
        )
    if not mo:
        raise DomainError(
            _("%(name)s has no free place or has no level in the directory.")
            % {"name": mentor.full_name}
        )
    constraints = dataclasses.replace(
        inputs.constraints,
        pins=frozenset(),
        exclusions=inputs.constraints.exclusions - {(str(mentee.pk), str(mentor.pk))},
    )
    scorer = ProfileScorer(me, mo, constraints=constraints, objective=inputs.objective)
    failed = scorer.rules_failed(0, 0)
    if failed:
        raise DomainError(
            _("%(mentee)s and %(mentor)s cannot be paired: %(rules)s.")
            % {
                "mentee": mentee.full_name,
                "mentor": mentor.full_name,
                "rules": ", ".join(str(RULE_LABELS.get(r, r)) for r in failed),
            }
        )
    pinned = (
        MatchRule.objects.filter(programme=programme, kind=MatchRule.Kind.PIN, mentor=mentor)
        .exclude(mentee=mentee)
        .count()
    )
    if pinned >= effective_capacity(mo[0]):
        raise DomainError(
            _("%(name)s has no free place left for another pinned pair.")
            % {"name": mentor.full_name}
        )


def add_match_rule(
    programme: Programme, *, kind: str, mentee_id: Any, mentor_id: Any, by: Any
) -> MatchRule:
    """Pin (always pair) or exclude (never pair) a mentee and a mentor on every later run.

    A new rule replaces an earlier one for the same pair, and a new pin replaces the mentee's
    earlier pin.
    """
    if kind not in MatchRule.Kind.values:
        raise DomainError(_("Choose to pin or to exclude the pair."), field="kind")
    with transaction.atomic():
        programme = _lock_programme(programme)
        _check_programme_state(programme)
        mentee = _accepted(programme, mentee_id, Role.MENTEE)
        mentor = _accepted(programme, mentor_id, Role.MENTOR)
        _refuse_own(by, [mentee, mentor], _own_rule())
        replaced = Q(mentor=mentor)
        if kind == MatchRule.Kind.PIN:
            replaced |= Q(kind=MatchRule.Kind.PIN)  # A mentee has one pin at most.
        MatchRule.objects.filter(replaced, programme=programme, mentee=mentee).delete()
        if kind == MatchRule.Kind.PIN:
            _check_pin(programme, mentee, mentor)
        rule = MatchRule.objects.create(
            programme=programme, kind=kind, mentee=mentee, mentor=mentor, created_by=_user(by)
        )
        record(
            f"match_rule.{kind}",
            rule,
            by=by,
            organisation=programme.organisation,
            data={"mentee": mentee.pk, "mentor": mentor.pk},
        )
    return rule


def remove_match_rule(rule: MatchRule, *, by: Any) -> None:
    _refuse_own(by, [rule.mentee_id, rule.mentor_id], _own_rule())
    with transaction.atomic():
        programme = _lock_programme(rule.programme_id)
        _check_programme_state(programme)
        record(
            "match_rule.removed",
            rule,
            by=by,
            organisation=programme.organisation,
            data={"kind": rule.kind, "mentee": rule.mentee_id, "mentor": rule.mentor_id},
        )
        MatchRule.objects.filter(pk=rule.pk).delete()


def swap_mentors(run: MatchRun, *, mentee_a: Any, mentee_b: Any, by: Any) -> list[MatchRule]:
    """Give two mentees of a run each other's mentor, as two pins kept for the next run."""
    try:
        a, b = int(mentee_a), int(mentee_b)
    except (TypeError, ValueError) as exc:
        raise DomainError(_("Choose two mentees from this run.")) from exc
    if a == b:
        raise DomainError(_("Choose two different mentees to swap."))
    mentor_of = {p["mentee"]: p["mentor"] for p in run.results.get("pairs", [])}
    if a not in mentor_of or b not in mentor_of:
        raise DomainError(_("Both mentees must have a partner in this run to swap them."))
    _refuse_own(by, [a, b, mentor_of[a], mentor_of[b]], _own_rule())
    with transaction.atomic():
        MatchRule.objects.filter(
            programme_id=run.programme_id, kind=MatchRule.Kind.PIN, mentee_id__in=[a, b]
        ).delete()
        rules = [
            add_match_rule(
                run.programme, kind=MatchRule.Kind.PIN, mentee_id=a, mentor_id=mentor_of[b], by=by
            ),
            add_match_rule(
                run.programme, kind=MatchRule.Kind.PIN, mentee_id=b, mentor_id=mentor_of[a], by=by
            ),
        ]
    return rules


# ---------------------------------------------------------------------------------------------
# Choice rounds: participants rank their recommended partners; the engine resolves everyone's
# choices together (matching.choice) into a run the programme team reviews and publishes.


def _has_open_round(programme: Programme) -> bool:
    return ChoiceRound.objects.filter(programme=programme, status=ChoiceRound.Status.OPEN).exists()


@dataclass
class _ChoiceProblem:
    scorer: ProfileScorer  # pinned mentees blocked
    base: ProfileScorer  # nobody blocked (for the report)
    pinned: list[tuple[int, int]]
    capacity: np.ndarray  # places left after the pins
    scores: np.ndarray
    allowed: np.ndarray


def _fix_pins(scorer: ProfileScorer) -> list[tuple[int, int]]:
    """The manager's pins as index pairs, checked like the engine checks them."""
    out: list[tuple[int, int]] = []
    left = scorer.capacity.copy()
    seen: set[int] = set()
    for mentee_id, mentor_id in sorted(scorer.constraints.pins):
        if mentee_id not in scorer.mentee_index or mentor_id not in scorer.mentor_index:
            raise ValueError(f"pin ({mentee_id!r}, {mentor_id!r}) names someone not in the run")
        i, j = scorer.mentee_index[mentee_id], scorer.mentor_index[mentor_id]
        if i in seen:
            raise ValueError(f"mentee {mentee_id!r} is pinned more than once")
        failed = scorer.rules_failed(i, j)
        if failed:
            raise ValueError(
                f"pin ({mentee_id!r}, {mentor_id!r}) breaks hard rule(s): " + ", ".join(failed)
            )
        if left[j] <= 0:
            raise ValueError(f"pin ({mentee_id!r}, {mentor_id!r}) exceeds the mentor's places")
        left[j] -= 1
        seen.add(i)
        out.append((i, j))
    return out


def _choice_problem(inputs: MatchInputs, weights: Weights) -> _ChoiceProblem:
    """Scores and the allowed mask of the free people, pins fixed first (as in a normal run)."""
    base = ProfileScorer(
        list(inputs.mentees),
        list(inputs.mentors),
        weights=weights,
        constraints=inputs.constraints,
        objective=inputs.objective,
        focus=inputs.focus,
        topic_relations=inputs.topic_relations,
    )
    pinned = _fix_pins(base)
    capacity = base.capacity.copy()
    for _i, j in pinned:
        capacity[j] -= 1
    scorer = base.with_blocked(i for i, _j in pinned) if pinned else base
    scores, allowed = scorer.block(np.arange(scorer.shape[0]))
    return _ChoiceProblem(
        scorer, base, pinned, capacity, np.asarray(scores, np.float64), np.asarray(allowed)
    )


def _contribution_rows(
    scorer: ProfileScorer, pairs: list[tuple[int, int]]
) -> list[list[dict[str, Any]]]:
    if not pairs:
        return []
    pi = np.array([p[0] for p in pairs], dtype=np.int64)
    pj = np.array([p[1] for p in pairs], dtype=np.int64)
    values, points = scorer.components(pi, pj), scorer.points(pi, pj)
    weights = scorer.criterion_weights()
    return [
        [
            {
                "criterion": name,
                "value": _num(values[name][k]),
                "weight": _num(weights[name]),
                "points": _num(points[name][k]),
            }
            for name in values
        ]
        for k in range(len(pairs))
    ]


def open_choice_round(programme: Programme, *, by: Any, closes_at: dt.datetime) -> ChoiceRound:
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
        raise DomainError(
            _("A round can stay open for 60 days at most."), field="closes_at"
        )
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
    by: Any,
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


def save_ranking(chooser: Chooser, *, ranking: Iterable[Any], by: Any) -> Chooser:
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
                _("You can rank up to %(n)s people.") % {"n": round_.max_ranked}
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


def close_choice_round(round_: ChoiceRound, *, by: Any, on_deadline: bool = False) -> MatchRun:
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


def _start_choice_run(programme: Programme, round_: ChoiceRound, *, by: Any) -> MatchRun:
    return start_match_run(
        programme,
        by=by,
        mode=MatchRun.Mode.OPTIMAL,
        weights=round_.weights,
        settings=round_.settings,
        kind=MatchRun.Kind.CHOICE,
        choice_round=round_,
    )


def resolve_choices_again(run: MatchRun, *, by: Any) -> MatchRun:
    """After pins or exclusions changed: resolve the same round's choices again."""
    round_ = ChoiceRound.objects.filter(runs=run).first()
    if run.kind != MatchRun.Kind.CHOICE or round_ is None:
        raise DomainError(_("Only a run from participants' choices can be resolved again."))
    if round_.is_open:
        raise InvalidTransition(_("Close the choice round first."))
    if round_.status == ChoiceRound.Status.CANCELLED:
        raise InvalidTransition(_("This choice round was cancelled."))
    return _start_choice_run(run.programme, round_, by=by)


def cancel_choice_round(round_: ChoiceRound, *, by: Any) -> ChoiceRound:
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


def _resolve_round(run: MatchRun, inputs: MatchInputs) -> tuple[MatchResult, dict[str, Any]]:
    """The engine's answer for a choice run, in the shape of a normal run, plus the choices."""
    round_ = ChoiceRound.objects.get(runs=run)
    problem = _choice_problem(inputs, Weights(**run.weights))
    scorer = problem.scorer
    n, m = scorer.shape
    mentee_index, mentor_index = scorer.mentee_index, scorer.mentor_index

    # Everyone's stored ranking, best first. Choices that can no longer be made (the partner
    # was paired meanwhile, left, or is now excluded) are dropped; the rest keep their order.
    given: dict[tuple[str, int, int], int] = {}  # (role, mentee id, mentor id) -> rank
    status: dict[tuple[str, int], str] = {}  # (role, person id) -> "ranked" / "silent"
    for chooser in Chooser.objects.filter(round=round_).values("person_id", "role", "ranked_at"):
        key = (chooser["role"], chooser["person_id"])
        status[key] = "ranked" if chooser["ranked_at"] else "silent"
    mentee_ranks: list[list[int]] = [[] for _ in range(n)]
    mentor_ranks: list[list[int]] = [[] for _ in range(m)]
    dropped = 0
    for person_id, role, partner_id, rank in (
        ChoiceOption.objects.filter(chooser__round=round_, rank__isnull=False)
        .order_by("chooser_id", "rank")
        .values_list("chooser__person_id", "chooser__role", "partner_id", "rank")
    ):
        if role == "mentee":
            mentee_id, mentor_id = person_id, partner_id
        else:
            mentee_id, mentor_id = partner_id, person_id
        given[(role, mentee_id, mentor_id)] = int(rank or 0)
        i, j = mentee_index.get(str(mentee_id)), mentor_index.get(str(mentor_id))
        if i is None or j is None or not problem.allowed[i, j]:
            dropped += 1
            continue
        if role == "mentee":
            mentee_ranks[i].append(j)
        else:
            mentor_ranks[j].append(i)

    resolved = resolve_choices(
        problem.scores,
        allowed=problem.allowed,
        capacity=problem.capacity,
        mentee_ranks=mentee_ranks,
        mentor_ranks=mentor_ranks,
    )
    certified = resolved.verify()
    if not certified:  # pragma: no cover - the engine's certificate should always hold
        logger.error("Choice run %s: the certificate did not verify", run.pk)
    engine = resolved.assignment
    pinned = problem.pinned
    pinned_rows = {i for i, _j in pinned}
    explanations = explain_pairs(engine, scorer, pinned=tuple(pinned))
    still = Assignment(
        engine.pairs,
        resolved.score_total,
        tuple(i for i in engine.unmatched if i not in pinned_rows),
        engine.certificate,
        n,
        m,
    )
    # Only the reason and who was eligible are kept for choice runs: the "cost of forcing"
    # is a score figure, and here places went to choices rather than to the highest score.
    unmatched = explain_unmatched(still, scorer, problem.capacity, exact=False)
    every_pair = tuple(sorted((*engine.pairs, *pinned)))
    scores_by_pair = {(e.mentee, e.mentor): e.score for e in explanations}
    report = run_report(
        Assignment(
            every_pair,
            math.fsum(scores_by_pair.get(p, 0.0) for p in every_pair),
            still.unmatched,
            engine.certificate,
            n,
            m,
        ),
        problem.base,
        capacity=problem.base.capacity,
        pair_scores=[scores_by_pair[p] for p in every_pair],
        mentee_groups=[p.group if p.group_consent else None for p in scorer.mentees],
        mentor_groups=[p.group if p.group_consent else None for p in scorer.mentors],
        min_group_size=django_settings.UPWARD_SPECIAL_CATEGORY_MIN_GROUP_SIZE,
    )
    result = MatchResult(
        pairs=tuple(sorted((scorer.mentees[i].id, scorer.mentors[j].id) for i, j in every_pair)),
        explanations=explanations,
        unmatched=unmatched,
        report=report,
        assignment=engine,
        pinned=tuple(sorted(pinned)),
        scorer=scorer,
        capacity=problem.capacity,
        timings={},
    )
    return result, {
        "round": round_.pk,
        "who_chooses": round_.who_chooses,
        "given": given,
        "status": status,
        "dropped": dropped,
        "certified": certified,
        "score_resolution": resolved.score_resolution,
    }


def _add_choices(results: dict[str, Any], choices: Mapping[str, Any]) -> None:
    """Per pair, which choice it was for each side; per side, how the choosers fared."""
    given: Mapping[tuple[str, int, int], int] = choices["given"]
    status: Mapping[tuple[str, int], str] = choices["status"]
    received: dict[tuple[str, int], list[int]] = {}  # chooser -> ranks of the partners they got
    for pair in results["pairs"]:
        mentee, mentor = pair["mentee"], pair["mentor"]
        choice: dict[str, Any] = {}
        for role, person in (("mentee", mentee), ("mentor", mentor)):
            rank = given.get((role, mentee, mentor))
            choice[role] = rank
            choice[f"{role}_chooses"] = status.get((role, person), "")
            if (role, person) in status:
                received.setdefault((role, person), []).extend([rank] if rank else [])
        pair["choice"] = choice
    for row in results["unmatched"]:
        row["choice_run"] = True
        row["cost"] = None
    summary: dict[str, Any] = {
        "round": choices["round"],
        "who_chooses": choices["who_chooses"],
        "dropped": choices["dropped"],
        "certified": choices["certified"],
        "score_resolution": _num(choices["score_resolution"]),
    }
    for role in ("mentee", "mentor"):
        people = [p for (r, p), s in status.items() if r == role]
        if not people:
            continue
        ranked = [p for p in people if status[(role, p)] == "ranked"]
        got = [min(received.get((role, p)) or [0]) or None for p in ranked]
        summary[role] = {
            "asked": len(people),
            "ranked": len(ranked),
            "first": sum(1 for r in got if r == 1),
            "top3": sum(1 for r in got if r is not None and r <= 3),
            "any": sum(1 for r in got if r is not None),
            "none": sum(1 for r in got if r is None),
            "unmatched": sum(1 for p in ranked if (role, p) not in received),
        }
    results["choice"] = summary


# ---------------------------------------------------------------------------------------------
# Pairing moves


def _move(
    pairing: Pairing, *, to: str, by: Any, expect: Iterable[str] | None = None, **fields: Any
) -> Pairing:
    """Move the pairing if it is still in the state we checked; otherwise say it moved on."""
    source = pairing.state
    if expect is not None and source not in expect:
        raise InvalidTransition(_already(pairing))
    if to not in PAIRING_TRANSITIONS[source]:
        raise InvalidTransition(_already(pairing))
    now = timezone.now()
    won = Pairing.objects.filter(pk=pairing.pk, state=source).update(
        state=to, updated_at=now, **fields
    )
    if not won:
        pairing.refresh_from_db(fields=["state"])
        raise InvalidTransition(_already(pairing))
    PairingStateChange.objects.create(pairing=pairing, from_state=source, to_state=to, by=_user(by))
    for name, value in fields.items():
        setattr(pairing, name, value)
    pairing.state = to
    record(
        "pairing.state_changed",
        pairing,
        by=by,
        organisation=pairing.programme.organisation,
        data={"from": source, "to": to},
    )
    return pairing


def _already(pairing: Pairing) -> str:
    return _(
        "This pairing has already moved on (it is now: %(state)s). Reload the page to see "
        "where it stands."
    ) % {"state": PairingState(pairing.state).label.lower()}


def _respond_days(pairing: Pairing) -> int:
    if pairing.run is not None:
        return MatchSettings.from_dict(pairing.run.settings).respond_days
    return MatchSettings().respond_days


def answer_proposal(pairing: Pairing, *, person: Person, accept: bool) -> Pairing:
    """The junior mentor's private answer. Only a yes reaches the mentee; a no starts a
    search for another mentor for them, and they never hear of it."""
    if pairing.mentor_id != person.pk:
        raise DomainError(_("Only the proposed mentor can answer this proposal."))
    by = person.user
    with transaction.atomic():
        now = timezone.now()
        if accept:
            pairing = _move(
                pairing,
                to=PairingState.MENTOR_ACCEPTED,
                by=by,
                expect=[PairingState.PROPOSED],
                mentor_responded_at=now,
                mentee_told_at=now,
                respond_by=now + dt.timedelta(days=_respond_days(pairing)),
            )
            _email_mentee_told(pairing)
        else:
            pairing = _move(
                pairing,
                to=PairingState.DECLINED,
                by=by,
                expect=[PairingState.PROPOSED],
                mentor_responded_at=now,
                closed_by=Pairing.ClosedBy.MENTOR,
                closed_at=now,
            )
            _rematch_later(pairing)
    return pairing


def answer_pairing(pairing: Pairing, *, person: Person, accept: bool) -> Pairing:
    """The senior mentee confirms (the pairing starts) or declines after the mentor said yes."""
    if pairing.mentee_id != person.pk or pairing.mentee_told_at is None:
        raise DomainError(_("Only the mentee can confirm this pairing."))
    by = person.user
    with transaction.atomic():
        now = timezone.now()
        if accept:
            pairing = _move(
                pairing,
                to=PairingState.ACTIVE,
                by=by,
                expect=[PairingState.MENTOR_ACCEPTED],
                mentee_responded_at=now,
            )
            _email_active(pairing)
        else:
            pairing = _move(
                pairing,
                to=PairingState.DECLINED,
                by=by,
                expect=[PairingState.MENTOR_ACCEPTED],
                mentee_responded_at=now,
                closed_by=Pairing.ClosedBy.MENTEE,
                closed_at=now,
            )
            _rematch_later(pairing)
    return pairing


def end_pairing(
    pairing: Pairing,
    *,
    by: Any,
    reason: str = "",
    closed_by: str = Pairing.ClosedBy.MANAGER,
    notify_people: bool = True,
) -> Pairing:
    """End a live pairing. The reason stays with the programme team.

    The programme team ends pairings from its pairings page (`closed_by` manager, both people
    told). A participant who leaves goes through the safety app, which passes `closed_by` as
    their role and tells only the partner, in its own neutral words (`notify_people=False`).
    """
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(
            _("Note why the pairing ends; only the programme team sees it."), field="reason"
        )
    if closed_by not in Pairing.ClosedBy.values:
        raise DomainError(_("Unknown party ending the pairing."))
    if closed_by == Pairing.ClosedBy.MANAGER:
        # A participant ends their own pairing through the safety app, as mentor or mentee.
        _refuse_own(by, [pairing.mentor_id, pairing.mentee_id], _own_pairing())
    with transaction.atomic():
        pairing = _move(
            pairing,
            to=PairingState.ENDED,
            by=by,
            expect=LIVE_STATES,
            closed_by=closed_by,
            closed_reason=reason,
            closed_at=timezone.now(),
        )
        if notify_people:
            _email_ended(pairing)
    return pairing


def complete_pairing(pairing: Pairing, *, by: Any) -> Pairing:
    _refuse_own(by, [pairing.mentor_id, pairing.mentee_id], _own_pairing())
    with transaction.atomic():
        return _move(pairing, to=PairingState.COMPLETED, by=by, expect=[PairingState.ACTIVE])


def find_new_partner(pairing: Pairing, *, for_role: str, by: Any) -> MatchRun:
    """After a pairing ended: a run over the free people for the one who needs a partner,
    leaving every other pair as it is. The manager reviews and publishes it as usual."""
    if pairing.state in LIVE_STATES:
        raise InvalidTransition(_("End this pairing before looking for a new partner."))
    if for_role not in (Role.MENTOR, Role.MENTEE):
        raise DomainError(_("Choose the mentor or the mentee."))
    _refuse_own(by, [pairing.mentor_id, pairing.mentee_id], _own_pairing())
    person_id = pairing.mentor_id if for_role == Role.MENTOR else pairing.mentee_id
    return start_match_run(
        pairing.programme,
        by=by,
        mode=MatchRun.Mode.OPTIMAL,
        weights=weights_for(pairing.programme),
        settings=settings_for(pairing.programme),
        scope=[person_id],
        kind=MatchRun.Kind.REMATCH,
    )


def _rematch_later(pairing: Pairing) -> None:
    pairing_id = pairing.pk
    transaction.on_commit(lambda: tasks.rematch_after_decline_task.enqueue(pairing_id))


def rematch_after_decline(pairing_id: int) -> MatchRun | None:
    """Find the other person a new partner among the free people, without touching any other
    pair, and propose it at once (the new mentor is asked first, as always)."""
    pairing = Pairing.objects.select_related("programme", "run").filter(pk=pairing_id).first()
    if pairing is None or pairing.state != PairingState.DECLINED:
        return None
    if pairing.programme.state not in MATCHING_STATES:
        return None
    freed = pairing.mentor_id if pairing.closed_by == Pairing.ClosedBy.MENTEE else pairing.mentee_id
    source = pairing.run
    # Whoever said no (or let the deadline pass) in this programme is not asked again
    # automatically; the programme team can still include them in a run of their own.
    said_no = set()
    for mentor_id, mentee_id, closed_by in Pairing.objects.filter(
        programme=pairing.programme, state=PairingState.DECLINED
    ).values_list("mentor_id", "mentee_id", "closed_by"):
        said_no.add(mentee_id if closed_by == Pairing.ClosedBy.MENTEE else mentor_id)
    said_no.discard(freed)
    for _attempt in range(2):
        try:
            run = start_match_run(
                pairing.programme,
                by=None,
                mode=source.mode if source else MatchRun.Mode.OPTIMAL,
                weights=Weights(**source.weights) if source else None,
                settings=MatchSettings.from_dict(source.settings) if source else None,
                scope=[freed],
                left_aside=said_no,
                kind=MatchRun.Kind.AUTOMATIC,
            )
            if run.status != MatchRun.Status.READY:
                return run
            publish_match_run(run, by=None)
            return run
        except Conflict:
            continue  # Someone changed the programme in between: look again, once.
    return None


# ---------------------------------------------------------------------------------------------
# Deadlines and reminders


@dataclass
class ReminderReport:
    reminded_mentors: int = 0
    reminded_mentees: int = 0
    expired: int = 0
    overdue_mentees: int = 0
    reminded_choosers: int = 0
    rounds_closed: int = 0


def send_pairing_reminders(
    *, now: dt.datetime | None = None, dry_run: bool = False
) -> ReminderReport:
    """Remind once shortly before the deadline; let unanswered mentor proposals expire.

    A reminder is recorded on the pairing with a conditional UPDATE before its email is
    queued, so running this twice (or twice at once) never sends it twice. An expired mentor
    proposal counts as a decline: the mentee gets another mentor without ever hearing of it.
    An overdue mentee answer is left for the programme team to follow up.
    """
    now = now or timezone.now()
    report = ReminderReport()
    soon = now + REMIND_BEFORE
    for state, stamp, field in (
        (PairingState.PROPOSED, "mentor_reminded_at", "reminded_mentors"),
        (PairingState.MENTOR_ACCEPTED, "mentee_reminded_at", "reminded_mentees"),
    ):
        due = Pairing.objects.filter(
            state=state, respond_by__gt=now, respond_by__lte=soon, **{f"{stamp}__isnull": True}
        ).select_related("programme", "mentor", "mentee")
        for pairing in due:
            if dry_run:
                setattr(report, field, getattr(report, field) + 1)
                continue
            with transaction.atomic():
                won = Pairing.objects.filter(
                    pk=pairing.pk, state=state, **{f"{stamp}__isnull": True}
                ).update(**{stamp: now})
                if won:
                    _email_reminder(pairing, to_mentor=state == PairingState.PROPOSED)
                    setattr(report, field, getattr(report, field) + 1)
    expired = Pairing.objects.filter(
        state=PairingState.PROPOSED, respond_by__lte=now
    ).select_related("programme__organisation")
    for pairing in expired:
        if dry_run:
            report.expired += 1
            continue
        try:
            with transaction.atomic():
                _move(
                    pairing,
                    to=PairingState.DECLINED,
                    by=None,
                    expect=[PairingState.PROPOSED],
                    closed_by=Pairing.ClosedBy.DEADLINE,
                    closed_at=now,
                )
                _rematch_later(pairing)
        except InvalidTransition:
            continue  # Answered in the meantime.
        report.expired += 1
    report.overdue_mentees = Pairing.objects.filter(
        state=PairingState.MENTOR_ACCEPTED, respond_by__lte=now
    ).count()
    _choice_round_deadlines(report, now=now, soon=soon, dry_run=dry_run)
    return report


def _choice_round_deadlines(
    report: ReminderReport, *, now: dt.datetime, soon: dt.datetime, dry_run: bool
) -> None:
    """Remind choosers who have not ranked yet, once; close rounds whose deadline passed."""
    waiting = Chooser.objects.filter(
        round__status=ChoiceRound.Status.OPEN,
        round__closes_at__gt=now,
        round__closes_at__lte=soon,
        ranked_at__isnull=True,
        reminded_at__isnull=True,
    ).select_related("person", "round__programme")
    for chooser in waiting:
        if dry_run:
            report.reminded_choosers += 1
            continue
        with transaction.atomic():
            won = Chooser.objects.filter(
                pk=chooser.pk, ranked_at__isnull=True, reminded_at__isnull=True
            ).update(reminded_at=now)
            if won:
                round_ = chooser.round
                _send_later(
                    _("Reminder: choose your partner by %(date)s")
                    % {"date": date_format(timezone.localtime(round_.closes_at), "j F Y")},
                    "choice_reminder.txt",
                    {
                        "name": chooser.person.full_name,
                        "programme": round_.programme.name,
                        "closes_at": round_.closes_at,
                        "link": _link("pairing:choose", round_.pk),
                    },
                    chooser.person,
                    key=f"choice-reminder:{round_.pk}",
                )
                report.reminded_choosers += 1
    due = ChoiceRound.objects.filter(
        status=ChoiceRound.Status.OPEN, closes_at__lte=now
    ).select_related("programme")
    for round_ in due:
        if dry_run:
            report.rounds_closed += 1
            continue
        if round_.programme.state not in MATCHING_STATES:
            # The programme moved on without the round: nothing left to resolve.
            with contextlib.suppress(Conflict):
                cancel_choice_round(round_, by=None)
            continue
        try:
            run = close_choice_round(round_, by=None, on_deadline=True)
        except DomainError as exc:
            # Closed by the programme team in the meantime, or a run is in progress: the
            # round stays as it is and the next scheduled pass tries again.
            logger.info("Choice round %s not closed on its deadline: %s", round_.pk, exc)
            continue
        _notify_round_closed(round_, run)
        report.rounds_closed += 1


def _notify_round_closed(round_: ChoiceRound, run: MatchRun) -> None:
    programme = round_.programme
    for manager in programme.managers.all():
        _send_later(
            _("The choice round in %(programme)s has closed") % {"programme": programme.name},
            "choice_closed.txt",
            {
                "name": manager.full_name,
                "programme": programme.name,
                "link": _link("pairing:run", programme.pk, run.pk),
            },
            manager,
            key=f"choice-round-closed:{round_.pk}",
        )


# ---------------------------------------------------------------------------------------------
# Email. Plain values only, sent after commit; never anything about lived experience.


def _link(name: str, *args: Any) -> str:
    return django_settings.SITE_URL + reverse(name, args=args)


def _send_later(
    subject: str, template: str, context: dict[str, Any], recipient: Person, *, key: str
) -> None:
    # Through notify(): recorded in the app, emailed after commit per the person's choices,
    # and never twice for the same key.
    notify(
        recipient,
        kind="pairing",
        subject=subject,
        template=f"pairing/email/{template}",
        context=context,
        url=context["link"].removeprefix(django_settings.SITE_URL),
        dedupe_key=key,
    )


def _context(pairing: Pairing) -> dict[str, Any]:
    return {
        "mentor": pairing.mentor.full_name,
        "mentee": pairing.mentee.full_name,
        "programme": pairing.programme.name,
        "respond_by": pairing.respond_by,
        "link": _link("pairing:pairing", pairing.pk),
    }


def _email_proposal(pairing: Pairing) -> None:
    _send_later(
        _("A proposed mentee for you in %(programme)s") % {"programme": pairing.programme.name},
        "proposal.txt",
        _context(pairing),
        pairing.mentor,
        key=f"pairing-proposal:{pairing.pk}",
    )


def _email_mentee_told(pairing: Pairing) -> None:
    _send_later(
        _("Meet your mentor in %(programme)s") % {"programme": pairing.programme.name},
        "mentee_told.txt",
        _context(pairing),
        pairing.mentee,
        key=f"pairing-mentee-told:{pairing.pk}",
    )


def _email_active(pairing: Pairing) -> None:
    for person in (pairing.mentor, pairing.mentee):
        _send_later(
            _("Your pairing in %(programme)s has started") % {"programme": pairing.programme.name},
            "active.txt",
            {**_context(pairing), "name": person.full_name},
            person,
            key=f"pairing-active:{pairing.pk}",
        )


def _email_ended(pairing: Pairing) -> None:
    people = [pairing.mentor]
    if pairing.mentee_told_at is not None:
        people.append(pairing.mentee)
    for person in people:
        _send_later(
            _("Your pairing in %(programme)s") % {"programme": pairing.programme.name},
            "ended.txt",
            {**_context(pairing), "name": person.full_name},
            person,
            key=f"pairing-ended:{pairing.pk}",
        )


def _email_reminder(pairing: Pairing, *, to_mentor: bool) -> None:
    person = pairing.mentor if to_mentor else pairing.mentee
    _send_later(
        _("Reminder: please answer by %(date)s")
        % {"date": date_format(timezone.localtime(pairing.respond_by), "j F Y")},
        "reminder_mentor.txt" if to_mentor else "reminder_mentee.txt",
        {**_context(pairing), "name": person.full_name},
        person,
        key=f"pairing-reminder:{pairing.pk}:{'mentor' if to_mentor else 'mentee'}",
    )
