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
        "Runs the inclusion programme now recruiting",
    ),
    DemoAccount(
        "mentor@northbridge.example",
        "Junior mentor",
        "Aisha Khan",
        "Associate in Data; has applied to mentor",
    ),
    DemoAccount(
        "mentee@northbridge.example",
        "Senior mentee",
        "Richard Allen",
        "Director of Operations; has applied as a mentee",
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
