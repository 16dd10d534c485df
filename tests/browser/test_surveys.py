"""Surveys in a real browser: a mentee answers the start survey (with a mistake first), and the
programme manager reads the outcomes page with its success measure.

Every page visited is screenshotted and checked with axe-core (see conftest.py).
"""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from upward.surveys import services
from upward.surveys.models import PendingResponse, Response
from upward.surveys.tests.helpers import answer, open_template, participants, settle
from upward.testing.pairs import build_pairs


@pytest.mark.django_db(transaction=True)
def test_a_mentee_answers_and_the_manager_reads_outcomes(visitor_factory, world):
    today = dt.date.today()
    programme = world.programme
    programme.starts_on = today - dt.timedelta(days=3)
    programme.ends_on = today + dt.timedelta(days=180)
    programme.state = "active"
    programme.save()
    build_pairs(world)
    start = open_template(programme, "digital-skills-start")
    end = open_template(programme, "digital-skills-end")

    # The mentee finds the survey and answers it, missing one question the first time.
    mentee = visitor_factory("mentee")
    mentee.sign_in(world.senior.email)
    page = mentee.page
    mentee.go("/surveys/")
    expect(page.get_by_role("heading", name="Waiting for you")).to_be_visible()
    mentee.look("due")
    page.get_by_role("link", name=f"Answer {start.title}").click()
    expect(page.get_by_role("heading", name=start.title, level=1)).to_be_visible()
    mentee.look("form")
    questions = list(start.questions.all())
    for q in questions[:-1]:
        page.get_by_role("group", name=q.text).get_by_label("4 · Agree").check()
    page.get_by_role("button", name="Send my answers").click()
    expect(page.get_by_text("This question needs an answer.").first).to_be_visible()
    mentee.look("missing-answer")
    page.get_by_role("group", name=questions[-1].text).get_by_label("2 · Disagree").check()
    page.get_by_role("button", name="Send my answers").click()
    expect(page.get_by_role("heading", name="Thank you: your answers are saved")).to_be_visible()
    mentee.look("thanks")
    # Anonymous answers wait, sealed, and are written later in shuffled batches.
    assert PendingResponse.objects.filter(survey=start).count() == 1
    assert not Response.objects.filter(survey=start).exists()

    # Six more leaders answer at the start and the end (through the service, dated).
    leaders = participants(programme, 6, role="mentee", prefix="Leader")
    end_day = programme.ends_on - dt.timedelta(days=7)
    for i, person in enumerate(leaders):
        answer(start, person, today=today, confidence_digital=2)
        answer(
            end,
            person,
            today=end_day,
            confidence_digital=2 + i % 3,
            confidence_digital_retro=(1, 4),
        )
    # Closing the surveys writes every waiting answer (none carries a person).
    settle(start, end)
    assert not Response.objects.filter(survey=start, person__isnull=False).exists()
    services.set_success_measure(programme, item_key="confidence-digital", by=None)

    manager = visitor_factory("manager")
    manager.sign_in(world.manager.email)
    mpage = manager.page
    manager.go(f"/programmes/{programme.pk}/outcomes/")
    expect(mpage.get_by_role("heading", name="Outcomes", level=1)).to_be_visible()
    # Changes 0, 1, 2, 0, 1, 2: four of six improved, mean +1.0.
    expect(mpage.get_by_text("67% improved (n = 6), mean +1.0").first).to_be_visible()
    manager.look("outcomes")
    for leader in leaders:
        assert leader.full_name not in mpage.content()
    manager.go(f"/programmes/{programme.pk}/surveys/")
    expect(mpage.get_by_role("link", name=end.title)).to_be_visible()
    manager.look("surveys")
    mpage.get_by_role("link", name=end.title).click()
    manager.look("survey-detail")
