"""A survey's introduction promises what its questions hold: the count it names, and what the
end survey adds to the start survey's statements."""

from __future__ import annotations

import re

from upward.surveys.library import all_templates, get_template
from upward.surveys.models import QuestionKind

NUMBERS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6}


def test_a_named_number_of_questions_is_the_number_asked() -> None:
    checked = 0
    for template in all_templates():
        said = re.search(
            r"\b(one|two|three|four|five|six) quick questions?\b", str(template.intro), re.I
        )
        if not said:
            continue
        required = [item for item in template.items if item.required]
        assert len(required) == NUMBERS[said.group(1).lower()], template.key
        if len(required) < len(template.items):
            # Optional questions are there too: the introduction says so.
            assert "comment" in str(template.intro) or "optional" in str(template.intro), (
                template.key
            )
        checked += 1
    assert checked


def test_the_end_survey_says_what_it_adds_to_the_start() -> None:
    for template in all_templates():
        if not template.key.endswith("-end") or not template.objective:
            continue
        start = get_template(template.key.replace("-end", "-start"))
        assert start is not None
        added = template.items[len(start.items) :]
        assert added and all(
            item.kind == QuestionKind.RETROSPECTIVE or "difference" in str(item.text)
            for item in added
        )
        intro = str(template.intro)
        assert "The same statements as at the start" in intro
        assert "programme as a whole" not in intro
        assert "how you see the change" in intro
