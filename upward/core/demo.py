"""The demo organisation: about 200 people with a realistic reporting tree, two programmes and
one account per role. Deterministic (seeded), and safe to run twice."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from allauth.account.models import EmailAddress
from django.db import transaction

from upward.accounts.models import User
from upward.organisations.models import Department, Level, Organisation, Person, Team, Topic

DEMO_SLUG = "northbridge"
DEMO_PASSWORD = "upward-demo-2026"  # noqa: S105 — published demo credentials, demo data only

LEVELS = [
    "Apprentice",
    "Associate",
    "Analyst",
    "Senior analyst",
    "Manager",
    "Senior manager",
    "Head of",
    "Director",
    "Executive",
]
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
        "Runs the active and the recruiting programmes",
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


def _account(person: Person) -> User:
    user = User.objects.filter(email__iexact=person.email).first()
    if user is None:
        user = User.objects.create_user(person.email, DEMO_PASSWORD, name=person.full_name)
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
    if not created:
        return org
    rng = random.Random(2026)
    levels = {
        rank: Level.objects.create(organisation=org, rank=rank, name=name)
        for rank, name in enumerate(LEVELS, start=1)
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
    for name in EXPERIENCES:
        Topic.objects.create(organisation=org, name=name, kind=Topic.Kind.EXPERIENCE)
    for name in INTERESTS:
        Topic.objects.create(organisation=org, name=name, kind=Topic.Kind.INTEREST)

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
    for person in Person.objects.filter(organisation=org, level__rank=3).order_by("id")[:4]:
        person.is_active = False
        person.save(update_fields=["is_active"])
    Person.objects.filter(organisation=org, email="admin@northbridge.example").update(
        is_org_admin=True
    )
    for account in ACCOUNTS:
        _account(Person.objects.get(organisation=org, email=account.email))
    return org


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
SLOTS = ["mon-am", "mon-pm", "tue-am", "tue-pm", "wed-am", "wed-pm", "thu-am", "thu-pm",
         "fri-am", "fri-pm"]


def _topics(org: Organisation, kind: str, names: list[str]) -> list[Topic]:
    return list(Topic.objects.filter(organisation=org, kind=kind, name__in=names))


def _apply(programme, person: Person, role: str, rng: random.Random):  # type: ignore[no-untyped-def]
    from upward.recruitment.services import submit_application

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


def build_programmes(org: Organisation) -> list:  # type: ignore[type-arg]
    """A completed pilot and a programme in recruitment with applications. Built through the
    same services people use, so the demo shows real audit trails and state histories."""
    from upward.programmes.models import Programme
    from upward.programmes.services import create_programme, transition_programme
    from upward.recruitment.services import decide_application

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
        .exclude(email__in=[a.email for a in ACCOUNTS]).order_by("id")
    )
    mentee_pool = list(
        Person.objects.filter(organisation=org, is_active=True, level__rank__in=[6, 7, 8])
        .exclude(email__in=[a.email for a in ACCOUNTS]).order_by("id")
    )
    rng.shuffle(mentor_pool)
    rng.shuffle(mentee_pool)
    for person in mentor_pool[:30] + mentee_pool[:30]:
        _account(person)

    with transaction.atomic():
        today = dt.date.today()
        pilot = create_programme(admin, fields={
            "name": PILOT_NAME,
            "summary": "Our first reverse mentoring cohort: early-career colleagues strong in "
                       "digital tools mentored directors and heads of department for six months.",
            "objective": "digital_skills",
            "success_what": "Leaders' confidence using and discussing digital tools",
            "success_how": "The same confidence survey at the start and at the end",
            "success_target": "Two in three mentees report more confidence",
            "mentor_level_min": levels[1], "mentor_level_max": levels[3],
            "mentee_level_min": levels[6], "mentee_level_max": levels[9],
            "selection_mode": "reviewed", "places": 8, "is_pilot": True,
            # Recruitment needs dates in the future; the real, past dates are set afterwards.
            "starts_on": today + dt.timedelta(days=30),
            "ends_on": today + dt.timedelta(days=210),
            "commitment": "One hour a month for six months",
        })
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
        from upward.pairing.models import Pairing
        from upward.pairing.services import complete_pairing

        for pairing in Pairing.objects.filter(programme=pilot, state="active"):
            complete_pairing(pairing, by=admin.user)
        transition_programme(pilot, to="completed", by=admin.user)
        Programme.objects.filter(pk=pilot.pk).update(
            starts_on=dt.date(2025, 3, 3), ends_on=dt.date(2025, 9, 26)
        )

        recruiting = create_programme(admin, fields={
            "name": RECRUITING_NAME,
            "summary": "Colleagues early in their careers, including those from ethnic minority "
                       "backgrounds, mentor senior leaders on what inclusion means day to day.",
            "objective": "inclusion", "inclusion_focus": "race",
            "success_what": "Senior leaders' confidence talking about race and ethnicity",
            "success_how": "Paired survey questions at the start and the end of the programme",
            "success_target": "60% of mentees improve by at least one point",
            "mentor_level_min": levels[1], "mentor_level_max": levels[4],
            "mentee_level_min": levels[6], "mentee_level_max": levels[9],
            "selection_mode": "reviewed", "places": 12,
            "starts_on": dt.date(today.year + 1, 1, 11),
            "ends_on": dt.date(today.year + 1, 7, 9),
            "commitment": "One hour every three weeks for six months",
            "previous_cohort": pilot,
        })
        recruiting.managers.add(manager)
        transition_programme(recruiting, to="recruiting", by=admin.user)
        _apply(recruiting, Person.objects.get(organisation=org, email=ACCOUNTS[2].email),
               "mentor", rng)
        _apply(recruiting, Person.objects.get(organisation=org, email=ACCOUNTS[3].email),
               "mentee", rng)
        decisions = ["accepted", "accepted", "accepted", "waitlisted", "declined", None, None]
        for i, person in enumerate(mentor_pool[8:22]):
            application = _apply(recruiting, person, "mentor", rng)
            decision = decisions[i % len(decisions)]
            if decision:
                decide_application(
                    application, decision=decision, by=manager.user,
                    reason="Thank you for applying. We had more mentors than places this time; "
                           "we will invite you first for the next cohort."
                    if decision == "declined" else "",
                )
        for i, person in enumerate(mentee_pool[8:20]):
            application = _apply(recruiting, person, "mentee", rng)
            if i % 3 != 2:
                decide_application(application, decision="accepted", by=manager.user)

        # An active programme where the demo mentor and mentee are paired with each other.
        active = create_programme(admin, fields={
            "name": ACTIVE_NAME,
            "summary": "A second cohort after the pilot: digital skills in both directions, "
                       "with leaders sharing how decisions get made.",
            "objective": "digital_skills",
            "success_what": "Leaders' confidence choosing and using digital tools",
            "success_how": "Skills self-assessment and survey at the start and the end",
            "success_target": "Average skills rating up by one point",
            "mentor_level_min": levels[1], "mentor_level_max": levels[4],
            "mentee_level_min": levels[6], "mentee_level_max": levels[9],
            "selection_mode": "reviewed", "places": 6,
            "starts_on": today - dt.timedelta(days=45),
            "ends_on": today + dt.timedelta(days=140),
            "commitment": "One hour a month for six months",
            "previous_cohort": pilot,
        })
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
        from upward.pairing.services import add_match_rule

        add_match_rule(active, kind="pin", mentee_id=demo_mentee.pk, mentor_id=demo_mentor.pk,
                       by=manager.user)
        _match_and_confirm(active, by=manager.user)
        transition_programme(active, to="active", by=manager.user)
        Programme.objects.filter(pk=active.pk).update(starts_on=today - dt.timedelta(days=45))
        _start_demo_pair(active, demo_mentor, demo_mentee)
    return [pilot, recruiting, active]


def _match_and_confirm(programme, *, by):  # type: ignore[no-untyped-def]
    """Run matching, publish, and have every mentor accept and every mentee confirm."""
    from upward.pairing.models import MatchRun, Pairing
    from upward.pairing.services import (
        answer_pairing,
        answer_proposal,
        publish_match_run,
        start_match_run,
    )

    run = start_match_run(programme, by=by)
    run = MatchRun.objects.get(pk=run.pk)
    publish_match_run(run, by=by)
    pairings = list(Pairing.objects.filter(programme=programme).select_related("mentor",
                                                                                "mentee"))
    for pairing in pairings:
        answer_proposal(pairing, person=pairing.mentor, accept=True)
    for pairing in Pairing.objects.filter(programme=programme).select_related("mentee"):
        answer_pairing(pairing, person=pairing.mentee, accept=True)
    return pairings


def _start_demo_pair(programme, mentor: Person, mentee: Person) -> None:  # type: ignore[no-untyped-def]
    """The demo pair has agreed how they work, booked their first session, set a goal, and
    started a shared note and a conversation: enough to tour the pair's space."""
    from zoneinfo import ZoneInfo

    from upward.goals.services import add_task, create_goal
    from upward.journey.selectors import bookable_steps
    from upward.journey.services import book_meeting, confirm_agreement, save_agreement
    from upward.notes.services import create_shared_note, send_message
    from upward.pairing.models import Pairing

    pairing = Pairing.objects.get(programme=programme, mentor=mentor, mentee=mentee)
    today = dt.date.today()
    save_agreement(pairing, person=mentee, by=mentee.user, data={
        "confidentiality": "What we say stays between us. We share what we learn only in our "
                           "own words and never what the other person told us in confidence.",
        "meetings_per_month": "1", "minutes_per_meeting": 60,
        "ends_on": programme.ends_on,
        "raising_concerns": "Either of us can say when something is not working; if that feels "
                            "hard, we talk to Tom Hughes, the programme lead.",
    })
    confirm_agreement(pairing, person=mentee, by=mentee.user)
    confirm_agreement(pairing, person=mentor, by=mentor.user)
    _steps, first = bookable_steps(pairing)
    days_ahead = (1 - today.weekday()) % 7 or 7  # next Tuesday
    starts = dt.datetime.combine(today + dt.timedelta(days=days_ahead), dt.time(10, 0),
                                 tzinfo=ZoneInfo(mentee.time_zone))
    book_meeting(pairing, person=mentee, starts_at=starts, duration_minutes=60, step=first,
                 video_url="https://meet.example.org/northbridge-digital", by=mentee.user)
    goal = create_goal(
        pairing, owner=mentee, by=mentee,
        statement="Use a generative AI tool to draft my monthly operations update",
        measure="Three monthly updates drafted with the tool, and my team says they read well",
        target_date=today + dt.timedelta(days=90), term="short",
        why="My team already uses these tools; I want to understand what they can and cannot do.",
    )
    add_task(goal, title="Try two tools with Aisha on a real report", by=mentee, owner=mentee,
             due_on=today + dt.timedelta(days=21))
    create_shared_note(
        pairing, by=mentor, title="Ideas for our first session",
        body="Start with what Richard already uses day to day, then pick one real task to try "
             "together. Bring last month's operations report.",
    )
    send_message(pairing, by=mentee,
                 body="Looking forward to Tuesday, Aisha. I have booked an hour and sent the invite.")
