"""The rules of a programme's design, shared by the form (to show errors next to fields) and by
the services (so no other caller can save a design the form would refuse).

Pure apart from reading related rows already passed in: no writes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from upward.programmes.models import Objective, State

# Everything the design form edits. M2M fields are handled apart when saving.
DESIGN_FIELDS: tuple[str, ...] = (
    "name",
    "summary",
    "objective",
    "inclusion_focus",
    "custom_objective",
    "success_what",
    "success_how",
    "success_target",
    "mentor_level_min",
    "mentor_level_max",
    "mentor_departments",
    "mentee_level_min",
    "mentee_level_max",
    "mentee_departments",
    "selection_mode",
    "places",
    "starts_on",
    "ends_on",
    "commitment",
    "is_pilot",
    "previous_cohort",
    "scheduling_policy",
    "special_category_matching",
    "special_category_reporting",
)
M2M_FIELDS = frozenset({"mentor_departments", "mentee_departments"})

# Labels people read, on the form and in messages about locked fields.
FIELD_LABELS: dict[str, Any] = {
    "name": gettext_lazy("Programme name"),
    "summary": gettext_lazy("Summary for the public page"),
    "objective": gettext_lazy("Objective"),
    "inclusion_focus": gettext_lazy("Inclusion focus"),
    "custom_objective": gettext_lazy("Your objective"),
    "success_what": gettext_lazy("What will be measured"),
    "success_how": gettext_lazy("How it will be measured"),
    "success_target": gettext_lazy("Target"),
    "mentor_level_min": gettext_lazy("Lowest mentor level"),
    "mentor_level_max": gettext_lazy("Highest mentor level"),
    "mentor_departments": gettext_lazy("Mentor departments"),
    "mentee_level_min": gettext_lazy("Lowest mentee level"),
    "mentee_level_max": gettext_lazy("Highest mentee level"),
    "mentee_departments": gettext_lazy("Mentee departments"),
    "selection_mode": gettext_lazy("How people are selected"),
    "places": gettext_lazy("Places (pairs)"),
    "starts_on": gettext_lazy("Start date"),
    "ends_on": gettext_lazy("End date"),
    "commitment": gettext_lazy("Expected commitment"),
    "is_pilot": gettext_lazy("This is a pilot cohort"),
    "previous_cohort": gettext_lazy("Next cohort of"),
    "scheduling_policy": gettext_lazy("Who books meetings"),
    "special_category_matching": gettext_lazy("Use lived experience in matching, with consent"),
    "special_category_reporting": gettext_lazy(
        "Use lived experience in anonymous reports, with consent"
    ),
}

# What stays editable once people have signed up on the programme's terms.
_RUNNING = frozenset(
    {
        "name",
        "summary",
        "ends_on",
        "scheduling_policy",
        "is_pilot",
        "previous_cohort",
        # Either can be switched off at any time; switching on still needs each person's
        # consent.
        "special_category_matching",
        "special_category_reporting",
    }
)
EDITABLE_FIELDS: dict[str, frozenset[str]] = {
    State.DRAFT: frozenset(DESIGN_FIELDS),
    State.RECRUITING: frozenset(DESIGN_FIELDS),
    State.MATCHING: _RUNNING,
    State.ACTIVE: _RUNNING,
    State.COMPLETED: frozenset({"name", "summary", "is_pilot", "previous_cohort"}),
    State.ARCHIVED: frozenset(),
}

LOCK_REASONS: dict[str, Any] = {
    State.MATCHING: gettext_lazy(
        "Recruitment has closed. Who may take part, how people are selected, the number of "
        "places, the dates people signed up for, the commitment, the objective and the success "
        "measure were the terms people applied on, so they are locked. Reopen recruitment if "
        "you need to change them."
    ),
    State.ACTIVE: gettext_lazy(
        "The programme is running. Pairs joined on these terms and the success measure is being "
        "tracked against them, so the design is locked. You can still extend the end date, "
        "change who books meetings, rename the programme and edit its summary."
    ),
    State.COMPLETED: gettext_lazy(
        "The programme has finished; its design is kept as the record of what ran. You can "
        "still rename it, edit its summary, mark it as a pilot and link it to other cohorts."
    ),
    State.ARCHIVED: gettext_lazy("Archived programmes are read-only."),
}


def editable_fields(state: str) -> frozenset[str]:
    return EDITABLE_FIELDS.get(state, frozenset())


def _rank(level: Any) -> int | None:
    return None if level is None else level.rank


def design_errors(
    values: Mapping[str, Any], *, organisation: Any, programme: Any = None
) -> list[tuple[str | None, str]]:
    """Every broken rule as (field, message). Empty when the design is sound.

    `values` holds the design fields (missing keys are skipped); `programme` is the one being
    edited, if any, so it cannot follow on from itself.
    """
    errors: list[tuple[str | None, str]] = []
    org_id = organisation.pk

    starts_on, ends_on = values.get("starts_on"), values.get("ends_on")
    if starts_on and ends_on and ends_on < starts_on:
        errors.append(
            (
                "ends_on",
                _("The programme must end on or after its start date (%(start)s).")
                % {"start": date_format(starts_on, "j F Y")},
            )
        )

    places = values.get("places")
    if places is not None and places < 1:
        errors.append(("places", _("A programme needs room for at least one pair.")))

    objective = values.get("objective")
    if values.get("inclusion_focus") and objective and objective != Objective.INCLUSION:
        errors.append(
            (
                "inclusion_focus",
                _(
                    "A focus only applies to a diversity and inclusion objective. Clear it, or "
                    "choose that objective."
                ),
            )
        )
    if objective == Objective.CUSTOM and not (values.get("custom_objective") or "").strip():
        errors.append(("custom_objective", _("Describe the objective in a few words.")))

    for role, label in (("mentor", _("mentors")), ("mentee", _("mentees"))):
        low, high = values.get(f"{role}_level_min"), values.get(f"{role}_level_max")
        for field, lvl in ((f"{role}_level_min", low), (f"{role}_level_max", high)):
            if lvl is not None and lvl.organisation_id != org_id:
                errors.append((field, _("Choose a level from your organisation.")))
        if low is not None and high is not None and low.rank > high.rank:
            errors.append(
                (
                    f"{role}_level_max",
                    _("The highest level for %(who)s (%(high)s) is below the lowest (%(low)s).")
                    % {"who": label, "high": high, "low": low},
                )
            )
        for dept in values.get(f"{role}_departments") or ():
            if dept.organisation_id != org_id:
                errors.append(
                    (f"{role}_departments", _("Choose departments from your organisation."))
                )
                break

    mentor_high, mentee_high = values.get("mentor_level_max"), values.get("mentee_level_max")
    if mentor_high is not None and mentee_high is not None and mentor_high.rank >= mentee_high.rank:
        # The point of reverse mentoring: the mentor is the more junior person.
        errors.append(
            (
                "mentor_level_max",
                _(
                    "In reverse mentoring the mentor is the more junior person, so the highest "
                    "mentor level (%(mentor)s) must be below the highest mentee level "
                    "(%(mentee)s)."
                )
                % {"mentor": mentor_high, "mentee": mentee_high},
            )
        )

    previous = values.get("previous_cohort")
    if previous is not None:
        if previous.organisation_id != org_id:
            errors.append(("previous_cohort", _("Choose a programme from your organisation.")))
        elif programme is not None and programme.pk is not None:
            if previous.pk == programme.pk:
                errors.append(("previous_cohort", _("A programme cannot follow on from itself.")))
            elif _leads_back_to(previous, programme.pk):
                errors.append(
                    (
                        "previous_cohort",
                        _(
                            "%(name)s already follows on from this programme; cohorts cannot "
                            "go round in a circle."
                        )
                        % {"name": previous.name},
                    )
                )
    return errors


def _leads_back_to(start: Any, target_pk: int, limit: int = 50) -> bool:
    node = start
    for _step in range(limit):
        node = node.previous_cohort
        if node is None:
            return False
        if node.pk == target_pk:
            return True
    return True  # A chain this long is a loop or data we should not extend.


def design_warnings(programme: Any) -> list[str]:
    """Sound but worth a second look; shown on the programme page, never blocking."""
    warnings: list[str] = []
    mentor_high, mentee_low = programme.mentor_level_max, programme.mentee_level_min
    if mentor_high is not None and mentee_low is not None and mentor_high.rank >= mentee_low.rank:
        warnings.append(
            _(
                "The mentor and mentee level ranges overlap: someone at %(level)s could apply "
                "for either role, and could be paired with a mentor more senior than them."
            )
            % {"level": mentee_low}
        )
    if all(
        getattr(programme, f) is None
        for f in ("mentor_level_min", "mentor_level_max", "mentee_level_min", "mentee_level_max")
    ):
        warnings.append(
            _(
                "No level ranges are set, so anyone can apply for either role. Set them so "
                "mentors are junior colleagues and mentees are senior leaders."
            )
        )
    return warnings


def changed_locked_fields(
    programme: Any, values: Mapping[str, Any], allowed: Iterable[str]
) -> list[str]:
    """Fields in `values` that differ from the programme but may not change in its state."""
    allowed = set(allowed)
    changed = []
    for field, value in values.items():
        if field in allowed or field not in DESIGN_FIELDS:
            continue
        if field in M2M_FIELDS:
            current = {d.pk for d in getattr(programme, field).all()}
            if current != {d.pk for d in value or ()}:
                changed.append(field)
        elif getattr(programme, field) != value:
            changed.append(field)
    return changed
