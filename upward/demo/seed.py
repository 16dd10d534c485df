"""The demo organisation: about 200 people with a realistic reporting tree, three programmes (a
completed pilot, one recruiting, one active) and one account per role. Deterministic (seeded), and
safe to run twice."""

from __future__ import annotations

import datetime as dt
import functools
import random
from collections.abc import Callable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from upward.accounts.models import User
from upward.goals.services import add_task, create_goal
from upward.impact.services import add_commitment, set_commitment_status, write_thank_you
from upward.journey.models import Event, EventResponse, JourneyStep, Meeting
from upward.journey.selectors import bookable_steps, event_audience
from upward.journey.services import (
    book_meeting,
    confirm_agreement,
    mark_attendance,
    mark_meeting,
    respond_to_event,
    save_agreement,
    save_event,
)
from upward.notes.models import CohortPost
from upward.notes.services import create_shared_note, post_to_cohort, send_message
from upward.organisations.models import (
    Department,
    Level,
    Organisation,
    OrganisationDomain,
    Person,
    Team,
    Topic,
)
from upward.organisations.services import DEFAULT_LEVELS
from upward.pairing.models import MatchRule, MatchRun, Pairing, PairingStateChange
from upward.pairing.services import (
    add_match_rule,
    answer_pairing,
    answer_proposal,
    complete_pairing,
    publish_match_run,
    start_match_run,
)
from upward.programmes.models import Programme, StateChange
from upward.programmes.services import (
    create_programme,
    set_programme_managers,
    transition_programme,
)
from upward.recruitment.models import Application
from upward.recruitment.services import decide_application, submit_application
from upward.resources.models import Resource
from upward.resources.services import create_resource
from upward.safety.models import PulseResponse, SafeguardingContact
from upward.safety.services import add_safeguarding_contact, submit_pulse
from upward.surveys.library import OBJECTIVE_ITEMS
from upward.surveys.models import Question, Submission, Survey
from upward.surveys.selectors import surveys_due
from upward.surveys.services import (
    close_survey,
    create_survey_from_template,
    open_survey,
    send_survey_now,
    set_success_measure,
    submit_response,
)

DEMO_SLUG = "northbridge"
DEMO_DOMAIN = "northbridge.example"
DEMO_PASSWORD = "upward-demo-2026"  # noqa: S105 — published demo credentials, demo data only

# One person's answer to each question of a survey.
AnswerFor = Callable[[Question], object]

DEPARTMENTS = {
    "Digital": ["Platform", "Data", "Service design"],
    "Finance": ["Financial planning", "Procurement"],
    "Operations": ["Customer support", "Logistics", "Facilities"],
    "People": ["Talent", "Learning", "Reward"],
    "Marketing": ["Brand", "Social and content"],
    "Legal": ["Commercial legal", "Compliance"],
}
SKILLS = {
    "Digital tools": [
        "Generative AI tools",
        "Collaboration platforms",
        "Social media",
        "Data visualisation",
        "Cyber security basics",
        "Automation and no-code",
    ],
    "Ways of working": ["Agile delivery", "Hybrid working", "Product thinking"],
    "Leadership": [
        "Inclusive leadership",
        "Giving feedback",
        "Coaching",
        "Public speaking",
        "Strategy",
    ],
    "Finance and operations": ["Budgeting", "Process improvement"],
}
EXPERIENCES = [
    "Race and ethnicity",
    "Disability",
    "Neurodiversity",
    "LGBTQ+",
    "Social mobility",
    "First in family at university",
    "Caring responsibilities",
    "Early-career experience",
]
INTERESTS = [
    "Running",
    "Music",
    "Gaming",
    "Cooking",
    "Volunteering",
    "Climate action",
    "Reading",
    "Photography",
    "Football",
    "Podcasts",
]

FIRST = [
    "Aisha",
    "Ben",
    "Chloe",
    "Daniel",
    "Ella",
    "Femi",
    "Grace",
    "Harry",
    "Isla",
    "Jack",
    "Kiran",
    "Leah",
    "Mohammed",
    "Niamh",
    "Oliver",
    "Priya",
    "Quinn",
    "Rosa",
    "Sami",
    "Tara",
    "Umar",
    "Vicky",
    "Wei",
    "Yasmin",
    "Zac",
    "Amara",
    "Callum",
    "Deepa",
    "Euan",
    "Freya",
    "Gethin",
    "Hannah",
    "Imran",
    "Jade",
    "Kwame",
    "Lucy",
    "Marek",
    "Nadia",
    "Owen",
    "Poppy",
]
LAST = [
    "Ahmed",
    "Baker",
    "Campbell",
    "Davies",
    "Evans",
    "Fraser",
    "Green",
    "Hughes",
    "Iqbal",
    "Jones",
    "Kaur",
    "Lewis",
    "Mensah",
    "Nowak",
    "O'Brien",
    "Patel",
    "Quinn",
    "Roberts",
    "Singh",
    "Taylor",
    "Usman",
    "Walker",
    "Williams",
    "Young",
    "Zhang",
    "Okafor",
    "Murphy",
    "Reid",
    "Bennett",
    "Chen",
]
LOCATIONS = [
    ("Manchester", "Europe/London"),
    ("London", "Europe/London"),
    ("Glasgow", "Europe/London"),
    ("Cardiff", "Europe/London"),
    ("Dublin", "Europe/Dublin"),
    ("Lisbon", "Europe/Lisbon"),
]
TITLES = {
    1: "Apprentice",
    2: "Associate",
    3: "Analyst",
    4: "Senior analyst",
    5: "Manager",
    6: "Senior manager",
    7: "Head of {team}",
    8: "Director of {dept}",
    9: "Chief executive",
}


@dataclass(frozen=True)
class DemoAccount:
    email: str
    role: str
    name: str
    what: str


ACCOUNTS = [
    DemoAccount(
        "admin@northbridge.example",
        "Organisation admin",
        "Priya Shah",
        "Head of Learning; sets up the directory and programmes",
    ),
    DemoAccount(
        "manager@northbridge.example",
        "Programme manager",
        "Tom Hughes",
        "Ran the pilot; runs the active and the recruiting programmes",
    ),
    DemoAccount(
        "mentor@northbridge.example",
        "Junior mentor",
        "Aisha Khan",
        "Associate in Data; mentors Richard Allen, and has applied to mentor again",
    ),
    DemoAccount(
        "mentee@northbridge.example",
        "Senior mentee",
        "Richard Allen",
        "Director of Operations; mentored by Aisha Khan, and has applied again",
    ),
]


@functools.cache
def _demo_password_hash() -> str:
    """Hashing a password takes a third of a second on purpose; done for each of the 64 demo
    accounts it was most of the seeding time. They share one published password, so they can
    share its hash (demo data only: real accounts each get their own salt)."""
    return make_password(DEMO_PASSWORD)


def _account(person: Person) -> User:
    user = User.objects.filter(email__iexact=person.email).first()
    if user is None:
        user = User.objects.create_user(person.email, None, name=person.full_name)
        user.password = _demo_password_hash()
        user.save(update_fields=["password"])
    EmailAddress.objects.get_or_create(
        user=user, email=user.email, defaults={"verified": True, "primary": True}
    )
    if person.user_id != user.pk:
        person.user = user
        person.save(update_fields=["user"])
    return user


@transaction.atomic
def build_directory() -> Organisation:
    """Create the organisation, taxonomy and about 200 people, unless they exist."""
    org, created = Organisation.objects.get_or_create(
        slug=DEMO_SLUG, defaults={"name": "Northbridge Group"}
    )
    # The operator's step: Northbridge owns its addresses, so its people can sign up.
    OrganisationDomain.objects.get_or_create(domain=DEMO_DOMAIN, defaults={"organisation": org})
    if not created:
        return org
    rng = random.Random(2026)
    levels = {
        rank: Level.objects.create(organisation=org, rank=rank, name=name)
        for rank, name in enumerate(DEFAULT_LEVELS, start=1)
    }
    teams: dict[str, list[Team]] = {}
    departments: dict[str, Department] = {}
    for dept_name, team_names in DEPARTMENTS.items():
        dept = Department.objects.create(organisation=org, name=dept_name)
        departments[dept_name] = dept
        teams[dept_name] = [
            Team.objects.create(organisation=org, department=dept, name=t) for t in team_names
        ]
    for parent_name, children in SKILLS.items():
        parent = Topic.objects.create(organisation=org, name=parent_name, kind=Topic.Kind.SKILL)
        for child in children:
            Topic.objects.create(organisation=org, name=child, kind=Topic.Kind.SKILL, parent=parent)
    for topic_name in EXPERIENCES:
        Topic.objects.create(organisation=org, name=topic_name, kind=Topic.Kind.EXPERIENCE)
    for topic_name in INTERESTS:
        Topic.objects.create(organisation=org, name=topic_name, kind=Topic.Kind.INTEREST)

    used_names: set[str] = set()

    def name() -> str:
        while True:
            candidate = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
            if candidate not in used_names:
                used_names.add(candidate)
                return candidate

    def add(
        full_name: str,
        rank: int,
        dept: str | None,
        team: Team | None,
        manager: Person | None,
        email: str | None = None,
    ) -> Person:
        local = full_name.lower().replace(" ", ".").replace("'", "")
        location, tz = rng.choice(LOCATIONS[:4]) if rng.random() < 0.85 else rng.choice(LOCATIONS)
        title = TITLES[rank].format(team=team.name if team else "", dept=dept or "")
        return Person.objects.create(
            organisation=org,
            full_name=full_name,
            email=email or f"{local}@northbridge.example",
            job_title=title,
            level=levels[rank],
            department=departments[dept] if dept else None,
            team=team,
            manager=manager,
            location=location,
            time_zone=tz,
            start_date=dt.date(2026, 9, 1) - dt.timedelta(days=rng.randint(60, 365 * (rank + 1))),
        )

    ceo = add("Helen Carter", 9, None, None, None)
    named = {a.name: a for a in ACCOUNTS}
    for dept_name, dept_teams in teams.items():
        director_name = "Richard Allen" if dept_name == "Operations" else name()
        director = add(
            director_name,
            8,
            dept_name,
            None,
            ceo,
            email=named[director_name].email if director_name in named else None,
        )
        for team in dept_teams:
            head_name = "Priya Shah" if team.name == "Learning" else name()
            head = add(
                head_name,
                7,
                dept_name,
                team,
                director,
                email=named[head_name].email if head_name in named else None,
            )
            manager_name = "Tom Hughes" if team.name == "Talent" else name()
            senior_manager = add(
                manager_name,
                6,
                dept_name,
                team,
                head,
                email=named[manager_name].email if manager_name in named else None,
            )
            line_manager = add(name(), 5, dept_name, team, senior_manager)
            for rank in (4, 4, 3, 3, 3, 2, 2, 2, 1, 1):
                if (
                    team.name == "Data"
                    and rank == 2
                    and not Person.objects.filter(organisation=org, full_name="Aisha Khan").exists()
                ):
                    add(
                        "Aisha Khan",
                        2,
                        dept_name,
                        team,
                        line_manager,
                        email="mentor@northbridge.example",
                    )
                    continue
                boss = senior_manager if rank == 4 else line_manager
                add(name(), rank, dept_name, team, boss)
    # A few people who have left, so the directory shows both states.
    for months_ago, person in zip(
        (14, 9, 5, 1),
        Person.objects.filter(organisation=org, level__rank=3).order_by("id")[:4],
        strict=False,
    ):
        person.is_active = False
        person.left_on = dt.date.today() - dt.timedelta(days=30 * months_ago)
        person.save(update_fields=["is_active", "left_on"])
    Person.objects.filter(organisation=org, email="admin@northbridge.example").update(
        is_org_admin=True
    )
    for account in ACCOUNTS:
        _account(Person.objects.get(organisation=org, email=account.email))
    return org


def name_safeguarding_contact(org: Organisation) -> None:
    """Priya, Head of Learning and org admin, is also the organisation's safeguarding contact,
    so the demo shows the needs-attention queues from her side too. Safe to run again."""
    priya = Person.objects.get(organisation=org, email="admin@northbridge.example")
    if not SafeguardingContact.objects.filter(organisation=org, person=priya).exists():
        add_safeguarding_contact(org, person=priya, by=priya.user)


PILOT_NAME = "Digital Confidence Pilot"
RECRUITING_NAME = "Inclusive Leadership 2027"
ACTIVE_NAME = "Digital Skills Exchange 2026"

MOTIVATIONS = {
    "mentor": [
        "I use new tools every day and would love to help leaders feel at ease with them.",
        "I want to share what it is like to start a career here, and learn how decisions are made.",
        "Mentoring a director would stretch me, and I think my perspective could be useful.",
        "I care about inclusion and want leaders to hear from people like me directly.",
    ],
    "mentee": [
        "I lead a large team and want to understand how our newest colleagues experience work.",
        "I feel behind on digital tools and would rather learn from someone who uses them daily.",
        "I want honest feedback on how my leadership lands with early-career staff.",
        "I want to be a better ally and know I have blind spots.",
    ],
}
SLOTS = [
    "mon-am",
    "mon-pm",
    "tue-am",
    "tue-pm",
    "wed-am",
    "wed-pm",
    "thu-am",
    "thu-pm",
    "fri-am",
    "fri-pm",
]


def _topics(org: Organisation, kind: str, names: list[str]) -> list[Topic]:
    return list(Topic.objects.filter(organisation=org, kind=kind, name__in=names))


def _apply(programme: Programme, person: Person, role: str, rng: random.Random) -> Application:
    org = programme.organisation
    skills = list(Topic.objects.filter(organisation=org, kind="skill", parent__isnull=False))
    interests = list(Topic.objects.filter(organisation=org, kind="interest"))
    experiences = list(Topic.objects.filter(organisation=org, kind="experience"))
    share = role == "mentor" and rng.random() < 0.5
    return submit_application(
        programme,
        person,
        role=role,
        motivation=rng.choice(MOTIVATIONS[role]),
        consent_terms=True,
        offered_topics=rng.sample(skills, 3),
        wanted_topics=rng.sample(skills, 2),
        interests=rng.sample(interests, 2),
        lived_experience_topics=rng.sample(experiences, 1) if share else (),
        lived_experience_consent=share,
        availability=sorted(rng.sample(SLOTS, 4)),
        preferred_times="Mornings suit me best" if rng.random() < 0.5 else "",
        by=person.user,
    )


def build_programmes(org: Organisation) -> list[Programme]:
    """Three programmes: a completed pilot, one in recruitment with applications and one active
    with the demo pair. Built through the same services people use, so the demo shows real audit
    trails and state histories."""
    names = [PILOT_NAME, RECRUITING_NAME, ACTIVE_NAME]
    existing = list(Programme.objects.filter(organisation=org, name__in=names))
    if len(existing) == len(names):
        return existing
    rng = random.Random(7)
    levels = {lv.rank: lv for lv in Level.objects.filter(organisation=org)}
    admin = Person.objects.get(organisation=org, email=ACCOUNTS[0].email)
    manager = Person.objects.get(organisation=org, email=ACCOUNTS[1].email)
    mentor_pool = list(
        Person.objects.filter(organisation=org, is_active=True, level__rank__lte=3)
        .exclude(email__in=[a.email for a in ACCOUNTS])
        .order_by("id")
    )
    mentee_pool = list(
        Person.objects.filter(organisation=org, is_active=True, level__rank__in=[6, 7, 8])
        .exclude(email__in=[a.email for a in ACCOUNTS])
        .order_by("id")
    )
    rng.shuffle(mentor_pool)
    rng.shuffle(mentee_pool)
    for person in mentor_pool[:30] + mentee_pool[:30]:
        _account(person)

    with transaction.atomic():
        today = dt.date.today()
        pilot = create_programme(
            admin,
            fields={
                "name": PILOT_NAME,
                "summary": "Our first reverse mentoring cohort: early-career colleagues strong in "
                "digital tools mentored directors and heads of department for six months.",
                "objective": "digital_skills",
                "success_what": "Leaders' confidence using and discussing digital tools",
                "success_how": "The same confidence survey at the start and at the end",
                "success_target": "Two in three mentees report more confidence",
                "mentor_level_min": levels[1],
                "mentor_level_max": levels[3],
                "mentee_level_min": levels[6],
                "mentee_level_max": levels[9],
                "selection_mode": "reviewed",
                "places": 8,
                "is_pilot": True,
                # Recruitment needs dates in the future; the real, past dates are set afterwards.
                "starts_on": today + dt.timedelta(days=30),
                "ends_on": today + dt.timedelta(days=210),
                "commitment": "One hour a month for six months",
            },
        )
        set_programme_managers(pilot, managers=[admin, manager], by=admin.user)
        transition_programme(pilot, to="recruiting", by=admin.user)
        for person in mentor_pool[:8]:
            application = _apply(pilot, person, "mentor", rng)
            decide_application(application, decision="accepted", by=admin.user)
        for person in mentee_pool[:8]:
            application = _apply(pilot, person, "mentee", rng)
            decide_application(application, decision="accepted", by=admin.user)
        transition_programme(pilot, to="matching", by=admin.user)
        _match_and_confirm(pilot, by=admin.user)
        transition_programme(pilot, to="active", by=admin.user)

        # The pilot's pairs met about once a month from March to August 2025 (four to six
        # times each), so its report and the overview show the rhythm it kept.
        slot = 100
        for index, pairing in enumerate(
            Pairing.objects.filter(programme=pilot, state="active").order_by("id")
        ):
            for month in range(3, 3 + 4 + index % 3):
                held_on = dt.date(2025, month, 8 + (index * 3) % 15)
                _steps, step = bookable_steps(pairing)
                _held_meeting(
                    pairing,
                    step=step,
                    days_ago=(dt.date.today() - held_on).days,
                    minutes=45 + 15 * (month % 2),
                    slot=slot,
                )
                slot += 1
        for pairing in Pairing.objects.filter(programme=pilot, state="active"):
            complete_pairing(pairing, by=admin.user)
        transition_programme(pilot, to="completed", by=admin.user)
        Programme.objects.filter(pk=pilot.pk).update(
            starts_on=dt.date(2025, 3, 3),
            ends_on=dt.date(2025, 9, 26),
            ended_on=dt.date(2025, 9, 26),
        )
        pilot.refresh_from_db()
        _pilot_outcomes(pilot, admin=admin)

        recruiting = create_programme(
            admin,
            fields={
                "name": RECRUITING_NAME,
                "summary": "Colleagues early in their careers, including those from ethnic minority "
                "backgrounds, mentor senior leaders on what inclusion means day to day.",
                "objective": "inclusion",
                "inclusion_focus": "race",
                "success_what": "Senior leaders' confidence talking about race and ethnicity",
                "success_how": "Paired survey questions at the start and the end of the programme",
                "success_target": "60% of mentees improve by at least one point",
                "mentor_level_min": levels[1],
                "mentor_level_max": levels[4],
                "mentee_level_min": levels[6],
                "mentee_level_max": levels[9],
                "selection_mode": "reviewed",
                "places": 12,
                "starts_on": dt.date(today.year + 1, 1, 11),
                "ends_on": dt.date(today.year + 1, 7, 9),
                "commitment": "One hour every three weeks for six months",
                "previous_cohort": pilot,
                # An inclusion programme: mentors are asked whether their lived experience may
                # help matching (upward.consent).
                "special_category_matching": True,
            },
        )
        recruiting.managers.add(manager)
        transition_programme(recruiting, to="recruiting", by=admin.user)
        _apply(
            recruiting, Person.objects.get(organisation=org, email=ACCOUNTS[2].email), "mentor", rng
        )
        _apply(
            recruiting, Person.objects.get(organisation=org, email=ACCOUNTS[3].email), "mentee", rng
        )
        decisions = ["accepted", "accepted", "accepted", "waitlisted", "declined", None, None]
        for i, person in enumerate(mentor_pool[8:22]):
            application = _apply(recruiting, person, "mentor", rng)
            decision = decisions[i % len(decisions)]
            if decision:
                decide_application(
                    application,
                    decision=decision,
                    by=manager.user,
                    reason="Thank you for applying. We had more mentors than places this time; "
                    "we will invite you first for the next cohort."
                    if decision == "declined"
                    else "",
                )
        for i, person in enumerate(mentee_pool[8:20]):
            application = _apply(recruiting, person, "mentee", rng)
            if i % 3 != 2:
                decide_application(application, decision="accepted", by=manager.user)

        # An active programme where the demo mentor and mentee are paired with each other.
        active = create_programme(
            admin,
            fields={
                "name": ACTIVE_NAME,
                "summary": "A second cohort after the pilot: digital skills in both directions, "
                "with leaders sharing how decisions get made.",
                "objective": "digital_skills",
                "success_what": "Leaders' confidence choosing and using digital tools",
                "success_how": "Skills self-assessment and survey at the start and the end",
                "success_target": "Average skills rating up by one point",
                "mentor_level_min": levels[1],
                "mentor_level_max": levels[4],
                "mentee_level_min": levels[6],
                "mentee_level_max": levels[9],
                "selection_mode": "reviewed",
                "places": 6,
                "starts_on": today - dt.timedelta(days=45),
                "ends_on": today + dt.timedelta(days=140),
                "commitment": "One hour a month for six months",
                "previous_cohort": pilot,
            },
        )
        active.managers.add(manager)
        # Open recruitment needs a future start; the real start is set just below.
        Programme.objects.filter(pk=active.pk).update(starts_on=today + dt.timedelta(days=1))
        active.refresh_from_db()
        transition_programme(active, to="recruiting", by=admin.user)
        demo_mentor = Person.objects.get(organisation=org, email=ACCOUNTS[2].email)
        demo_mentee = Person.objects.get(organisation=org, email=ACCOUNTS[3].email)
        people = [(demo_mentor, "mentor"), (demo_mentee, "mentee")]
        people += [(p, "mentor") for p in mentor_pool[22:27]]
        people += [(p, "mentee") for p in mentee_pool[20:25]]
        for person, role in people:
            application = _apply(active, person, role, rng)
            decide_application(application, decision="accepted", by=manager.user)
        transition_programme(active, to="matching", by=manager.user)

        add_match_rule(
            active, kind="pin", mentee_id=demo_mentee.pk, mentor_id=demo_mentor.pk, by=manager.user
        )
        _match_and_confirm(active, by=manager.user)
        transition_programme(active, to="active", by=manager.user)
        Programme.objects.filter(pk=active.pk).update(starts_on=today - dt.timedelta(days=45))
        _backdate_pairings(active, started=today - dt.timedelta(days=47))
        _start_demo_pair(active, demo_mentor, demo_mentee)
        _active_activity(active, manager=manager, demo_pair=(demo_mentor, demo_mentee))

        _backdate(
            pilot,
            History(
                created=dt.date(2025, 1, 13),
                states={
                    "recruiting": dt.date(2025, 1, 20),
                    "matching": dt.date(2025, 2, 14),
                    "active": dt.date(2025, 3, 3),
                    "completed": dt.date(2025, 9, 30),
                },
                applied=(dt.date(2025, 1, 20), dt.date(2025, 2, 7)),
                matched=dt.date(2025, 2, 17),
                confirmed=dt.date(2025, 2, 24),
                completed=dt.date(2025, 9, 26),
            ),
        )
        _backdate(
            recruiting,
            History(
                created=today - dt.timedelta(days=30),
                states={"recruiting": today - dt.timedelta(days=28)},
                applied=(today - dt.timedelta(days=28), today - dt.timedelta(days=2)),
                decided_after_days=3,
            ),
        )
        _backdate(
            active,
            History(
                created=today - dt.timedelta(days=100),
                states={
                    "recruiting": today - dt.timedelta(days=95),
                    "matching": today - dt.timedelta(days=62),
                    "active": today - dt.timedelta(days=45),
                },
                applied=(today - dt.timedelta(days=95), today - dt.timedelta(days=70)),
                matched=today - dt.timedelta(days=58),
                confirmed=today - dt.timedelta(days=47),
            ),
        )
    return [pilot, recruiting, active]


def _match_and_confirm(programme: Programme, *, by: User | None) -> list[Pairing]:
    """Run matching, publish, and have every mentor accept and every mentee confirm."""
    run = start_match_run(programme, by=by)
    run = MatchRun.objects.get(pk=run.pk)
    publish_match_run(run, by=by)
    pairings = list(Pairing.objects.filter(programme=programme).select_related("mentor", "mentee"))
    for pairing in pairings:
        answer_proposal(pairing, person=pairing.mentor, accept=True)
    for pairing in Pairing.objects.filter(programme=programme).select_related("mentee"):
        answer_pairing(pairing, person=pairing.mentee, accept=True)
    return pairings


def _start_demo_pair(programme: Programme, mentor: Person, mentee: Person) -> None:
    """The demo pair has agreed how they work, held their first session and booked the next,
    set a goal, and started a shared note and a conversation: enough to tour the pair's space.
    Aisha has not answered the check-in after the first session yet, so she is asked to."""
    pairing = Pairing.objects.get(programme=programme, mentor=mentor, mentee=mentee)
    today = dt.date.today()
    agreement = save_agreement(
        pairing,
        person=mentee,
        by=mentee.user,
        data={
            "confidentiality": "What we say stays between us. We share what we learn only in our "
            "own words and never what the other person told us in confidence.",
            "meetings_per_month": "1",
            "minutes_per_meeting": 60,
            "ends_on": programme.ends_on,
            "raising_concerns": "Either of us can say when something is not working; if that feels "
            "hard, we talk to Tom Hughes, the programme lead.",
        },
    )
    confirm_agreement(pairing, person=mentee, version=agreement.version, by=mentee.user)
    confirm_agreement(pairing, person=mentor, version=agreement.version, by=mentor.user)
    _steps, first = bookable_steps(pairing)
    _held_meeting(pairing, step=first, days_ago=20, minutes=55, slot=0)
    _steps, first = bookable_steps(pairing)
    days_ahead = (1 - today.weekday()) % 7 or 7  # next Tuesday
    starts = dt.datetime.combine(
        today + dt.timedelta(days=days_ahead), dt.time(10, 0), tzinfo=ZoneInfo(mentee.time_zone)
    )
    book_meeting(
        pairing,
        person=mentee,
        starts_at=starts,
        duration_minutes=60,
        step=first,
        video_url="https://meet.example.org/northbridge-digital",
        by=mentee.user,
    )
    goal = create_goal(
        pairing,
        owner=mentee,
        person=mentee,
        statement="Use a generative AI tool to draft my monthly operations update",
        measure="Three monthly updates drafted with the tool, and my team says they read well",
        target_date=today + dt.timedelta(days=90),
        term="short",
        why="My team already uses these tools; I want to understand what they can and cannot do.",
    )
    add_task(
        goal,
        title="Try two tools with Aisha on a real report",
        person=mentee,
        owner=mentee,
        due_on=today + dt.timedelta(days=21),
    )
    create_shared_note(
        pairing,
        author=mentor,
        title="Ideas for our next session",
        body="We covered what Richard already uses day to day. Next, pick one real task to try "
        "together. Bring last month's operations report.",
    )
    send_message(
        pairing,
        author=mentee,
        body="Looking forward to Tuesday, Aisha. I have booked an hour and sent the invite.",
    )


# ---------------------------------------------------------------- outcomes, impact and safety

# The pilot's confidence item, start → end, mentee by mentee: six of eight improve (two by two
# points), one stays the same and one drops. Shown as "75% improved (n = 8), mean +0.9".
PILOT_CONFIDENCE = [(2, 3), (3, 4), (2, 4), (3, 4), (2, 3), (2, 4), (3, 3), (4, 3)]
PILOT_MEASURE = "confidence-digital"
# Other paired items move less cleanly: mostly up one, sometimes not at all, now and then down.
OTHER_CHANGES = [1, 1, 1, 0, 1, 2, 0, -1, 1, 0]

COMMITMENTS = [
    (
        "digital",
        "done",
        "I will draft my monthly update with a generative AI tool and check it with my team "
        "before it goes out.",
    ),
    (
        "meetings",
        "in_progress",
        "I will ask the most junior person in the room to speak first in our weekly planning "
        "meeting.",
    ),
    ("digital", "done", "I will move our team's status reports from email to a shared board."),
    (
        "development",
        "not_done",
        "I will offer two early-career colleagues a place on the project board for our next "
        "system change.",
    ),
    (
        "digital",
        "in_progress",
        "I will hold a monthly open hour where anyone can show me a tool they find useful.",
    ),
    (
        "digital",
        "",
        "I will ask for a plain-English summary of every digital change before I sign it off.",
    ),
    (
        "culture",
        "done",
        "I will thank people by name when a new way of working saves the team time.",
    ),
    (
        "digital",
        "no_longer_relevant",
        "I will try the new expenses app myself before asking my team to use it.",
    ),
]
INSIGHTS = [
    (
        "culture",
        "Our newest colleagues solve problems with tools I had never heard of, and "
        "rarely think to mention it in meetings.",
    ),
    (
        "digital",
        "Most of my worry about AI tools was about not knowing the words, not about "
        "the tools themselves.",
    ),
]
THANK_YOUS = [
    "Thank you for your patience and your honesty. I now use the tools you showed me every "
    "week, and I ask better questions when my team proposes something new.",
    "You made a lot of things less mysterious. Thank you for taking the time, and for "
    "telling me plainly when my emails were far too long.",
    "I looked forward to every one of our sessions. Thank you for showing me how work looks "
    "from where you sit.",
]
EFFECTIVENESS_COMMENTS = [
    "More time at the start to agree what each of us wanted from it.",
    "A short guide for the first session: we spent a while working out where to begin.",
    "Pairing across departments worked well; keep doing that.",
    "A shared session halfway through to hear how other pairs were getting on.",
    "Fewer surveys, but I understand why they matter.",
]


def _answer(
    programme: Programme, person: Person, survey: Survey, *, on: dt.date, values: AnswerFor
) -> None:
    """Answer through submit_response as the person would have on the given day, so the
    anonymity rules (pseudonyms, no link from answer to person) hold as in real use."""
    due = next(d for d in surveys_due(person, today=on) if d.survey.pk == survey.pk)
    questions = list(survey.questions.order_by("position", "pk"))
    submit_response(due, person=person, answers={q.pk: values(q) for q in questions})


def _likert(start: int, change: int) -> int:
    return max(1, min(5, start + change))


def _survey_answers(
    rng: random.Random, start: dict[str, int], change: dict[str, int], *, end: bool
) -> AnswerFor:
    """Answers for the library's start or end survey, given one person's starting point and
    change per item."""

    def values(question: Question) -> object:
        key = question.item_key
        if question.kind == "likert" and key in start:
            return _likert(start[key], change[key]) if end else start[key]
        if question.kind == "retrospective":
            base = key.removesuffix("-retro")
            # Looking back, people tend to rate their past selves a little lower.
            before = max(1, start[base] - (1 if rng.random() < 0.4 else 0))
            return (before, _likert(start[base], change[base]))
        if question.kind == "likert":  # the end-only "made a real difference" item
            return rng.choice([3, 4, 4, 4, 5, 5])
        return None

    return values


def _dated_survey(survey: Survey, *, opened: dt.date, closed: dt.date | None) -> None:
    """The pilot ran in the past: the survey was opened now, through the service, so its dates
    are moved back to when it ran (timestamps only)."""

    def at(day: dt.date) -> dt.datetime:
        return timezone.make_aware(dt.datetime.combine(day, dt.time(9, 0)))

    fields = {"opened_at": at(opened)}
    if closed is not None:
        fields["closed_at"] = at(closed)
    Survey.objects.filter(pk=survey.pk).update(**fields)
    Submission.objects.filter(survey=survey).update(submitted_at=at(opened + dt.timedelta(days=3)))


def _pilot_outcomes(pilot: Programme, *, admin: Person) -> None:
    """Start and end surveys answered by all sixteen participants, the success measure tied to
    the confidence item, commitments from all eight mentees and three thank-you notes."""
    rng = random.Random(2025)
    by = admin.user
    pairings = list(
        Pairing.objects.filter(programme=pilot).select_related("mentor", "mentee").order_by("pk")
    )
    surveys = {
        key: open_survey(create_survey_from_template(pilot, template_key=key, by=by), by=by)
        for key in (
            "digital-skills-start",
            "leadership-start",
            "digital-skills-end",
            "leadership-end",
            "effectiveness",
        )
    }
    set_success_measure(pilot, item_key=PILOT_MEASURE, by=by)
    # Answered within the survey windows of the pilot's real dates (see surveys.selectors).
    start_day, end_day = (
        pilot.starts_on + dt.timedelta(days=2),
        pilot.ends_on + dt.timedelta(days=3),
    )
    for role, objective in (("mentee", "digital_skills"), ("mentor", "leadership")):
        keys = [item.key for item in OBJECTIVE_ITEMS[objective][1]]
        prefix = objective.replace("_", "-")
        for i, pairing in enumerate(pairings):
            person = pairing.mentee if role == "mentee" else pairing.mentor
            start = {k: rng.choice([2, 2, 3, 3, 3, 4]) for k in keys}
            change = {k: rng.choice(OTHER_CHANGES) for k in keys}
            if role == "mentee":
                start[PILOT_MEASURE] = PILOT_CONFIDENCE[i][0]
                change[PILOT_MEASURE] = PILOT_CONFIDENCE[i][1] - PILOT_CONFIDENCE[i][0]
            _answer(
                pilot,
                person,
                surveys[f"{prefix}-start"],
                on=start_day,
                values=_survey_answers(rng, start, change, end=False),
            )
            _answer(
                pilot,
                person,
                surveys[f"{prefix}-end"],
                on=end_day,
                values=_survey_answers(rng, start, change, end=True),
            )

    def effectiveness(question: Question) -> object:
        if question.kind == "scale":
            return rng.choice([6, 7, 8, 8, 9, 9, 9, 10, 10])
        if question.kind == "likert":
            return rng.choice([3, 4, 4, 4, 5, 5])
        if question.kind == "multiple":
            return rng.sample(question.choices[:4], rng.randint(1, 3))
        return rng.choice(EFFECTIVENESS_COMMENTS) if rng.random() < 0.5 else ""

    for pairing in pairings:
        for person in (pairing.mentee, pairing.mentor):
            _answer(pilot, person, surveys["effectiveness"], on=end_day, values=effectiveness)
    for key, survey in surveys.items():
        close_survey(survey, by=by)
        opened = (
            pilot.starts_on - dt.timedelta(days=7)
            if key.endswith("start")
            else (pilot.ends_on - dt.timedelta(days=10))
        )
        _dated_survey(survey, opened=opened, closed=opened + dt.timedelta(days=30))

    for pairing, (theme, status, text) in zip(pairings, COMMITMENTS, strict=False):
        mentee = pairing.mentee
        commitment = add_commitment(
            pairing, owner=mentee, kind="commitment", text=text, theme=theme, by=mentee.user
        )
        if status:
            set_commitment_status(commitment, status=status, by=mentee.user)
    for pairing, (theme, text) in zip(pairings[5:], INSIGHTS, strict=False):
        add_commitment(
            pairing,
            owner=pairing.mentee,
            kind="insight",
            text=text,
            theme=theme,
            by=pairing.mentee.user,
        )
    for pairing, text in zip(pairings, THANK_YOUS, strict=False):
        write_thank_you(pairing, author=pairing.mentee, text=text, by=pairing.mentee.user)


def _backdate_pairings(programme: Programme, *, started: dt.date) -> None:
    """The pairs confirmed just before the programme started, weeks ago; they were confirmed
    now, through the services, so the timestamps are moved back (the flags count from them)."""
    at = timezone.make_aware(dt.datetime.combine(started, dt.time(12, 0)))
    Pairing.objects.filter(programme=programme, state="active").update(
        mentor_responded_at=at - dt.timedelta(days=2), mentee_responded_at=at
    )


def _held_meeting(
    pairing: Pairing, *, step: JourneyStep | None, days_ago: int, minutes: int, slot: int
) -> Meeting:
    """A meeting that took place `days_ago` days ago. Booking refuses past times, so it is
    booked in the future through the service, moved back with a timestamp update, and then
    recorded as held through the service (which refuses meetings that have not started)."""
    mentee = pairing.mentee
    zone = ZoneInfo(mentee.time_zone)
    # A far-off, distinct hour per booking, so the temporary times never clash.
    future = dt.datetime.combine(
        dt.date.today() + dt.timedelta(days=300 + slot), dt.time(9 + slot % 8, 0), tzinfo=zone
    )
    meeting = book_meeting(
        pairing,
        person=mentee,
        starts_at=future,
        duration_minutes=60,
        step=step,
        video_url="https://meet.example.org/northbridge",
        by=mentee.user,
    )
    day = dt.date.today() - dt.timedelta(days=days_ago)
    starts = dt.datetime.combine(day, dt.time(10 + slot % 6, 0), tzinfo=zone)
    Meeting.objects.filter(pk=meeting.pk).update(
        starts_at=starts, ends_at=starts + dt.timedelta(minutes=60)
    )
    meeting.refresh_from_db()
    # Both give their account, so the record is settled and counts in the mentor's time.
    mark_meeting(meeting, person=mentee, held=True, actual_minutes=minutes, by=mentee.user)
    mark_meeting(
        meeting, person=pairing.mentor, held=True, actual_minutes=minutes, by=pairing.mentor.user
    )
    # Recorded on the day, not today, so no "how did it go?" reminder goes out for it now;
    # booked a week before.
    recorded = starts + dt.timedelta(minutes=minutes + 30)
    Meeting.objects.filter(pk=meeting.pk).update(
        marked_at=recorded,
        settled_at=recorded,
        updated_at=recorded,
        created_at=starts - dt.timedelta(days=7),
    )
    meeting.refresh_from_db()
    return meeting


# Held meetings per pair (days ago, minutes), after the demo pair. The fourth pair has not met
# since it started, which the needs-attention page flags.
ACTIVE_MEETINGS = [[(38, 60), (9, 45)], [(15, 60)], [(26, 50), (4, 60)], [], [(22, 75)]]


def _active_activity(
    programme: Programme, *, manager: Person, demo_pair: tuple[Person, Person]
) -> None:
    """Held meetings, mentors' check-ins (one low), and start surveys answered by half."""
    demo_mentor, _demo_mentee = demo_pair
    programme.refresh_from_db()  # its start was moved back with a queryset update
    others = list(
        Pairing.objects.filter(programme=programme, state="active")
        .exclude(mentor=demo_mentor)
        .select_related("mentor", "mentee", "programme")
        .order_by("pk")
    )
    rng = random.Random(2026)
    slot = 1
    for pairing, meetings in zip(others, ACTIVE_MEETINGS, strict=False):
        mentor = pairing.mentor
        for days_ago, minutes in meetings:
            _steps, step = bookable_steps(pairing)
            meeting = _held_meeting(
                pairing, step=step, days_ago=days_ago, minutes=minutes, slot=slot
            )
            slot += 1
            # The mentor's check-in after each meeting. After its last meeting the second
            # pair's mentor did not feel listened to: the team sees a flag, never the answers,
            # and the mentee is not told.
            low = pairing is others[1]
            pulse = submit_pulse(
                meeting,
                person=mentor,
                spoke_openly=4 if low else 5,
                felt_listened_to=2 if low else rng.choice([4, 5]),
                worth_my_time=3 if low else rng.choice([4, 5]),
                by=mentor.user,
            )
            # Answered the day after the meeting, not today (the service stamps "now").
            PulseResponse.objects.filter(pk=pulse.pk).update(
                created_at=meeting.starts_at + dt.timedelta(days=1)
            )

    by = manager.user
    start_day = programme.starts_on + dt.timedelta(days=3)
    pairings = [
        Pairing.objects.select_related("mentor", "mentee").get(
            programme=programme, mentor=demo_mentor
        ),
        *others,
    ]
    for key, role in (("digital-skills-start", "mentee"), ("leadership-start", "mentor")):
        survey = open_survey(create_survey_from_template(programme, template_key=key, by=by), by=by)
        # Half have answered so far; the demo accounts have not.
        for pairing in pairings[1::2]:
            person = pairing.mentee if role == "mentee" else pairing.mentor
            _answer(
                programme,
                person,
                survey,
                on=start_day,
                values=lambda _question: rng.choice([2, 2, 3, 3, 4]),
            )
        _dated_survey(survey, opened=programme.starts_on - dt.timedelta(days=7), closed=None)
        # Its start window has passed, so the team sent it again today ("Send it now"): the
        # demo accounts, who have not answered, find it on their home page.
        send_survey_now(survey, by=by)


# ---------------------------------------------------------------- history: when things happened


def _at(day: dt.date, hour: int = 10, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


@dataclass(frozen=True)
class History:
    """The days a programme's steps happened. The services stamp "now"; these move the stamps
    back so lists, audit trails and state histories read like a programme that ran."""

    created: dt.date
    states: dict[str, dt.date]  # state entered -> day
    applied: tuple[dt.date, dt.date]  # first and last application
    decided_after_days: int = 4
    matched: dt.date | None = None
    confirmed: dt.date | None = None
    completed: dt.date | None = None


def _backdate(programme: Programme, history: History) -> None:
    """Move the programme's timestamps to the days in `history` (queryset updates only).

    Audit entries keep the time they were written: the log is append-only and hash-chained."""
    now = timezone.now()
    Programme.objects.filter(pk=programme.pk).update(created_at=_at(history.created, 9))
    for state, day in history.states.items():
        StateChange.objects.filter(programme=programme, to_state=state).update(at=_at(day, 9))

    applications = list(Application.objects.filter(programme=programme).order_by("pk"))
    first, last = history.applied
    span = max((last - first).days, 0)
    for i, application in enumerate(applications):
        # Spread over the recruitment window, at office hours, in the order they came in.
        day = first + dt.timedelta(days=span * i // max(len(applications) - 1, 1))
        submitted = _at(day, 9 + i % 8, (i * 17) % 60)
        reviewed = (
            min(
                submitted + dt.timedelta(days=history.decided_after_days),
                now - dt.timedelta(hours=2),
            )
            if application.reviewed_at
            else None
        )
        Application.objects.filter(pk=application.pk).update(
            submitted_at=submitted, reviewed_at=reviewed, updated_at=reviewed or submitted
        )

    if history.matched is not None:
        matched = _at(history.matched, 11)
        runs = MatchRun.objects.filter(programme=programme)
        runs.update(
            created_at=matched, started_at=matched, finished_at=matched + dt.timedelta(seconds=4)
        )
        runs.filter(published_at__isnull=False).update(published_at=matched + dt.timedelta(hours=3))
        MatchRule.objects.filter(programme=programme).update(
            created_at=matched - dt.timedelta(hours=2)
        )
    if history.matched is not None and history.confirmed is not None:
        published = _at(history.matched, 14)
        confirmed = _at(history.confirmed, 12)
        pairings = Pairing.objects.filter(programme=programme)
        pairings.update(
            created_at=published,
            respond_by=published + dt.timedelta(days=7),
            mentee_told_at=confirmed - dt.timedelta(days=2),
        )
        pairings.filter(mentor_responded_at__isnull=False).update(
            mentor_responded_at=confirmed - dt.timedelta(days=2)
        )
        pairings.filter(mentee_responded_at__isnull=False).update(mentee_responded_at=confirmed)
        changes = PairingStateChange.objects.filter(pairing__programme=programme)
        changes.update(at=confirmed)
        if history.completed is not None:
            done = _at(history.completed, 16)
            pairings.filter(closed_at__isnull=False).update(closed_at=done, updated_at=done)
            changes.filter(to_state="completed").update(at=done)


# ---------------------------------------------------------------- library, events, cohort spaces

# (title, kind, summary, link path, journey step, topics). In our own words; the links point at
# Northbridge's (fictional) intranet.
RESOURCES = [
    (
        "Your first session: a one-page plan",
        "article",
        "What to cover when you meet for the first time: backgrounds, what each of you hopes "
        "to learn, how often you will meet and what stays between you.",
        "first-session-plan",
        1,
        [],
    ),
    (
        "Writing goals you can check",
        "article",
        "Turn a wish such as “get better with data” into a goal with a measure and a date. "
        "Three worked examples from the pilot.",
        "goals-you-can-check",
        2,
        ["Data visualisation"],
    ),
    (
        "Ten-minute tour of our collaboration tools",
        "video",
        "A mentor shows the shared boards, chat channels and meeting notes most teams use, "
        "and where leaders usually get stuck.",
        "collaboration-tools-tour",
        3,
        ["Collaboration platforms", "Hybrid working"],
    ),
    (
        "Trying a generative AI tool safely",
        "workshop",
        "A hands-on hour run by the Digital team: what our approved tools are good at, what "
        "never to paste into them, and how to check what they write.",
        "ai-tools-workshop",
        3,
        ["Generative AI tools"],
    ),
    (
        "Hearing honest feedback from a junior colleague",
        "podcast",
        "Two of our pilot pairs talk about the session where the mentor told the director how "
        "their emails landed, and what changed afterwards.",
        "honest-feedback-podcast",
        4,
        ["Giving feedback", "Inclusive leadership"],
    ),
    (
        "Shadow a day on the front line",
        "activity",
        "The senior partner spends half a day alongside the mentor's team and writes down three "
        "things they did not expect. Discuss them at the next session.",
        "job-shadowing",
        4,
        [],
    ),
    (
        "Leading people who grew up online",
        "book",
        "A short book on how early-career colleagues expect to be led and informed. Pairs in "
        "the pilot read a chapter each between sessions.",
        "book-leading-online",
        5,
        ["Inclusive leadership", "Coaching"],
    ),
    (
        "Closing well: the last session checklist",
        "article",
        "Look back at the goals, rate the skills again, agree what the senior partner will keep "
        "doing, and decide whether to stay in touch.",
        "closing-checklist",
        6,
        [],
    ),
]

COHORT_POSTS = {
    "mentor": [
        (
            41,
            "Jumping in first: has anyone worked out a good way to start the first session? "
            "I am nervous about mentoring someone three levels up.",
        ),
        (
            40,
            "A tip from a friend who mentored in the pilot: ask what they used this morning "
            "to do their job, then go from there. It breaks the ice quickly.",
        ),
        (
            23,
            "My mentee booked our sessions and sent the agenda himself, which took a weight off. "
            "Worth asking for that if it is not happening.",
        ),
        (
            6,
            "Reminder that the knowledge session on AI tools is coming up. Bring a question your "
            "mentee asked that you could not answer.",
        ),
    ],
    "mentee": [
        (
            42,
            "For those of us new to this: the kick-off made the point that we organise the "
            "meetings, not our mentors. I have booked mine for the whole quarter.",
        ),
        (
            30,
            "I tried drafting a team update with an AI tool this week after my session. Slower "
            "than writing it myself the first time, faster the second.",
        ),
        (
            12,
            "My mentor showed me how our newest starters actually find information. Humbling, "
            "and very useful for our intranet review.",
        ),
    ],
}


def build_library_and_community(org: Organisation) -> None:
    """A stocked resource library, the active programme's events (a kick-off held with
    attendance recorded, a knowledge session coming up) and posts in its two cohort spaces.
    Safe to run again: skipped once the library has resources."""
    if Resource.objects.filter(organisation=org).exists():
        return
    admin = Person.objects.get(organisation=org, email=ACCOUNTS[0].email)
    manager = Person.objects.get(organisation=org, email=ACCOUNTS[1].email)
    active = Programme.objects.get(organisation=org, name=ACTIVE_NAME)
    today = dt.date.today()
    with transaction.atomic():
        for i, (title, kind, summary, path, step, topic_names) in enumerate(RESOURCES):
            resource = create_resource(
                org,
                title=title,
                kind=kind,
                summary=summary,
                url=f"https://intranet.{DEMO_DOMAIN}/learning/{path}",
                topics=_topics(org, "skill", topic_names),
                journey_step=step,
                by=admin.user,
            )
            # Added while the pilot ran, a few weeks apart.
            added = _at(dt.date(2025, 2, 10) + dt.timedelta(days=21 * i), 14)
            Resource.objects.filter(pk=resource.pk).update(created_at=added, updated_at=added)
        _events(active, manager=manager, today=today)
        for cohort, posts in COHORT_POSTS.items():
            role_field = "mentor" if cohort == "mentor" else "mentee"
            authors = [
                getattr(p, role_field)
                for p in Pairing.objects.filter(programme=active, state="active")
                .select_related(role_field)
                .order_by("pk")
            ]
            for i, (days_ago, body) in enumerate(posts):
                post = post_to_cohort(active, cohort, body=body, author=authors[i % len(authors)])
                CohortPost.objects.filter(pk=post.pk).update(
                    created_at=_at(today - dt.timedelta(days=days_ago), 12 + i)
                )


def _events(active: Programme, *, manager: Person, today: dt.date) -> None:
    """Kick-offs held (separately for mentors and mentees, as the guides advise) with who came,
    and a joint knowledge session ahead that some have answered."""
    zone = "Europe/London"
    london = ZoneInfo(zone)
    held = [
        (
            "mentors",
            "Kick-off for mentors",
            "What reverse mentoring asks of you, how to give feedback upward, and where to get "
            "support if a session feels hard.",
            44,
        ),
        (
            "mentees",
            "Kick-off for mentees",
            "Learning from a junior colleague: listening first, organising the meetings "
            "yourself, and keeping what you hear in confidence.",
            43,
        ),
    ]
    for slot, (audience, title, description, days_ago) in enumerate(held):
        # Events are planned ahead: saved in the future through the service, then moved back.
        later = dt.datetime.combine(today + dt.timedelta(days=200 + slot), dt.time(10), london)
        event = save_event(
            active,
            None,
            data={
                "kind": "kickoff",
                "audience": audience,
                "title": title,
                "description": description,
                "place": "Manchester office, room 4.2, and online",
                "video_url": "https://meet.example.org/northbridge-kickoff",
            },
            starts_at=later,
            ends_at=later + dt.timedelta(minutes=90),
            time_zone=zone,
            organiser=manager,
            by=manager.user,
        )
        starts = dt.datetime.combine(today - dt.timedelta(days=days_ago), dt.time(10), london)
        Event.objects.filter(pk=event.pk).update(
            starts_at=starts,
            ends_at=starts + dt.timedelta(minutes=90),
            created_at=starts - dt.timedelta(days=14),
        )
        event.refresh_from_db()
        people = list(event_audience(event))
        # Everyone but one came; the one who missed it caught up with the slides.
        mark_attendance(
            event,
            attended={p.pk: i != len(people) - 1 for i, p in enumerate(people)},
            by=manager.user,
        )
        # They had answered the invitation beforehand (answers close once an event is over).
        responses = EventResponse.objects.filter(event=event)
        responses.update(
            attendance_marked_at=starts + dt.timedelta(hours=3),
            answered_at=starts - dt.timedelta(days=10),
        )
        responses.filter(attended=True).update(answer="yes")
        responses.filter(attended=False).update(answer="maybe")
    ahead = dt.datetime.combine(today + dt.timedelta(days=12), dt.time(14), london)
    session = save_event(
        active,
        None,
        data={
            "kind": "knowledge",
            "audience": "all",
            "title": "Knowledge session: AI tools at work",
            "description": "Mentors and mentees together. Three pairs show something they "
            "tried, then we talk about what our approved tools should and should not be used for.",
            "place": "Online",
            "video_url": "https://meet.example.org/northbridge-ai",
        },
        starts_at=ahead,
        ends_at=ahead + dt.timedelta(minutes=60),
        time_zone=zone,
        organiser=manager,
        by=manager.user,
    )
    demo_emails = {a.email for a in ACCOUNTS}
    others = [p for p in event_audience(session) if p.email not in demo_emails]
    for person, answer in zip(others, ["yes", "yes", "maybe", "yes", "no", "yes"], strict=False):
        respond_to_event(session, person=person, answer=answer, by=person.user)
