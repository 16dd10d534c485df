"""Journey templates: the built-in journey, copies, drafts and versions that never change."""

from __future__ import annotations

import importlib
from decimal import Decimal

import pytest
from django.apps import apps

from upward.core.errors import Conflict, DomainError, InvalidTransition
from upward.journey import services
from upward.journey.models import JourneyTemplate, ProgrammeJourney, StepKind
from upward.journey.tests.helpers import book

pytestmark = pytest.mark.django_db


def test_builtin_journey_has_kickoffs_six_sessions_and_a_knowledge_session(pairs):
    steps = list(pairs.version.steps.order_by("position"))
    kinds = [s.kind for s in steps]
    assert kinds[:2] == [StepKind.MENTOR_KICKOFF, StepKind.MENTEE_KICKOFF]
    assert kinds.count(StepKind.SESSION) == 6
    assert kinds.count(StepKind.KNOWLEDGE) == 1
    knowledge = next(s for s in steps if s.kind == StepKind.KNOWLEDGE)
    assert knowledge.is_optional
    mentor_kickoff, mentee_kickoff = steps[0], steps[1]
    assert "feedback" in " ".join(mentor_kickoff.agenda_items.values_list("text", flat=True))
    assert "listen" in mentee_kickoff.purpose.lower()
    for step in steps:
        assert step.title and step.purpose and step.agenda_items.exists()
    assert pairs.version.template.organisation is None and pairs.version.template.is_builtin


def test_data_migration_is_idempotent_and_reversible(pairs):
    migration = importlib.import_module(
        "upward.journey.migrations.0002_default_reverse_mentoring_journey"
    )
    migration.create_default(apps, None)
    assert JourneyTemplate.objects.filter(is_builtin=True).count() == 1
    migration.remove_default(apps, None)
    assert not JourneyTemplate.objects.filter(is_builtin=True).exists()


def test_reverse_refuses_while_programmes_use_it(pairs):
    migration = importlib.import_module(
        "upward.journey.migrations.0002_default_reverse_mentoring_journey"
    )
    book(pairs)  # pins the programme to the built-in journey
    with pytest.raises(RuntimeError, match="Programmes follow the built-in journey; move them to"):
        migration.remove_default(apps, None)


def test_builtin_cannot_be_edited(pairs, world):
    with pytest.raises(DomainError, match="Built-in journeys cannot be edited"):
        services.start_draft(pairs.version.template, by=None)


def test_editing_a_template_never_changes_a_pinned_version(pairs, world):
    copy = services.clone_template(
        pairs.version, organisation=world.org, name="Northwind journey", by=None
    )
    v1 = copy.versions.get(number=1)
    services.set_programme_journey(
        world.programme,
        version=v1,
        mode="guided",
        meetings_per_month=Decimal("2"),
        minutes_per_meeting=45,
        by=None,
    )
    before = [
        (s.title, list(s.agenda_items.values_list("text", flat=True))) for s in v1.steps.all()
    ]

    draft = services.start_draft(copy, by=None)
    step = draft.steps.get(position=3)
    services.save_step(
        draft, step, data={"title": "Hello again", "kind": "session"}, agenda="Only this", by=None
    )
    services.save_step(draft, None, data={"title": "Extra", "kind": "session"}, agenda="", by=None)
    with pytest.raises(InvalidTransition, match="This version is published and cannot change"):
        services.save_step(v1, v1.steps.first(), data={"title": "x"}, agenda="", by=None)
    v2 = services.publish_draft(draft, change_note="Shorter first session", by=None)

    assert v2.number == 2
    v1.refresh_from_db()
    after = [(s.title, list(s.agenda_items.values_list("text", flat=True))) for s in v1.steps.all()]
    assert after == before
    assert ProgrammeJourney.objects.get(programme=world.programme).version == v1
    assert v2.steps.get(position=3).title == "Hello again"
    assert list(v2.steps.get(position=3).agenda_items.values_list("text", flat=True)) == [
        "Only this"
    ]
    assert v2.steps.count() == v1.steps.count() + 1


def test_version_is_fixed_once_pairs_have_booked(pairs, world):
    book(pairs)
    copy = services.clone_template(pairs.version, organisation=world.org, name="Ours", by=None)
    with pytest.raises(Conflict, match="Pairs have already booked meetings on version 1, so the"):
        services.set_programme_journey(
            world.programme,
            version=copy.versions.get(number=1),
            mode="free",
            meetings_per_month=Decimal("1"),
            minutes_per_meeting=60,
            by=None,
        )
    # Mode and cadence can still change.
    pj = services.set_programme_journey(
        world.programme,
        version=pairs.version,
        mode="free",
        meetings_per_month=Decimal("2"),
        minutes_per_meeting=30,
        by=None,
    )
    assert pj.mode == "free" and pj.minutes_per_meeting == 30


def test_programme_cannot_use_another_organisations_journey(pairs, world):
    other = services.clone_template(
        pairs.version, organisation=world.outsider_admin.organisation, name="Theirs", by=None
    )
    with pytest.raises(DomainError, match="Choose one of your organisation's journeys"):
        services.set_programme_journey(
            world.programme,
            version=other.versions.get(number=1),
            mode="guided",
            meetings_per_month=Decimal("1"),
            minutes_per_meeting=60,
            by=None,
        )


def test_publish_needs_a_session_and_move_and_delete_renumber(pairs, world):
    copy = services.clone_template(pairs.version, organisation=world.org, name="Ours", by=None)
    draft = services.start_draft(copy, by=None)
    assert services.start_draft(copy, by=None) == draft  # one draft at a time
    steps = list(draft.steps.order_by("position"))
    services.move_step(steps[1], up=True, by=None)
    assert list(draft.steps.order_by("position")) == [steps[1], steps[0], *steps[2:]]
    services.delete_step(steps[0], by=None)
    assert list(draft.steps.values_list("position", flat=True)) == list(range(1, len(steps)))
    for step in draft.steps.filter(kind="session"):
        services.delete_step(step, by=None)
    with pytest.raises(DomainError, match="at least one pair session"):
        services.publish_draft(draft, change_note="", by=None)
    services.discard_draft(draft, by=None)
    assert not copy.versions.filter(number__isnull=True).exists()


def test_agenda_lines_are_validated(pairs, world):
    copy = services.clone_template(pairs.version, organisation=world.org, name="Ours", by=None)
    draft = services.start_draft(copy, by=None)
    with pytest.raises(DomainError, match="Keep each agenda item under 300 characters") as info:
        services.save_step(
            draft, None, data={"title": "Long", "kind": "session"}, agenda="x" * 301, by=None
        )
    assert info.value.field == "agenda"
    with pytest.raises(DomainError, match="Give the step a title") as info:
        services.save_step(draft, None, data={"title": " ", "kind": "session"}, agenda="", by=None)
    assert info.value.field == "title"
