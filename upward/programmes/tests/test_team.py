"""notify_team reaches the programme's managers, or its organisation's admins when it has none,
never anyone taking part, and only once per key."""

import pytest

from upward.notifications.models import Notification
from upward.programmes.team import TEAM_KIND, notify_team, team_members
from upward.testing.pairs import accepted

pytestmark = pytest.mark.django_db

TEMPLATE = "notifications/email/notification.txt"


def _send(programme, key="k"):
    return notify_team(
        programme,
        subject="Someone is waiting",
        template=TEMPLATE,
        context={
            "body": "A participant is waiting for a partner.",
            "link": "",
            "preferences_link": "",
        },
        url="/somewhere/",
        dedupe_key=key,
    )


def test_managers_are_told_once(world):
    assert _send(world.programme) == [world.manager]
    assert _send(world.programme) == []
    notice = Notification.objects.get(recipient=world.manager)
    assert notice.kind == TEAM_KIND and notice.url == "/somewhere/"
    assert not Notification.objects.filter(recipient=world.other_manager).exists()


def test_without_managers_the_admins_are_told(world):
    world.programme.managers.clear()
    assert team_members(world.programme) == [world.admin]
    assert world.outsider_admin not in team_members(world.programme)


def test_a_manager_taking_part_is_not_told(world):
    world.programme.managers.add(world.other_manager)
    accepted(world.programme, world.manager, "mentee")
    assert team_members(world.programme) == [world.other_manager]


def test_a_manager_who_left_is_not_told(world):
    world.manager.is_active = False
    world.manager.save(update_fields=["is_active"])
    assert team_members(world.programme) == [world.admin]


def test_only_people_who_run_programmes_are_offered_team_alerts(world):
    page = "/notifications/preferences/"
    for person, offered in ((world.manager, True), (world.admin, True), (world.senior, False)):
        response = world.client_for(person).get(page)
        assert response.status_code == 200
        assert ("For programme teams" in response.content.decode()) is offered
