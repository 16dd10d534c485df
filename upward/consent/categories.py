"""The optional questions of "About you": short, coarse option lists in our own words.

Coarse on purpose: reports need broad groups, and a fine-grained answer in a small
organisation can identify someone. Every question may be left blank or answered
"Prefer not to say".
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

PREFER_NOT = "prefer_not"
PREFER_NOT_LABEL = _("Prefer not to say")


@dataclass(frozen=True)
class Category:
    key: str
    label: StrOrPromise
    options: tuple[tuple[str, StrOrPromise], ...]

    def choices(self) -> list[tuple[str, StrOrPromise]]:
        return [*self.options, (PREFER_NOT, PREFER_NOT_LABEL)]

    def label_for(self, code: str) -> StrOrPromise:
        return dict(self.choices()).get(code, "")


CATEGORIES: tuple[Category, ...] = (
    Category(
        "ethnicity",
        _("Ethnic group"),
        (
            ("asian", _("Asian or Asian British")),
            ("black", _("Black, Black British, Caribbean or African")),
            ("mixed", _("Mixed or multiple ethnic groups")),
            ("white", _("White")),
            ("other", _("Another ethnic group")),
        ),
    ),
    Category(
        "gender_identity",
        _("Gender"),
        (
            ("woman", _("Woman")),
            ("man", _("Man")),
            ("non_binary", _("Non-binary")),
            ("other", _("I describe my gender another way")),
        ),
    ),
    Category(
        "sexual_orientation",
        _("Sexual orientation"),
        (
            ("straight", _("Straight or heterosexual")),
            ("gay_lesbian", _("Gay or lesbian")),
            ("bisexual", _("Bisexual")),
            ("other", _("Another orientation")),
        ),
    ),
    Category(
        "disability",
        _("Disability or long-term condition"),
        (
            ("yes", _("Yes, I am disabled or have a long-term health condition")),
            ("no", _("No")),
        ),
    ),
    Category(
        "social_background",
        _("Social background"),
        (
            ("professional", _("Professional or managerial")),
            ("intermediate", _("Intermediate, such as clerical work or running a small business")),
            ("working", _("Routine or manual work, or not in paid work")),
            ("unsure", _("I do not know")),
        ),
    ),
    Category(
        "age_band",
        _("Age"),
        (
            ("under_25", _("Under 25")),
            ("25_34", _("25 to 34")),
            ("35_44", _("35 to 44")),
            ("45_54", _("45 to 54")),
            ("55_64", _("55 to 64")),
            ("65_plus", _("65 or over")),
        ),
    ),
)
BY_KEY: dict[str, Category] = {c.key: c for c in CATEGORIES}

# The lived-experience item: the organisation's "experience" topics, chosen on the same page.
LIVED_EXPERIENCE = "lived_experience"
LIVED_EXPERIENCE_LABEL = _("Lived experience")

# What a person can choose to share with their partner, one switch per item.
SHAREABLE: tuple[str, ...] = (*BY_KEY, LIVED_EXPERIENCE)
