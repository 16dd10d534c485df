"""Survey windows in dates, who is asked with a count, "send it now" and the home page panel."""

from __future__ import annotations

import pytest
import time_machine
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from upward.core.models import AuditEvent
from upward.notifications.models import Delivery, Notification, NotificationPreference
from upward.surveys import selectors, services
from upward.surveys.models import Survey
from upward.surveys.tests.helpers import START_DAY, START_MOMENT, answer, open_template

pytestmark = pytest.mark.django_db

# world.programme runs 11 January to 9 July 2027: "at the start" opens 14 days before the start
# and closes 28 days after it.
START_WINDOW = "Opens 28 December 2026, closes 8 February 2027"
# Well after the start survey's window.
LATER = "2027-03-01 10:00:00+00:00"


@pytest.fixture
def survey(world, pairs) -> Survey:  # type: ignore[no-untyped-def]
    return open_template(world.programme, "digital-skills-start")  # mentees only


def _send_url(world, survey):  # type: ignore[no-untyped-def]
    return reverse("surveys:send_now", args=[world.programme.pk, survey.pk])


@time_machine.travel(START_MOMENT, tick=False)
def test_list_and_detail_show_the_window_in_dates_and_who_is_asked(world, survey):
    client = world.client_for(world.manager)
    for url in (
        reverse("surveys:list", args=[world.programme.pk]),
        reverse("surveys:detail", args=[world.programme.pk, survey.pk]),
    ):
        response = client.get(url)
        assertContains(response, START_WINDOW)
        # Two mentees (Sam and Sofia); the two mentors are not asked.
        assertContains(response, "2 people")
        assertContains(response, "Due now")
    detail = client.get(reverse("surveys:detail", args=[world.programme.pk, survey.pk]))
    assertContains(detail, "Nobody is reminded twice")


def test_window_moves_to_the_day_it_was_sent_after_it_passed(world, survey):
    schedule = selectors.survey_schedule(survey, today=START_DAY)
    assert (str(schedule.opens_on), str(schedule.closes_on)) == ("2026-12-28", "2027-02-08")
    assert schedule.audience_count == 2
    with time_machine.travel(LATER, tick=False):
        services.send_survey_now(survey, by=world.manager.user)
        survey.refresh_from_db()
        schedule = selectors.survey_schedule(survey)
    assert (str(schedule.opens_on), str(schedule.closes_on)) == ("2027-03-01", "2027-03-15")


@time_machine.travel(LATER, tick=False)
def test_send_now_confirms_then_notifies_the_audience_once(world, pairs, survey):
    NotificationPreference.objects.create(
        person=pairs.other_mentee, kind="survey_due", delivery=Delivery.IN_APP
    )
    assert selectors.surveys_due(world.senior) == []  # its window has passed
    client = world.client_for(world.manager)
    page = client.get(_send_url(world, survey))
    assertContains(page, "Mentees only: 2 people in this programme")
    assertContains(page, "Send to 2 people")
    assert not Notification.objects.exists()  # the confirmation page sends nothing

    response = client.post(_send_url(world, survey), follow=True)
    assertContains(response, "The survey is due now. 2 people were told.")
    notices = Notification.objects.filter(kind="survey_due")
    assert {n.recipient for n in notices} == {pairs.mentee, pairs.other_mentee}
    # Sofia chose in-app only: her preference holds.
    assert notices.get(recipient=pairs.other_mentee).delivery == Delivery.IN_APP
    assert [d.survey for d in selectors.surveys_due(world.senior)] == [survey]
    assert selectors.surveys_due(world.applicant) == []  # a mentor

    # A second send (a double click, another tab) tells nobody twice.
    response = client.post(_send_url(world, survey), follow=True)
    assertContains(response, "already been sent")
    assert Notification.objects.filter(kind="survey_due").count() == 2
    verbs = list(AuditEvent.objects.filter(object_id=str(survey.pk)).values_list("verb", flat=True))
    assert verbs.count("survey.sent_now") == 1 and verbs.count("survey.sent_again") == 1
    # Nor does the daily reminder.
    assert services.send_survey_reminders()["sent"] == 0


@time_machine.travel(LATER, tick=False)
def test_send_now_skips_people_who_answered(world, pairs, survey):
    with time_machine.travel(START_MOMENT, tick=False):
        answer(survey, world.senior, today=START_DAY)
    result = services.send_survey_now(survey, by=world.manager.user)
    assert (result.asked, result.notified) == (1, 1)
    assert Notification.objects.get(kind="survey_due").recipient == pairs.other_mentee


@time_machine.travel(LATER, tick=False)
def test_send_now_opens_a_draft(world, pairs):
    draft = services.create_survey_from_template(
        world.programme, template_key="pulse", by=world.manager.user
    )
    services.send_survey_now(draft, by=world.manager.user)
    draft.refresh_from_db()
    assert draft.state == "open" and draft.sent_at is not None
    # "pulse" asks mentors and mentees: all four are told.
    assert Notification.objects.filter(kind="survey_due").count() == 4


def test_send_now_refuses_what_cannot_be_sent(world, pairs, survey):
    session = open_template(world.programme, "session-feedback")
    with pytest.raises(services.SurveyError, match="asked after every meeting"):
        services.send_survey_now(session, by=world.manager.user)
    services.close_survey(survey, by=world.manager.user)
    with pytest.raises(services.SurveyError, match="This survey is closed"):
        services.send_survey_now(survey, by=world.manager.user)
    empty = open_template(world.other_programme, "pulse")
    with pytest.raises(services.SurveyError, match="draft, so nobody takes part"):
        services.send_survey_now(empty, by=world.other_manager.user)
    assert not Notification.objects.exists()


@time_machine.travel(LATER, tick=False)
def test_send_now_is_refused_to_everyone_but_its_managers(world, survey):
    for person in (world.other_manager, world.outsider_admin, world.senior, world.applicant):
        client = world.client_for(person)
        assert client.get(_send_url(world, survey)).status_code == 404, person
        assert client.post(_send_url(world, survey)).status_code == 404, person
    assert not Notification.objects.exists()
    survey.refresh_from_db()
    assert survey.sent_at is None
    # The organisation's admin may send it.
    assert world.client_for(world.admin).post(_send_url(world, survey)).status_code == 302
    assert Notification.objects.count() == 2


@time_machine.travel(START_MOMENT, tick=False)
def test_home_page_lists_surveys_to_answer_with_close_date(world, survey):
    response = world.client_for(world.senior).get(reverse("dashboard"))
    assertContains(response, "Surveys to answer")
    assertContains(response, "closes 8 February 2027")
    assertContains(response, reverse("surveys:answer", args=[survey.pk]))
    # A mentor is not asked this mentees' survey: no panel on their page.
    assertNotContains(world.client_for(world.applicant).get(reverse("dashboard")), survey.title)
    answer(survey, world.senior, today=START_DAY)
    assertNotContains(world.client_for(world.senior).get(reverse("dashboard")), survey.title)
