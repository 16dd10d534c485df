"""The purposes special-category data may serve, and the wording a person agrees to for each.

The wording lives here, in code, with a version. Changing a purpose's wording means a new
version: consents given earlier stay tied to the version (and so the words) they were given
under, and the person is asked again. Never edit the text of a version already in use.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise


class Purpose(models.TextChoices):
    MATCHING = "matching", _("Matching")
    REPORTING = "reporting", _("Anonymous reporting")


@dataclass(frozen=True)
class Wording:
    purpose: str
    version: str
    text: StrOrPromise


# Consents migrated from the old application checkbox (recruitment migration 0003).
LEGACY_VERSION = "legacy-application"

WORDINGS: tuple[Wording, ...] = (
    Wording(
        Purpose.MATCHING,
        LEGACY_VERSION,
        _(
            "I agree that the programme team may see the lived-experience topics I choose and "
            "use them to find me a good match."
        ),
    ),
    Wording(
        Purpose.MATCHING,
        "matching-2026-12",
        _(
            "Use the lived-experience topics I have chosen to help find me a partner, in "
            "programmes that ask for this. The programme team may see those topics while they "
            "review applications and matches. My partner sees them only if I choose to share "
            "them."
        ),
    ),
    Wording(
        Purpose.REPORTING,
        "reporting-2026-12",
        _(
            "Count my answers on this page (my ethnic group, gender, sexual orientation, "
            "disability, social background, age band and lived-experience topics) in the "
            "anonymous survey reports of programmes that ask for this. Results are only shown "
            "for groups of ten people or more, and never with my name."
        ),
    ),
    Wording(
        Purpose.REPORTING,
        "reporting-2026-12-inclusion",
        _(
            "Count my answers on this page (my ethnic group, gender, sexual orientation, "
            "disability, social background, age band and lived-experience topics) in the "
            "anonymous reports of programmes that ask for this: their survey results, and how "
            "many people in each group applied, were matched and completed a programme. "
            "Results are only shown for groups of ten people or more, and never with my name."
        ),
    ),
)

# The first reporting wording covered anonymous survey reports only. Counting who applied, was
# matched and completed by group (the inclusion report) needs words that say so: only a grant
# under one of these versions lets a person be counted there.
PARTICIPATION_VERSIONS: frozenset[str] = frozenset({"reporting-2026-12-inclusion"})


# The version asked for now: the last wording listed for each purpose.
CURRENT: dict[str, Wording] = {w.purpose: w for w in WORDINGS}


def wording(purpose: str, version: str) -> Wording | None:
    """The words behind a recorded consent, or None for a version this code does not know."""
    for item in WORDINGS:
        if item.purpose == purpose and item.version == version:
            return item
    return None
