"""Every text a user can write is hostile: a script payload in every such column never reaches
a page unescaped, and no form renders it raw (issue 11).

The test builds one organisation with a programme in every interesting state (skills framework,
application questions, surveys, pairings with notes, messages, goals, concerns, pulses,
check-ins, commitments, resources, events, a journey of its own...), then overwrites EVERY free
text column of every `upward` model with a payload, walks the site as each persona by following
the links on the pages it sees, and renders every form class with the payload as its initial
values, labels and help texts.
"""

from __future__ import annotations

import datetime as dt
import importlib
import inspect
import re
from collections import Counter
from collections.abc import Iterator
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest
import time_machine
from django import forms
from django.apps import apps
from django.db import models
from django.test import Client
from django.urls import Resolver404, resolve
from django.utils import timezone

from upward.core.fields import EncryptedTextField, sealed
from upward.journey.tests.factories import active_pairing, builtin_version
from upward.programmes.tests.helpers import put_in_state
from upward.testing.factories import TopicFactory, level, person_with_account

ROOT = Path(__file__).resolve().parents[1]
PAYLOAD = "<script>window.__xss=1</script><img src=x onerror=alert(1)>\"'"
# What would have to appear in the HTML for the payload to run: either part, unescaped.
RAW = ("<script>window.__xss", "<img src=x onerror=alert(1)>")
ESCAPED = "&lt;script&gt;window.__xss=1&lt;/script&gt;"

NOW = dt.datetime(2027, 3, 1, 9, 0, tzinfo=dt.UTC)  # inside world.programme's dates

# Text columns that are not free text a person writes, each with the reason. Every other
# CharField/TextField (including encrypted ones) of an `upward` model gets the payload.
NOT_FREE_TEXT: dict[str, str] = {
    "accounts.User.password": "a password hash, never shown",
    "accounts.AccountInvitation.token": "a random token made by the code",
    "programmes.Programme.signup_token": "a random token made by the code",
    "recruitment.Invitation.token": "a random token made by the code",
    "journey.CalendarFeed.token": "a random token made by the code",
    "core.AuditEvent.verb": "a code name written by the code",
    "core.AuditEvent.object_type": "a model name written by the code",
    "core.AuditEvent.object_id": "a primary key written by the code",
    "core.AuditEvent.prev_hash": "a SHA-256 written by the code (and append-only)",
    "core.AuditEvent.hash": "a SHA-256 written by the code (and append-only)",
    "core.AuditChain.key": "a chain name written by the code",
    "core.AuditChain.hash": "a SHA-256 written by the code",
    "core.OrganisationKey.wrapped": "a data key wrapped by the master keys, written by the code",
    "organisations.Person.time_zone": "an IANA zone name, checked against zoneinfo on input",
    "journey.Meeting.time_zone": "an IANA zone name, checked against zoneinfo on input",
    "journey.Event.time_zone": "an IANA zone name, checked against zoneinfo on input",
    "journey.Meeting.uid": "a calendar UID made by the code",
    "journey.Event.uid": "a calendar UID made by the code",
    "pairing.MatchRun.fingerprint": "a hash made by the code",
    "surveys.Submission.occasion": "an occasion key made by the code",
    "surveys.Response.pseudonym": "a keyed hash made by the code",
    "surveys.Response.occasion_key": "an occasion key made by the code",
    "surveys.Response.role": "'mentor' or 'mentee', set by the code",
    "safety.RematchRequest.role": "'mentor' or 'mentee', set by the code",
    "notifications.Notification.kind": "a notification kind key from notifications/kinds.py",
    "notifications.Notification.dedupe_key": "a key made by the code, never shown",
    "notifications.Notification.url": "a path inside Upward built by the code with reverse()",
    "notifications.NotificationPreference.kind": "a notification kind key",
    "notifications.Digest.week": "an ISO week made by the code",
    "notifications.OutboundEmail.batch": "a random batch key made by the outbox",
    "notifications.OutboundEmail.claim": "a random claim token made by the outbox",
}
# Field types that hold no free text: e-mail addresses and URLs pass a validator on input,
# slugs are [-a-z0-9_] only; choice fields hold one of a fixed list of values.
NOT_FREE_TEXT_TYPES = (models.EmailField, models.URLField, models.SlugField)
# JSON columns whose strings are written by a person (choices of a question, scale labels,
# skill level descriptors). Other JSON columns hold numbers, ids, keys and copies made by code.
JSON_TEXT = {
    "programmes.Question.choices",
    "surveys.Question.choices",
    "surveys.Question.labels",
    "goals.Skill.levels",
}
# Paths the walk does not follow: they change state through GET-free links (none should), send
# files rather than pages, or belong to other checks (the admin site, sign-out).
SKIP_PATHS = re.compile(r"^/(admin/|accounts/logout|static/|media/)|\.(ics|csv|pdf|xlsx)$|/file/$")
PER_ROUTE = 3  # pages visited per route and persona (different objects)


# --------------------------------------------------------------------------------------------
# The world


def build_world(world: Any) -> dict[str, Any]:
    from upward.goals import services as goals
    from upward.impact import services as impact
    from upward.journey import services as journey
    from upward.journey.models import Event, Meeting, MeetingStatus
    from upward.notes import services as notes
    from upward.organisations import services as organisations
    from upward.programmes import services as programmes
    from upward.recruitment import services as recruitment
    from upward.resources import services as resources
    from upward.safety import services as safety
    from upward.surveys import services as surveys

    org, manager, admin = world.org, world.manager, world.admin
    programme = put_in_state(world.programme, "active")
    other_senior = person_with_account(
        organisation=org, full_name="Vic Veteran", level=level(org, 8), email="vic@northwind.test"
    )
    since = timezone.now() - dt.timedelta(days=40)
    pairing = active_pairing(programme, mentor=world.applicant, mentee=world.senior, since=since)
    other = active_pairing(
        programme, mentor=world.other_applicant, mentee=other_senior, since=since
    )

    # Directory: topics of every kind, a people import waiting for review.
    for kind in ("offer", "learn", "lived", "interest"):
        try:
            organisations.create_topic(org, by=admin.user, name=f"Topic {kind}", kind=kind)
        except Exception:
            TopicFactory(organisation=org, name=f"Topic {kind}")
    csv = (
        b"full_name,email,job_title,department,level\n"
        b"Nia New,nia@northwind.test,Analyst,Digital,2\n"
    )
    organisations.start_people_import(org, by=admin.user, filename="people.csv", content=csv)

    # Recruitment: the other programme recruits, with questions, an application and invitations.
    recruiting = put_in_state(world.other_programme, "recruiting")
    question = programmes.add_question(
        recruiting,
        fields={"text": "Why now?", "help_text": "A hint", "kind": "text", "audience": "both"},
        by=world.other_manager.user,
    )
    programmes.add_question(
        recruiting,
        fields={
            "text": "Pick one",
            "help_text": "A hint",
            "kind": "choice",
            "choices": ["One", "Two"],
            "audience": "both",
            "required": False,
        },
        by=world.other_manager.user,
    )
    recruitment.submit_application(
        recruiting,
        world.applicant,
        role="mentor",
        motivation="Because",
        consent_terms=True,
        preferred_times="Mornings",
        answers={question.pk: "An answer"},
        by=world.applicant.user,
    )
    recruitment.invite_people(
        recruiting,
        [world.other_applicant],
        role="mentor",
        message="Join us",
        by=world.other_manager.user,
    )

    # Skills framework, goals, tasks.
    goals.ensure_framework(programme)
    goals.add_skill(
        programme,
        name="Data storytelling",
        description="Telling a story with numbers",
        levels=["a", "b", "c", "d", "e"],
        by=manager.user,
    )
    goal = goals.create_goal(
        pairing,
        owner=world.senior,
        statement="Read a dashboard",
        measure="Explain one",
        target_date=dt.date(2027, 5, 1),
        why="Because",
        person=world.senior,
    )
    goals.add_task(
        goal,
        title="Find a dashboard",
        due_on=dt.date(2027, 4, 1),
        owner=world.senior,
        person=world.senior,
    )

    # A journey of the organisation's own, with a step, used by the programme.
    template = journey.clone_template(
        builtin_version(), organisation=org, name="Our journey", by=manager.user
    )
    draft = journey.start_draft(template, by=manager.user)
    published = journey.publish_draft(draft, change_note="First", by=manager.user)
    journey.set_programme_journey(
        programme,
        version=published,
        mode=_first_choice("journey.ProgrammeJourney", "mode"),
        meetings_per_month=Decimal(1),
        minutes_per_meeting=60,
        by=manager.user,
    )
    step = published.steps.filter(kind="session").first() or published.steps.first()
    journey.start_draft(template, by=manager.user)  # a draft under way, with its step pages

    # Meetings (one held, one ahead), notes, messages, agenda, pulses, agreement.
    held = Meeting.objects.create(
        pairing=pairing,
        starts_at=timezone.now() - dt.timedelta(days=7),
        duration_minutes=60,
        ends_at=timezone.now() - dt.timedelta(days=7) + dt.timedelta(minutes=60),
        organiser=pairing.mentee,
        status=MeetingStatus.HELD,
        actual_minutes=60,
        marked_at=timezone.now(),
        place="Room 1",
    )
    ahead = journey.book_meeting(
        pairing,
        person=pairing.mentee,
        starts_at=timezone.now() + dt.timedelta(days=5),
        duration_minutes=60,
        step=step,
        place="Room 2",
        by=pairing.mentee.user,
    )
    journey.add_agenda_item(ahead, person=pairing.mentor, text="Item", by=pairing.mentor.user)
    notes.save_meeting_note(held, body="Private", author=pairing.mentor)
    notes.save_meeting_note(held, body="Private too", author=pairing.mentee)
    note = notes.create_shared_note(pairing, title="Shared", body="Body", author=pairing.mentor)
    notes.update_shared_note(
        note, title="Shared", body="Body 2", base_version=note.version, person=pairing.mentee
    )
    notes.send_message(pairing, body="Hello", author=pairing.mentor)
    notes.send_message(pairing, body="Hello back", author=pairing.mentee)
    notes.post_to_cohort(programme, "mentor", body="Hi all", author=pairing.mentor)
    notes.post_to_cohort(programme, "mentee", body="Hi all", author=pairing.mentee)
    journey.save_agreement(
        pairing,
        person=pairing.mentor,
        data={
            "confidentiality": "We keep it private",
            "raising_concerns": "We talk",
            "minutes_per_meeting": 60,
            "meetings_per_month": "1",
            "ends_on": dt.date(2027, 7, 1),
        },
        by=pairing.mentor.user,
    )
    safety.submit_pulse(
        held,
        person=pairing.mentor,
        spoke_openly=2,
        felt_listened_to=2,
        worth_my_time=2,
        wants_support=True,
        comment="Hard going",
        by=pairing.mentor.user,
    )

    # Safety: a concern with a note, a check-in done, a rematch request and an exit.
    concern = safety.raise_concern(
        pairing, person=pairing.mentor, text="A worry", by=pairing.mentor.user
    )
    safety.add_concern_note(concern, author=manager, body="Spoke to them", by=manager.user)
    check_in = safety.schedule_check_in(
        programme,
        pairing=pairing,
        due_on=timezone.localdate(),
        purpose="See how it goes",
        lead=manager,
        by=manager.user,
    )
    safety.complete_check_in(check_in, notes="Fine", by=manager.user)
    safety.schedule_check_in(
        programme,
        pairing=other,
        due_on=timezone.localdate() + dt.timedelta(days=3),
        purpose="Catch up",
        lead=manager,
        by=manager.user,
    )
    third_mentor = person_with_account(
        organisation=org, full_name="Tam Third", level=level(org, 2), email="tam@northwind.test"
    )
    third_mentee = person_with_account(
        organisation=org, full_name="Uma Upper", level=level(org, 8), email="uma@northwind.test"
    )
    ended = active_pairing(programme, mentor=third_mentor, mentee=third_mentee, since=since)
    safety.leave_pairing(
        ended, person=ended.mentor, category="other", reason="Moving on", by=ended.mentor.user
    )
    safety.request_rematch(ended, person=ended.mentee, by=ended.mentee.user)

    # Resources, saved to the pairing; a programme event.
    resource = resources.create_resource(
        org,
        title="A guide",
        kind=_first_choice("resources.Resource", "kind"),
        summary="Read this",
        url="https://example.test/guide",
        by=manager.user,
    )
    resources.save_item(pairing, resource=resource, person=pairing.mentee)
    starts = timezone.now() + dt.timedelta(days=10)
    journey.save_event(
        programme,
        None,
        data={
            "kind": Event.Kind.values[0],
            "audience": Event.Audience.values[0],
            "title": "Cohort lunch",
            "description": "Food",
            "place": "Canteen",
        },
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=1),
        time_zone="Europe/London",
        organiser=manager,
        by=manager.user,
    )

    # Surveys with help texts, answered; impact: commitments and a thank-you note.
    survey = surveys.create_survey(
        programme,
        title="Midpoint",
        timing="after_session",
        audience="both",
        is_anonymous=False,
        intro="Tell us",
        by=manager.user,
    )
    surveys.add_question(survey, text="How is it?", kind="text", help_text="Hint", by=manager.user)
    surveys.add_question(
        survey,
        text="Pick",
        kind="single",
        help_text="Hint",
        choices=["Yes", "No"],
        by=manager.user,
    )
    surveys.open_survey(survey, by=manager.user)
    draft_survey = surveys.create_survey(
        programme,
        title="End",
        timing="end",
        audience="both",
        is_anonymous=True,
        intro="Later",
        by=manager.user,
    )
    surveys.add_question(
        draft_survey,
        text="Scale",
        kind="likert",
        help_text="Hint",
        labels=["1", "2", "3", "4", "5"],
        by=manager.user,
    )
    impact.add_commitment(
        pairing,
        owner=pairing.mentee,
        kind=_first_choice("impact.Commitment", "kind"),
        text="Do",
        by=pairing.mentee.user,
    )
    impact.write_thank_you(pairing, author=pairing.mentee, text="Thank you", by=pairing.mentee.user)
    from upward.recruitment.models import Invitation

    # Pages people reach from an email rather than a link on a page.
    extra = [f"/invitations/{i.token}/" for i in Invitation.objects.all()]
    extra += [f"/pairings/{pairing.pk}/pulse/{held.pk}/", f"/surveys/{survey.pk}/answer/"]
    return {
        "programme": programme,
        "pairing": pairing,
        "survey": survey,
        "recruiting": recruiting,
        "extra": extra,
    }


def _first_choice(model: str, field: str) -> str:
    return apps.get_model(model)._meta.get_field(field).choices[0][0]


def text_columns() -> Iterator[tuple[type[models.Model], str, str]]:
    """(model, field name, "text" or "json") for every free-text column of our models."""
    for model in apps.get_models():
        if not model.__module__.startswith("upward."):
            continue
        for field in model._meta.concrete_fields:
            label = f"{model._meta.label}.{field.name}"
            if label in JSON_TEXT:
                yield model, field.name, "json"
            elif (
                isinstance(field, (models.CharField, models.TextField))
                and not isinstance(field, NOT_FREE_TEXT_TYPES)
                and not field.choices
                and label not in NOT_FREE_TEXT
            ):
                yield model, field.name, "text"


def poison(value: Any, n: int) -> Any:
    if isinstance(value, str):
        return f"{PAYLOAD}{n}"
    if isinstance(value, list):
        return [poison(v, n * 10 + i) for i, v in enumerate(value)]
    if isinstance(value, dict):
        return {k: poison(v, n) for k, v in value.items()}
    return value


def poison_everything() -> Counter[str]:
    """Write the payload into every free-text column of every row; returns rows per column."""
    written: Counter[str] = Counter()
    for model, name, kind in text_columns():
        field = model._meta.get_field(name)
        for pk, value in model.objects.values_list("pk", name):
            if kind == "json":
                new = poison(value, pk)
            else:
                # A number keeps unique columns (level names, skill names...) unique.
                new = f"{PAYLOAD}{pk}"
                if field.max_length and len(new) > field.max_length:
                    raise AssertionError(f"{model._meta.label}.{name} is too short for the test")
            if isinstance(field, EncryptedTextField):
                # update() has no instance to encrypt for: seal the value for the row's
                # organisation.
                new = sealed(model._base_manager.get(pk=pk), name, new)
            model.objects.filter(pk=pk).update(**{name: new})
            written[f"{model._meta.label}.{name}"] += 1
    return written


# --------------------------------------------------------------------------------------------
# Walking the site


class Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self.hrefs += [v for k, v in attrs if k == "href" and v]


def assert_escaped(html: str, where: str) -> None:
    for raw in RAW:
        assert raw not in html, f"unescaped payload ({raw}) on {where}"


def walk(client: Client, starts: list[str], who: str, seen: dict[str, str]) -> Counter[str]:
    """Follow every same-site link from `starts`; check each HTML page. Returns pages per route."""
    per_route: Counter[str] = Counter()
    queue, visited = list(starts), set()
    while queue:
        path = queue.pop(0)
        if path in visited or SKIP_PATHS.search(path):
            continue
        visited.add(path)
        try:
            match = resolve(path)
        except Resolver404:
            continue
        route = match.route
        if per_route[route] >= PER_ROUTE:
            continue
        response = client.get(path)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        per_route[route] += 1
        html = response.content.decode()
        assert_escaped(html, f"{path} as {who}")
        seen[f"{who} {path}"] = html
        parser = Links()
        parser.feed(html)
        for href in parser.hrefs:
            parts = urlsplit(urljoin(path, href))
            if parts.scheme in ("", "http") and parts.netloc in ("", "testserver"):
                queue.append(parts.path)
    return per_route


@pytest.fixture
def poisoned(world):  # type: ignore[no-untyped-def]
    with time_machine.travel(NOW, tick=False):
        objects = build_world(world)
        written = poison_everything()
        yield world, objects, written


@pytest.mark.slow
def test_every_page_escapes_every_user_text(poisoned):  # type: ignore[no-untyped-def]
    world, objects, written = poisoned
    # The payload went into a wide spread of columns, including the encrypted ones.
    for column in (
        "goals.Skill.description",
        "programmes.Question.help_text",
        "surveys.Question.help_text",
        "notes.Message.body",
        "notes.MeetingNote.body",
        "safety.Concern.text",
        "safety.PulseResponse.comment",
        "organisations.Person.full_name",
        "organisations.Department.name",
        "resources.Resource.title",
        "journey.JourneyStep.title",
        "impact.ThankYouNote.text",
    ):
        assert written[column] > 0, f"no {column} row was built"

    pages: dict[str, str] = {}
    routes: Counter[str] = Counter()
    personas = {
        "admin": world.admin,
        "manager": world.manager,
        "other_manager": world.other_manager,
        "mentor": world.applicant,
        "mentee": world.senior,
        "applicant": world.other_applicant,
    }
    starts = ["/dashboard/", "/journey/", "/surveys/", "/my-concerns/", "/notifications/"]
    starts += objects["extra"]
    for who, person in personas.items():
        client = world.client_for(person)
        routes.update(walk(client, starts, who, pages))
    routes.update(
        walk(
            Client(),
            [f"/programmes/join/{objects['recruiting'].signup_token}/"],
            "anonymous",
            pages,
        )
    )

    # The pages that showed the stored XSS of issue 11, and a good spread of the rest.
    for route in (
        "pairings/<id:pk>/skills/<str:kind>/<str:whom>/",
        "join/<str:token>/apply/",
        "applications/<id:pk>/edit/",
        "surveys/<id:survey_pk>/answer/<slug:occasion>/",
        "journeys/<id:pk>/draft/steps/<id:step_pk>/",
        "programmes/<id:pk>/surveys/<id:survey_pk>/questions/<id:question_pk>/edit/",
        "pairings/<id:pk>/messages/",
        "pairings/<id:pk>/private-notes/",
        "programmes/<id:pk>/attention/concerns/<id:concern_pk>/",
        "programmes/<id:pk>/cohort/<str:cohort>/",
    ):
        assert routes[route], f"the walk never reached {route}: {sorted(routes)}"
    assert len(routes) >= 100, sorted(routes)
    # The test can fail: most pages show the payload, escaped.
    showing = [where for where, html in pages.items() if ESCAPED in html]
    assert len(showing) >= 0.6 * len(pages), (len(showing), len(pages))


# --------------------------------------------------------------------------------------------
# Every form class


def form_classes() -> list[type[forms.BaseForm]]:
    found = []
    for path in sorted((ROOT / "upward").glob("*/forms.py")):
        module = importlib.import_module(f"upward.{path.parent.name}.forms")
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if (
                issubclass(cls, forms.BaseForm)
                and cls.__module__ == module.__name__
                and not cls.__name__.startswith("_")
            ):
                found.append(cls)
    return found


def build_form(cls: type[forms.BaseForm], context: dict[str, Any], **extra: Any) -> Any:
    """Instantiate `cls`, filling its constructor's arguments by name from `context`."""
    kwargs = {}
    for name, param in inspect.signature(cls.__init__).parameters.items():
        if name in ("self", "args", "kwargs", "data", "files", "initial", "instance"):
            continue
        if param.kind in (param.VAR_POSITIONAL, param.VAR_KEYWORD):
            continue
        if name in context:
            kwargs[name] = context[name]
        elif param.default is inspect.Parameter.empty:
            raise LookupError(f"{cls.__name__} needs {name}")
    if issubclass(cls, forms.BaseModelForm):
        model = cls._meta.model
        instance = model.objects.first() if model is not None else None
        if instance is not None:
            kwargs["instance"] = instance
    return cls(**kwargs, **extra)


def form_context(world: Any, objects: dict[str, Any]) -> dict[str, Any]:
    from matching import Weights
    from upward.goals.models import Skill
    from upward.journey.models import Event, JourneyStep, JourneyVersion, Meeting
    from upward.notifications.kinds import KINDS, default_delivery
    from upward.pairing.models import ChoiceOption
    from upward.pairing.selectors import MatchSettings
    from upward.surveys.library import all_templates
    from upward.surveys.models import Survey

    pairing, programme = objects["pairing"], objects["programme"]
    person = pairing.mentor
    return {
        "programme": programme,
        "pairing": pairing,
        "person": person,
        "viewer": person,
        "owner": person,
        "author": person,
        "user": person.user,
        "by": person.user,
        "request_user": person.user,
        "organisation": world.org,
        "org": world.org,
        "survey": Survey.objects.first(),
        "questions": list(Survey.objects.first().questions.all()),
        "skills": list(Skill.objects.all()),
        "meeting": Meeting.objects.first(),
        "event": Event.objects.first(),
        "step": JourneyStep.objects.first(),
        "version": JourneyVersion.objects.filter(steps__isnull=False).first(),
        "role": "mentor",
        "kind": "start",
        "subject": pairing.mentee,
        "whom": "me",
        "application": objects["recruiting"].applications.first(),
        "people": list(world.org.people.all()[:5]),
        "mentees": list(world.org.people.all()[:3]),
        "mentors": list(world.org.people.all()[3:6]),
        "manager": world.manager,
        "initial_levels": {},
        "responses": {},
        "steps": list(JourneyStep.objects.all()),
        "free": True,
        "versions": JourneyVersion.objects.all(),
        "current": [(kind, default_delivery(kind.key)) for kind in KINDS],
        "options": list(ChoiceOption.objects.all()),
        "max_ranked": 3,
        "weights": Weights(),
        "settings": MatchSettings(),
        "items": [("confidence", PAYLOAD)],
        "templates": all_templates(),
    }


def test_every_form_escapes_payload_in_values_labels_and_help(poisoned):  # type: ignore[no-untyped-def]
    world, objects, _ = poisoned
    context = form_context(world, objects)
    rendered, skipped = [], {}
    for cls in form_classes():
        try:
            form = build_form(cls, context)
        except (LookupError, TypeError, ValueError, AttributeError) as exc:
            skipped[cls.__name__] = str(exc)
            continue
        if not form.fields:
            skipped[cls.__name__] = "no fields in this world"
            continue
        for name, field in form.fields.items():
            field.help_text = PAYLOAD
            field.label = PAYLOAD
            if isinstance(field, forms.CharField):
                form.initial[name] = PAYLOAD
        html = str(form)
        assert_escaped(html, cls.__name__)
        assert ESCAPED in html, f"{cls.__name__} did not show its help text"
        # Bound with the payload in every field: values and errors are escaped as well.
        try:
            bound = build_form(cls, context, data={name: PAYLOAD for name in form.fields})
        except (LookupError, TypeError, ValueError, AttributeError):
            bound = None
        if bound is not None:
            bound.is_valid()
            assert_escaped(str(bound), f"{cls.__name__} (bound)")
        rendered.append(cls.__name__)
    # Forms that need something this world cannot give are named, and few.
    assert len(rendered) >= 0.8 * (len(rendered) + len(skipped)), skipped
    assert len(rendered) >= 40, (rendered, skipped)


def test_issue_11_reproduction_a_skill_description_cannot_run_script(world):  # type: ignore[no-untyped-def]
    """A manager's skill description is the rating page's help text; it is shown as text."""
    from upward.goals import services as goals

    with time_machine.travel(NOW, tick=False):
        programme = put_in_state(world.programme, "active")
        pairing = active_pairing(programme, mentor=world.applicant, mentee=world.senior)
        goals.add_skill(
            programme,
            name="Data storytelling",
            description=PAYLOAD,
            levels=["a", "b", "c", "d", "e"],
            by=world.manager.user,
        )
        response = world.client_for(world.applicant).get(
            f"/pairings/{pairing.pk}/skills/baseline/me/"
        )
    assert response.status_code == 200
    html = response.content.decode()
    assert ESCAPED in html
    assert_escaped(html, "the skills rating page")
    # ...and the page may not run inline script even if something slipped through.
    assert "script-src 'self'" in response["Content-Security-Policy"]
