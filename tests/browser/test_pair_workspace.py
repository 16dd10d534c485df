"""A pair's workspace in a real browser: a shared note, a goal with a task, skills ratings and
a message; then the partner reads them, and the programme team sees only counts.

Every page visited is screenshotted and checked with axe-core (see conftest.py).
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from upward.goals.models import Goal, Rating, Task
from upward.notes.models import Message, SharedNote
from upward.testing.pairs import build_pairs

NOTE = "Questions for our first meeting"


@pytest.mark.django_db(transaction=True)
def test_a_pair_works_together_and_the_manager_sees_only_counts(visitor_factory, world):
    pairs = build_pairs(world)
    pk = pairs.pairing.pk
    target = (dt.date.today() + dt.timedelta(days=60)).isoformat()
    due = (dt.date.today() + dt.timedelta(days=7)).isoformat()

    # The mentor starts a shared note.
    mentor = visitor_factory("mentor")
    mentor.sign_in(pairs.mentor.email)
    page = mentor.page
    mentor.go(f"/pairings/{pk}/notes/")
    expect(page.get_by_role("heading", name="No shared notes yet")).to_be_visible()
    mentor.look("notes-empty")
    page.get_by_role("link", name="Write the first note").click()
    page.get_by_label("Title").fill(NOTE)
    page.get_by_label(re.compile("^Note")).fill(
        "1. What does a good month look like for you?\n2. Which tools does your team use?"
    )
    mentor.look("note-form")
    page.get_by_role("button", name="Save note").click()
    expect(page.get_by_role("heading", name=NOTE, level=1)).to_be_visible()
    mentor.look("note")
    assert SharedNote.objects.get().title == NOTE

    # A goal: first without a measurable criterion, which is refused with a clear message.
    mentor.go(f"/pairings/{pk}/goals/")
    mentor.look("goals-empty")
    page.get_by_role("link", name="Add a goal").first.click()
    page.get_by_label("Goal", exact=True).fill("Present my team's data work to the executive")
    page.get_by_label("Target date").fill(target)
    page.get_by_role("button", name="Add goal").click()
    expect(page.get_by_text("A goal needs a measurable criterion").first).to_be_visible()
    mentor.look("goal-needs-measure")
    page.get_by_label("How you will know you have got there").fill(
        "I have presented once and had feedback from two directors"
    )
    page.get_by_label("Why it matters").fill("It makes my team's work visible.")
    page.get_by_role("button", name="Add goal").click()
    expect(page.get_by_text("Goal added")).to_be_visible()
    page.get_by_role("link", name=re.compile("^Add a task")).click()
    page.get_by_label("Task").fill("Draft five slides and share them with Sam")
    page.get_by_label("Due date").fill(due)
    mentor.look("task-form")
    page.get_by_role("button", name="Add task").click()
    expect(page.get_by_text("Draft five slides").first).to_be_visible()
    mentor.look("goals")
    goal = Goal.objects.get()
    assert goal.owner == pairs.mentor and Task.objects.get().owner == pairs.mentor

    # Skills: rate myself at the start, then the chart shows it.
    mentor.go(f"/pairings/{pk}/skills/")
    mentor.look("skills-empty")
    page.get_by_role("link", name="Rate myself: start").click()
    page.get_by_role("group", name=re.compile("^Using AI tools day to day")).get_by_role(
        "radio", name=re.compile(r"^2 ")
    ).check()
    page.get_by_role("group", name=re.compile("^Reading data and dashboards")).get_by_role(
        "radio", name=re.compile(r"^4 ")
    ).check()
    mentor.look("rate")
    page.get_by_role("button", name="Save ratings").click()
    page.get_by_role("link", name="Rate myself: end").click()
    page.get_by_role("group", name=re.compile("^Using AI tools day to day")).get_by_role(
        "radio", name=re.compile(r"^4 ")
    ).check()
    page.get_by_role("button", name="Save ratings").click()
    expect(
        page.get_by_role("img", name="Your skill ratings at the start and at the end")
    ).to_be_visible()
    expect(page.get_by_role("cell", name="+2")).to_be_visible()
    mentor.look("skills-chart")
    assert Rating.objects.count() == 3

    # A message to the partner.
    mentor.go(f"/pairings/{pk}/messages/")
    page.get_by_label("Your message").fill("Hello Sam, does Thursday afternoon suit you?")
    page.get_by_role("button", name="Send message").click()
    expect(page.get_by_text("Does Thursday afternoon suit you?", exact=False)).to_be_visible()
    mentor.look("messages")
    assert Message.objects.count() == 1

    # The mentee reads the message, edits the note, and sees its history.
    mentee = visitor_factory("mentee")
    mentee.sign_in(pairs.mentee.email)
    mpage = mentee.page
    mentee.go(f"/pairings/{pk}/messages/")
    expect(mpage.get_by_text("does Thursday afternoon suit you?")).to_be_visible()
    mentee.look("messages")
    mentee.go(f"/pairings/{pk}/notes/")
    mpage.get_by_role("link", name=NOTE).click()
    mpage.get_by_role("link", name="Edit").click()
    mpage.get_by_label(re.compile("^Note")).fill("Thursday at 2pm. Bring the dashboard.")
    mpage.get_by_role("button", name="Save note").click()
    mpage.get_by_role("link", name=re.compile("^History")).click()
    expect(mpage.get_by_role("heading", name="Version 2")).to_be_visible()
    expect(mpage.get_by_role("heading", name="Version 1")).to_be_visible()
    mentee.look("note-history")
    mentee.go(f"/pairings/{pk}/goals/")
    expect(mpage.get_by_role("heading", name=re.compile("Present my team")).first).to_be_visible()
    mentee.look("goals")
    mentee.go(f"/pairings/{pk}/workbook/")
    mentee.look("workbook")
    with mpage.expect_download() as download:
        mpage.get_by_role("button", name="Download workbook (PDF)").click()
    path = download.value.path()
    with open(path, "rb") as handle:
        assert handle.read(4) == b"%PDF"

    # The programme manager: counts only, and 404 on the pair's notes.
    manager = visitor_factory("manager")
    manager.sign_in(world.manager.email)
    manager.go(f"/programmes/{world.programme.pk}/goals-overview/")
    expect(manager.page.get_by_role("heading", name="Goals overview")).to_be_visible()
    assert "Present my team's data work" not in manager.page.content()
    manager.look("goals-overview")
    response = manager.page.goto(manager.base_url + f"/pairings/{pk}/notes/")
    assert response is not None and response.status == 404
    assert NOTE not in manager.page.content()


@pytest.mark.django_db(transaction=True)
def test_resources_private_notes_and_the_cohort_space(visitor_factory, world):
    from upward.resources import services as resources
    from upward.resources.models import ActivityIdea, SavedItem
    from upward.testing.workspace import make_meeting

    pairs = build_pairs(world)
    pk = pairs.pairing.pk
    ActivityIdea.objects.create(
        slug="walk",
        title="Hold a session on a walk",
        description="Walking side by side often makes honest conversation easier.",
        journey_step=1,
    )
    resources.create_resource(
        world.org,
        title="A short guide to reverse mentoring",
        kind="article",
        url="https://example.org/guide",
        journey_step=1,
        by=None,
    )
    meeting = make_meeting(pairs.pairing)

    mentor = visitor_factory("mentor")
    mentor.sign_in(pairs.mentor.email)
    page = mentor.page
    mentor.go(f"/pairings/{pk}/resources/")
    mentor.look("resources")
    page.get_by_role("button", name=re.compile("^Save.*Hold a session on a walk")).click()
    expect(page.get_by_text("Saved to your pair's list")).to_be_visible()
    mentor.look("resources-saved")
    assert SavedItem.objects.filter(pairing=pairs.pairing).count() == 1

    mentor.go(f"/pairings/{pk}/private-notes/")
    mentor.look("private-notes")
    page.get_by_role("link", name="Write a note").click()
    page.get_by_label(re.compile("^My private note")).fill(
        "I want to ask about the team's worries."
    )
    mentor.look("private-note-form")
    page.get_by_role("button", name="Save my note").click()
    expect(page.get_by_role("link", name="Read or edit my note")).to_be_visible()

    mentor.go(f"/programmes/{world.programme.pk}/cohort/mentor/")
    page.get_by_label("Your post").fill("What helped you prepare for a first session?")
    page.get_by_role("button", name="Post").click()
    expect(page.get_by_text("What helped you prepare")).to_be_visible()
    mentor.look("cohort-space")

    manager = visitor_factory("manager")
    manager.sign_in(world.manager.email)
    mpage = manager.page
    manager.go(f"/programmes/{world.programme.pk}/cohort/mentor/")
    expect(
        mpage.get_by_text("only place in Upward where the programme team can read")
    ).to_be_visible()
    manager.look("cohort-moderation")
    mpage.get_by_role("link", name=re.compile("^Hide this post")).click()
    manager.look("hide-confirm")
    mpage.get_by_role("button", name="Hide the post").click()
    expect(mpage.get_by_text("The programme team hid this post.")).to_be_visible()
    manager.look("cohort-hidden")
    # The private note never reaches the manager: the meeting's note page is a 404.
    response = mpage.goto(manager.base_url + f"/meetings/{meeting.pk}/my-note/")
    assert response is not None and response.status == 404
    manager.go("/resources/")
    manager.look("library")
