"""The programme's saved matching settings and weights, checked before they are kept."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from matching import Weights
from upward.core.audit import record
from upward.core.errors import DomainError
from upward.core.types import Actor
from upward.pairing.models import Choosers, MatchingMode, MatchSetup
from upward.pairing.selectors import MatchSettings
from upward.pairing.services._shared import _check_programme_state, _lock_programme, _user
from upward.programmes.models import Programme

SETTING_LIMITS = {
    "min_level_gap": (0, 10),
    "capacity": (1, 10),
    "max_concurrent": (1, 20),
    "respond_days": (1, 60),
    "shortlist_size": (2, 20),
    "max_ranked": (1, 10),
}


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
        raise DomainError(_("Choose who chooses: mentees, mentors or both."), field="who_chooses")
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
    by: Actor,
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
