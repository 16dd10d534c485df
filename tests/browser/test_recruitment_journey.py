"""The recruitment journey end to end, in a real browser.

A manager designs a programme and opens recruitment; a junior colleague follows the sign-up link,
applies as a mentor and is accepted; a senior leader who tries the mentor role is told why not.
Every page visited is screenshotted and checked with axe-core (see conftest.py).
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import fill_sign_in
from upward.organisations.models import Topic
from upward.programmes.models import Programme
from upward.recruitment.models import Application
from upward.recruitment.tests.helpers import open_recruitment
from upward.testing.factories import TopicFactory

PROGRAMME = "Data confidence, spring 2027"


def _topics(world) -> None:  # type: ignore[no-untyped-def]
    for name in ("Data analysis", "Social media", "Accessible design"):
        TopicFactory(organisation=world.org, name=name, kind=Topic.Kind.SKILL)
    TopicFactory(organisation=world.org, name="Running", kind=Topic.Kind.INTEREST)


def _create_programme(manager) -> str:  # type: ignore[no-untyped-def]
    """Fill the design form as a manager would, by its labels; return the detail page's URL."""
    page = manager.page
    manager.go("/programmes/")
    manager.look("programme-list")
    page.get_by_role("link", name="New programme").first.click()
    page.wait_for_url(re.compile(r"/programmes/new/$"))
    manager.look("new-programme")

    page.get_by_label("Programme name").fill(PROGRAMME)
    page.get_by_label("Summary for the public page").fill(
        "Colleagues early in their careers help senior leaders read and question data."
    )
    page.get_by_label("Objective", exact=True).select_option(label="Digital and technology skills")
    page.get_by_label("What will be measured").fill("Leaders' confidence reading data")
    page.get_by_label("How it will be measured").fill("The same short survey at start and end")
    page.get_by_label(re.compile("^Target")).fill("Two thirds of mentees report more confidence")
    page.get_by_label("Highest mentor level").select_option(label="4 Senior analyst")
    page.get_by_label("Lowest mentee level").select_option(label="6 Senior manager")
    page.get_by_label(re.compile("Reviewed applications")).check()
    page.get_by_label("Places (pairs)").fill("8")
    page.get_by_label("Start date").fill("2027-03-01")
    page.get_by_label("End date").fill("2027-08-27")
    page.get_by_label("Expected commitment").fill("One hour a month for six months")
    page.get_by_role("button", name="Create draft").click()
    page.wait_for_url(re.compile(r"/programmes/\d+/$"))
    assert page.get_by_role("heading", name=PROGRAMME, level=1).is_visible()
    assert page.get_by_text("Draft saved").is_visible()
    manager.look("programme-draft")
    return page.url


@pytest.mark.django_db(transaction=True)
def test_manager_opens_recruitment_and_accepts_a_mentor(visitor_factory, world):
    _topics(world)

    # The manager designs the programme and opens it for recruitment.
    manager = visitor_factory("manager")
    manager.sign_in(world.manager.email)
    manager.look("dashboard")
    detail_url = _create_programme(manager)
    page = manager.page
    programme = Programme.objects.get(name=PROGRAMME)
    assert programme.state == "draft"
    assert set(programme.managers.all()) == {world.manager}

    open_recruitment = page.get_by_role("button", name="Open recruitment").or_(
        page.get_by_role("link", name=re.compile("^Open recruitment"))
    )
    open_recruitment.click()
    page.wait_for_load_state()
    confirm = page.get_by_role("button", name=re.compile("^Yes, open recruitment", re.I))
    if confirm.count():  # Only when the design has warnings worth reading first.
        manager.look("confirm-open")
        confirm.click()
    page.wait_for_url(detail_url)
    programme.refresh_from_db()
    assert programme.state == "recruiting" and programme.signup_open
    assert page.get_by_text("Sign-up is open.").is_visible()

    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.get_by_role("button", name="Copy link").click()
    expect(page.locator("#copy-status")).to_have_text("Link copied.")
    signup_link = page.evaluate("navigator.clipboard.readText()")
    assert signup_link == page.get_by_label("Public page address").input_value()
    assert signup_link.endswith(f"/programmes/join/{programme.signup_token}/")
    manager.look("programme-recruiting")

    # The applicant follows the link, signs in from the public page and applies as a mentor.
    applicant = visitor_factory("applicant")
    applicant.page.goto(signup_link)
    assert applicant.page.get_by_role("heading", name=PROGRAMME, level=1).is_visible()
    applicant.look("public-page")
    applicant.page.get_by_role("link", name="Apply now").first.click()
    applicant.page.wait_for_url(re.compile(r"/accounts/login/\?next="))
    applicant.look("sign-in-to-apply")
    fill_sign_in(applicant.page, world.applicant.email, "correct horse battery")
    applicant.page.wait_for_url(re.compile(rf"/join/{programme.signup_token}/apply/$"))
    applicant.look("choose-role")
    applicant.page.get_by_role("link", name=re.compile("^Apply as mentor", re.I)).click()
    applicant.page.wait_for_url(re.compile(r"\?role=mentor$"))
    applicant.look("application-form")

    form = applicant.page
    form.get_by_label("Why would you like to take part?").fill(
        "I work with data every day and would like to help leaders feel at ease with it."
    )
    skills = form.get_by_role("group", name="Skills and experience you can share")
    skills.get_by_label("Data analysis").check()
    skills.get_by_label("Accessible design").check()
    form.get_by_role("group", name="What you would like to learn").get_by_label(
        "Social media"
    ).check()
    form.get_by_label("Tuesday afternoon").check()
    form.get_by_label(re.compile("I agree to the programme's terms")).check()
    form.get_by_role("button", name="Send application").click()
    form.wait_for_url(re.compile(r"/applications/\d+/$"))
    assert form.get_by_text("Thank you for applying.").is_visible()
    assert form.locator(".badge", has_text="Submitted").is_visible()
    applicant.look("application-submitted")
    application = Application.objects.get(programme=programme, person=world.applicant)
    assert application.role == "mentor" and application.status == "submitted"
    assert {t.name for t in application.offered_topics.all()} == {
        "Data analysis",
        "Accessible design",
    }
    my_application_url = form.url

    # The manager reviews the application and accepts it.
    page.get_by_role("link", name="Review applications").click()
    page.wait_for_url(re.compile(r"/applications/$"))
    manager.look("review-list")
    page.get_by_role("link", name="Jess Junior").click()
    page.wait_for_url(re.compile(r"/applications/\d+/$"))
    shared = page.locator("dt", has_text="Can share").locator("xpath=following-sibling::dd[1]")
    assert shared.inner_text() == "Accessible design, Data analysis"
    manager.look("review-detail")
    page.get_by_label("Accept", exact=True).check()
    page.get_by_label("Message to the applicant").fill(
        "Welcome aboard: your data skills are just what our leaders asked for."
    )
    page.get_by_role("button", name="Save decision and email the applicant").click()
    page.wait_for_load_state()
    application.refresh_from_db()
    assert application.status == "accepted"
    assert page.locator(".badge--accepted").first.is_visible()
    manager.look("review-decided")

    # The applicant sees the acceptance on the dashboard and on the application page.
    applicant.go("/dashboard/")
    row = applicant.page.get_by_role("listitem").filter(has_text=PROGRAMME)
    assert row.locator(".badge", has_text="Accepted").is_visible()
    applicant.look("dashboard-accepted")
    applicant.page.goto(my_application_url)
    assert applicant.page.locator(".badge", has_text="Accepted").is_visible()
    assert applicant.page.get_by_text("your data skills are just what our leaders").is_visible()
    assert not applicant.page.get_by_role("link", name="Change answers").count()
    applicant.look("application-accepted")


@pytest.mark.django_db(transaction=True)
def test_senior_leader_is_told_why_they_cannot_be_a_mentor(visitor_factory, world):
    programme = open_recruitment(
        world.programme,
        mentor_level_max=world.applicant.level,
        mentee_level_min=world.senior.level,
    )

    senior = visitor_factory("senior")
    senior.sign_in(world.senior.email)
    senior.go(f"/join/{programme.signup_token}/apply/")
    senior.look("choose-role")
    mentor = senior.page.get_by_role("region", name="Mentor")
    assert mentor.get_by_text("Not open to you:").is_visible()
    assert not mentor.get_by_role("link", name=re.compile("^Apply as", re.I)).count()

    # Asking for the mentor form directly explains the refusal instead of showing the form.
    senior.go(f"/join/{programme.signup_token}/apply/?role=mentor")
    refusal = senior.page.get_by_role("alert")
    assert refusal.get_by_text(re.compile("You cannot apply as mentor", re.I)).is_visible()
    assert not senior.page.get_by_label("Why would you like to take part?").count()
    senior.look("mentor-refused")
    assert not Application.objects.filter(person=world.senior).exists()
