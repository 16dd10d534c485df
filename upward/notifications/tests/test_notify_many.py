"""notify_many: the batch form of notify() for bulk decisions."""

from __future__ import annotations

from django.core import mail

from upward.notifications import services
from upward.notifications.models import Delivery, Notification, NotificationPreference

TEMPLATE = "journey/email/booking_reminder.txt"


def notice(person, key="bulk-1"):  # type: ignore[no-untyped-def]
    return services.BulkNotice(
        person=person,
        subject="Time to book",
        template=TEMPLATE,
        context={"person": person, "partner": person, "link": "https://x.test/b/1"},
        url="/pairings/1/book/",
        dedupe_key=key,
    )


def test_notify_many_respects_dedupe_and_preferences(world, django_capture_on_commit_callbacks):
    NotificationPreference.objects.create(
        person=world.applicant, kind="meeting_reminder", delivery=Delivery.IN_APP
    )
    services.notify(
        world.manager,
        kind="meeting_reminder",
        subject="Earlier",
        template=TEMPLATE,
        context={"person": world.manager, "partner": world.manager, "link": ""},
        dedupe_key="bulk-1",
    )
    with django_capture_on_commit_callbacks(execute=True):
        made = services.notify_many(
            [notice(world.senior), notice(world.applicant), notice(world.manager)],
            kind="meeting_reminder",
        )
    # The manager already had this key: skipped. The applicant chose in-app only: no email.
    assert {n.recipient_id for n in made} == {world.senior.pk, world.applicant.pk}
    assert Notification.objects.get(recipient=world.applicant).delivery == Delivery.IN_APP
    assert [m.to for m in mail.outbox] == [["sam@northwind.test"]]
    assert Notification.objects.get(recipient=world.senior).emailed_at is not None
    # Calling again does nothing.
    assert services.notify_many([notice(world.senior)], kind="meeting_reminder") == []
    assert Notification.objects.filter(recipient=world.senior).count() == 1
