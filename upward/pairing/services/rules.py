"""The manager's pins and exclusions, kept for every later run."""

from __future__ import annotations

import dataclasses
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from matching import ProfileScorer, effective_capacity
from upward.core.audit import record
from upward.core.errors import DomainError
from upward.core.types import Actor
from upward.organisations.models import Person
from upward.pairing.models import MatchRule, MatchRun
from upward.pairing.selectors import RULE_LABELS, build_match_inputs, in_review, settings_for
from upward.pairing.services._shared import (
    _check_programme_state,
    _lock_programme,
    _own_rule,
    _refuse_own,
    _user,
)
from upward.programmes.models import Programme
from upward.recruitment.models import Application, Role


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
    programme: Programme, *, kind: str, mentee_id: Any, mentor_id: Any, by: Actor
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


def remove_match_rule(rule: MatchRule, *, by: Actor) -> None:
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


def swap_mentors(run: MatchRun, *, mentee_a: Any, mentee_b: Any, by: Actor) -> list[MatchRule]:
    """Give two mentees of a run each other's mentor, as two pins kept for the next run."""
    try:
        a, b = int(mentee_a), int(mentee_b)
    except (TypeError, ValueError) as exc:
        raise DomainError(_("Choose two mentees from this run.")) from exc
    if a == b:
        raise DomainError(_("Choose two different mentees to swap."))
    if not in_review(run):
        raise DomainError(_("This proposal is no longer in review, so nothing can be swapped."))
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
