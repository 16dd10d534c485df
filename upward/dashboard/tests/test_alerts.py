"""The daily alert to a programme's team: one neutral summary of what is new, once a day."""

from __future__ import annotations

import datetime as dt

from upward.dashboard.alerts import send_team_alerts
from upward.dashboard.models import TeamAlert
from upward.dashboard.tests.conftest import meeting, waiting_mentor
from upward.journey.models import MeetingStatus
from upward.notifications import services as notification_services
from upward.notifications.models import Delivery, Notification, OutboundEmail
from upward.notifications.scheduled import registered_jobs
from upward.programmes.team import TEAM_KIND
from upward.testing.pairs import accepted

DAY = dt.timedelta(days=1)


def _alerts(person):  # type: ignore[no-untyped-def]
    return list(Notification.objects.filter(recipient=person, kind=TEAM_KIND).order_by("pk"))


def test_the_job_is_registered() -> None:
    assert "dashboard.send_team_alerts" in [job.name for job in registered_jobs()]


def test_nothing_new_sends_nothing(pairs, clock) -> None:  # type: ignore[no-untyped-def]
    result = send_team_alerts()
    assert result.alerts == 0 and result.programmes == 1
    assert _alerts(pairs.world.manager) == []
    # The day's check is still recorded, so tomorrow compares with it.
    assert TeamAlert.objects.get(programme=pairs.world.programme).flagged == []


def test_a_new_flag_is_told_once_and_not_again_the_next_day(pairs, clock) -> None:  # type: ignore[no-untyped-def]
    world = pairs.world
    send_team_alerts()
    # Six weeks without a meeting for the first pair; the other pair meets again.
    clock.shift(dt.timedelta(days=41))
    meeting(pairs.other, days_ago=2)
    result = send_team_alerts()
    assert result.alerts == 1 and result.people_told == 1
    [alert] = _alerts(world.manager)
    assert "1 pair newly needs attention" in alert.subject
    assert alert.url == "/today/"
    assert world.client_for(world.manager).get(alert.url).status_code == 200
    # Neutral: no names of the pair, no reason.
    assert pairs.mentor.full_name not in alert.body
    assert "meeting" not in alert.body.lower()
    # Other programmes' managers and the participants hear nothing.
    for person in (world.other_manager, pairs.mentor, pairs.mentee, world.admin):
        assert _alerts(person) == []

    # The same day again, and the next day with the pair still flagged: nothing more.
    assert send_team_alerts().alerts == 0
    clock.shift(DAY)
    assert send_team_alerts().alerts == 0
    assert len(_alerts(world.manager)) == 1


def test_a_flag_that_cleared_and_came_back_is_new_again(pairs, clock) -> None:  # type: ignore[no-untyped-def]
    clock.shift(dt.timedelta(days=41))
    meeting(pairs.other, days_ago=2)
    send_team_alerts()
    clock.shift(DAY)
    meeting(pairs.pairing, days_ago=0.5)
    send_team_alerts()  # cleared: nothing to say
    clock.shift(dt.timedelta(days=31))
    meeting(pairs.other, days_ago=2)
    meeting(pairs.other, days_ago=1, status=MeetingStatus.MISSED)
    assert send_team_alerts().alerts == 1
    assert len(_alerts(pairs.world.manager)) == 2


def test_people_who_started_waiting(pairs, clock) -> None:  # type: ignore[no-untyped-def]
    world = pairs.world
    send_team_alerts()
    clock.shift(DAY)
    waiting_mentor(world.programme)
    waiting_mentor(world.programme, name="Yan Yet")
    assert send_team_alerts().alerts == 1
    [alert] = _alerts(world.manager)
    assert "2 people started waiting for a partner" in alert.subject
    clock.shift(DAY)
    assert send_team_alerts().alerts == 0


def test_immediately_means_an_email(pairs, clock) -> None:  # type: ignore[no-untyped-def]
    clock.shift(dt.timedelta(days=41))
    send_team_alerts()
    [alert] = _alerts(pairs.world.manager)
    assert alert.delivery == Delivery.IMMEDIATELY
    assert OutboundEmail.objects.filter(to=[pairs.world.manager.email]).count() == 1


def test_the_digest_preference_is_respected(pairs, clock) -> None:  # type: ignore[no-untyped-def]
    manager = pairs.world.manager
    notification_services.set_preferences(
        manager, choices={TEAM_KIND: Delivery.DIGEST}, by=manager.user
    )
    clock.shift(dt.timedelta(days=41))
    send_team_alerts()
    [alert] = _alerts(manager)
    assert alert.delivery == Delivery.DIGEST
    assert not OutboundEmail.objects.filter(to=[manager.email]).exists()


def test_a_manager_taking_part_is_not_told(pairs, clock) -> None:  # type: ignore[no-untyped-def]
    world = pairs.world
    world.programme.managers.add(world.other_manager)
    accepted(world.programme, world.manager, "mentee")
    clock.shift(dt.timedelta(days=41))
    send_team_alerts()
    assert _alerts(world.manager) == []
    assert len(_alerts(world.other_manager)) == 1


def test_dry_run_writes_nothing(pairs, clock) -> None:  # type: ignore[no-untyped-def]
    clock.shift(dt.timedelta(days=41))
    result = send_team_alerts(dry_run=True)
    assert result.alerts == 1 and result.people_told == 0
    assert not TeamAlert.objects.exists()
    assert _alerts(pairs.world.manager) == []


def test_programmes_not_under_way_are_left_alone(pairs, clock) -> None:  # type: ignore[no-untyped-def]
    pairs.world.programme.state = "completed"
    pairs.world.programme.save(update_fields=["state"])
    clock.shift(dt.timedelta(days=41))
    assert send_team_alerts().programmes == 0
