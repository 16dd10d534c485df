import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from upward.core.errors import DomainError
from upward.core.models import AuditEvent
from upward.programmes import selectors, services
from upward.programmes.design import design_warnings
from upward.programmes.models import Programme, Question, State
from upward.programmes.tests.helpers import apply, put_in_state
from upward.testing.factories import ProgrammeFactory, level

pytestmark = pytest.mark.django_db

FIELDS = {
    "name": "Pilot",
    "objective": "inclusion",
    "inclusion_focus": "gender",
    "success_what": "",
    "success_how": "",
    "success_target": "",
    "places": 5,
    "starts_on": dt.date(2027, 3, 1),
    "ends_on": dt.date(2027, 9, 1),
}


def test_create_programme_as_draft_with_creator_as_manager(world):
    programme = services.create_programme(world.admin, fields=FIELDS)
    assert programme.state == State.DRAFT
    assert programme.organisation == world.org
    assert list(programme.managers.all()) == [world.admin]
    assert programme.scheduling_policy == "mentee"  # the junior mentor is spared the admin
    assert AuditEvent.objects.filter(verb="programme.created", actor=world.admin.user).exists()


def test_people_who_run_nothing_cannot_create(world):
    with pytest.raises(DomainError, match="Only organisation admins and programme managers can do"):
        services.create_programme(world.applicant, fields=FIELDS)
    assert not Programme.objects.filter(name="Pilot").exists()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"ends_on": dt.date(2027, 2, 1)}, "ends_on"),
        ({"places": 0}, "places"),
        ({"objective": "digital_skills"}, "inclusion_focus"),
        (
            {"objective": "custom", "inclusion_focus": "", "custom_objective": "  "},
            "custom_objective",
        ),
    ],
)
def test_create_refuses_a_broken_design(world, changes, field):
    with pytest.raises(DomainError) as info:
        services.create_programme(world.admin, fields={**FIELDS, **changes})
    assert info.value.field == field
    assert not Programme.objects.filter(name="Pilot").exists()


def test_reverse_mentoring_rule_mentors_are_junior(world):
    fields = {
        **FIELDS,
        "mentor_level_max": level(world.org, 5),
        "mentee_level_max": level(world.org, 5),
    }
    with pytest.raises(DomainError, match="In reverse mentoring the mentor is the more") as info:
        services.create_programme(world.admin, fields=fields)
    assert info.value.message == (
        "In reverse mentoring the mentor is the more junior person, so the highest mentor "
        "level (5 Manager) must be below the highest mentee level (5 Manager)."
    )
    fields["mentee_level_max"] = level(world.org, 6)
    assert services.create_programme(world.admin, fields=fields).pk


def test_previous_cohort_must_be_in_the_same_organisation(world):
    elsewhere = ProgrammeFactory(organisation=world.outsider_admin.organisation)
    with pytest.raises(DomainError, match="Choose a programme from your organisation") as info:
        services.create_programme(world.admin, fields={**FIELDS, "previous_cohort": elsewhere})
    assert info.value.field == "previous_cohort"


def test_update_refuses_locked_fields(world):
    programme = put_in_state(world.programme, State.ACTIVE)
    with pytest.raises(DomainError, match="places"):
        services.update_programme_design(programme, fields={"places": 3}, by=world.manager.user)
    programme.refresh_from_db()
    assert programme.places == 10
    services.update_programme_design(
        programme, fields={"ends_on": dt.date(2027, 8, 1)}, by=world.manager.user
    )
    programme.refresh_from_db()
    assert programme.ends_on == dt.date(2027, 8, 1)


def test_update_checks_the_whole_design_not_only_the_change(world):
    with pytest.raises(DomainError, match="must end on or after"):
        services.update_programme_design(
            world.programme, fields={"starts_on": dt.date(2027, 12, 1)}, by=world.manager.user
        )


@pytest.mark.parametrize(
    "changes",
    [
        {"inclusion_focus": "race", "objective": "digital_skills"},
        {"objective": "custom", "custom_objective": ""},
        {"places": 0},
        {"ends_on": dt.date(2026, 1, 1)},
        {"selection_mode": "lottery"},
        {"scheduling_policy": "nobody"},
        {"objective": "world_peace"},
    ],
)
def test_database_refuses_broken_designs_even_without_the_service(world, changes):
    Programme.objects.filter(pk=world.programme.pk)  # sanity: it exists
    with pytest.raises(IntegrityError), transaction.atomic():
        Programme.objects.filter(pk=world.programme.pk).update(**changes)


def test_database_refuses_a_programme_following_itself(world):
    with pytest.raises(IntegrityError), transaction.atomic():
        Programme.objects.filter(pk=world.programme.pk).update(previous_cohort=world.programme)


def test_design_warnings(world):
    p = world.programme
    assert any("No level ranges" in w for w in design_warnings(p))
    p.mentor_level_max = level(world.org, 6)
    p.mentee_level_min = level(world.org, 5)
    p.mentee_level_max = level(world.org, 9)
    assert any("overlap" in w for w in design_warnings(p))


def test_eligibility_text_in_plain_words(world):
    p = world.programme
    assert selectors.eligibility_text(p, "mentor") == "Mentors can be anyone at Northwind Health."
    p.mentee_level_min = level(world.org, 7)
    assert selectors.eligibility_text(p, "mentee") == (
        "Mentees are colleagues at level 7 Head of or above, from any part of Northwind Health."
    )


def test_recruitment_counts_ignore_withdrawn(world):
    apply(world.programme, world.applicant, "mentor", "withdrawn")
    apply(world.programme, world.senior, "mentee", "accepted")
    counts = selectors.recruitment_counts(world.programme)
    assert (counts.applications, counts.accepted_mentees, counts.pairs_possible) == (1, 1, 0)


# --- Sign-up and managers ------------------------------------------------------------------


def test_regenerate_token_makes_a_new_unguessable_token(world):
    old = world.programme.signup_token
    services.regenerate_signup_token(world.programme, by=world.manager.user)
    world.programme.refresh_from_db()
    assert world.programme.signup_token != old
    assert len(world.programme.signup_token) >= 32


def test_archived_programmes_have_no_link_to_regenerate(world):
    p = put_in_state(world.programme, State.ARCHIVED)
    with pytest.raises(DomainError, match="Archived programmes have no sign-up link"):
        services.regenerate_signup_token(p, by=world.manager.user)


def test_only_org_admins_set_managers(world):
    with pytest.raises(DomainError, match="Only an admin of this organisation can choose the"):
        services.set_programme_managers(
            world.programme, managers=[world.manager], by=world.manager.user
        )
    with pytest.raises(DomainError, match="Only an admin of this organisation can choose the"):
        services.set_programme_managers(
            world.programme, managers=[world.manager], by=world.outsider_admin.user
        )


def test_managers_must_be_active_people_of_the_organisation(world):
    with pytest.raises(DomainError, match="not in this organisation"):
        services.set_programme_managers(
            world.programme, managers=[world.outsider_admin], by=world.admin.user
        )
    world.senior.is_active = False
    world.senior.save()
    with pytest.raises(DomainError, match="has left"):
        services.set_programme_managers(
            world.programme, managers=[world.senior], by=world.admin.user
        )


# --- Questions -----------------------------------------------------------------------------


def test_question_positions_and_moves(world):
    p = world.programme
    by = world.manager.user
    a = services.add_question(p, fields={"text": "A"}, by=by)
    b = services.add_question(p, fields={"text": "B"}, by=by)
    c = services.add_question(p, fields={"text": "C"}, by=by)
    assert [a.position, b.position, c.position] == [0, 1, 2]
    services.move_question(c, direction="up", by=by)
    services.move_question(a, direction="up", by=by)  # already first: no change
    assert list(p.questions.values_list("text", flat=True)) == ["A", "C", "B"]
    with pytest.raises(DomainError, match="Move a question up or down"):
        services.move_question(a, direction="sideways", by=by)


def test_choice_questions_need_distinct_choices(world):
    with pytest.raises(DomainError, match="different"):
        services.add_question(
            world.programme,
            fields={"text": "Pick", "kind": "choice", "choices": ["Yes", "yes"]},
            by=world.manager.user,
        )


def test_text_questions_drop_choices(world):
    q = services.add_question(
        world.programme,
        fields={"text": "Tell us", "kind": "text", "choices": ["stray"]},
        by=world.manager.user,
    )
    assert q.choices == []


def test_questions_are_locked_after_recruitment(world):
    p = put_in_state(world.programme, State.ACTIVE)
    q = Question.objects.create(programme=p, text="Why?")
    with pytest.raises(DomainError, match="only change while"):
        services.add_question(p, fields={"text": "New"}, by=world.manager.user)
    with pytest.raises(DomainError, match="Questions can only change while the programme is a"):
        services.delete_question(q, by=world.manager.user)


def test_database_refuses_unknown_question_kinds_and_audiences(world):
    with pytest.raises(IntegrityError), transaction.atomic():
        Question.objects.create(programme=world.programme, text="x", kind="essay")
    with pytest.raises(IntegrityError), transaction.atomic():
        Question.objects.create(programme=world.programme, text="x", audience="board")
