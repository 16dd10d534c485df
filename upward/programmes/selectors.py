"""Reads about programmes: lists with counts, eligibility in words, what each move needs."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from upward.programmes import eligibility, lifecycle
from upward.programmes.access import managed_programmes
from upward.programmes.models import TRANSITIONS, Programme, State

# ---------------------------------------------------------------------------------------------
# Lists and counts

# People who left the organisation no longer count as accepted: their place is free again.
_ACCEPTED = Q(applications__status="accepted", applications__person__is_active=True)
_LIVE = ~Q(applications__status="withdrawn")


def _with_counts(qs: QuerySet[Programme]) -> QuerySet[Programme]:
    return qs.annotate(
        n_applications=Count("applications", filter=_LIVE, distinct=True),
        n_to_review=Count(
            "applications", filter=Q(applications__status="submitted"), distinct=True
        ),
        n_accepted_mentors=Count(
            "applications", filter=_ACCEPTED & Q(applications__role="mentor"), distinct=True
        ),
        n_accepted_mentees=Count(
            "applications", filter=_ACCEPTED & Q(applications__role="mentee"), distinct=True
        ),
    )


def programme_list(user: Any, *, state: str | None = None) -> QuerySet[Programme]:
    """The programmes the user manages, with recruitment counts, in one query."""
    # Filter by pk in a subquery: managed_programmes() joins managers, which would
    # multiply the application counts.
    qs = Programme.objects.filter(pk__in=managed_programmes(user).values("pk"))
    if state:
        qs = qs.filter(state=state)
    return _with_counts(qs).order_by("-starts_on", "name", "pk")


@dataclass(frozen=True)
class RecruitmentCounts:
    applications: int
    to_review: int
    accepted_mentors: int
    accepted_mentees: int
    places: int

    @property
    def pairs_possible(self) -> int:
        return min(self.accepted_mentors, self.accepted_mentees)

    @property
    def places_left(self) -> int:
        return max(self.places - self.pairs_possible, 0)


def recruitment_counts(programme: Programme) -> RecruitmentCounts:
    """The same counts as the list, for one programme, in one query."""
    accepted = Q(status="accepted", person__is_active=True)
    totals = programme.applications.aggregate(
        applications=Count("pk", filter=~Q(status="withdrawn")),
        to_review=Count("pk", filter=Q(status="submitted")),
        accepted_mentors=Count("pk", filter=accepted & Q(role="mentor")),
        accepted_mentees=Count("pk", filter=accepted & Q(role="mentee")),
    )
    return RecruitmentCounts(places=programme.places, **totals)


# ---------------------------------------------------------------------------------------------
# Eligibility in words


def eligibility_text(programme: Programme, role: str) -> str:
    """Who may apply for the role, in one plain sentence, for pages and emails."""
    low, high = eligibility.level_range(programme, role)
    levels = eligibility.describe_levels(low, high)
    depts = eligibility.describe_departments(
        [d.name for d in eligibility.departments(programme, role)]
    )
    org = programme.organisation.name
    who = eligibility.role_plural(role)
    if levels and depts:
        return _("%(who)s are colleagues at %(levels)s in %(depts)s.") % {
            "who": who,
            "levels": levels,
            "depts": depts,
        }
    if levels:
        return _("%(who)s are colleagues at %(levels)s, from any part of %(org)s.") % {
            "who": who,
            "levels": levels,
            "org": org,
        }
    if depts:
        return _("%(who)s are colleagues at any level in %(depts)s.") % {
            "who": who,
            "depts": depts,
        }
    return _("%(who)s can be anyone at %(org)s.") % {"who": who, "org": org}


# ---------------------------------------------------------------------------------------------
# The lifecycle: what each state means, and what each move needs

STATE_ORDER = [
    State.DRAFT,
    State.RECRUITING,
    State.MATCHING,
    State.ACTIVE,
    State.COMPLETED,
    State.ARCHIVED,
]

NEXT_STEPS = {
    State.DRAFT: gettext_lazy(
        "Only the programme team can see this programme. Complete the design and the success "
        "measure, then open recruitment to publish the sign-up page."
    ),
    State.RECRUITING: gettext_lazy(
        "The sign-up page is live. Review applications as they arrive and invite the people you "
        "want to reach. Once at least one mentor and one mentee are accepted, close recruitment "
        "and start matching."
    ),
    State.MATCHING: gettext_lazy(
        "Sign-up is closed. Pair the accepted mentors with the accepted mentees, then launch the "
        "programme so the pairs can start meeting."
    ),
    State.ACTIVE: gettext_lazy(
        "Pairs are meeting. Check in with them regularly and support any pairing that is "
        "struggling. When the programme ends, mark it as completed."
    ),
    State.COMPLETED: gettext_lazy(
        "The programme has finished. Compare the results with the success measure and gather "
        "feedback for the next cohort. Archive it when nobody needs it day to day."
    ),
    State.ARCHIVED: gettext_lazy(
        "This programme is archived: read-only and no longer public. Its records stay for "
        "reporting and for the next cohort."
    ),
}

MOVE_LABELS = {
    (State.DRAFT, State.RECRUITING): gettext_lazy("Open recruitment"),
    (State.RECRUITING, State.DRAFT): gettext_lazy("Back to draft"),
    (State.RECRUITING, State.MATCHING): gettext_lazy("Close recruitment and start matching"),
    (State.MATCHING, State.RECRUITING): gettext_lazy("Reopen recruitment"),
    (State.MATCHING, State.ACTIVE): gettext_lazy("Launch the programme"),
    (State.ACTIVE, State.COMPLETED): gettext_lazy("Mark as completed"),
    (State.COMPLETED, State.ARCHIVED): gettext_lazy("Archive"),
}

MOVE_EXPLANATIONS = {
    (State.DRAFT, State.RECRUITING): gettext_lazy(
        "The public page and the sign-up link go live, and sign-up opens."
    ),
    (State.RECRUITING, State.DRAFT): gettext_lazy(
        "The public page goes offline while you rework the design. Applications are kept."
    ),
    (State.RECRUITING, State.MATCHING): gettext_lazy(
        "No new applications. You pair accepted mentors with accepted mentees."
    ),
    (State.MATCHING, State.RECRUITING): gettext_lazy(
        "The sign-up page takes applications again, for example to fill empty places."
    ),
    (State.MATCHING, State.ACTIVE): gettext_lazy(
        "Pairs start meeting and the design is locked. There is no way back to matching."
    ),
    (State.ACTIVE, State.COMPLETED): gettext_lazy(
        "The programme ends for every pair. There is no way back to active."
    ),
    (State.COMPLETED, State.ARCHIVED): gettext_lazy(
        "The programme becomes read-only and its public page goes offline, for good."
    ),
}

# One-way doors: these always go through a confirmation page.
HARD_TO_UNDO = frozenset({State.ACTIVE, State.COMPLETED, State.ARCHIVED})


def _mentors(n: int) -> str:
    return ngettext("%(n)s mentor", "%(n)s mentors", n) % {"n": n}


def _mentees(n: int) -> str:
    return ngettext("%(n)s mentee", "%(n)s mentees", n) % {"n": n}


def _today() -> dt.date:
    return timezone.localdate()


def transition_blockers(
    programme: Programme, to: str, counts: RecruitmentCounts | None = None
) -> list[str]:
    """Why the move cannot happen now, in words a manager can act on. Empty when it can."""
    from upward.programmes.design import design_errors

    problems: list[str] = []
    if to == State.RECRUITING and programme.state == State.DRAFT:
        missing = [
            str(label)
            for value, label in (
                (programme.success_what, _("what will be measured")),
                (programme.success_how, _("how it will be measured")),
                (programme.success_target, _("the target")),
            )
            if not (value or "").strip()
        ]
        if missing:
            problems.append(
                _("Complete the success measure first: %(missing)s.")
                % {"missing": ", ".join(missing)}
            )
        if not programme.starts_on or not programme.ends_on:
            problems.append(_("Set the start and end dates first."))
        elif programme.ends_on < _today():
            problems.append(
                _("The end date (%(date)s) has passed. Move the dates before recruiting.")
                % {"date": date_format(programme.ends_on, "j F Y")}
            )
        values = {
            name: getattr(programme, name)
            for name in (
                "objective",
                "inclusion_focus",
                "custom_objective",
                "starts_on",
                "ends_on",
                "places",
                "mentor_level_min",
                "mentor_level_max",
                "mentee_level_min",
                "mentee_level_max",
            )
        }
        problems.extend(
            message
            for _field, message in design_errors(
                values, organisation=programme.organisation, programme=programme
            )
        )
    elif to == State.MATCHING:
        counts = counts or recruitment_counts(programme)
        if counts.accepted_mentors < 1 or counts.accepted_mentees < 1:
            problems.append(
                _(
                    "Accept at least one mentor and one mentee before matching (accepted so "
                    "far: %(mentors)s, %(mentees)s)."
                )
                % {
                    "mentors": _mentors(counts.accepted_mentors),
                    "mentees": _mentees(counts.accepted_mentees),
                }
            )
    elif to == State.ACTIVE and programme.ends_on and programme.ends_on < _today():
        problems.append(
            _("The end date (%(date)s) has passed. Extend it before launching.")
            % {"date": date_format(programme.ends_on, "j F Y")}
        )
    return problems


def transition_warnings(
    programme: Programme, to: str, counts: RecruitmentCounts | None = None
) -> list[str]:
    """Allowed, but worth knowing before going ahead."""
    warnings: list[str] = []
    if to == State.DRAFT:
        counts = counts or recruitment_counts(programme)
        if counts.applications:
            warnings.append(
                ngettext(
                    "%(n)s person has applied. Their application is kept, but the sign-up "
                    "link stops working until you open recruitment again.",
                    "%(n)s people have applied. Their applications are kept, but the sign-up "
                    "link stops working until you open recruitment again.",
                    counts.applications,
                )
                % {"n": counts.applications}
            )
    elif to in (State.MATCHING, State.ACTIVE):
        counts = counts or recruitment_counts(programme)
        if counts.to_review:
            warnings.append(
                ngettext(
                    "%(n)s application still waits for a decision.",
                    "%(n)s applications still wait for a decision.",
                    counts.to_review,
                )
                % {"n": counts.to_review}
            )
        if counts.accepted_mentors != counts.accepted_mentees:
            warnings.append(
                _(
                    "You have accepted %(mentors)s and %(mentees)s, so some people will not "
                    "have a partner."
                )
                % {
                    "mentors": _mentors(counts.accepted_mentors),
                    "mentees": _mentees(counts.accepted_mentees),
                }
            )
    elif to == State.COMPLETED:
        if programme.ends_on and programme.ends_on > _today():
            warnings.append(
                _("The planned end date is %(date)s: completing now ends the programme early.")
                % {"date": date_format(programme.ends_on, "j F Y")}
            )
    elif to == State.ARCHIVED:
        warnings.append(
            _("Archiving cannot be undone. Nobody will be able to edit the programme again.")
        )
    return warnings


@dataclass(frozen=True)
class Move:
    source: str
    to: str
    label: str
    explanation: str
    needs_confirmation: bool
    blockers: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    # What the apps above will do (with counts), and warnings that need a tick to go ahead.
    # Filled by move_for() only: the confirmation page shows them, lists of moves do not.
    consequences: list[str] = field(default_factory=list)
    asks: list[str] = field(default_factory=list)

    @property
    def possible(self) -> bool:
        return not self.blockers

    @property
    def is_back_step(self) -> bool:
        return STATE_ORDER.index(State(self.to)) < STATE_ORDER.index(State(self.source))


def available_moves(programme: Programme, counts: RecruitmentCounts | None = None) -> list[Move]:
    moves = []
    source = State(programme.state)
    for target in TRANSITIONS[source]:
        warnings = transition_warnings(programme, target, counts)
        moves.append(
            Move(
                source=programme.state,
                to=target,
                label=str(MOVE_LABELS[(source, State(target))]),
                explanation=str(MOVE_EXPLANATIONS[(source, State(target))]),
                needs_confirmation=target in HARD_TO_UNDO or bool(warnings),
                blockers=transition_blockers(programme, target, counts),
                warnings=warnings,
            )
        )
    return moves


def move_for(programme: Programme, to: str) -> Move | None:
    for move in available_moves(programme):
        if move.to == to:
            if move.blockers:
                return move
            return replace(
                move,
                consequences=lifecycle.consequences_of(programme, to),
                asks=lifecycle.asks_of(programme, to),
            )
    return None


def lifecycle_steps(programme: Programme) -> list[dict[str, Any]]:
    current = STATE_ORDER.index(State(programme.state))
    return [
        {
            "state": s,
            "label": s.label,
            "done": i < current,
            "current": i == current,
        }
        for i, s in enumerate(STATE_ORDER)
    ]


# ---------------------------------------------------------------------------------------------
# Words for the public page

OBJECTIVE_PITCH = {
    "digital_skills": gettext_lazy(
        "Technology changes faster than most leaders can follow. Colleagues early in their "
        "careers often use new tools every day; this programme pairs them with senior leaders "
        "who want to understand those tools, and the people who use them, first hand."
    ),
    "inclusion": gettext_lazy(
        "Leaders make better decisions when they understand what working here is like for "
        "people whose experience differs from theirs. Mentors share their own perspective and "
        "lived experience, on their terms; leaders listen, ask, and act on what they learn."
    ),
    "generational": gettext_lazy(
        "Several generations work side by side, with different expectations of work, "
        "communication and careers. Pairs across the generations help each side understand "
        "the other, in both directions."
    ),
    "leadership": gettext_lazy(
        "Mentoring a senior leader is a real leadership challenge: preparing, explaining, "
        "giving honest feedback upwards. Early-career colleagues build those skills with "
        "support, while leaders see the organisation through fresh eyes."
    ),
    "retention": gettext_lazy(
        "People stay where they are heard. The programme gives early-career colleagues a "
        "direct line to senior leaders, and gives leaders a clear view of what makes people "
        "want to build their careers here."
    ),
    "custom": gettext_lazy(
        "The programme pairs colleagues early in their careers with senior leaders so that both "
        "learn from each other."
    ),
}

SELECTION_EXPLANATION = {
    "open": gettext_lazy(
        "Open sign-up: everyone who meets the criteria above and applies is accepted while "
        "there are places; after that, applicants join a waiting list."
    ),
    "reviewed": gettext_lazy(
        "Reviewed applications: the programme team reads every application against the "
        "criteria above and the programme's objective, and aims for a mix of backgrounds and "
        "experience. Everyone hears back with a decision, and when the answer is no or not yet, "
        "the team says why."
    ),
    "invitation": gettext_lazy(
        "Invitation only: the programme team invites people personally, for example to reach "
        "groups that are not yet heard at leadership level. If you are invited, your email has "
        "a personal link to apply."
    ),
}
