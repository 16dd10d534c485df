import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from pytest_django.asserts import assertNotContains

from upward.core.models import AuditEvent
from upward.organisations.models import Department
from upward.programmes.models import Programme, Question, State, StateChange
from upward.programmes.tests.helpers import accept_pair, apply, put_in_state
from upward.testing.factories import ProgrammeFactory, level

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _before_the_programme():
    with time_machine.travel(dt.datetime(2026, 12, 1, 9, 0), tick=False):
        yield


def url(name, *args):
    return reverse(f"programmes:{name}", args=args)


def manager_urls(world):
    p = world.programme
    q = Question.objects.create(programme=p, text="Why now?")
    return [
        url("detail", p.pk),
        url("edit", p.pk),
        url("transition", p.pk, "recruiting"),
        url("signup", p.pk, "close"),
        url("regenerate_link", p.pk),
        url("questions", p.pk),
        url("question_edit", p.pk, q.pk),
        url("question_delete", p.pk, q.pk),
    ]


# --- Access ------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["admin", "manager"])
def test_admin_and_the_programmes_manager_can_see_every_page(world, persona):
    client = world.client_for(getattr(world, persona))
    for address in manager_urls(world):
        response = client.get(address)
        assert response.status_code == 200, address
        assert world.programme.name.encode() in response.content, address


@pytest.mark.parametrize("persona", ["other_manager", "applicant", "outsider_admin"])
def test_everyone_else_gets_404(world, persona):
    client = world.client_for(getattr(world, persona))
    for address in manager_urls(world):
        assert client.get(address).status_code == 404, address
    # Writes are refused the same way, and change nothing.
    p = world.programme
    assert client.post(url("transition", p.pk, "recruiting")).status_code == 404
    assert client.post(url("regenerate_link", p.pk)).status_code == 404
    assert client.post(url("managers", p.pk), {"managers": [world.admin.pk]}).status_code == 404
    p.refresh_from_db()
    assert p.state == State.DRAFT
    assert not StateChange.objects.exists()


def test_anonymous_is_sent_to_sign_in(world):
    client = world.client_for(None)
    addresses = [url("list"), url("create"), url("managers", world.programme.pk)]
    for address in [*addresses, *manager_urls(world)]:
        response = client.get(address)
        assert response.status_code == 302, address
        assert reverse("account_login") in response["Location"]


def test_only_org_admins_choose_managers(world):
    p = world.programme
    assert world.client_for(world.manager).get(url("managers", p.pk)).status_code == 404
    assert world.client_for(world.outsider_admin).get(url("managers", p.pk)).status_code == 404
    response = world.client_for(world.admin).post(
        url("managers", p.pk), {"managers": [world.manager.pk, world.other_manager.pk]}
    )
    assert response.status_code == 302
    assert set(p.managers.all()) == {world.manager, world.other_manager}
    assert AuditEvent.objects.filter(verb="programme.managers_changed").exists()


def test_managers_from_another_organisation_are_refused(world):
    p = world.programme
    response = world.client_for(world.admin).post(
        url("managers", p.pk), {"managers": [world.outsider_admin.pk]}
    )
    assert response.status_code == 200
    assert b"Select a valid choice" in response.content
    assert list(p.managers.all()) == [world.manager]


def test_managers_cannot_be_emptied(world):
    response = world.client_for(world.admin).post(url("managers", world.programme.pk), {})
    assert response.status_code == 200
    assert list(world.programme.managers.all()) == [world.manager]


# --- List --------------------------------------------------------------------------------


def test_list_shows_only_managed_programmes_with_counts(world):
    accept_pair(world.programme, world)
    apply(world.programme, world.other_applicant, "mentor")
    response = world.client_for(world.manager).get(url("list"))
    assert response.status_code == 200
    rows = list(response.context["page_obj"].object_list)
    assert rows == [world.programme]
    assert rows[0].n_accepted_mentors == 1
    assert rows[0].n_accepted_mentees == 1
    assert rows[0].n_to_review == 1
    assertNotContains(response, b"Inclusion pilot")


def test_admin_sees_every_programme_of_the_organisation_only(world):
    ProgrammeFactory(name="Somewhere else")  # another organisation
    response = world.client_for(world.admin).get(url("list"))
    names = {p.name for p in response.context["page_obj"].object_list}
    assert names == {"Digital confidence 2027", "Inclusion pilot"}


def test_counts_are_not_multiplied_by_managers(world):
    world.programme.managers.add(world.admin, world.other_manager)
    accept_pair(world.programme, world)
    response = world.client_for(world.admin).get(url("list"))
    row = next(p for p in response.context["page_obj"].object_list if p == world.programme)
    assert (row.n_accepted_mentors, row.n_accepted_mentees) == (1, 1)


def test_list_filter_by_state(world):
    put_in_state(world.other_programme, State.RECRUITING)
    client = world.client_for(world.admin)
    response = client.get(url("list"), {"state": "recruiting"})
    assert list(response.context["page_obj"].object_list) == [world.other_programme]
    # An unknown state is ignored rather than failing.
    response = client.get(url("list"), {"state": "nonsense", "page": "abc"})
    assert response.status_code == 200
    assert len(response.context["page_obj"].object_list) == 2


def test_list_filter_with_no_match_says_so(world):
    response = world.client_for(world.manager).get(url("list"), {"state": "archived"})
    assert b"No programmes at this stage" in response.content


def test_list_empty_state_for_people_who_run_nothing(world):
    response = world.client_for(world.applicant).get(url("list"))
    assert response.status_code == 200
    assert b"You do not run any programme" in response.content
    assertNotContains(response, b"Create your first programme")


def test_list_paginates(world):
    for i in range(23):
        ProgrammeFactory(organisation=world.org, name=f"Cohort {i:02}")
    client = world.client_for(world.admin)
    first = client.get(url("list"))
    assert len(first.context["page_obj"].object_list) == 20
    second = client.get(url("list"), {"page": 2})
    assert len(second.context["page_obj"].object_list) == 5
    assert b"Page 2 of 2" in second.content


def test_list_query_count_stays_flat(world, django_assert_max_num_queries):
    for i in range(15):
        p = ProgrammeFactory(organisation=world.org, name=f"Cohort {i:02}")
        accept_pair(p, world)
    client = world.client_for(world.admin)
    client.get(url("list"))  # warm up the session
    with django_assert_max_num_queries(8):
        response = client.get(url("list"))
    assert response.status_code == 200
    assert len(response.context["page_obj"].object_list) == 17


# --- Create and edit ---------------------------------------------------------------------

GOOD = {
    "name": "Leaders learning digital",
    "summary": "",
    "objective": "digital_skills",
    "inclusion_focus": "",
    "custom_objective": "",
    "success_what": "Confidence with technology",
    "success_how": "Survey before and after",
    "success_target": "60% more confident",
    "mentor_level_min": "",
    "mentor_level_max": "",
    "mentee_level_min": "",
    "mentee_level_max": "",
    "selection_mode": "reviewed",
    "places": "8",
    "starts_on": "2027-02-01",
    "ends_on": "2027-08-01",
    "commitment": "One hour a month for six months",
    "previous_cohort": "",
    "scheduling_policy": "mentee",
}


def test_admin_creates_a_draft_and_becomes_a_manager(world):
    data = {
        **GOOD,
        "mentor_level_min": level(world.org, 1).pk,
        "mentor_level_max": level(world.org, 4).pk,
        "mentee_level_min": level(world.org, 6).pk,
        "mentor_departments": [Department.objects.get(organisation=world.org, name="Digital").pk],
    }
    response = world.client_for(world.admin).post(url("create"), data)
    programme = Programme.objects.get(name="Leaders learning digital")
    assert response.status_code == 302
    assert response["Location"] == url("detail", programme.pk)
    assert programme.state == State.DRAFT
    assert programme.organisation == world.org
    assert list(programme.managers.all()) == [world.admin]
    assert [d.name for d in programme.mentor_departments.all()] == ["Digital"]
    assert AuditEvent.objects.filter(verb="programme.created").count() == 1


def test_an_existing_manager_can_create(world):
    response = world.client_for(world.manager).post(url("create"), GOOD)
    assert response.status_code == 302
    assert world.manager in Programme.objects.get(name=GOOD["name"]).managers.all()


def test_people_who_run_nothing_cannot_create(world):
    assert world.client_for(world.applicant).get(url("create")).status_code == 404
    assert world.client_for(world.applicant).post(url("create"), GOOD).status_code == 404
    assert not Programme.objects.filter(name=GOOD["name"]).exists()


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"ends_on": "2027-01-01"}, "ends_on", "must end on or after its start date"),
        ({"places": "0"}, "places", ""),
        ({"places": "-3"}, "places", ""),
        ({"places": "lots"}, "places", "Enter a whole number"),
        ({"starts_on": "31/02/2027"}, "starts_on", "Enter a valid date"),
        ({"objective": "world_peace"}, "objective", "Select a valid choice"),
        ({"objective": "custom"}, "custom_objective", "Describe the objective"),
        ({"inclusion_focus": "race"}, "inclusion_focus", "only applies to a diversity"),
        ({"previous_cohort": "999999"}, "previous_cohort", "Select a valid choice"),
        ({"mentor_level_min": "999999"}, "mentor_level_min", "Select a valid choice"),
        ({"name": ""}, "name", "required"),
        ({"selection_mode": ""}, "selection_mode", "required"),
    ],
)
def test_bad_input_is_shown_next_to_the_field(world, changes, field, message):
    response = world.client_for(world.admin).post(url("create"), {**GOOD, **changes})
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors, errors
    assert message in " ".join(errors[field])
    assert not Programme.objects.filter(name=GOOD["name"]).exists()


def test_level_range_errors(world):
    lv = lambda rank: level(world.org, rank).pk  # noqa: E731
    client = world.client_for(world.admin)
    response = client.post(
        url("create"), {**GOOD, "mentor_level_min": lv(4), "mentor_level_max": lv(2)}
    )
    assert "is below the lowest" in " ".join(response.context["form"].errors["mentor_level_max"])
    response = client.post(
        url("create"), {**GOOD, "mentor_level_max": lv(7), "mentee_level_max": lv(7)}
    )
    assert "mentor is the more junior person" in " ".join(
        response.context["form"].errors["mentor_level_max"]
    )


def test_levels_and_cohorts_of_another_organisation_are_not_offered(world):
    other = ProgrammeFactory(organisation=world.outsider_admin.organisation)
    foreign_level = level(world.outsider_admin.organisation, 3)
    response = world.client_for(world.admin).post(
        url("create"),
        {**GOOD, "previous_cohort": other.pk, "mentee_level_min": foreign_level.pk},
    )
    errors = response.context["form"].errors
    assert "previous_cohort" in errors
    assert "mentee_level_min" in errors


def test_edit_design_in_draft(world):
    p = world.programme
    data = {**GOOD, "name": "Renamed", "previous_cohort": world.other_programme.pk}
    response = world.client_for(world.manager).post(url("edit", p.pk), data)
    assert response.status_code == 302
    p.refresh_from_db()
    assert p.name == "Renamed"
    assert p.previous_cohort == world.other_programme
    event = AuditEvent.objects.get(verb="programme.design_changed")
    assert "name" in event.data["fields"]


def test_a_programme_cannot_follow_itself(world):
    p = world.programme
    response = world.client_for(world.manager).post(
        url("edit", p.pk), {**GOOD, "previous_cohort": p.pk}
    )
    # It is not even offered as a choice.
    assert "previous_cohort" in response.context["form"].errors


def test_cohort_loops_are_refused(world):
    world.other_programme.previous_cohort = world.programme
    world.other_programme.save()
    response = world.client_for(world.admin).post(
        url("edit", world.programme.pk), {**GOOD, "previous_cohort": world.other_programme.pk}
    )
    assert "go round in a circle" in " ".join(response.context["form"].errors["previous_cohort"])


def test_running_programme_locks_most_of_the_design(world):
    p = put_in_state(world.programme, State.ACTIVE)
    client = world.client_for(world.manager)
    page = client.get(url("edit", p.pk))
    assert b"The programme is running" in page.content
    assert page.context["form"].fields["places"].disabled
    assert not page.context["form"].fields["ends_on"].disabled
    response = client.post(
        url("edit", p.pk),
        {**GOOD, "name": "Still editable", "places": "99", "ends_on": "2027-09-30"},
    )
    assert response.status_code == 302
    p.refresh_from_db()
    assert p.name == "Still editable"
    assert p.ends_on == dt.date(2027, 9, 30)
    assert p.places == 10  # locked: the posted value is ignored


def test_archived_programme_is_read_only(world):
    p = put_in_state(world.programme, State.ARCHIVED)
    client = world.client_for(world.manager)
    page = client.get(url("edit", p.pk))
    assert b"Archived programmes are read-only" in page.content
    assertNotContains(page, b"Save design")
    client.post(url("edit", p.pk), {**GOOD, "name": "Sneaky"})
    p.refresh_from_db()
    assert p.name == "Digital confidence 2027"


# --- Detail and lifecycle buttons ----------------------------------------------------------


def test_detail_page_shows_the_design_and_next_step(world):
    p = world.programme
    accept_pair(p, world)
    response = world.client_for(world.manager).get(url("detail", p.pk))
    content = response.content.decode()
    assert "Only the programme team can see this programme" in content
    assert 'aria-current="step"' in content
    assert "Open recruitment" in content
    assert "Leaders&#x27; confidence discussing technology" in content
    assert p.signup_token in content
    assert "Mo Manager" in content
    assert response.context["counts"].accepted_mentors == 1


def test_blocked_move_is_shown_disabled_with_the_reason(world):
    p = put_in_state(world.programme, State.RECRUITING)
    response = world.client_for(world.manager).get(url("detail", p.pk))
    content = response.content.decode()
    assert "Accept at least one mentor and one mentee" in content
    assert "disabled" in content


def test_easy_move_happens_in_one_post(world):
    p = world.programme
    response = world.client_for(world.manager).post(url("transition", p.pk, "recruiting"))
    assert response.status_code == 302
    p.refresh_from_db()
    assert p.state == State.RECRUITING


def test_hard_move_needs_the_confirmation_step(world):
    p = put_in_state(world.programme, State.COMPLETED)
    client = world.client_for(world.manager)
    page = client.get(url("transition", p.pk, "archived"))
    assert b"Archiving cannot be undone" in page.content
    assert b"Yes, archive" in page.content
    response = client.post(url("transition", p.pk, "archived"))  # no confirmation
    assert response.status_code == 200
    p.refresh_from_db()
    assert p.state == State.COMPLETED
    client.post(url("transition", p.pk, "archived"), {"confirmed": "yes"})
    p.refresh_from_db()
    assert p.state == State.ARCHIVED


def test_invalid_move_by_url_is_a_message_not_an_error(world):
    p = world.programme
    client = world.client_for(world.manager)
    response = client.post(url("transition", p.pk, "active"), {"confirmed": "yes"}, follow=True)
    assert response.status_code == 200
    assert b"cannot move to active" in response.content
    p.refresh_from_db()
    assert p.state == State.DRAFT
    assert client.get(url("transition", p.pk, "flying")).status_code == 404


def test_blocked_move_posted_anyway_shows_why(world):
    p = put_in_state(world.programme, State.RECRUITING)
    response = world.client_for(world.manager).post(
        url("transition", p.pk, "matching"), {"confirmed": "yes"}, follow=True
    )
    assert b"Accept at least one mentor and one mentee" in response.content
    p.refresh_from_db()
    assert p.state == State.RECRUITING


# --- Sign-up link --------------------------------------------------------------------------


def test_close_and_reopen_sign_up(world):
    p = put_in_state(world.programme, State.RECRUITING)
    client = world.client_for(world.manager)
    assert b"Close sign-up?" in client.get(url("signup", p.pk, "close")).content
    client.post(url("signup", p.pk, "close"))
    p.refresh_from_db()
    assert p.signup_open is False
    public = world.client_for(None).get(url("public", p.signup_token))
    assert b"Sign-up is closed for now" in public.content
    client.post(url("signup", p.pk, "open"))
    p.refresh_from_db()
    assert p.signup_open is True
    assert client.get(url("signup", p.pk, "sideways")).status_code == 404


def test_sign_up_cannot_be_toggled_after_recruitment(world):
    p = put_in_state(world.programme, State.ACTIVE)
    response = world.client_for(world.manager).post(url("signup", p.pk, "close"), follow=True)
    assert b"reopen recruitment first" in response.content
    p.refresh_from_db()
    assert p.signup_open is True


def test_regenerated_link_kills_the_old_one(world):
    p = put_in_state(world.programme, State.RECRUITING)
    old = p.signup_token
    anonymous = world.client_for(None)
    assert anonymous.get(url("public", old)).status_code == 200
    client = world.client_for(world.manager)
    assert b"stops working straight away" in client.get(url("regenerate_link", p.pk)).content
    client.post(url("regenerate_link", p.pk))
    p.refresh_from_db()
    assert p.signup_token != old
    assert anonymous.get(url("public", old)).status_code == 404
    assert anonymous.get(url("public", p.signup_token)).status_code == 200
    event = AuditEvent.objects.get(verb="programme.signup_link_regenerated")
    assert old not in str(event.data) and p.signup_token not in str(event.data)


# --- Public page ---------------------------------------------------------------------------


def test_public_page_is_404_in_draft(world):
    assert (
        world.client_for(None).get(url("public", world.programme.signup_token)).status_code == 404
    )


def test_public_page_is_404_when_archived(world):
    p = put_in_state(world.programme, State.ARCHIVED)
    assert world.client_for(None).get(url("public", p.signup_token)).status_code == 404


def test_public_page_for_anonymous_visitors_when_recruiting(world):
    p = world.programme
    p.mentor_level_min, p.mentor_level_max = level(world.org, 1), level(world.org, 4)
    p.mentee_level_min = level(world.org, 6)
    p.save()
    p.mentor_departments.set([Department.objects.get(organisation=world.org, name="Digital")])
    put_in_state(p, State.RECRUITING)
    response = world.client_for(None).get(url("public", p.signup_token))
    assert response.status_code == 200
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    content = response.content.decode()
    assert "What is reverse mentoring?" in content
    assert (
        "Mentors are colleagues at levels 1 Apprentice to 4 Senior analyst in Digital." in content
    )
    assert "Mentees are colleagues at level 6 Senior manager or above" in content
    assert "Reviewed applications" in content
    assert "One hour a month for six months" in content
    assert 'class="hero"' in content
    # Nothing internal leaks: no counts, no managers.
    assertNotContains(response, "Mo Manager")


def test_public_page_after_recruitment_says_it_has_closed(world):
    p = put_in_state(world.programme, State.ACTIVE)
    response = world.client_for(None).get(url("public", p.signup_token))
    assert response.status_code == 200
    assert b"Recruitment for this cohort has closed" in response.content


def test_public_page_for_invitation_only(world):
    p = world.programme
    p.selection_mode = "invitation"
    p.save()
    put_in_state(p, State.RECRUITING)
    response = world.client_for(None).get(url("public", p.signup_token))
    assert b"by invitation only" in response.content


def test_public_page_with_a_made_up_token(world):
    assert world.client_for(None).get(url("public", "not-a-real-token")).status_code == 404


# --- Questions -----------------------------------------------------------------------------


def test_manager_adds_edits_reorders_and_deletes_questions(world):
    p = world.programme
    client = world.client_for(world.manager)
    client.post(
        url("questions", p.pk),
        {
            "text": "Which team are you in?",
            "kind": "choice",
            "choices": "Red\nBlue\n\n",
            "audience": "mentor",
            "required": "on",
        },
    )
    client.post(
        url("questions", p.pk), {"text": "Anything else?", "kind": "text", "audience": "both"}
    )
    first, second = Question.objects.filter(programme=p)
    assert first.choices == ["Red", "Blue"]
    assert (first.position, second.position) == (0, 1)
    assert second.required is False

    client.post(url("question_move", p.pk, second.pk), {"direction": "up"})
    assert list(Question.objects.filter(programme=p).values_list("text", flat=True)) == [
        "Anything else?",
        "Which team are you in?",
    ]
    client.post(
        url("question_edit", p.pk, first.pk),
        {
            "text": "Which team?",
            "kind": "choice",
            "choices": "Red\nBlue\nGreen",
            "audience": "mentor",
        },
    )
    first.refresh_from_db()
    assert first.text == "Which team?" and first.choices == ["Red", "Blue", "Green"]
    client.post(url("question_delete", p.pk, first.pk))
    assert list(Question.objects.filter(programme=p)) == [second]


def test_choice_question_needs_two_choices(world):
    p = world.programme
    response = world.client_for(world.manager).post(
        url("questions", p.pk),
        {"text": "Pick", "kind": "choice", "choices": "Only one", "audience": "both"},
    )
    assert response.status_code == 200
    assert "at least two choices" in " ".join(response.context["form"].errors["choices"])
    assert not Question.objects.exists()


def test_questions_lock_after_recruitment(world):
    p = put_in_state(world.programme, State.MATCHING)
    q = Question.objects.create(programme=p, text="Why?")
    client = world.client_for(world.manager)
    page = client.get(url("questions", p.pk))
    assert b"Questions are locked" in page.content
    client.post(url("question_delete", p.pk, q.pk))
    assert Question.objects.filter(pk=q.pk).exists()


def test_questions_of_another_programme_are_404(world):
    q = Question.objects.create(programme=world.other_programme, text="Hidden")
    client = world.client_for(world.manager)
    # The manager's own programme id with someone else's question id.
    assert client.get(url("question_edit", world.programme.pk, q.pk)).status_code == 404
    assert client.post(url("question_delete", world.programme.pk, q.pk)).status_code == 404
    assert Question.objects.filter(pk=q.pk).exists()


def test_a_draft_can_be_saved_before_the_success_measure_is_agreed(world):
    data = {**GOOD, "success_what": "", "success_how": "", "success_target": ""}
    client = world.client_for(world.admin)
    assert client.post(url("create"), data).status_code == 302
    programme = Programme.objects.get(name=GOOD["name"])
    page = client.get(url("detail", programme.pk))
    assert b"Complete the success measure first" in page.content
    client.post(url("transition", programme.pk, "recruiting"))
    programme.refresh_from_db()
    assert programme.state == State.DRAFT


def test_detail_query_count_stays_flat(world, django_assert_max_num_queries):
    p = world.programme
    p.mentor_level_max = level(world.org, 4)
    p.mentee_level_min = level(world.org, 6)
    p.previous_cohort = world.other_programme
    p.save()
    p.mentor_departments.set(Department.objects.filter(organisation=world.org))
    accept_pair(p, world)
    for i in range(5):
        Question.objects.create(programme=p, text=f"Question {i}", position=i)
    client = world.client_for(world.manager)
    client.get(url("detail", p.pk))
    # 14 for the page itself, plus the unread-notifications count and the outcomes panel (whose
    # respondent count comes from Submissions: anonymous answers may still be waiting).
    with django_assert_max_num_queries(19):
        response = client.get(url("detail", p.pk))
    assert response.status_code == 200


def test_public_page_query_count(world, django_assert_max_num_queries):
    p = put_in_state(world.programme, State.RECRUITING)
    with django_assert_max_num_queries(4):
        response = world.client_for(None).get(url("public", p.signup_token))
    assert response.status_code == 200
