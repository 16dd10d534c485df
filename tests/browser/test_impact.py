"""Impact in a real browser: the mentee writes a commitment and a thank-you note; the mentor
reads the note on their contribution record, chooses to include it and shares the record with
their line manager; the programme team sees counts and mentors' time only.

Every page visited is screenshotted and checked with axe-core (see conftest.py).
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from upward.impact import services
from upward.impact.models import Commitment, RecordShare, ThankYouNote
from upward.impact.tests.helpers import meeting
from upward.recruitment.models import Invitation
from upward.testing.factories import ProgrammeFactory, level, person_with_account
from upward.testing.pairs import build_pairs
from upward.testing.workspace import accept, make_pairing

PLAN = "As an ally I will ask the most junior person in my meetings to speak first."
THANKS = "You showed me how my team's meetings feel from the other side of the table."


@pytest.mark.django_db(transaction=True)
def test_commitment_thank_you_and_contribution_record(visitor_factory, world):
    pairs = build_pairs(world)
    pk = pairs.pairing.pk
    now = timezone.now()
    meeting(pairs.pairing, now - dt.timedelta(days=20), minutes=60)
    meeting(pairs.pairing, now - dt.timedelta(days=3), minutes=75)
    boss = person_with_account(
        organisation=world.org,
        full_name="Lee Line",
        level=level(world.org, 5),
        email="lee@northwind.test",
    )
    pairs.mentor.manager = boss
    pairs.mentor.save(update_fields=["manager"])
    # Jess has been asked to mentor in three programmes Mo runs: the guard highlights her.
    # (The page counts only the viewer's own programmes.)
    second = ProgrammeFactory(organisation=world.org, name="Data cohort", managers=[world.manager])
    accept(second, pairs.mentor, "mentor")
    third = ProgrammeFactory(organisation=world.org, name="Board cohort", managers=[world.manager])
    Invitation.objects.create(programme=third, person=pairs.mentor, role="mentor")
    due = (dt.date.today() + dt.timedelta(days=45)).isoformat()

    # The mentee records a commitment.
    mentee = visitor_factory("mentee")
    mentee.sign_in(pairs.mentee.email)
    page = mentee.page
    mentee.go(f"/pairings/{pk}/commitments/")
    expect(page.get_by_role("heading", name="Nothing written yet")).to_be_visible()
    mentee.look("commitments-empty")
    page.get_by_role("link", name="Add your first commitment").click()
    page.get_by_label("In your words").fill("")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Write what you will do, or what you learnt.").first).to_be_visible()
    mentee.look("commitment-needs-text")
    page.get_by_label("In your words").fill(PLAN)
    page.get_by_label("By when (commitments only)").fill(due)
    page.get_by_label("Theme").select_option(label="Meetings and voice")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Saved. Only you can read it.")).to_be_visible()
    expect(page.get_by_role("heading", name=PLAN)).to_be_visible()
    mentee.look("commitments")
    page.get_by_role("button", name=re.compile("^Update status")).click()
    expect(page.get_by_text("Choose done, in progress").first).to_be_visible()
    page.get_by_label("How is it going?").select_option(label="In progress")
    page.get_by_role("button", name=re.compile("^Update status")).click()
    expect(page.get_by_text("your update is saved")).to_be_visible()
    item = Commitment.objects.get()
    assert (item.owner, item.theme, item.status) == (pairs.mentee, "meetings", "in_progress")

    # ... and thanks their mentor.
    mentee.go(f"/pairings/{pk}/thank-you/")
    mentee.look("thank-you-form")
    page.get_by_label("Your thank-you note").fill(THANKS)
    page.get_by_role("button", name="Send my note").click()
    expect(page.get_by_text("Your note is saved")).to_be_visible()
    mentee.look("thank-you-saved")
    assert ThankYouNote.objects.get().text == THANKS

    # The mentor reads it on their record, which never shows the mentee's commitment.
    mentor = visitor_factory("mentor")
    mentor.sign_in(pairs.mentor.email)
    page = mentor.page
    mentor.go(f"/pairings/{pk}/contribution/")
    expect(page.get_by_role("heading", name="Your contribution record", level=1)).to_be_visible()
    expect(page.get_by_text(THANKS)).to_be_visible()
    expect(page.get_by_text("2 h 15 min").first).to_be_visible()
    assert PLAN not in page.content()
    mentor.look("contribution")
    page.get_by_role("button", name="Include the note when I share").click()
    expect(page.get_by_text("The note will go with your record")).to_be_visible()
    page.get_by_role("link", name="Share with my line manager").click()
    expect(page.get_by_text("Lee Line")).to_be_visible()
    mentor.look("share-confirm")
    assert not mail.outbox and not RecordShare.objects.exists()
    page.get_by_role("button", name="Send to my line manager").click()
    expect(page.get_by_text("Sent to Lee Line.")).to_be_visible()
    mentor.look("shared")
    share = RecordShare.objects.get()
    assert share.included_thank_you and share.sent_to_email == "lee@northwind.test"
    with page.expect_download() as download:
        page.get_by_role("link", name="Download as PDF").click()
    assert download.value.suggested_filename.endswith(".pdf")

    # The programme team sees counts, never text.
    manager = visitor_factory("manager")
    manager.sign_in(world.manager.email)
    page = manager.page
    manager.go(f"/programmes/{world.programme.pk}/impact/")
    expect(page.get_by_role("heading", name="Not enough commitments yet")).to_be_visible()
    assert PLAN not in page.content()
    manager.look("impact")
    # Five more people commit to hiring: now there is enough to show, and only tags count.
    for i in range(5):
        lead = person_with_account(organisation=world.org, level=level(world.org, 8))
        junior = person_with_account(organisation=world.org, level=level(world.org, 2))
        pairing = make_pairing(world.programme, mentor=junior, mentee=lead)
        services.add_commitment(
            pairing, owner=lead, kind="commitment", text=f"Plan {i}", theme="hiring", by=None
        )
    services.add_commitment(
        pairs.other,
        owner=pairs.other.mentee,
        kind="commitment",
        text="Plan",
        theme="hiring",
        by=None,
    )
    page.reload()
    # Six on hiring, one on meetings: showing the 6 would give the 1 away (the total is
    # shown), so both themes are dashes, with no label saying why.
    expect(page.get_by_role("row", name=re.compile("^Hiring and promotion"))).to_contain_text("—")
    expect(page.get_by_role("row", name=re.compile("^Meetings and voice"))).to_contain_text("—")
    expect(page.get_by_role("row", name=re.compile("hidden", re.IGNORECASE))).to_have_count(0)
    manager.look("impact-figures")
    manager.go(f"/programmes/{world.programme.pk}/mentor-time/")
    expect(page.get_by_role("row", name=re.compile(pairs.mentor.full_name))).to_be_visible()
    manager.look("mentor-time")
    manager.go("/mentor-load/")
    expect(page.get_by_role("heading", name="Who is asked to mentor")).to_be_visible()
    expect(page.get_by_role("row", name=re.compile("Jess Junior Asked often"))).to_be_visible()
    manager.look("mentor-load")
    page.get_by_label("Only people asked 3 or more times").check()
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_text("Kai Keen")).to_have_count(0)
    manager.look("mentor-load-often")
