"""README.md's "A tour of the demo", followed step by step in a real browser.

The demo accounts, their password and the three programmes are read from README.md itself, so
the README and this test cannot drift apart silently: an account the README names that cannot
sign in, an account without tour steps here, or a programme the README names in the wrong state
fails the tour. Each test seeds the demo exactly as `make run` does (`seed_demo`), signs in as one
README account and follows that account's row of the table: every page it mentions, every action
it describes, and what the README says the person will see.

Every step takes a screenshot, /tmp/tour-<account>-<nn>-<step>.png, to look at in order, and runs
the axe-core check of the other browser tests (conftest.py).

To extend the tour, write a function that takes a `TourGuide` and register it for the account
whose row describes it with `@tour_step(ACCOUNT_EMAIL)`; steps run in the order they are written.
"""

from __future__ import annotations

import csv as csv_module
import datetime as dt
import importlib
import io
import re
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.conftest import SCREENSHOTS, Visitor
from upward.journey.tests.factories import builtin_version

README = Path(__file__).resolve().parents[2] / "README.md"
SHOTS = Path(tempfile.gettempdir())  # /tmp/tour-*.png

ADMIN = "admin@northbridge.example"
MANAGER = "manager@northbridge.example"
MENTOR = "mentor@northbridge.example"
MENTEE = "mentee@northbridge.example"


# --- What the README promises -------------------------------------------------------------------


@dataclass(frozen=True)
class ReadmeAccount:
    email: str
    name: str  # "Priya Shah"
    who: str  # the rest of the "who" cell: "Head of Learning, **organisation admin** and ..."
    what_to_try: str

    @property
    def first_name(self) -> str:
        return self.name.split()[0]

    @property
    def slug(self) -> str:
        return self.email.split("@")[0]


@dataclass(frozen=True)
class ReadmeTour:
    password: str
    accounts: list[ReadmeAccount]
    programmes: dict[str, str]  # name -> state, e.g. "Digital Confidence Pilot" -> "Completed"

    def account(self, email: str) -> ReadmeAccount:
        return next(a for a in self.accounts if a.email == email)


def read_tour(text: str) -> ReadmeTour:
    """The demo tour as README.md tells it: its password, its accounts and its programmes."""
    start = text.index("## A tour of the demo")
    end = text.find("\n## ", start + 1)
    section = text[start : end if end != -1 else None]

    password = re.search(r"password\s+\*\*`([^`]+)`\*\*", section)
    assert password, "README's demo tour no longer states the demo password as **`...`**"

    accounts = [
        ReadmeAccount(email=m["email"], name=m["name"].strip(), who=m["who"], what_to_try=m["try"])
        for m in re.finditer(
            r"^\| `(?P<email>[^`]+@[^`]+)` \| (?P<name>[^,|]+), (?P<who>[^|]+) \| (?P<try>[^|]+) \|$",
            section,
            re.M,
        )
    ]
    assert accounts, "README's demo tour table no longer lists any account"

    programmes = {}
    for state, pattern in (
        ("Completed", r"completed\s+\*\*([^*]+)\*\*"),
        ("Active", r"active\s+\*\*([^*]+)\*\*"),
        ("Recruiting", r"\*\*([^*]+)\*\*\s+\(recruiting"),
    ):
        found = re.search(pattern, section)
        assert found, f"README's demo tour no longer names its {state.lower()} programme"
        programmes[" ".join(found[1].split())] = state
    return ReadmeTour(password=password[1], accounts=accounts, programmes=programmes)


TOUR = read_tour(README.read_text(encoding="utf-8"))


# --- The guide: one signed-in person following the README -----------------------------------------


class TourGuide:
    """One README account's browser tab. `shot(name)` records the step (see the module doc)."""

    def __init__(self, visitor: Visitor, account: ReadmeAccount) -> None:
        self.visitor = visitor
        self.account = account
        self.page = visitor.page
        self.count = 0
        self.visited: dict[str, str] = {}

    def go(self, path: str) -> None:
        self.visitor.go(path)

    def shot(self, name: str) -> None:
        """Screenshot and axe-core check (Visitor.look, artifacts/screenshots/), copied to
        /tmp/tour-<account>-<nn>-<step>.png so the whole tour can be looked at in order."""
        self.visitor.look(name)
        self.count += 1
        taken = SCREENSHOTS / f"{self.visitor.prefix}-{self.visitor.count:02d}-{name}.png"
        shutil.copyfile(taken, SHOTS / f"tour-{self.account.slug}-{self.count:02d}-{name}.png")

    def click_link(self, name: str | re.Pattern[str]) -> None:
        with self.page.expect_navigation():
            self.page.get_by_role("link", name=name).first.click()

    def press(self, name: str | re.Pattern[str]) -> None:
        """Press a button that submits a form, and wait for the page it leads to."""
        with self.page.expect_navigation():
            self.page.get_by_role("button", name=name).first.click()

    def heading(self, name: str | re.Pattern[str], level: int = 1) -> None:
        expect(self.page.get_by_role("heading", name=name, level=level).first).to_be_visible()

    def dashboard(self) -> None:
        self.page.get_by_role("navigation").get_by_role("link", name="Dashboard").first.click()
        self.page.wait_for_url(re.compile(r"/dashboard/$"))

    def open_programme(self, name: str) -> None:
        """From the dashboard the first time; after that straight back to its page."""
        if name in self.visited:
            self.page.goto(self.visited[name])
        else:
            self.dashboard()
            self.page.get_by_role("link", name=name, exact=True).first.click()
            self.page.wait_for_url(re.compile(r"/programmes/\d+/$"))
            self.visited[name] = self.page.url
        self.heading(name)

    def download(self, link_or_button: str) -> bytes:
        target = self.page.get_by_role("link", name=link_or_button).or_(
            self.page.get_by_role("button", name=link_or_button)
        )
        with self.page.expect_download() as info:
            target.first.click()
        return Path(info.value.path()).read_bytes()


def sign_in(visitor: Visitor, account: ReadmeAccount, password: str) -> TourGuide:
    """Sign in with the README's email and password; fail loudly if the README is wrong."""
    visitor.sign_in(account.email, password=password)
    assert "/accounts/login/" not in visitor.page.url, (
        f"README.md's demo account {account.email} cannot sign in with the README's password"
    )
    guide = TourGuide(visitor, account)
    expect(guide.page).to_have_url(re.compile(r"/dashboard/$"))
    guide.heading(f"Hello, {account.first_name}")
    return guide


Step = Callable[[TourGuide], None]
STEPS: dict[str, list[Step]] = {}


def tour_step(email: str) -> Callable[[Step], Step]:
    def register(step: Step) -> Step:
        STEPS.setdefault(email, []).append(step)
        return step

    return register


# --- Priya Shah, organisation admin and safeguarding contact --------------------------------------


@tour_step(ADMIN)
def admin_dashboard(guide: TourGuide) -> None:
    # "Priya Shah, Head of Learning"
    role = guide.account.who.split(",")[0].strip()
    expect(guide.page.get_by_text(role).first).to_be_visible()
    guide.shot("dashboard")


@tour_step(ADMIN)
def admin_searches_and_filters_the_directory(guide: TourGuide) -> None:
    # "People: search and filter the directory, open someone's reporting line"
    page = guide.page
    page.get_by_role("navigation").get_by_role("link", name="People").first.click()
    guide.heading("People")
    mentor = TOUR.account(MENTOR)
    page.get_by_label("Search").fill(mentor.name.split()[-1])
    page.get_by_label("Department").select_option(label="Digital")
    guide.press("Filter")
    expect(page.get_by_role("link", name=mentor.name)).to_be_visible()
    guide.shot("people-filtered")

    page.get_by_role("link", name=mentor.name).click()
    guide.heading(mentor.name)
    expect(page.get_by_role("heading", name="Reporting line")).to_be_visible()
    expect(page.get_by_text("Line managers, nearest first")).to_be_visible()
    # "A person's page shows their account state": the demo mentor has one.
    expect(page.get_by_text("Has an account")).to_be_visible()
    guide.shot("person-reporting-line")


@tour_step(ADMIN)
def admin_invites_a_colleague(guide: TourGuide) -> None:
    # "invite a colleague"; the person's page shows "none", then "invited".
    page = guide.page
    guide.go("/people/")
    page.locator("tbody tr", has_text="No account").first.get_by_role("link").first.click()
    page.wait_for_url(re.compile(r"/people/\d+/$"))
    expect(page.get_by_text("No account yet")).to_be_visible()
    guide.press("Invite to Upward")
    expect(page.get_by_text(re.compile(r"Invited on .*; the link works until"))).to_be_visible()
    guide.shot("person-invited")


@tour_step(ADMIN)
def admin_imports_a_csv_from_the_template(guide: TourGuide) -> None:
    # "import a CSV (download the template first)"
    page = guide.page
    guide.go("/people/")
    guide.click_link("Import a file")
    guide.heading("Import people")
    template = guide.download("Download a template CSV").decode("utf-8-sig")
    # Every field of a CSV Upward writes is quoted (core.exports.CSV_OPTIONS).
    columns = next(csv_module.reader(io.StringIO(template)))
    assert columns[:2] == ["email", "full_name"], columns
    header = ",".join(columns)
    row = dict.fromkeys(columns, "")
    row.update(email="new.starter@northbridge.example", full_name="Nia Starter")
    csv = header + "\n" + ",".join(row[c] for c in columns) + "\n"
    page.locator("input[type=file]").set_input_files(
        {"name": "people.csv", "mimeType": "text/csv", "buffer": csv.encode()}
    )
    page.get_by_role("button", name="Upload and preview").click()
    page.wait_for_url(re.compile(r"/people/import/\d+/$"))
    expect(page.get_by_text("Nia Starter").first).to_be_visible()
    guide.shot("import-preview")


@tour_step(ADMIN)
def admin_reads_the_organisation_setup(guide: TourGuide) -> None:
    # "Organisation setup: its email domain (read-only), levels, departments, teams, topics."
    page = guide.page
    guide.go("/people/")
    guide.click_link("Organisation setup")
    guide.heading("Organisation setup")
    domains = page.locator("section", has=page.get_by_role("heading", name="Email domains"))
    expect(domains.get_by_text("northbridge.example", exact=True)).to_be_visible()
    assert domains.get_by_role("textbox").count() == 0  # read-only: the operator sets domains
    assert domains.get_by_role("button").count() == 0
    for heading in ("Levels", "Departments and teams", "Topics"):
        expect(page.get_by_role("heading", name=heading, level=2)).to_be_visible()
    # "nine levels, from 1 Apprentice to 9 Executive", "six departments"
    levels = page.locator("section", has=page.get_by_role("heading", name="Levels", level=2))
    expect(levels.locator("tbody tr")).to_have_count(9)
    expect(levels.locator("tbody tr").first).to_contain_text("Apprentice")
    expect(levels.locator("tbody tr").last).to_contain_text("Executive")
    expect(page.locator("a[href*='/people/setup/departments/']")).to_have_count(6)
    expect(page.get_by_role("button", name="Add team")).to_be_visible()
    guide.shot("organisation-setup")


@tour_step(ADMIN)
def admin_sees_every_programme_and_creates_one(guide: TourGuide) -> None:
    # "Programmes: every programme of the organisation; create one."
    page = guide.page
    page.get_by_role("navigation").get_by_role("link", name="Programmes").first.click()
    guide.heading("Programmes")
    for name, state in TOUR.programmes.items():
        row = page.locator("tbody tr", has=page.get_by_role("link", name=name, exact=True))
        expect(row).to_contain_text(state)
    guide.shot("programmes")

    guide.click_link("New programme")
    page.get_by_label("Programme name").fill("Tour cohort 2028")
    page.get_by_label("Summary for the public page").fill("A programme made during the tour.")
    page.get_by_label("Objective", exact=True).select_option(label="Digital and technology skills")
    page.get_by_label("What will be measured").fill("Leaders' confidence with digital tools")
    page.get_by_label("How it will be measured").fill("The same survey at the start and end")
    page.get_by_label(re.compile("^Target")).fill("Two thirds of mentees more confident")
    page.get_by_label("Highest mentor level").select_option(label="4 Senior analyst")
    page.get_by_label("Lowest mentee level").select_option(label="6 Senior manager")
    page.get_by_label(re.compile("Reviewed applications")).check()
    page.get_by_label("Places (pairs)").fill("6")
    page.get_by_label("Start date").fill("2028-03-01")
    page.get_by_label("End date").fill("2028-08-31")
    page.get_by_label("Expected commitment").fill("One hour a month for six months")
    page.get_by_role("button", name="Create draft").click()
    page.wait_for_url(re.compile(r"/programmes/\d+/$"))
    guide.heading("Tour cohort 2028")
    expect(page.get_by_text("Draft saved")).to_be_visible()
    guide.shot("programme-created")


@tour_step(ADMIN)
def admin_reads_the_overview_inclusion_and_exports(guide: TourGuide) -> None:
    # "Overview: every programme and cohort, and who is asked to take part by department and
    # level; from there Inclusion by group (... none yet in the demo) and Exports"
    page = guide.page
    guide.go("/overview/")
    guide.heading("Organisation overview")
    expect(page.get_by_role("heading", name="Who is asked to take part")).to_be_visible()
    guide.shot("overview")
    guide.click_link("Inclusion by group")
    guide.heading("Inclusion")
    expect(page.get_by_role("heading", name="No programme reports on groups yet")).to_be_visible()
    guide.shot("inclusion")
    guide.go("/overview/")
    guide.click_link("Exports")
    guide.heading("Exports")
    expect(page.get_by_role("heading", name="People directory")).to_be_visible()
    guide.shot("exports")


@tour_step(ADMIN)
def admin_reads_safeguarding_as_a_contact(guide: TourGuide) -> None:
    # "Safeguarding (dashboard): who the organisation's safeguarding contacts are, and each
    # programme's needs-attention queue, which she reads as a contact"
    page = guide.page
    guide.dashboard()
    expect(page.get_by_role("heading", name="Safeguarding")).to_be_visible()
    guide.click_link(re.compile("safeguarding contacts$"))
    guide.heading("Safeguarding contacts")
    expect(page.get_by_text(guide.account.name).first).to_be_visible()
    guide.shot("safeguarding-contacts")

    guide.dashboard()
    active = next(n for n, s in TOUR.programmes.items() if s == "Active")
    guide.click_link(f"Needs attention · {active}")
    guide.heading("Needs attention")
    expect(page.get_by_text("pairs flagged")).to_be_visible()
    expect(page.get_by_role("heading", name="Flagged pairs")).to_be_visible()
    guide.shot("needs-attention")


# --- Tom Hughes, programme manager ------------------------------------------------------------


def _recruiting() -> str:
    return next(n for n, s in TOUR.programmes.items() if s == "Recruiting")


def _active() -> str:
    return next(n for n, s in TOUR.programmes.items() if s == "Active")


@tour_step(MANAGER)
def manager_reads_the_recruiting_design(guide: TourGuide) -> None:
    # "Inclusive Leadership 2027: its design"
    guide.open_programme(_recruiting())
    expect(guide.page.get_by_text("Recruiting").first).to_be_visible()
    guide.shot("recruiting-overview")
    guide.click_link("Edit design")
    expect(guide.page.get_by_label("Programme name")).to_have_value(_recruiting())
    guide.shot("recruiting-design")


@tour_step(MANAGER)
def manager_opens_the_public_sign_up_page(guide: TourGuide) -> None:
    # "the public sign-up page"
    guide.open_programme(_recruiting())
    guide.click_link("View public page")
    guide.heading(_recruiting())
    expect(guide.page.get_by_role("link", name="Apply now").first).to_be_visible()
    guide.shot("public-page")


def _applications(guide: TourGuide, **filters: str) -> None:
    page = guide.page
    guide.open_programme(_recruiting())
    guide.click_link("Review applications")
    guide.heading("Applications")
    if "search" in filters:
        page.get_by_label("Search").fill(filters["search"])
    if "status" in filters:
        page.get_by_label("Status").select_option(label=filters["status"])
    guide.press("Filter")


def _decide(guide: TourGuide, decision: str, message: str) -> str:
    """Open the first application waiting for a decision (not the mentee's: his step uses it)."""
    page = guide.page
    _applications(guide, status="Submitted")
    row = page.locator("tbody tr").filter(has_not_text=TOUR.account(MENTEE).name).first
    name = row.get_by_role("link").first.inner_text().strip()
    row.get_by_role("link").first.click()
    page.wait_for_url(re.compile(r"/applications/\d+/$"))
    guide.heading(name)
    page.get_by_label(decision, exact=True).check()
    page.get_by_label("Message to the applicant").fill(message)
    page.get_by_role("button", name=re.compile("^(Save decision|Accept beyond)")).click()
    page.wait_for_url(re.compile(r"/applications/$"))
    expect(page.get_by_text(f"Decision saved. {name} has been emailed.")).to_be_visible()
    return name


def _status_of(guide: TourGuide, name: str, status: str) -> None:
    _applications(guide, search=name)
    row = guide.page.locator("tbody tr", has=guide.page.get_by_role("link", name=name))
    expect(row).to_contain_text(status)


@tour_step(MANAGER)
def manager_reviews_applications(guide: TourGuide) -> None:
    # "review applications (accept, waiting list, decline with a message)"
    page = guide.page
    accepted = _decide(guide, "Accept", "Welcome aboard.")
    guide.shot("decision-saved")
    _status_of(guide, accepted, "Accepted")
    waiting = _decide(guide, "Put on the waiting list", "We will tell you when a place opens.")
    _status_of(guide, waiting, "Waiting list")
    declined = _decide(guide, "Decline", "Thank you; this cohort is full. Do apply next year.")
    _status_of(guide, declined, "Declined")
    page.get_by_role("link", name=declined).first.click()
    expect(page.get_by_text("this cohort is full")).to_be_visible()
    guide.shot("application-declined")


@tour_step(MANAGER)
def manager_invites_people_from_the_directory(guide: TourGuide) -> None:
    # "invite people from the directory"
    page = guide.page
    guide.open_programme(_recruiting())
    guide.click_link("Personal invitations")
    guide.heading("Personal invitations")
    page.get_by_label("Level").select_option(label="2 Associate")
    guide.press("Filter")
    page.locator("tbody input[type=checkbox]:not([disabled])").first.check()
    page.get_by_role("radio", name=re.compile("^Mentor")).check()
    guide.press("Send invitations")
    expect(page.locator("tbody .badge", has_text="Invited").first).to_be_visible()
    guide.shot("invited")


@tour_step(MANAGER)
def manager_moves_recruiting_on_to_matching(guide: TourGuide) -> None:
    # "move it on to matching"
    page = guide.page
    guide.open_programme(_recruiting())
    guide.click_link("Close recruitment and start matching…")
    guide.shot("confirm-matching")
    page.get_by_role("button", name=re.compile("^Yes, ")).click()
    page.wait_for_url(re.compile(r"/programmes/\d+/$"))
    expect(page.locator(".pagehead")).to_contain_text("Matching")
    guide.shot("recruiting-now-matching")


@tour_step(MANAGER)
def manager_reads_the_matching_run(guide: TourGuide) -> None:
    # "Digital Skills Exchange 2026: the matching run with each pair's score explained and the
    # run report; pairings"
    page = guide.page
    guide.open_programme(_active())
    guide.page.get_by_role("link", name="Matching", exact=True).first.click()
    guide.heading("Matching")
    page.locator("table", has_text="Recent runs").or_(page.locator("table").last).get_by_role(
        "link"
    ).first.click()
    page.wait_for_url(re.compile(r"/matching/runs/\d+/$"))
    expect(page.get_by_role("heading", name="Run report")).to_be_visible()
    expect(page.get_by_role("columnheader", name=re.compile("Why", re.I))).to_be_visible()
    pair = page.locator("tbody tr", has_text=TOUR.account(MENTOR).name)
    expect(pair).to_contain_text(TOUR.account(MENTEE).name)
    expect(pair).to_contain_text("What the mentee wants to learn")
    guide.shot("matching-run")

    guide.click_link("See the pairings")
    guide.heading("Pairings")
    expect(page.locator("tbody tr", has_text=TOUR.account(MENTOR).name)).to_contain_text("Active")
    guide.shot("pairings")


@tour_step(MANAGER)
def manager_sees_how_often_pairs_meet(guide: TourGuide) -> None:
    # "how often pairs meet"
    page = guide.page
    guide.open_programme(_active())
    guide.click_link("How often pairs meet")
    guide.heading("How pairs are meeting")
    row = page.locator("tbody tr", has_text=TOUR.account(MENTOR).name)
    expect(row).to_contain_text("On track")
    expect(page.locator("tbody tr", has_text="Behind")).to_have_count(1)
    guide.shot("rhythm")


@tour_step(MANAGER)
def manager_plans_a_kick_off_event(guide: TourGuide) -> None:
    # "kick-off events"
    page = guide.page
    guide.open_programme(_active())
    guide.click_link("Kick-offs and events")
    guide.heading("Events")
    # The two kick-offs were held weeks ago; a knowledge session is coming up.
    expect(page.get_by_text("Kick-off for mentors").first).to_be_visible()
    expect(page.get_by_text("Knowledge session: AI tools at work").first).to_be_visible()
    guide.shot("events")
    guide.click_link("New event")
    page.get_by_label("Title").fill("Halfway get-together")
    page.get_by_label("Date").fill((timezone.localdate() + dt.timedelta(days=30)).isoformat())
    page.get_by_label("Starts").fill("10:00")
    page.get_by_label("Ends").fill("11:30")
    guide.press(re.compile("^(Save|Create|Plan|Add)"))
    expect(page.get_by_text("Halfway get-together").first).to_be_visible()
    guide.shot("new-event")


@tour_step(MANAGER)
def manager_reads_the_skills_framework_and_cohort_spaces(guide: TourGuide) -> None:
    # "the skills framework; the cohort spaces"
    page = guide.page
    guide.open_programme(_active())
    guide.click_link("Skills framework")
    guide.heading("Skills framework")
    expect(page.get_by_role("link", name="Add a skill")).to_be_visible()
    guide.shot("skills-framework")
    for space in ("Mentors' space", "Mentees' space"):
        guide.open_programme(_active())
        guide.click_link(space)
        guide.heading(space)
        expect(page.get_by_text("You are moderating this space.")).to_be_visible()
    guide.shot("mentees-space")


@tour_step(MANAGER)
def manager_sends_a_kick_off_announcement(guide: TourGuide) -> None:
    # "Announcements: write to the cohort from the ready-made kick-off text, check who receives
    # it, send."
    page = guide.page
    guide.open_programme(_active())
    guide.click_link("Announcements")
    guide.heading("Announcements")
    guide.click_link("Kick-off: first meetings")
    guide.heading("Write an announcement")
    expect(page.get_by_label("Title")).to_have_value(re.compile("first meeting"))
    page.get_by_label("Everyone taking part").check()
    guide.shot("announcement-draft")
    guide.press("Check and send")
    guide.heading("Send this announcement?")
    guide.shot("announcement-confirm")
    guide.press(re.compile(r"^Send to \d+ people$"))
    expect(page.get_by_text(re.compile(r"Announcement sent to \d+ people"))).to_be_visible()
    guide.shot("announcement-sent")


@tour_step(MANAGER)
def manager_reads_today(guide: TourGuide) -> None:
    # "Today (top of every page): what needs him across his programmes"
    page = guide.page
    with page.expect_navigation():
        page.get_by_role("navigation").get_by_role("link", name="Today").first.click()
    guide.heading("Today")
    expect(page.get_by_role("heading", name=re.compile(_active()), level=2)).to_be_visible()
    guide.shot("today")


def _completed() -> str:
    return next(n for n, s in TOUR.programmes.items() if s == "Completed")


@tour_step(MANAGER)
def manager_reads_the_pilots_report_exports_and_the_overview(guide: TourGuide) -> None:
    # "Digital Confidence Pilot → Report: the verdict against its success measure (met, ...);
    # a print version and a PDF for leadership. Exports: ... Overview (top bar): the pilot
    # beside the cohort that followed it"
    page = guide.page
    guide.go("/programmes/")
    page.get_by_role("link", name=_completed(), exact=True).first.click()
    page.wait_for_url(re.compile(r"/programmes/\d+/$"))
    programme_url = page.url
    guide.click_link("Report")
    guide.heading("Programme report")
    expect(page.locator(".verdict--met")).to_contain_text("Met.")
    expect(page.locator("figure.chart svg").first).to_be_visible()
    expect(page.get_by_text("Show as a table").first).to_be_visible()
    guide.shot("pilot-report")
    assert guide.download("Download PDF").startswith(b"%PDF")
    guide.click_link("Print version")
    guide.heading("Programme report")
    guide.shot("pilot-report-print")
    page.goto(programme_url + "exports/")
    guide.heading("Exports")
    sheet = guide.download("XLSX")
    assert sheet.startswith(b"PK"), "an XLSX file is a zip archive"
    guide.shot("pilot-exports")
    guide.go("/overview/")
    guide.heading("Organisation overview")
    expect(page.get_by_role("heading", name="Pilot and later cohorts")).to_be_visible()
    family = page.locator("table").filter(has_text=re.compile(f"Cohorts from .{_completed()}"))
    expect(family.first).to_contain_text(_active())
    guide.shot("overview")


# --- Aisha Khan, junior mentor -----------------------------------------------------------------


def _pairing_space(guide: TourGuide, partner: str) -> None:
    guide.dashboard()
    guide.page.get_by_role("link", name=partner, exact=True).first.click()
    guide.page.wait_for_url(re.compile(r"/pairings/\d+/journey/$"))
    guide.heading(f"My pairing with {partner}")


PAIR_NAV = "Pair workspace"


def _tab(guide: TourGuide, name: str) -> None:
    nav = guide.page.get_by_role("navigation", name=PAIR_NAV)
    link = nav.get_by_role("link", name=name, exact=True)
    if not link.is_visible():  # the less used pages sit behind "More" (docs/copy.md)
        nav.locator("summary").click()
    with guide.page.expect_navigation():
        link.click()


@tour_step(MENTOR)
def mentor_reads_her_home(guide: TourGuide) -> None:
    # "Dashboard: her home card for the pairing with Richard (the next meeting, where they are
    # in the six sessions, her open tasks) and the surveys she has to answer"
    page = guide.page
    guide.dashboard()
    card = page.locator("section, article, div").filter(
        has=page.get_by_role("heading", name="Where you are")
    )
    expect(card.first).to_contain_text(TOUR.account(MENTEE).name)
    expect(card.first).to_contain_text(re.compile(r"Step \d of 6"))
    expect(page.get_by_role("heading", name="Next meeting").first).to_be_visible()
    expect(page.get_by_role("heading", name="Your open tasks").first).to_be_visible()
    expect(page.get_by_role("heading", name="Surveys to answer")).to_be_visible()
    guide.shot("home")


@tour_step(MENTOR)
def mentor_opens_her_pairing(guide: TourGuide) -> None:
    # "Dashboard → her pairing with Richard"
    _pairing_space(guide, TOUR.account(MENTEE).name)
    guide.shot("pairing")


@tour_step(MENTOR)
def mentor_reads_the_agreement(guide: TourGuide) -> None:
    _pairing_space(guide, TOUR.account(MENTEE).name)
    expect(guide.page.get_by_text("Confirmed by both")).to_be_visible()
    guide.click_link("Read the agreement")
    guide.heading("Pair agreement")
    guide.shot("agreement")


@tour_step(MENTOR)
def mentor_downloads_the_booked_sessions_invite(guide: TourGuide) -> None:
    # "the booked next session (download the calendar invite)"
    page = guide.page
    _pairing_space(guide, TOUR.account(MENTEE).name)
    expect(page.get_by_role("heading", name="Next meeting")).to_be_visible()
    journey = page.locator("li", has_text="Session 1:")
    expect(journey.filter(has_text="Held").first).to_be_visible()
    guide.click_link("Agenda and details")
    page.wait_for_url(re.compile(r"/meetings/\d+/$"))
    guide.heading(re.compile("^Session 2: "))
    expect(page.get_by_text("Booked").first).to_be_visible()
    ics = guide.download("Download invite (.ics)")
    assert b"BEGIN:VCALENDAR" in ics and b"METHOD:REQUEST" in ics
    guide.shot("booked-session")


@tour_step(MENTOR)
def mentor_reads_notes_messages_goals_skills_and_private_notes(guide: TourGuide) -> None:
    # "shared notes, messages, goals, skills self-assessment, private notes"
    page = guide.page
    _pairing_space(guide, TOUR.account(MENTEE).name)
    _tab(guide, "Shared notes")
    expect(page.get_by_role("link", name="Ideas for our next session")).to_be_visible()
    guide.shot("shared-notes")

    _tab(guide, "Messages")
    page.get_by_label("Your message").fill("Looking forward to Tuesday!")
    page.get_by_role("button", name="Send message").click()
    expect(page.get_by_text("Looking forward to Tuesday!")).to_be_visible()
    guide.shot("messages")

    _tab(guide, "Goals and tasks")
    guide.heading("Goals and tasks")
    expect(page.get_by_role("heading", name=f"{TOUR.account(MENTEE).name}'s goals")).to_be_visible()
    guide.shot("goals")

    _tab(guide, "Skills")
    expect(page.get_by_role("link", name="Rate myself: start")).to_be_visible()
    guide.shot("skills")

    _tab(guide, "My private notes")
    guide.shot("private-notes")


@tour_step(MENTOR)
def mentor_downloads_the_workbook(guide: TourGuide) -> None:
    # "the workbook PDF"
    _pairing_space(guide, TOUR.account(MENTEE).name)
    _tab(guide, "Workbook")
    guide.shot("workbook")
    pdf = guide.download("Download workbook (PDF)")
    assert pdf.startswith(b"%PDF")


@tour_step(MENTOR)
def mentor_reads_her_application(guide: TourGuide) -> None:
    # "Her application to the inclusion programme."
    page = guide.page
    guide.dashboard()
    applications = page.locator(
        "section", has=page.get_by_role("heading", name="Your applications")
    )
    applications.get_by_role("link", name=_recruiting()).click()
    page.wait_for_url(re.compile(r"/applications/\d+/$"))
    guide.heading(f"Your application to {_recruiting()}")
    expect(page.get_by_text("Status: Submitted")).to_be_visible()
    expect(page.get_by_text("Mentor (the junior expert)")).to_be_visible()
    guide.shot("application")
    # Having applied to the one recruiting programme, the dashboard must not say none recruits.
    guide.dashboard()
    open_now = page.locator("section", has=page.get_by_role("heading", name="Open for sign-up"))
    expect(open_now).to_contain_text("No other programme is open for you to sign up to right now.")


# --- Richard Allen, senior mentee --------------------------------------------------------------


@tour_step(MENTEE)
def mentee_books_a_meeting(guide: TourGuide) -> None:
    # "The same pairing from the senior side: he books the meetings"
    page = guide.page
    _pairing_space(guide, TOUR.account(MENTOR).name)
    guide.shot("pairing")
    guide.click_link("Book a meeting")
    page.wait_for_url(re.compile(r"/meetings/new/$"))
    day = timezone.localdate() + dt.timedelta(days=35)
    day += dt.timedelta(days=(1 - day.weekday()) % 7)  # a Tuesday afternoon, a month or so on
    page.get_by_label("Date").fill(day.isoformat())
    page.get_by_label("Start time").fill("14:00")
    page.get_by_role("button", name="Book and send invitations").click()
    page.wait_for_url(re.compile(r"/meetings/\d+/$"))
    expect(page.get_by_text("Meeting booked")).to_be_visible()
    organiser = page.locator("dt", has_text="Organised by").locator(
        "xpath=following-sibling::dd[1]"
    )
    expect(organiser).to_have_text(TOUR.account(MENTEE).name)
    guide.shot("meeting-booked")


@tour_step(MENTEE)
def mentee_sets_his_goal_and_tasks(guide: TourGuide) -> None:
    # "sets his goal and tasks"
    page = guide.page
    _pairing_space(guide, TOUR.account(MENTOR).name)
    _tab(guide, "Goals and tasks")
    expect(page.get_by_role("heading", name="Your goals")).to_be_visible()
    guide.click_link(re.compile("^Add a task"))
    page.get_by_label("Task").fill("Show Aisha my first AI-drafted update")
    page.get_by_label("Due date").fill((timezone.localdate() + dt.timedelta(days=20)).isoformat())
    guide.press("Add task")
    expect(page.get_by_text("Show Aisha my first AI-drafted update").first).to_be_visible()
    guide.shot("goal-and-tasks")


@tour_step(MENTEE)
def mentee_sees_the_survey_he_has_to_answer(guide: TourGuide) -> None:
    # "His dashboard lists the survey he has to answer, with its closing date."
    page = guide.page
    guide.dashboard()
    due = page.locator("section", has=page.get_by_role("heading", name="Surveys to answer"))
    expect(due.get_by_text(re.compile("closes"))).to_be_visible()
    expect(due.get_by_role("link").first).to_be_visible()
    guide.shot("surveys-to-answer")


@tour_step(MENTEE)
def mentee_is_told_why_he_cannot_mentor(guide: TourGuide) -> None:
    # "His application to the inclusion programme as a mentee waits for a decision; withdraw it
    # and apply again as a mentor to see why a director is refused."
    page = guide.page
    guide.dashboard()
    applications = page.locator(
        "section", has=page.get_by_role("heading", name="Your applications")
    )
    applications.get_by_role("link", name=_recruiting()).click()
    page.wait_for_url(re.compile(r"/applications/\d+/$"))
    expect(page.get_by_text("Status: Submitted")).to_be_visible()
    expect(page.get_by_text("Mentee (the senior learner)")).to_be_visible()
    guide.shot("application")

    guide.click_link("Withdraw")
    guide.press(re.compile("Withdraw", re.I))
    expect(page.get_by_text("Withdrawn").first).to_be_visible()

    guide.dashboard()
    open_now = page.locator("section", has=page.get_by_role("heading", name="Open for sign-up"))
    with page.expect_navigation():
        open_now.get_by_role("link", name=_recruiting()).click()
    guide.shot("public-page")
    guide.click_link("Apply now")
    page.wait_for_url(re.compile(r"/apply/$"))
    mentor = page.get_by_role("region", name="Mentor")
    expect(mentor.get_by_text("Not open to you:")).to_be_visible()
    page.goto(page.url + "?role=mentor")  # asking for the mentor form directly
    refusal = page.get_by_role("alert").get_by_text(re.compile("You cannot apply as mentor", re.I))
    expect(refusal).to_be_visible()
    guide.shot("mentor-refused")


def seed_like_make_run() -> None:
    """What `make run` leaves in the database: its data migrations (the tests skip migrations),
    then the demo."""
    builtin_version()  # the built-in six-session journey
    importlib.import_module("upward.resources.migrations.0002_seed_activity_ideas").seed(apps, None)
    call_command("seed_demo", verbosity=0)


# --- The tests ---------------------------------------------------------------------------------


def test_every_readme_account_has_tour_steps_and_is_a_demo_account():
    from upward.demo import seed

    readme = [a.email for a in TOUR.accounts]
    assert readme == list(STEPS), "README.md's demo accounts and this test's tour steps differ"
    assert readme == [a.email for a in seed.ACCOUNTS], "README.md and seed_demo name other accounts"
    assert TOUR.password == seed.DEMO_PASSWORD
    assert set(TOUR.programmes) == {seed.PILOT_NAME, seed.ACTIVE_NAME, seed.RECRUITING_NAME}
    for account, demo in zip(TOUR.accounts, seed.ACCOUNTS, strict=True):
        assert account.name == demo.name, account.email


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("account", TOUR.accounts, ids=lambda a: a.slug)
def test_readme_tour(visitor_factory, account: ReadmeAccount) -> None:
    seed_like_make_run()
    guide = sign_in(visitor_factory(account.slug), account, TOUR.password)
    for step in STEPS.get(account.email, []):
        step(guide)


@tour_step(MENTOR)
def mentor_browses_the_library_and_the_mentors_space(guide: TourGuide) -> None:
    # "the resource library, a resource for each of the six sessions; the mentors' space"
    page = guide.page
    guide.dashboard()
    guide.click_link("Browse the resource library")
    guide.heading("Resource library")
    expect(page.get_by_role("link", name="Your first session: a one-page plan")).to_be_visible()
    expect(
        page.get_by_role("link", name="Closing well: the last session checklist")
    ).to_be_visible()
    guide.shot("library")
    guide.dashboard()
    guide.click_link(re.compile("^mentors' space"))
    expect(page.get_by_text("Jumping in first").first).to_be_visible()
    guide.shot("mentors-space")
