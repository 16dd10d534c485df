"""Guard: no email template in the repository prints private content.

Every email template is rendered with a context in which any variable, at any depth, is a
stand-in object; stand-ins reached through a sensitive name (a note's body, a message, a pulse or
survey answer, a concern, a reason for ending, special-category data) print a marker. A template
that shows one fails here, however it got hold of the object.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.template.loader import render_to_string

SENSITIVE = {
    "body",
    "text",
    "content",
    "note",
    "notes",
    "message",
    "answer",
    "answers",
    "comment",
    "comments",
    "free_text",
    "feedback",
    "pulse",
    "concern",
    "concerns",
    "reason",
    "closed_reason",
    "decline_reason",
    "ended_reason",
    "lived_experience",
    "ethnicity",
    "gender",
    "gender_identity",
    "disability",
    "religion",
    "sexual_orientation",
    "special_category",
    "inclusion_focus",
    "motivation",
}


# Date filters probe these; answering "no such attribute" makes them print nothing.
DATE_PARTS = {
    "year",
    "month",
    "day",
    "hour",
    "minute",
    "second",
    "microsecond",
    "tzinfo",
    "utcoffset",
    "tzname",
    "weekday",
    "isoweekday",
    "isocalendar",
    "timetuple",
    "toordinal",
    "fold",
}


class Sample:
    """Answers every attribute, item and loop with another stand-in."""

    def __init__(self, path: str = "x", leak: bool = False) -> None:
        self._path = path
        self._leak = leak

    def __getattr__(self, name: str) -> Sample:
        if name.startswith("__") or name in DATE_PARTS:
            raise AttributeError(name)
        return Sample(f"{self._path}.{name}", self._leak or name in SENSITIVE)

    def __getitem__(self, key: object) -> Sample:
        return self.__getattr__(str(key))

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter([Sample(f"{self._path}[0]", self._leak)])

    def __len__(self) -> int:
        return 1

    def __bool__(self) -> bool:
        return True

    def __str__(self) -> str:
        return f"LEAK<{self._path}>" if self._leak else "sample"


class SampleContext(dict):  # type: ignore[type-arg]
    """Every top-level name exists."""

    def __contains__(self, key: object) -> bool:
        return True

    def __getitem__(self, key: str) -> object:
        if dict.__contains__(self, key):
            return dict.__getitem__(self, key)
        return Sample(key, key in SENSITIVE)

    def get(self, key, default=None):  # type: ignore[no-untyped-def]
        return self[key]


def email_templates() -> list[str]:
    root = Path(settings.BASE_DIR)
    found = set()
    for path in [
        *root.glob("upward/*/templates/**/email/*.txt"),
        *root.glob("templates/**/email/*.txt"),
    ]:
        parts = path.parts
        found.add("/".join(parts[parts.index("templates") + 1 :]))
    return sorted(found)


def test_the_guard_finds_the_templates():
    names = email_templates()
    assert "notifications/email/digest.txt" in names
    assert "journey/email/meeting_reminder.txt" in names


def test_the_guard_catches_a_leak():
    from django.template import engines

    template = engines["django"].from_string(
        "{% autoescape off %}Hello {{ person.full_name }}: {{ note.body }}{% endautoescape %}"
    )
    assert "LEAK<note.body>" in template.render(SampleContext())
    assert "LEAK" not in engines["django"].from_string("{{ person.full_name }}").render(
        SampleContext()
    )


# Names that are sensitive in general but deliberate in one template, with the reason.
ALLOWED: dict[str, dict[str, object]] = {
    # The programme team writes this text for the applicant, to be sent in this very email.
    "recruitment/email/decision.txt": {"message": "written for this email"},
    "recruitment/email/invitation.txt": {"message": "written for this email"},
    # The already-rendered text of another email template, each guarded here in its own right.
    "notifications/email/notification.txt": {"body": "neutral text"},
    # A count, given as a number (plural forms need one).
    "pairing/email/choice_round.txt": {"shortlist_size": 3},
}


@pytest.mark.parametrize("name", email_templates())
def test_email_template_prints_no_private_content(name):
    rendered = render_to_string(name, SampleContext(ALLOWED.get(name, {})))
    assert "LEAK<" not in rendered, rendered
