"""Goals and tasks: reciprocal, SMART, private to the pair."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse
from pytest_django.asserts import assertContains

from upward.core.errors import Conflict, DomainError
from upward.core.models import AuditEvent
from upward.goals import services
from upward.goals.models import Goal, GoalStatus, Task

SOON = dt.date.today() + dt.timedelta(days=30)


def goal_for(pairs, owner=None, **fields):  # type: ignore[no-untyped-def]
    defaults: dict[str, Any] = {
        "statement": "Run a team meeting on an online whiteboard",
        "measure": "Two meetings run without help",
        "target_date": SOON,
    }
    defaults.update(fields)
    owner = owner or pairs.mentee
    return services.create_goal(pairs.pairing, owner=owner, person=owner, **defaults)


def test_both_people_set_goals_in_priority_order(pairs):
    first = goal_for(pairs)
    second = goal_for(pairs, statement="Use an AI assistant to draft a board paper")
    mentor_goal = goal_for(pairs, owner=pairs.mentor, statement="Present to the executive team")
    assert (first.position, second.position, mentor_goal.position) == (1, 2, 1)
    services.move_goal(second, direction="up", person=pairs.mentor)
    order = list(
        Goal.objects.filter(owner=pairs.mentee).order_by("position").values_list("pk", flat=True)
    )
    assert order == [second.pk, first.pk]
    # Moving the top goal further up changes nothing.
    services.move_goal(second, direction="up", person=pairs.mentee)
    first.refresh_from_db()
    assert first.position == 2


def test_a_goal_without_a_measurable_criterion_is_refused(pairs):
    with pytest.raises(DomainError, match="measurable") as exc:
        goal_for(pairs, measure="   ")
    assert exc.value.field == "measure"
    client = pairs.world.client_for(pairs.mentee)
    response = client.post(
        reverse("goals:new_goal", args=[pairs.pairing.pk]),
        {
            "owner": pairs.mentee.pk,
            "statement": "Be better at tech",
            "measure": "",
            "target_date": SOON.isoformat(),
            "term": "short",
        },
    )
    assert response.status_code == 200
    assert "A goal needs a measurable criterion" in response.content.decode()
    assert not Goal.objects.exists()


def test_a_target_date_in_the_past_is_refused(pairs):
    with pytest.raises(DomainError, match="past"):
        goal_for(pairs, target_date=dt.date.today() - dt.timedelta(days=1))
    response = pairs.world.client_for(pairs.mentee).post(
        reverse("goals:new_goal", args=[pairs.pairing.pk]),
        {
            "owner": pairs.mentee.pk,
            "statement": "x",
            "measure": "y",
            "target_date": "2001-01-01",
            "term": "short",
        },
    )
    assert "cannot be in the past" in response.content.decode()
    # Nonsense dates are a form error, not a 500.
    response = pairs.world.client_for(pairs.mentee).post(
        reverse("goals:new_goal", args=[pairs.pairing.pk]),
        {
            "owner": pairs.mentee.pk,
            "statement": "x",
            "measure": "y",
            "target_date": "31/02/2027",
            "term": "short",
        },
    )
    assert response.status_code == 200 and not Goal.objects.exists()


def test_a_goal_cannot_belong_to_someone_outside_the_pair(pairs):
    with pytest.raises(DomainError, match="Choose one of the two people in this pairing"):
        services.create_goal(
            pairs.pairing,
            owner=pairs.other_mentee,
            statement="x",
            measure="y",
            target_date=SOON,
            person=pairs.mentee,
        )
    response = pairs.world.client_for(pairs.mentee).post(
        reverse("goals:new_goal", args=[pairs.pairing.pk]),
        {
            "owner": pairs.other_mentee.pk,
            "statement": "x",
            "measure": "y",
            "target_date": SOON.isoformat(),
            "term": "short",
        },
    )
    assert response.status_code == 200 and not Goal.objects.exists()


@pytest.mark.parametrize("progress", [-1, 101, 150, "lots"])
def test_progress_outside_0_to_100_is_refused(pairs, progress):
    goal = goal_for(pairs)
    with pytest.raises(DomainError, match="0 to 100"):
        services.update_goal(
            goal,
            statement=goal.statement,
            measure=goal.measure,
            target_date=goal.target_date,
            term="short",
            why="",
            status=GoalStatus.IN_PROGRESS,
            progress=progress,
            person=pairs.mentee,
        )
    response = pairs.world.client_for(pairs.mentee).post(
        reverse("goals:edit_goal", args=[pairs.pairing.pk, goal.pk]),
        {
            "statement": goal.statement,
            "measure": goal.measure,
            "target_date": SOON.isoformat(),
            "term": "short",
            "status": "in_progress",
            "progress": str(progress),
        },
    )
    assert response.status_code == 200
    goal.refresh_from_db()
    assert goal.progress == 0


def test_the_edit_page_keeps_the_target_date_in_its_date_picker(pairs):
    # A date input shows an empty box for anything but yyyy-mm-dd; a British 06/03/2027 there
    # meant that saving the form unchanged erased the goal's date.
    goal = goal_for(pairs)
    assert goal.target_date is not None
    url = reverse("goals:edit_goal", args=[pairs.pairing.pk, goal.pk])
    response = pairs.world.client_for(pairs.mentee).get(url)
    assert response.status_code == 200
    assert f'value="{goal.target_date.isoformat()}"' in response.content.decode()


def test_updating_progress_and_achieving(pairs):
    goal = goal_for(pairs)
    client = pairs.world.client_for(pairs.mentor)  # the partner may update it too
    url = reverse("goals:edit_goal", args=[pairs.pairing.pk, goal.pk])
    data = {
        "statement": goal.statement,
        "measure": goal.measure,
        "target_date": SOON.isoformat(),
        "term": "long",
        "status": "in_progress",
        "progress": "40",
    }
    assert client.post(url, data).status_code == 302
    goal.refresh_from_db()
    assert (goal.progress, goal.status, goal.term) == (40, "in_progress", "long")
    data.update(status="achieved", progress="60")
    client.post(url, data)
    goal.refresh_from_db()
    assert (goal.status, goal.progress) == ("achieved", 100)


def test_a_goal_whose_date_has_passed_can_still_be_updated(pairs, time_machine):
    goal = goal_for(pairs)
    time_machine.move_to(SOON + dt.timedelta(days=10))
    services.update_goal(
        goal,
        statement=goal.statement,
        measure=goal.measure,
        target_date=goal.target_date,
        term="short",
        why="",
        status="in_progress",
        progress=50,
        person=pairs.mentee,
    )
    goal.refresh_from_db()
    assert goal.progress == 50


def test_tasks_have_an_owner_from_the_pair_and_a_due_date(pairs):
    goal = goal_for(pairs)
    task = services.add_task(
        goal, title="Book a slot", due_on=SOON, owner=pairs.mentor, person=pairs.mentee
    )
    assert task.owner == pairs.mentor
    with pytest.raises(DomainError, match="one of the two people"):
        services.add_task(goal, title="x", due_on=SOON, owner=pairs.other_mentee, person=pairs.mentee)
    with pytest.raises(DomainError, match="past"):
        services.add_task(
            goal, title="x", due_on=dt.date(2000, 1, 1), owner=pairs.mentee, person=pairs.mentee
        )
    response = pairs.world.client_for(pairs.mentee).post(
        reverse("goals:new_task", args=[pairs.pairing.pk, goal.pk]),
        {"title": "Sneaky", "owner": pairs.world.manager.pk, "due_on": SOON.isoformat()},
    )
    # Titles are encrypted, so compared in Python rather than filtered in the database.
    assert response.status_code == 200
    assert "Sneaky" not in [task.title for task in Task.objects.all()]


def test_marking_a_task_done_and_reopening(pairs):
    goal = goal_for(pairs)
    task = services.add_task(
        goal, title="Book a slot", due_on=SOON, owner=pairs.mentor, person=pairs.mentee
    )
    client = pairs.world.client_for(pairs.mentor)
    url = reverse("goals:toggle_task", args=[pairs.pairing.pk, task.pk])
    client.post(url, {"done": "1"})
    task.refresh_from_db()
    assert task.is_done
    client.post(url, {"done": "0"})
    task.refresh_from_db()
    assert not task.is_done


def test_completing_a_task_twice_changes_nothing_and_says_so(pairs):
    goal = goal_for(pairs)
    task = services.add_task(
        goal, title="Book a slot", due_on=SOON, owner=pairs.mentor, person=pairs.mentee
    )
    services.set_task_done(task, done=True, person=pairs.mentor)
    first_done_at = Task.objects.get(pk=task.pk).done_at
    events = AuditEvent.objects.filter(verb="goals.task_done").count()
    with pytest.raises(Conflict, match="already done"):
        services.set_task_done(Task.objects.get(pk=task.pk), done=True, person=pairs.mentee)
    assert Task.objects.get(pk=task.pk).done_at == first_done_at
    assert AuditEvent.objects.filter(verb="goals.task_done").count() == events
    # Over HTTP (say, a second tab): the page says so, and nothing changes.
    client = pairs.world.client_for(pairs.mentee)
    url = reverse("goals:toggle_task", args=[pairs.pairing.pk, task.pk])
    response = client.post(url, {"done": "1"}, follow=True)
    assertContains(response, "This task is already done", status_code=200)
    assert Task.objects.get(pk=task.pk).done_at == first_done_at
    # Reopening an open task is the same.
    services.set_task_done(Task.objects.get(pk=task.pk), done=False, person=pairs.mentor)
    response = client.post(url, {"done": "0"}, follow=True)
    assertContains(response, "This task is already open", status_code=200)


def test_deleting_a_goal_asks_first(pairs):
    goal = goal_for(pairs)
    client = pairs.world.client_for(pairs.mentee)
    url = reverse("goals:delete_goal", args=[pairs.pairing.pk, goal.pk])
    assert "This cannot be undone" in client.get(url).content.decode()
    assert Goal.objects.exists()
    client.post(url)
    assert not Goal.objects.exists()


def test_goal_pages_answer_404_outside_the_pair(pairs):
    w = pairs.world
    goal = goal_for(pairs)
    task = services.add_task(goal, title="t", due_on=SOON, owner=pairs.mentor, person=pairs.mentee)
    urls = [
        reverse("goals:goals", args=[pairs.pairing.pk]),
        reverse("goals:new_goal", args=[pairs.pairing.pk]),
        reverse("goals:edit_goal", args=[pairs.pairing.pk, goal.pk]),
        reverse("goals:delete_goal", args=[pairs.pairing.pk, goal.pk]),
        reverse("goals:new_task", args=[pairs.pairing.pk, goal.pk]),
        reverse("goals:delete_task", args=[pairs.pairing.pk, task.pk]),
        reverse("goals:skills", args=[pairs.pairing.pk]),
        reverse("goals:rate", args=[pairs.pairing.pk, "baseline", "me"]),
        reverse("goals:workbook", args=[pairs.pairing.pk]),
        reverse("goals:edit_goal", args=[pairs.other.pk, goal.pk]),
    ]
    for person in (
        w.other_applicant,
        pairs.other_mentee,
        w.manager,
        w.admin,
        w.other_manager,
        w.outsider_admin,
    ):
        client = w.client_for(person)
        for url in urls:
            assert client.get(url).status_code == 404, (person, url)
        assert (
            client.post(
                reverse("goals:move_goal", args=[pairs.pairing.pk, goal.pk]), {"direction": "up"}
            ).status_code
            == 404
        )
        assert (
            client.post(
                reverse("goals:toggle_task", args=[pairs.pairing.pk, task.pk]), {"done": "1"}
            ).status_code
            == 404
        )
    for url in urls:
        assert w.client_for(None).get(url).status_code == 302
    task.refresh_from_db()
    assert not task.is_done


def test_goals_page_query_count_is_flat(pairs, django_assert_max_num_queries):
    for i in range(8):
        goal = goal_for(pairs, owner=pairs.mentee if i % 2 else pairs.mentor, statement=f"Goal {i}")
        for j in range(3):
            services.add_task(
                goal, title=f"Task {j}", due_on=SOON, owner=pairs.mentor, person=pairs.mentor
            )
    client = pairs.world.client_for(pairs.mentee)
    with django_assert_max_num_queries(10):
        response = client.get(reverse("goals:goals", args=[pairs.pairing.pk]))
    assert response.status_code == 200 and "Goal 7" in response.content.decode()


def test_manager_overview_is_for_the_programme_team_only(pairs, django_assert_max_num_queries):
    w = pairs.world
    goal_for(pairs)
    url = reverse("goals:overview", args=[w.programme.pk])
    manager = w.client_for(w.manager)
    with django_assert_max_num_queries(12):
        assert manager.get(url).status_code == 200
    assert w.client_for(w.admin).get(url).status_code == 200
    for person in (w.other_manager, w.outsider_admin, pairs.mentor, pairs.mentee):
        assert w.client_for(person).get(url).status_code == 404
    assert w.client_for(None).get(url).status_code == 302


def test_goals_panel_tag(pairs):
    from django.template import Context, Template

    goal_for(pairs, statement="Lead a hybrid meeting well")
    tpl = Template("{% load goals_tags %}{% pairing_goals_panel pairing person %}")
    assert "Lead a hybrid meeting well" in tpl.render(
        Context({"pairing": pairs.pairing, "person": pairs.mentee})
    )
    assert (
        tpl.render(Context({"pairing": pairs.pairing, "person": pairs.world.admin})).strip() == ""
    )
