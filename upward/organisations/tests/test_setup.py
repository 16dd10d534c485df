"""Organisation setup: levels, departments and teams, topics. Admins only."""

from __future__ import annotations

import pytest

from upward.organisations.models import Department, Level, Team, Topic
from upward.testing.factories import DepartmentFactory, TopicFactory, level


def ranks(org) -> list[tuple[int, str]]:
    return list(Level.objects.filter(organisation=org).order_by("rank").values_list("rank", "name"))


def test_setup_page_shows_every_section(world, django_assert_max_num_queries):
    TopicFactory(organisation=world.org, name="Data literacy")
    client = world.client_for(world.admin)
    # 13: the API card counts the live service tokens (upward/api/panels.py); the other
    # integration cards (SSO, SCIM, file sync, chat, webhooks) make no query of their own.
    with django_assert_max_num_queries(13):
        response = client.get("/people/setup/")
    assert response.status_code == 200
    body = response.content.decode()
    for text in (
        "Levels",
        "Departments and teams",
        "Topics",
        ">9<",
        "Executive",
        "Platform",
        "Data literacy",
    ):
        assert text in body


@pytest.mark.parametrize(
    "url",
    [
        "/people/setup/",
        "/people/setup/levels/new/",
        "/people/setup/departments/new/",
        "/people/setup/teams/new/",
        "/people/setup/topics/new/",
    ],
)
def test_setup_is_admin_only(world, url):
    for who in (world.manager, world.applicant, world.senior):
        assert world.client_for(who).get(url).status_code == 404
    assert world.client_for(None).get(url).status_code == 302


def test_another_organisations_taxonomy_is_404(world):
    client = world.client_for(world.outsider_admin)
    our_level = level(world.org, 3)
    department = world.applicant.department
    team = world.org.teams.get()
    topic = TopicFactory(organisation=world.org)
    for url in (
        f"/people/setup/levels/{our_level.pk}/",
        f"/people/setup/levels/{our_level.pk}/delete/",
        f"/people/setup/departments/{department.pk}/",
        f"/people/setup/departments/{department.pk}/delete/",
        f"/people/setup/teams/{team.pk}/",
        f"/people/setup/teams/{team.pk}/delete/",
        f"/people/setup/topics/{topic.pk}/",
    ):
        assert client.get(url).status_code == 404, url
        assert client.post(url, {"name": "Mine now"}).status_code == 404, url
    assert (
        client.post(f"/people/setup/levels/{our_level.pk}/move/", {"direction": "up"}).status_code
        == 404
    )
    our_level.refresh_from_db()
    assert our_level.name == "Analyst"


# ---------------------------------------------------------------------------------------------
# Levels


def test_add_rename_and_reorder_levels(world):
    client = world.client_for(world.admin)
    client.post("/people/setup/levels/new/", {"name": "Board"})
    assert ranks(world.org)[-1] == (10, "Board")
    board = Level.objects.get(organisation=world.org, name="Board")
    client.post(f"/people/setup/levels/{board.pk}/", {"name": "Board member"})
    client.post(f"/people/setup/levels/{board.pk}/move/", {"direction": "down"})
    assert ranks(world.org)[-2:] == [(9, "Board member"), (10, "Executive")]
    client.post(f"/people/setup/levels/{board.pk}/move/", {"direction": "up"})
    assert ranks(world.org)[-2:] == [(9, "Executive"), (10, "Board member")]


def test_moving_past_the_end_says_so(world):
    top = level(world.org, 9)
    response = world.client_for(world.admin).post(
        f"/people/setup/levels/{top.pk}/move/", {"direction": "up"}, follow=True
    )
    assert "already the most senior level" in response.content.decode()
    response = world.client_for(world.admin).post(
        f"/people/setup/levels/{top.pk}/move/", {"direction": "sideways"}, follow=True
    )
    assert "up or down" in response.content.decode()


def test_duplicate_or_empty_level_names_are_form_errors(world):
    client = world.client_for(world.admin)
    response = client.post("/people/setup/levels/new/", {"name": "executive"})
    assert "already a level called" in " ".join(response.context["form"].errors["name"])
    response = client.post("/people/setup/levels/new/", {"name": "   "})
    assert response.context["form"].errors["name"]
    assert Level.objects.filter(organisation=world.org).count() == 9


def test_a_level_in_use_cannot_be_deleted(world):
    used = level(world.org, 2)  # Jess and Kai
    client = world.client_for(world.admin)
    confirm = client.get(f"/people/setup/levels/{used.pk}/delete/")
    assert confirm.status_code == 200
    response = client.post(f"/people/setup/levels/{used.pk}/delete/", follow=True)
    assert "is the level of 2 people, so it cannot be deleted" in response.content.decode()
    assert Level.objects.filter(pk=used.pk).exists()


def test_a_level_used_by_a_programme_cannot_be_deleted(world):
    unused = level(world.org, 1)
    world.programme.mentor_level_min = unused
    world.programme.save()
    response = world.client_for(world.admin).post(
        f"/people/setup/levels/{unused.pk}/delete/", follow=True
    )
    assert "eligibility rules" in response.content.decode()
    assert Level.objects.filter(pk=unused.pk).exists()


def test_an_unused_level_is_deleted_after_confirmation(world):
    unused = level(world.org, 1)
    world.client_for(world.admin).post(f"/people/setup/levels/{unused.pk}/delete/")
    assert not Level.objects.filter(pk=unused.pk).exists()


# ---------------------------------------------------------------------------------------------
# Departments and teams


def test_add_rename_and_delete_departments_and_teams(world):
    client = world.client_for(world.admin)
    client.post("/people/setup/departments/new/", {"name": "Research"})
    research = Department.objects.get(organisation=world.org, name="Research")
    client.post(f"/people/setup/departments/{research.pk}/", {"name": "R&D"})
    research.refresh_from_db()
    assert research.name == "R&D"
    client.post("/people/setup/teams/new/", {"department": research.pk, "name": "Labs"})
    labs = Team.objects.get(department=research, name="Labs")
    assert labs.organisation == world.org
    client.post(f"/people/setup/teams/{labs.pk}/", {"name": "Lab one"})
    labs.refresh_from_db()
    assert labs.name == "Lab one"
    client.post(f"/people/setup/teams/{labs.pk}/delete/")
    assert not Team.objects.filter(pk=labs.pk).exists()
    client.post(f"/people/setup/departments/{research.pk}/delete/")
    assert not Department.objects.filter(pk=research.pk).exists()


def test_a_department_with_people_cannot_be_deleted(world):
    digital = world.applicant.department
    response = world.client_for(world.admin).post(
        f"/people/setup/departments/{digital.pk}/delete/", follow=True
    )
    assert "cannot be deleted" in response.content.decode()
    assert Department.objects.filter(pk=digital.pk).exists()


def test_a_department_in_programme_eligibility_cannot_be_deleted(world):
    empty = DepartmentFactory(organisation=world.org, name="Empty")
    world.programme.mentor_departments.add(empty)
    response = world.client_for(world.admin).post(
        f"/people/setup/departments/{empty.pk}/delete/", follow=True
    )
    assert "limits who may take part" in response.content.decode()
    assert Department.objects.filter(pk=empty.pk).exists()


def test_a_team_of_another_organisations_department_cannot_be_added(world):
    theirs = DepartmentFactory(organisation=world.outsider_admin.organisation)
    response = world.client_for(world.admin).post(
        "/people/setup/teams/new/", {"department": theirs.pk, "name": "Sneaky"}
    )
    assert "department" in response.context["form"].errors
    assert not Team.objects.filter(name="Sneaky").exists()


def test_duplicate_team_in_a_department_is_a_form_error(world):
    digital = world.applicant.department
    response = world.client_for(world.admin).post(
        "/people/setup/teams/new/", {"department": digital.pk, "name": "platform"}
    )
    assert "already has a team called" in " ".join(response.context["form"].errors["name"])


# ---------------------------------------------------------------------------------------------
# Topics


def test_add_and_edit_topics_with_parents(world):
    client = world.client_for(world.admin)
    client.post("/people/setup/topics/new/", {"name": "Technology", "kind": "skill"})
    tech = Topic.objects.get(organisation=world.org, name="Technology")
    client.post(
        "/people/setup/topics/new/",
        {
            "name": "Artificial intelligence",
            "kind": "skill",
            "parent": tech.pk,
            "description": "AI tools",
        },
    )
    ai = Topic.objects.get(name="Artificial intelligence")
    assert ai.parent == tech and ai.description == "AI tools"
    client.post(
        f"/people/setup/topics/{ai.pk}/", {"name": "AI", "kind": "interest", "parent": tech.pk}
    )
    ai.refresh_from_db()
    assert (ai.name, ai.kind) == ("AI", "interest")


def test_topic_parent_loops_are_refused(world):
    parent = TopicFactory(organisation=world.org, name="Parent")
    child = TopicFactory(organisation=world.org, name="Child", parent=parent)
    response = world.client_for(world.admin).post(
        f"/people/setup/topics/{parent.pk}/",
        {"name": "Parent", "kind": "skill", "parent": child.pk},
    )
    assert "cannot be its parent" in " ".join(response.context["form"].errors["parent"])
    parent.refresh_from_db()
    assert parent.parent is None


def test_topic_cannot_be_its_own_parent_or_take_another_organisations(world):
    topic = TopicFactory(organisation=world.org, name="Mine")
    theirs = TopicFactory(organisation=world.outsider_admin.organisation, name="Theirs")
    client = world.client_for(world.admin)
    for parent in (topic.pk, theirs.pk):
        response = client.post(
            f"/people/setup/topics/{topic.pk}/", {"name": "Mine", "kind": "skill", "parent": parent}
        )
        assert "parent" in response.context["form"].errors


def test_duplicate_topic_name_of_the_same_kind_is_a_form_error(world):
    TopicFactory(organisation=world.org, name="Mentoring", kind="skill")
    client = world.client_for(world.admin)
    response = client.post("/people/setup/topics/new/", {"name": "mentoring", "kind": "skill"})
    assert "already a topic called" in " ".join(response.context["form"].errors["name"])
    # The same name as another kind is fine.
    assert (
        client.post(
            "/people/setup/topics/new/", {"name": "Mentoring", "kind": "interest"}
        ).status_code
        == 302
    )


def test_bad_kind_is_a_form_error(world):
    response = world.client_for(world.admin).post(
        "/people/setup/topics/new/", {"name": "X", "kind": "feelings"}
    )
    assert "kind" in response.context["form"].errors
