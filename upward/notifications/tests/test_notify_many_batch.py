"""notify_many(): the same rules as notify(), for many people in a fixed number of queries."""

from __future__ import annotations

from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from upward.notifications import services
from upward.notifications.models import Delivery, Notification, NotificationPreference
from upward.testing.factories import person_with_account

TEMPLATE = "journey/email/booking_reminder.txt"


def _notices(people, key="batch"):
    return [
        services.BulkNotice(
            person=p,
            subject="Time to book",
            template=TEMPLATE,
            context={"person": p, "partner": p, "link": "https://x.test/b/1"},
            url="/pairings/1/book/",
            dedupe_key=f"{key}:{p.pk}",
        )
        for p in people
    ]


def test_notify_many_records_each_and_emails_after_commit(
    world, django_capture_on_commit_callbacks
):
    people = [world.senior, world.applicant]
    with django_capture_on_commit_callbacks(execute=True):
        made = services.notify_many(_notices(people), kind="meeting_reminder")
        assert mail.outbox == []  # nothing leaves before the commit
    assert {n.recipient_id for n in made} == {world.senior.pk, world.applicant.pk}
    assert sorted(m.to[0] for m in mail.outbox) == ["jess@northwind.test", "sam@northwind.test"]
    assert all(n.emailed_at for n in Notification.objects.filter(pk__in=[n.pk for n in made]))


def test_notify_many_skips_keys_already_used_and_repeats_in_the_batch(
    world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.notify_many(_notices([world.senior]), kind="meeting_reminder")
        again = services.notify_many(
            _notices([world.senior, world.applicant, world.applicant]), kind="meeting_reminder"
        )
    assert [n.recipient_id for n in again] == [world.applicant.pk]
    assert Notification.objects.filter(recipient=world.senior).count() == 1
    assert len(mail.outbox) == 2


def test_notify_many_follows_each_persons_delivery_choice(
    world, django_capture_on_commit_callbacks
):
    NotificationPreference.objects.create(
        person=world.applicant, kind="meeting_reminder", delivery=Delivery.IN_APP
    )
    world.other_applicant.is_active = False
    world.other_applicant.save(update_fields=["is_active"])
    with django_capture_on_commit_callbacks(execute=True):
        made = services.notify_many(
            _notices([world.senior, world.applicant, world.other_applicant]),
            kind="meeting_reminder",
        )
    deliveries = {n.recipient_id: n.delivery for n in made}
    assert deliveries[world.applicant.pk] == Delivery.IN_APP
    assert [m.to for m in mail.outbox] == [["sam@northwind.test"]]  # not in-app, not a leaver


def test_notify_many_costs_the_same_for_3_and_30_people(world, django_capture_on_commit_callbacks):
    counts = []
    for size in (3, 30):
        people = [person_with_account(organisation=world.org) for _ in range(size)]
        with CaptureQueriesContext(connection) as queries:
            with django_capture_on_commit_callbacks(execute=False):
                made = services.notify_many(_notices(people, key=f"s{size}"), kind="pairing")
        assert len(made) == size
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
