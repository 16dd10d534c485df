"""A whole programme in a real browser, from the manager's first form to the closing message.

One story, told in the order it happens, by the people it happens to:

1. Mo (programme manager) designs "Data confidence 2027" through the form, adds a ready-made end
   survey and opens recruitment.
2. Three mentors and three mentees apply (their applications go in through the recruitment
   service: the application form itself is walked through in test_recruitment_journey.py); Mo
   accepts them all from the review list, closes recruitment, runs matching and publishes.
   Jess and Kai accept, their mentees (Sam, Helen) confirm. (Three mentors rather than two, so
   that a pair is still active after the leaver, for the meeting and the closing.)
3. Noor, the third mentor, declines (after the confirmation page). The automatic rematch runs
   on commit (tests use django-tasks' immediate backend) and finds nobody: Noor said no and the
   other mentors are taken, so Omar has no mentor left. Mo is told; two days later the Today
   page says who waits and for how long, the runs list labels the rematch "Found nobody for
   Omar Osei" and the overview says "pairs formed of 3 places, 2 waiting"; Omar's home page says the
   team is looking for a partner for him.
4. Mo launches the programme: the page asks first because people are waiting; tick, launch.
   The attention queue, now on the programme's tabs, lists Omar with the days he has waited.
6. On the start date Mo sends the ready-made kick-off announcement to everyone; Sam opens it
   from his notifications.
7. A week into the programme Jess logs a meeting she had with Sam; it counts for the pair.
5. Three weeks in, Ada (organisation admin) marks Kai as left in the people directory: Helen
   reads a neutral notice, follows its offer and asks for a new partner; Mo is told and sees
   Helen waiting in the attention queue.
8. On the planned end date Mo completes the programme, reading the consequences with counts
   first; pairs are completed, Sam reads the closing message and follows it to the end survey,
   Jess finds the survey on her home page and downloads her certificate.

(Numbers are issue 13's story; the announcement comes on the start date, before the leaver.)

The clock moves with time-machine (ticking), so the live server sees the days pass. Every page
visited is screenshotted (artifacts/screenshots/test_a_whole_programme-*) and checked with
axe-core and the Content-Security-Policy (see conftest.py).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import pytest
import time_machine
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.conftest import SCREENSHOTS, Visitor
from upward.journey.models import Meeting
from upward.journey.tests.factories import builtin_version
from upward.organisations.models import Person, Topic
from upward.pairing.models import MatchRun, Pairing, PairingState
from upward.programmes.models import Programme
from upward.recruitment.models import Application
from upward.recruitment.tests.helpers import apply
from upward.testing.factories import TopicFactory, level, person_with_account

PROGRAMME = "Data confidence 2027"
DAY = dt.timedelta(days=1)


@dataclass
class Cast:
    jess: Person  # mentor, offers Python, will log a meeting with Sam
    kai: Person  # mentor, offers Data literacy, paired with Helen
    noor: Person  # mentor, offers Social media, will decline Omar
    sam: Person  # mentee, wants Python
    helen: Person  # mentee, wants Data literacy
    omar: Person  # mentee, wants Social media: no mentor left after Noor declines


def _cast(world) -> Cast:  # type: ignore[no-untyped-def]
    org = world.org
    digital, finance = world.applicant.department, world.senior.department
    noor = person_with_account(
        organisation=org,
        full_name="Noor Nadeem",
        level=level(org, 3),
        department=digital,
        email="noor@northwind.test",
    )
    helen = person_with_account(
        organisation=org,
        full_name="Helen Hart",
        job_title="Director of People",
        level=level(org, 7),
        department=digital,
        email="helen@northwind.test",
    )
    omar = person_with_account(
        organisation=org,
        full_name="Omar Osei",
        job_title="Head of Procurement",
        level=level(org, 9),
        department=finance,
        email="omar@northwind.test",
    )
    return Cast(
        jess=world.applicant,
        kai=world.other_applicant,
        noor=noor,
        sam=world.senior,
        helen=helen,
        omar=omar,
    )


def _sign_in(visitor_factory, prefix: str, person: Person) -> Visitor:  # type: ignore[no-untyped-def]
    visitor = visitor_factory(prefix)
    visitor.sign_in(person.email)
    return visitor


def _press(visitor: Visitor, name: str | re.Pattern[str]) -> None:
    """Press a button that submits a form and wait for the page it leads to."""
    with visitor.page.expect_navigation():
        visitor.page.get_by_role("button", name=name).first.click()


def _click(visitor: Visitor, name: str | re.Pattern[str]) -> None:
    with visitor.page.expect_navigation():
        visitor.page.get_by_role("link", name=name).first.click()


# --- 1. The manager designs the programme and opens recruitment ---------------------------------


def create_and_open(mo: Visitor, today: dt.date) -> Programme:
    page = mo.page
    mo.go("/programmes/")
    _click(mo, "New programme")
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
    page.get_by_label("Places (pairs)").fill("3")
    page.get_by_label("Start date").fill((today + 3 * DAY).isoformat())
    page.get_by_label("End date").fill((today + 45 * DAY).isoformat())
    page.get_by_label("Expected commitment").fill("One hour every two weeks for six weeks")
    mo.look("new-programme")
    _press(mo, "Create draft")
    expect(page.get_by_text("Draft saved")).to_be_visible()
    programme = Programme.objects.get(name=PROGRAMME)
    assert programme.state == "draft"

    # An end survey from the ready-made ones, to open when the programme closes.
    page.get_by_role("navigation", name="Programme").get_by_role("link", name="Surveys").click()
    page.get_by_label(re.compile("How well did the programme work")).check()
    _press(mo, "Create draft survey")
    expect(page.get_by_text("Survey created as a draft.")).to_be_visible()
    mo.look("end-survey-draft")
    mo.go(f"/programmes/{programme.pk}/")

    page.get_by_role("button", name="Open recruitment").or_(
        page.get_by_role("link", name=re.compile("^Open recruitment"))
    ).first.click()
    page.wait_for_load_state()
    confirm = page.get_by_role("button", name=re.compile("^Yes, open recruitment", re.I))
    if confirm.count():  # Only when the design has warnings worth reading first.
        mo.look("confirm-open")
        with page.expect_navigation():
            confirm.click()
    expect(page.get_by_text("Sign-up is open.")).to_be_visible()
    mo.look("recruiting")
    programme.refresh_from_db()
    assert programme.state == "recruiting"
    return programme


# --- 2. Applications, acceptance, matching, publishing, answers -------------------------------------


def applications_arrive(programme: Programme, cast: Cast, world) -> None:  # type: ignore[no-untyped-def]
    """The application form has its own browser test; here they arrive through the service."""
    topic = {
        name: TopicFactory(organisation=world.org, name=name, kind=Topic.Kind.SKILL)
        for name in ("Python", "Data literacy", "Social media", "Strategy")
    }
    for mentor, offers in (
        (cast.jess, "Python"),
        (cast.kai, "Data literacy"),
        (cast.noor, "Social media"),
    ):
        apply(
            programme,
            mentor,
            "mentor",
            offered_topics=[topic[offers]],
            wanted_topics=[topic["Strategy"]],
        )
    for mentee, wants in (
        (cast.sam, "Python"),
        (cast.helen, "Data literacy"),
        (cast.omar, "Social media"),
    ):
        apply(
            programme,
            mentee,
            "mentee",
            wanted_topics=[topic[wants]],
            offered_topics=[topic["Strategy"]],
        )


def accept_and_match(mo: Visitor, programme: Programme) -> None:
    page = mo.page
    mo.go(f"/programmes/{programme.pk}/")
    _click(mo, "Review applications")
    expect(page.get_by_text("6 applications", exact=True)).to_be_visible()
    for box in page.get_by_role("checkbox", name=re.compile("^Select ")).all():
        box.check()
    mo.look("review-all-selected")
    _press(mo, "Accept ticked")
    # A bulk decision states its count and waits for a confirmation.
    expect(page.get_by_role("heading", name="Accept 6 applications?")).to_be_visible()
    mo.look("review-confirm")
    _press(mo, "Accept 6 applications")
    assert (
        Application.objects.filter(programme=programme, status=Application.Status.ACCEPTED).count()
        == 6
    )
    mo.look("review-accepted")

    mo.go(f"/programmes/{programme.pk}/")
    _press(mo, "Close recruitment and start matching")
    programme.refresh_from_db()
    assert programme.state == "matching"
    _click(mo, "Open matching")
    _press(mo, "Run matching")
    expect(page.get_by_role("heading", name="Matching proposal")).to_be_visible()
    mo.look("proposal")
    _click(mo, "Publish…")
    mo.look("publish-confirm")
    _press(mo, "Publish and ask the mentors")
    expect(page.get_by_text("Published.")).to_be_visible()
    mo.look("published")
    proposed = Pairing.objects.filter(programme=programme, state=PairingState.PROPOSED)
    assert set(proposed.values_list("mentor__full_name", "mentee__full_name")) == {
        ("Jess Junior", "Sam Senior"),
        ("Kai Keen", "Helen Hart"),
        ("Noor Nadeem", "Omar Osei"),
    }


def mentor_accepts(mentor: Visitor, mentee: Person) -> None:
    mentor.go("/dashboard/")
    _click(mentor, f"Would you mentor {mentee.full_name}?")
    _press(mentor, "Accept")
    expect(mentor.page.get_by_text("has been asked to confirm")).to_be_visible()


def mentee_confirms(mentee: Visitor, mentor: Person) -> None:
    mentee.go("/dashboard/")
    _click(mentee, re.compile(f"{mentor.full_name} has agreed"))
    _press(mentee, "Confirm the pairing")
    expect(mentee.page.get_by_text("Your pairing is active.")).to_be_visible()


# --- 3. A decline that leaves a mentee with no mentor ---------------------------------------------


def noor_declines(noor: Visitor, programme: Programme, cast: Cast) -> None:
    noor.go("/dashboard/")
    _click(noor, "Would you mentor Omar Osei?")
    noor.look("proposal")
    _press(noor, "Decline")
    expect(
        noor.page.get_by_role("heading", name="Decline the proposal to mentor Omar Osei?")
    ).to_be_visible()
    noor.look("decline-confirm")
    _press(noor, "Yes, decline")
    expect(noor.page.get_by_text("Thank you for letting us know.")).to_be_visible()
    noor.look("declined")
    # The rematch ran when the decline was committed, and found nobody for Omar.
    rematch = MatchRun.objects.get(programme=programme, kind=MatchRun.Kind.AUTOMATIC)
    assert rematch.results["pairs"] == []
    assert not Pairing.objects.filter(
        programme=programme, mentee=cast.omar, state__in=["proposed", "mentor_accepted", "active"]
    ).exists()


def mo_sees_who_waits(mo: Visitor, programme: Programme) -> None:
    mo.go("/dashboard/")
    mo.page.get_by_role("navigation", name="Main").get_by_role("link", name="Today").click()
    mo.page.wait_for_url(re.compile(r"/today/$"))
    section = mo.page.get_by_role("region", name=re.compile(PROGRAMME))
    waiting = section.get_by_role("table").filter(has_text="Waiting for")
    omar = waiting.get_by_role("row").filter(has_text="Omar Osei")
    expect(omar.get_by_role("cell").nth(2)).to_have_text("2 days")
    expect(waiting.get_by_role("row").filter(has_text="Noor Nadeem")).to_have_count(1)
    mo.look("today-waiting")

    # The team was told, and the programme's own pages say the same: the runs, the overview.
    mo.go("/notifications/")
    expect(
        mo.page.get_by_role("heading", name=f"Nobody found for Omar Osei in {PROGRAMME}")
    ).to_be_visible()
    mo.go(f"/programmes/{programme.pk}/matching/runs/")
    expect(mo.page.get_by_text("Found nobody for Omar Osei")).to_be_visible()
    expect(mo.page.get_by_text("Proposed 3 pairs")).to_be_visible()
    mo.look("runs-labelled")
    mo.go(f"/programmes/{programme.pk}/")
    expect(mo.page.get_by_text("pairs formed of 3 places, 2 waiting")).to_be_visible()
    mo.look("overview-waiting")


def omar_is_told_the_team_is_looking(omar: Visitor) -> None:
    omar.go("/dashboard/")
    # His home says it first ("You have applied"), and his applications below say it again.
    home = omar.page.get_by_role("region", name="You have applied")
    expect(home).to_contain_text(PROGRAMME)
    expect(home).to_contain_text("looking for a partner for you")
    mine = omar.page.get_by_role("listitem").filter(has_text=PROGRAMME).last
    expect(mine).to_contain_text("The programme team is looking for a partner for you")
    for part in (home, mine):
        expect(part).not_to_contain_text("Noor")  # never told who said no
    omar.look("dashboard-looking")


# --- 4. Launch, asked first -----------------------------------------------------------------------


def launch(mo: Visitor, programme: Programme) -> None:
    page = mo.page
    mo.go(f"/programmes/{programme.pk}/")
    _click(mo, "Launch the programme…")
    expect(page.get_by_text(re.compile("2 people are still waiting for a partner"))).to_be_visible()
    expect(page.get_by_text(re.compile("Omar Osei"))).to_be_visible()
    mo.look("launch-asks")
    # Without the tick, it does not launch (the browser asks for the tick first).
    asking = page.url
    page.get_by_role("button", name=re.compile("Yes, launch the programme")).click()
    expect(page).to_have_url(asking)
    programme.refresh_from_db()
    assert programme.state == "matching"
    page.get_by_label(re.compile("I understand")).check()
    _press(mo, re.compile("Yes, launch the programme"))
    expect(page.get_by_text("The programme is now active.")).to_be_visible()
    mo.look("launched")
    programme.refresh_from_db()
    assert programme.state == "active"

    # Now running, the programme has its attention queue, and Omar waits there.
    page.get_by_role("navigation", name="Programme").get_by_role(
        "link", name="Needs attention"
    ).click()
    queue = page.get_by_role("region", name="Waiting for a partner")
    omar = queue.get_by_role("row").filter(has_text="Omar Osei")
    expect(omar).to_contain_text("A proposal did not go ahead")
    expect(omar.get_by_role("cell").nth(2)).to_have_text("2")
    expect(omar.get_by_role("button", name="Find them a partner (Omar Osei)")).to_be_visible()
    mo.look("attention-waiting")


# --- 5. A leaver -----------------------------------------------------------------------------------


def ada_marks_kai_as_left(ada: Visitor) -> None:
    page = ada.page
    ada.go("/dashboard/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="People").click()
    _click(ada, "Kai Keen")
    _click(ada, "Mark as left")
    expect(page.get_by_role("heading", name="Mark Kai Keen as having left?")).to_be_visible()
    ada.look("mark-left-confirm")
    _press(ada, "Mark as left")
    ada.look("marked-left")


def helen_is_told_and_asks_for_a_new_partner(helen: Visitor, pairing: Pairing) -> None:
    page = helen.page
    helen.go("/dashboard/")
    _click(helen, re.compile("^Notifications"))
    subject = f"Your pairing in {PROGRAMME} has ended"
    notice = page.get_by_role("listitem").filter(has=page.get_by_role("heading", name=subject))
    notice.get_by_text("Details").click()
    expect(notice).to_contain_text("Kai Keen is no longer taking part")
    expect(notice).to_contain_text("This is not about anything you did")
    expect(notice).not_to_contain_text("left the organisation")
    helen.look("partner-left-notice")
    _press(helen, f"Open: {subject}")
    expect(page.get_by_role("heading", name="A new partner")).to_be_visible()
    helen.look("new-partner-offer")
    _press(helen, "Ask for a new partner")
    expect(
        page.get_by_text("The programme team will look for a new partner for you.")
    ).to_be_visible()
    helen.look("new-partner-asked")
    pairing.refresh_from_db()
    assert pairing.state == PairingState.ENDED


def mo_is_told_of_the_leaver(mo: Visitor, programme: Programme) -> None:
    page = mo.page
    mo.go("/notifications/")
    told = page.get_by_role("listitem").filter(
        has=page.get_by_role("heading", name="Kai Keen has left the organisation")
    )
    told.get_by_text("Details").click()
    expect(told).to_contain_text("Their live pairing has ended.")
    expect(told).to_contain_text("Helen Hart")
    mo.look("leaver-notice")
    mo.go(f"/programmes/{programme.pk}/attention/")
    queue = page.get_by_role("region", name="Waiting for a partner")
    expect(queue.get_by_role("row").filter(has_text="Helen Hart")).to_be_visible()
    expect(queue.get_by_role("row").filter(has_text="Kai Keen")).to_have_count(0)
    mo.look("attention-after-leaver")


# --- 6. An announcement to everyone ----------------------------------------------------------------


KICK_OFF = "Time for your first meeting"


def kick_off_announcement(mo: Visitor, programme: Programme, people: int) -> None:
    page = mo.page
    mo.go(f"/programmes/{programme.pk}/")
    page.get_by_role("navigation", name="Programme").get_by_role(
        "link", name="Announcements"
    ).click()
    _click(mo, "Kick-off: first meetings")
    expect(page.get_by_label("Title")).to_have_value(KICK_OFF)
    expect(page.get_by_role("radio", name="Everyone taking part")).to_be_checked()
    mo.look("announcement-compose")
    _press(mo, "Check and send")
    expect(page.get_by_role("heading", name="Send this announcement?")).to_be_visible()
    expect(page.get_by_text(f"{people} people.")).to_be_visible()
    mo.look("announcement-confirm")
    _press(mo, f"Send to {people} people")
    expect(page.get_by_role("row").filter(has_text=KICK_OFF)).to_contain_text(str(people))
    mo.look("announcement-sent")


def sam_reads_the_announcement(sam: Visitor) -> None:
    sam.go("/dashboard/")
    _click(sam, re.compile("^Notifications"))
    sam.look("notifications-kick-off")
    _press(sam, f"Open: {PROGRAMME}: {KICK_OFF}")
    expect(sam.page.get_by_role("heading", name=KICK_OFF, level=1)).to_be_visible()
    expect(sam.page.get_by_text("book your first meeting")).to_be_visible()
    sam.look("announcement-read")


# --- 7. A meeting that already happened -------------------------------------------------------------


def jess_logs_a_meeting(jess: Visitor, pairing: Pairing, day: dt.date) -> None:
    page = jess.page
    jess.go(f"/pairings/{pairing.pk}/")
    _click(jess, "Open your pairing space")
    _click(jess, "Log a past meeting")
    page.get_by_label("Date").fill(day.isoformat())
    page.get_by_label("Start time").fill("10:00")
    page.get_by_label("How long did you meet, in minutes?").fill("60")
    jess.look("log-meeting")
    _press(jess, "Log the meeting")
    expect(page.get_by_text("Meeting logged")).to_be_visible()
    jess.look("meeting-logged")
    meeting = Meeting.objects.get(pairing=pairing)
    assert (meeting.status, meeting.actual_minutes) == ("held", 60)


# --- 8. The closing -------------------------------------------------------------------------------


def complete(mo: Visitor, programme: Programme) -> None:
    page = mo.page
    mo.go(f"/programmes/{programme.pk}/")
    _click(mo, "Mark as completed…")
    expect(page.get_by_text("1 active pairing will be completed.")).to_be_visible()
    expect(
        # How many it opens for is not asserted: it counts every accepted applicant, the
        # leaver included (reported to the lead).
        page.get_by_text(
            re.compile("The end survey “How well did the programme work\\?” opens for")
        )
    ).to_be_visible()
    mo.look("complete-confirm")
    _press(mo, re.compile("Yes, mark as completed"))
    expect(page.get_by_text("The programme is now completed.")).to_be_visible()
    mo.look("completed")
    programme.refresh_from_db()
    assert programme.state == "completed"
    assert not Pairing.objects.filter(programme=programme, state=PairingState.ACTIVE).exists()


def sam_reads_the_closing_message(sam: Visitor) -> None:
    page = sam.page
    sam.go("/dashboard/")
    _click(sam, re.compile("^Notifications"))
    closing = page.get_by_role("listitem").filter(
        has=page.get_by_role("heading", name=f"Thank you for taking part in {PROGRAMME}")
    )
    closing.get_by_text("Details").click()
    expect(closing).to_contain_text("has come to an end. Thank you for the time and care")
    expect(closing).to_contain_text("“How well did the programme work?”")
    sam.look("closing-message")
    # Its link leads to the end survey, open for Sam.
    _press(sam, f"Open: Thank you for taking part in {PROGRAMME}")
    expect(page.get_by_role("heading", name="How well did the programme work?")).to_be_visible()
    sam.look("end-survey")


def jess_finds_her_survey_and_certificate(jess: Visitor, pairing: Pairing) -> None:
    page = jess.page
    jess.go("/dashboard/")
    due = page.get_by_role("region", name="Surveys to answer")
    expect(due).to_contain_text("How well did the programme work?")
    expect(due.get_by_role("link", name="Answer How well did the programme work?")).to_be_visible()
    jess.look("home-survey-due")
    # The dashboard leads to the pair workspace, still open to the pair after completion, and
    # from there to her contribution record.
    _click(jess, "Sam Senior")
    expect(page).to_have_url(re.compile(rf"/pairings/{pairing.pk}/journey/$"))
    jess.look("workspace-completed")
    _click(jess, "Your contribution record")
    expect(page.get_by_text("1 h", exact=True).first).to_be_visible()
    jess.look("contribution")
    with jess.page.expect_download() as download:
        jess.page.get_by_role("link", name="Download your certificate").click()
    assert download.value.suggested_filename == "upward-certificate-jess-junior.pdf"


# --- The story ------------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_whole_programme(visitor_factory, world, settings):  # type: ignore[no-untyped-def]
    for old in SCREENSHOTS.glob("test_a_whole_programme-*.png"):
        old.unlink()  # so the folder shows this run's story only
    builtin_version()  # the built-in journey, as its data migration makes it
    # The story spans six weeks of server time; sessions should not expire on the way.
    settings.SESSION_COOKIE_AGE = 90 * 24 * 60 * 60
    cast = _cast(world)
    start = timezone.localtime()
    today = start.date()
    with time_machine.travel(start, tick=True) as clock:
        mo = _sign_in(visitor_factory, "manager", world.manager)
        programme = create_and_open(mo, today)

        applications_arrive(programme, cast, world)
        accept_and_match(mo, programme)
        jess = _sign_in(visitor_factory, "jess", cast.jess)
        kai = _sign_in(visitor_factory, "kai", cast.kai)
        sam = _sign_in(visitor_factory, "sam", cast.sam)
        helen = _sign_in(visitor_factory, "helen", cast.helen)
        mentor_accepts(jess, cast.sam)
        mentor_accepts(kai, cast.helen)
        mentee_confirms(sam, cast.jess)
        mentee_confirms(helen, cast.kai)
        sam.look("pairing-active")

        noor = _sign_in(visitor_factory, "noor", cast.noor)
        noor_declines(noor, programme, cast)

        clock.shift(2 * DAY)
        mo_sees_who_waits(mo, programme)
        omar_is_told_the_team_is_looking(_sign_in(visitor_factory, "omar", cast.omar))
        launch(mo, programme)

        clock.shift(DAY)  # the start date
        kick_off_announcement(mo, programme, people=6)
        sam_reads_the_announcement(sam)

        clock.shift(7 * DAY)  # a week into the programme
        jess_sam = Pairing.objects.get(programme=programme, mentor=cast.jess)
        jess_logs_a_meeting(jess, jess_sam, today + 8 * DAY)

        clock.shift(10 * DAY)  # three weeks in, Kai leaves the organisation
        ada = _sign_in(visitor_factory, "admin", world.admin)
        ada_marks_kai_as_left(ada)
        kai_helen = Pairing.objects.get(programme=programme, mentor=cast.kai)
        helen_is_told_and_asks_for_a_new_partner(helen, kai_helen)
        mo_is_told_of_the_leaver(mo, programme)

        clock.move_to(
            timezone.make_aware(dt.datetime.combine(today + 45 * DAY, dt.time(16, 0)))
        )  # the planned end date
        complete(mo, programme)
        jess_sam.refresh_from_db()
        assert jess_sam.state == PairingState.COMPLETED
        sam_reads_the_closing_message(sam)
        jess_finds_her_survey_and_certificate(jess, jess_sam)
    assert not mo.csp_violations
