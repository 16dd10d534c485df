"""Every write to a programme, its lifecycle, its sign-up link, its managers and its questions.

Each service checks its rules, writes inside one transaction, and records an audit entry.
Rules that the form also shows live in `design.py`, so both say the same thing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from upward.core.audit import record
from upward.core.errors import DomainError, InvalidTransition
from upward.core.types import Actor
from upward.organisations.models import Person
from upward.programmes import lifecycle
from upward.programmes.access import participants_among
from upward.programmes.design import (
    DESIGN_FIELDS,
    FIELD_LABELS,
    M2M_FIELDS,
    changed_locked_fields,
    design_errors,
    editable_fields,
)
from upward.programmes.models import (
    TRANSITIONS,
    Programme,
    Question,
    State,
    StateChange,
    new_signup_token,
)
from upward.programmes.selectors import transition_blockers


def _raise_first(errors: list[tuple[str | None, str]]) -> None:
    if errors:
        field, message = errors[0]
        raise DomainError(message, field=field)


def _user(by: Actor) -> Any:
    return by if getattr(by, "is_authenticated", False) else None


def _split(fields: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    unknown = set(fields) - set(DESIGN_FIELDS)
    if unknown:
        raise ValueError(f"Not design fields: {sorted(unknown)}")
    plain = {k: v for k, v in fields.items() if k not in M2M_FIELDS}
    m2m = {k: list(v or ()) for k, v in fields.items() if k in M2M_FIELDS}
    return plain, m2m


# ---------------------------------------------------------------------------------------------
# Design


@transaction.atomic
def create_programme(creator: Person, *, fields: Mapping[str, Any]) -> Programme:
    """A new draft programme in the creator's organisation, with the creator as a manager."""
    if not (creator.is_org_admin or creator.managed_programmes.exists()):
        raise DomainError(_("Only organisation admins and programme managers can do this."))
    organisation = creator.organisation
    _raise_first(design_errors(fields, organisation=organisation))
    plain, m2m = _split(fields)
    plain.pop("state", None)
    programme = Programme(organisation=organisation, state=State.DRAFT, **plain)
    programme.save()
    for name, values in m2m.items():
        getattr(programme, name).set(values)
    programme.managers.add(creator)
    record("programme.created", programme, by=creator.user, data={"name": programme.name})
    return programme


@transaction.atomic
def update_programme_design(
    programme: Programme, *, fields: Mapping[str, Any], by: Actor
) -> Programme:
    """Change the design, within what the programme's state still allows."""
    # Lock the row so a state change cannot slip in between the check and the write.
    current = Programme.objects.select_for_update().get(pk=programme.pk)
    allowed = editable_fields(current.state)
    locked = changed_locked_fields(current, fields, allowed)
    if locked:
        raise DomainError(
            _("These can no longer change while the programme is %(state)s: %(fields)s.")
            % {
                "state": current.get_state_display().lower(),
                "fields": ", ".join(str(FIELD_LABELS[f]).lower() for f in locked),
            }
        )
    merged = {
        name: (list(getattr(current, name).all()) if name in M2M_FIELDS else getattr(current, name))
        for name in DESIGN_FIELDS
    }
    merged.update(fields)
    _raise_first(design_errors(merged, organisation=current.organisation, programme=current))

    plain, m2m = _split(fields)
    changed = sorted(
        [k for k, v in plain.items() if getattr(current, k) != v]
        + [
            k
            for k, v in m2m.items()
            if {d.pk for d in getattr(current, k).all()} != {d.pk for d in v}
        ]
    )
    for name, value in plain.items():
        setattr(programme, name, value)
    programme.state = current.state
    programme.save(update_fields=[*plain.keys(), "updated_at"])
    for name, values in m2m.items():
        getattr(programme, name).set(values)
    if changed:
        record("programme.design_changed", programme, by=by, data={"fields": changed})
    return programme


# ---------------------------------------------------------------------------------------------
# Lifecycle


def transition_programme(
    programme: Programme, *, to: str, by: Actor, acknowledged: bool = False
) -> Programme:
    """Move the programme to `to`, or raise InvalidTransition saying why not.

    The UPDATE only matches the state we checked, so when two people press buttons at once
    exactly one move wins and the other is told the programme has already moved. What the
    apps above registered for the new state (programmes/lifecycle.py) runs in the same
    transaction: completing a programme completes its pairings, or nothing changes at all.
    A move with asks (e.g. launching while people wait for a partner) needs `acknowledged`.
    `by` is None when the scheduler completes a programme past its end date.
    """
    try:
        target = State(to)
    except ValueError as exc:
        raise InvalidTransition(_("“%(to)s” is not a programme state.") % {"to": to}) from exc
    source = State(programme.state)
    if target not in TRANSITIONS[source]:
        raise InvalidTransition(
            _("A programme cannot go from %(source)s to %(target)s.")
            % {"source": source.label.lower(), "target": target.label.lower()}
        )
    with transaction.atomic():
        blockers = transition_blockers(programme, target)
        if blockers:
            raise InvalidTransition(" ".join(blockers))
        asks = lifecycle.asks_of(programme, target)
        if asks and not acknowledged:
            raise InvalidTransition(
                " ".join([*asks, _("Tick the box to confirm you want to go ahead anyway.")])
            )
        extra: dict[str, Any] = {}
        if source == State.DRAFT and target == State.RECRUITING:
            extra["signup_open"] = True  # Opening recruitment means opening sign-up.
        if target == State.COMPLETED:
            extra["ended_on"] = timezone.localdate()
        won = Programme.objects.filter(pk=programme.pk, state=source).update(
            state=target, updated_at=timezone.now(), **extra
        )
        if not won:
            now = Programme.objects.filter(pk=programme.pk).values_list("state", flat=True).first()
            raise InvalidTransition(
                _(
                    "Someone else has just changed this programme (it is now %(state)s). "
                    "Reload the page to see where it stands."
                )
                % {"state": State(now).label.lower() if now else _("deleted")}
            )
        StateChange.objects.create(
            programme=programme, from_state=source, to_state=target, by=_user(by)
        )
        programme.state = target
        for name, value in extra.items():
            setattr(programme, name, value)
        record(
            "programme.state_changed",
            programme,
            by=by,
            data={
                "from": source.value,
                "to": target.value,
                **({"acknowledged": asks} if asks else {}),
                **({"by_schedule": True} if by is None else {}),
            },
        )
        lifecycle.run_effects(programme, target, by=by)
    return programme


# ---------------------------------------------------------------------------------------------
# Sign-up link

SIGNUP_STATES = frozenset({State.DRAFT, State.RECRUITING})


@transaction.atomic
def set_signup_open(programme: Programme, *, is_open: bool, by: Actor) -> Programme:
    if programme.state not in SIGNUP_STATES:
        raise DomainError(
            _("Sign-up only matters while a programme is recruiting; reopen recruitment first.")
        )
    if programme.signup_open == is_open:
        return programme
    programme.signup_open = is_open
    programme.save(update_fields=["signup_open", "updated_at"])
    record("programme.signup_opened" if is_open else "programme.signup_closed", programme, by=by)
    return programme


@transaction.atomic
def regenerate_signup_token(programme: Programme, *, by: Actor) -> Programme:
    """A fresh link; the old one stops working at once (it 404s)."""
    if programme.state == State.ARCHIVED:
        raise DomainError(_("Archived programmes have no sign-up link."))
    programme.signup_token = new_signup_token()
    programme.save(update_fields=["signup_token", "updated_at"])
    # The token itself is a secret of sorts: keep it out of the audit trail.
    record("programme.signup_link_regenerated", programme, by=by)
    return programme


# ---------------------------------------------------------------------------------------------
# Managers


@transaction.atomic
def set_programme_managers(
    programme: Programme, *, managers: Iterable[Person], by: Actor
) -> Programme:
    """Org admins choose who runs a programme: people of the same organisation."""
    actor = getattr(by, "person", None) if getattr(by, "is_authenticated", False) else None
    if (
        actor is None
        or not actor.is_org_admin
        or actor.organisation_id != programme.organisation_id
    ):
        raise DomainError(_("Only an admin of this organisation can choose the managers."))
    if programme.state == State.ARCHIVED:
        raise DomainError(_("Archived programmes are read-only."))
    managers = list(managers)
    if not managers:
        raise DomainError(_("Choose at least one manager."), field="managers")
    # Lock the programme row: applying and publishing pairs take the same lock, so nobody
    # becomes a participant between the check below and the write.
    Programme.objects.select_for_update().filter(pk=programme.pk).first()
    for person in managers:
        if person.organisation_id != programme.organisation_id:
            raise DomainError(
                _("%(name)s is not in this organisation.") % {"name": person.full_name},
                field="managers",
            )
        if not person.is_active:
            raise DomainError(
                _("%(name)s has left the organisation.") % {"name": person.full_name},
                field="managers",
            )
    # Nobody runs a programme they take part in: they would decide on their own application,
    # pin their own partner and read the safety data about their own pairing.
    taking_part = participants_among(programme, [p.pk for p in managers])
    for person in managers:
        if person.pk in taking_part:
            raise DomainError(
                _(
                    "%(name)s takes part in this programme (they applied to it or are in one "
                    "of its pairings), so they cannot manage it. Choose someone who is not a "
                    "participant."
                )
                % {"name": person.full_name},
                field="managers",
            )
    before = set(programme.managers.values_list("pk", flat=True))
    programme.managers.set(managers)
    after = {p.pk for p in managers}
    if before != after:
        record(
            "programme.managers_changed",
            programme,
            by=by,
            data={"added": sorted(after - before), "removed": sorted(before - after)},
        )
    return programme


# ---------------------------------------------------------------------------------------------
# Extra application questions

QUESTION_STATES = frozenset({State.DRAFT, State.RECRUITING})


def _check_questions_editable(programme: Programme) -> None:
    if programme.state not in QUESTION_STATES:
        raise DomainError(
            _(
                "Questions can only change while the programme is a draft or recruiting: "
                "after that, applicants' answers must match the questions they saw."
            )
        )


def _clean_question(fields: Mapping[str, Any]) -> dict[str, Any]:
    data = dict(fields)
    kind = data.get("kind", Question.Kind.TEXT)
    choices = [str(c).strip() for c in data.get("choices") or () if str(c).strip()]
    if kind == Question.Kind.CHOICE:
        if len(choices) < 2:
            raise DomainError(_("Give at least two choices, one per line."), field="choices")
        if len({c.lower() for c in choices}) != len(choices):
            raise DomainError(_("Each choice must be different."), field="choices")
    else:
        choices = []
    data["choices"] = choices
    if not (data.get("text") or "").strip():
        raise DomainError(_("Write the question."), field="text")
    return data


@transaction.atomic
def add_question(programme: Programme, *, fields: Mapping[str, Any], by: Actor) -> Question:
    _check_questions_editable(programme)
    data = _clean_question(fields)
    last = programme.questions.aggregate(m=Max("position"))["m"]
    question = Question.objects.create(
        programme=programme, position=0 if last is None else last + 1, **data
    )
    record("programme.question_added", question, by=by, organisation=programme.organisation)
    return question


@transaction.atomic
def update_question(question: Question, *, fields: Mapping[str, Any], by: Actor) -> Question:
    _check_questions_editable(question.programme)
    data = _clean_question(fields)
    for name, value in data.items():
        setattr(question, name, value)
    question.save()
    record(
        "programme.question_changed",
        question,
        by=by,
        organisation=question.programme.organisation,
    )
    return question


@transaction.atomic
def delete_question(question: Question, *, by: Actor) -> None:
    programme = question.programme
    _check_questions_editable(programme)
    answers = question.answers.count()
    record(
        "programme.question_deleted",
        question,
        by=by,
        organisation=programme.organisation,
        data={"answers_deleted": answers},
    )
    question.delete()


@transaction.atomic
def move_question(question: Question, *, direction: str, by: Actor) -> None:
    """Swap the question with its neighbour above or below."""
    programme = question.programme
    _check_questions_editable(programme)
    if direction not in ("up", "down"):
        raise DomainError(_("Move a question up or down."))
    ordered = list(programme.questions.select_for_update().order_by("position", "id"))
    index = next(i for i, q in enumerate(ordered) if q.pk == question.pk)
    other = index - 1 if direction == "up" else index + 1
    if other < 0 or other >= len(ordered):
        return  # Already first or last: nothing to do.
    ordered[index], ordered[other] = ordered[other], ordered[index]
    # Renumber from 0 so positions stay dense whatever happened before.
    for position, q in enumerate(ordered):
        if q.position != position:
            q.position = position
            q.save(update_fields=["position"])
    record(
        "programme.questions_reordered",
        question,
        by=by,
        organisation=programme.organisation,
        data={"direction": direction},
    )
