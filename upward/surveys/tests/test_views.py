"""Every view as every persona, the answer form over HTTP, and what pages never show."""

from __future__ import annotations

import pytest
import time_machine
from django.contrib import admin
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from upward.surveys import services
from upward.surveys.models import PendingResponse, Response, Submission, Survey
from upward.surveys.tests.helpers import (
    END_DAY,
    END_MOMENT,
    START_DAY,
    START_MOMENT,
    answer,
    open_template,
    participants,
    question,
    settle,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def survey(world, pairs) -> Survey:  # type: ignore[no-untyped-def]
    return open_template(world.programme, "digital-skills-start")


@pytest.fixture
def draft(world) -> Survey:  # type: ignore[no-untyped-def]
    return services.create_survey_from_template(
        world.programme, template_key="pulse", by=world.manager.user
    )


def manager_urls(world, survey, draft):  # type: ignore[no-untyped-def]
    p = world.programme.pk
    q = draft.questions.first()
    return [
        reverse("surveys:list", args=[p]),
        reverse("surveys:new", args=[p]),
        reverse("surveys:detail", args=[p, survey.pk]),
        reverse("surveys:edit", args=[p, draft.pk]),
        reverse("surveys:open", args=[p, draft.pk]),
        reverse("surveys:close", args=[p, survey.pk]),
        reverse("surveys:delete", args=[p, draft.pk]),
        reverse("surveys:question_edit", args=[p, draft.pk, q.pk]),
        reverse("surveys:question_delete", args=[p, draft.pk, q.pk]),
        reverse("surveys:outcomes", args=[p]),
        reverse("surveys:export", args=[p]),
    ]


def test_manager_views_as_every_persona(world, survey, draft):
    urls = manager_urls(world, survey, draft)
    for person, expected in (
        (world.manager, 200),
        (world.admin, 200),
        (world.other_manager, 404),
        (world.outsider_admin, 404),
        (world.applicant, 404),
        (world.senior, 404),
    ):
        client = world.client_for(person)
        for url in urls:
            assert client.get(url).status_code == expected, (person, url)
    anonymous = world.client_for(None)
    for url in urls:
        response = anonymous.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_manager_posts_are_refused_to_others(world, survey, draft):
    p = world.programme.pk
    q = draft.questions.first()
    posts = [
        (reverse("surveys:list", args=[p]), {"template": "pulse"}),
        (reverse("surveys:new", args=[p]), {"title": "x", "timing": "start", "audience": "both"}),
        (reverse("surveys:detail", args=[p, draft.pk]), {"text": "x", "kind": "text"}),
        (reverse("surveys:open", args=[p, draft.pk]), {}),
        (reverse("surveys:close", args=[p, survey.pk]), {}),
        (reverse("surveys:delete", args=[p, draft.pk]), {}),
        (reverse("surveys:question_move", args=[p, draft.pk, q.pk]), {"direction": "down"}),
        (reverse("surveys:question_delete", args=[p, draft.pk, q.pk]), {}),
        (reverse("surveys:success_measure", args=[p]), {"item_key": "confidence-digital"}),
    ]
    for person in (world.other_manager, world.outsider_admin, world.senior):
        client = world.client_for(person)
        for url, data in posts:
            assert client.post(url, data).status_code == 404, (person, url)
    assert Survey.objects.count() == 2 and draft.questions.count() == 4
    survey.refresh_from_db()
    assert survey.state == "open"


def test_survey_in_another_programme_is_404_through_this_programme(world, survey):
    other = open_template(world.other_programme, "pulse")
    client = world.client_for(world.manager)
    url = reverse("surveys:detail", args=[world.programme.pk, other.pk])
    assert client.get(url).status_code == 404


def test_build_a_survey_through_the_pages(world):
    client = world.client_for(world.manager)
    p = world.programme.pk
    response = client.post(reverse("surveys:new", args=[p]), {"title": "", "timing": "soon"})
    assert response.status_code == 200
    assert "This field is required" in response.content.decode()
    response = client.post(
        reverse("surveys:new", args=[p]),
        {"title": "Our check", "timing": "start", "audience": "both", "is_anonymous": "on"},
    )
    survey = Survey.objects.get(title="Our check")
    assert response["Location"] == reverse("surveys:detail", args=[p, survey.pk])
    detail = reverse("surveys:detail", args=[p, survey.pk])
    response = client.post(detail, {"text": "Pick one", "kind": "single", "choices": "Only"})
    assert "at least two options" in response.content.decode()
    client.post(
        detail,
        {"text": "I feel heard", "kind": "likert", "item_key": "heard", "required": "on"},
    )
    assert survey.questions.get().item_key == "heard"
    response = client.get(reverse("surveys:open", args=[p, survey.pk]))
    assert "can no longer change" in response.content.decode()
    client.post(reverse("surveys:open", args=[p, survey.pk]))
    survey.refresh_from_db()
    assert survey.state == "open"
    # Questions of an open survey cannot be edited through the page either.
    q = survey.questions.get()
    response = client.post(
        reverse("surveys:question_edit", args=[p, survey.pk, q.pk]),
        {"text": "Changed", "kind": "likert"},
    )
    assert "fixed" in response.content.decode()
    q.refresh_from_db()
    assert q.text == "I feel heard"


def test_list_query_budget(world, survey, draft, django_assert_max_num_queries):
    for key in ("effectiveness", "mentor-gains", "session-feedback"):
        open_template(world.programme, key)
    client = world.client_for(world.manager)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("surveys:list", args=[world.programme.pk]))
    assert response.status_code == 200
    assert "How well did the programme work?" in response.content.decode()


# ---------------------------------------------------------------- participants


@time_machine.travel(START_MOMENT, tick=False)
def test_answer_flow_as_a_participant(world, survey):
    client = world.client_for(world.senior)
    mine = client.get(reverse("surveys:mine"))
    assert survey.title in mine.content.decode()
    url = reverse("surveys:answer", args=[survey.pk])
    page = client.get(url)
    assert page.status_code == 200 and "anonymous" in page.content.decode()
    data = {f"q{q.pk}": "4" for q in survey.questions.all()}
    first = question(survey, "confidence-digital")
    # Out of range and missing answers are explained, nothing is stored.
    bad = dict(data, **{f"q{first.pk}": "9"})
    response = client.post(url, bad)
    assert response.status_code == 400
    assert "Choose a whole number from 1 to 5." in response.content.decode()
    missing = {k: v for k, v in data.items() if k != f"q{first.pk}"}
    response = client.post(url, missing)
    assert "This question needs an answer." in response.content.decode()
    assert not Submission.objects.exists()
    response = client.post(url, data)
    assert response["Location"] == reverse("surveys:thanks", args=[survey.pk])
    thanks = client.get(response["Location"])
    assert "your answers are saved" in thanks.content.decode()
    # A second visit or post does not store a second answer.
    again = client.get(url)
    assert again["Location"] == reverse("surveys:mine")
    client.post(url, data)
    assert Submission.objects.count() == 1
    # Anonymous: the answers wait to be written with others, never on their own.
    assert PendingResponse.objects.count() == 1 and Response.objects.count() == 0


@time_machine.travel(START_MOMENT, tick=False)
def test_answer_page_as_every_persona(world, survey):
    url = reverse("surveys:answer", args=[survey.pk])
    # The start survey is for mentees: Sam may answer; his mentor, managers and outsiders get 404.
    assert world.client_for(world.senior).get(url).status_code == 200
    for person in (world.applicant, world.manager, world.other_manager, world.outsider_admin):
        assert world.client_for(person).get(url).status_code == 404, person
        assert world.client_for(person).post(url, {}).status_code == 404, person
    assert (
        world.client_for(world.senior).get(reverse("surveys:thanks", args=[survey.pk])).status_code
        == 404
    )
    response = world.client_for(None).get(url)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert world.client_for(None).get(reverse("surveys:mine")).status_code == 302
    # Outside its window the survey is not there at all.
    with time_machine.travel(END_MOMENT, tick=False):
        assert world.client_for(world.senior).get(url).status_code == 404
    # A closed survey cannot be answered.
    services.close_survey(survey, by=None)
    assert world.client_for(world.senior).get(url).status_code == 404


@time_machine.travel(START_MOMENT, tick=False)
def test_my_surveys_query_budget_and_empty_state(world, survey, django_assert_max_num_queries):
    client = world.client_for(world.outsider_admin)
    assert "Nothing to answer right now" in client.get(reverse("surveys:mine")).content.decode()
    client = world.client_for(world.senior)
    client.get(reverse("surveys:mine"))
    with django_assert_max_num_queries(10):
        response = client.get(reverse("surveys:mine"))
    assert response.status_code == 200


# ---------------------------------------------------------------- anonymity everywhere


def test_outcomes_page_and_export_never_name_who_answered(world, pairs):
    start = open_template(world.programme, "digital-skills-start")
    end = open_template(world.programme, "digital-skills-end")
    people = participants(world.programme, 10, role="mentee", prefix="Anon Lead")
    for person in people:
        answer(start, person, today=START_DAY, confidence_digital=2)
        answer(end, person, today=END_DAY, confidence_digital=4, digital_skills_felt_change=5)
    services.set_success_measure(world.programme, item_key="confidence-digital", by=None)
    client = world.client_for(world.manager)
    # Ten answered each survey: one batch of five is written, five still wait, and the page
    # says why.
    waiting = client.get(reverse("surveys:outcomes", args=[world.programme.pk]))
    assertContains(waiting, "Anonymous answers appear here in batches of at least 5 people")
    detail = client.get(reverse("surveys:detail", args=[world.programme.pk, end.pk]))
    assertContains(detail, "Anonymous answers reach the outcomes in batches of at least 5 people")
    settle(start, end)
    page = client.get(reverse("surveys:outcomes", args=[world.programme.pk])).content.decode()
    export = client.get(reverse("surveys:export", args=[world.programme.pk])).content.decode()
    assert "100% improved (n = 10), mean +2.0" in page
    for text in (page, export):
        for person in people:
            assert person.full_name not in text and person.email not in text
        for response in Response.objects.all():
            assert response.pseudonym not in text and str(response.pk) not in text
    # The survey page shows how many answered, not who.
    detail_response = client.get(reverse("surveys:detail", args=[world.programme.pk, end.pk]))
    assertNotContains(detail_response, b"Anon Lead")


def test_admin_does_not_expose_responses_or_answers():
    from upward.surveys.models import Answer

    assert Response not in admin.site._registry
    assert Answer not in admin.site._registry
    assert Submission not in admin.site._registry


def test_admin_survey_pages_do_not_list_respondents(world, pairs, client):
    from upward.accounts.models import User
    from upward.core.testing.two_factor import force_login_with_two_factor

    survey = open_template(world.programme, "pulse")
    answer(survey, world.senior, today=START_DAY.replace(month=4, day=10))
    staff = User.objects.create_superuser(email="root@northwind.test", password="x" * 12)
    # The admin admits no session without two factors (it answered a redirect before this).
    force_login_with_two_factor(client, staff)
    response = client.get(reverse("admin:surveys_survey_change", args=[survey.pk]))
    assertNotContains(response, "Sam Senior")


def test_outcomes_page_query_budget(world, pairs, django_assert_max_num_queries):
    start = open_template(world.programme, "digital-skills-start")
    people = participants(world.programme, 6, role="mentee", prefix="Budget")
    for person in people:
        answer(start, person, today=START_DAY)
    client = world.client_for(world.manager)
    with django_assert_max_num_queries(16):
        response = client.get(reverse("surveys:outcomes", args=[world.programme.pk]))
    assert response.status_code == 200


def test_success_measure_form_refuses_unknown_items(world, pairs):
    open_template(world.programme, "digital-skills-start")
    client = world.client_for(world.manager)
    url = reverse("surveys:success_measure", args=[world.programme.pk])
    response = client.post(url, {"item_key": "made-up"}, follow=True)
    assert "Choose one of the questions listed." in response.content.decode()
    client.post(url, {"item_key": "confidence-digital"})
    assert world.programme.success_measure.item_key == "confidence-digital"


@time_machine.travel(START_MOMENT, tick=False)
def test_dashboard_panel_lists_due_surveys_only_for_their_person(world, survey):
    from django.template import Context, Template

    template = Template("{% load surveys_tags %}{% surveys_due_panel person %}")
    html = template.render(Context({"person": world.senior}))
    assert survey.title in html and reverse("surveys:answer", args=[survey.pk]) in html
    assert template.render(Context({"person": world.applicant})).strip() == ""
    assert template.render(Context({"person": None})).strip() == ""
