"""Sending: signatures a receiver can verify, retries on the Standard Webhooks schedule, giving
up, switching an endpoint off, and the address rules. Against a real local HTTP server."""

from __future__ import annotations

import datetime as dt
import http.client
import socket

import pytest
import time_machine
from django.utils import timezone
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

from upward.core.models import AuditEvent
from upward.core.testing.recorder import Recorder
from upward.notifications.models import Notification
from upward.notifications.scheduled import run_scheduled
from upward.webhooks import services
from upward.webhooks.models import Attempt, Delivery, Endpoint
from upward.webhooks.tests.helpers import endpoint_for

pytestmark = pytest.mark.django_db

SCHEDULE = (5, 300, 1800, 7200, 18000, 36000, 50400)


@pytest.fixture
def server():  # type: ignore[no-untyped-def]
    with Recorder() as recorder:
        yield recorder


def _test_event(endpoint: Endpoint, world, capture) -> Delivery:  # type: ignore[no-untyped-def]
    with capture(execute=True):
        delivery = services.send_test_event(endpoint, by=world.admin.user)
    delivery.refresh_from_db()
    return delivery


def test_a_test_event_is_signed_so_the_receiver_can_verify_it(
    world, server, django_capture_on_commit_callbacks
):
    endpoint = endpoint_for(world, server.url("/hook"))
    delivery = _test_event(endpoint, world, django_capture_on_commit_callbacks)

    assert delivery.status == "succeeded" and delivery.attempts == 1
    (received,) = server.requests
    assert received.method == "POST" and received.path == "/hook"
    assert received.header("webhook-id") == delivery.message_id
    assert received.header("content-type") == "application/json"
    body = Webhook(endpoint.secret).verify(received.body, received.headers)
    assert body["type"] == "webhook.test"
    assert body["data"] == {"endpoint_id": endpoint.pk, "organisation_id": world.org.pk}
    assert "timestamp" in body
    with pytest.raises(WebhookVerificationError, match="No matching signature"):
        Webhook(services.new_secret()).verify(received.body, received.headers)
    # A changed body does not verify either.
    with pytest.raises(WebhookVerificationError, match="No matching signature"):
        Webhook(endpoint.secret).verify(received.body + b" ", received.headers)


def test_the_secret_is_encrypted_at_rest_and_rolling_it_changes_the_signature(
    world, server, django_capture_on_commit_callbacks
):
    from django.db import connection

    endpoint = endpoint_for(world, server.url("/hook"))
    assert endpoint.secret.startswith("whsec_")
    with connection.cursor() as cursor:
        cursor.execute("SELECT secret FROM webhooks_endpoint WHERE id = %s", [endpoint.pk])
        (stored,) = cursor.fetchone()
    assert stored and endpoint.secret not in stored and endpoint.secret[6:] not in stored

    old = endpoint.secret
    endpoint = services.roll_secret(endpoint, by=world.admin.user)
    assert endpoint.secret != old
    _test_event(endpoint, world, django_capture_on_commit_callbacks)
    received = server.requests[-1]
    Webhook(endpoint.secret).verify(received.body, received.headers)
    with pytest.raises(WebhookVerificationError, match="No matching signature"):
        Webhook(old).verify(received.body, received.headers)
    assert AuditEvent.objects.filter(verb="webhook.secret_rolled").exists()


def test_a_500_is_retried_with_growing_delays_and_then_succeeds(
    world, server, settings, django_capture_on_commit_callbacks
):
    settings.WEBHOOK_RETRY_SCHEDULE = SCHEDULE
    endpoint = endpoint_for(world, server.url("/hook"))
    server.reply(500, "<b>database down</b>", times=3)
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        delivery = _test_event(endpoint, world, django_capture_on_commit_callbacks)
        assert delivery.status == "pending" and delivery.attempts == 1
        assert delivery.last_status_code == 500
        assert delivery.last_response == "<b>database down</b>"
        assert delivery.next_attempt_at == start + dt.timedelta(seconds=5)

        # Not due yet: the scheduler leaves it alone.
        clock.shift(4)
        assert services.send_due_deliveries() == {
            "due": 0,
            "succeeded": 0,
            "failed": 0,
            "retrying": 0,
        }
        waits = []
        for _ in range(3):
            delivery.refresh_from_db()
            waits.append((delivery.next_attempt_at - timezone.now()).total_seconds())
            clock.move_to(delivery.next_attempt_at)
            # The scheduler's job sends due retries (the immediate queue cannot hold a task).
            run_scheduled()
        delivery.refresh_from_db()

    assert delivery.status == "succeeded" and delivery.attempts == 4
    assert len(server.requests) == 4
    assert waits == [1, 300, 1800]  # 5 s after the first try, of which 4 had passed
    # Each attempt is signed afresh (a receiver refuses a timestamp older than five minutes),
    # under the same message id so the receiver can drop duplicates.
    ids = {r.header("webhook-id") for r in server.requests}
    assert ids == {delivery.message_id}
    assert len({r.header("webhook-timestamp") for r in server.requests}) == 4
    assert list(
        Attempt.objects.filter(delivery=delivery).values_list("status_code", flat=True)
    ) == [500, 500, 500, 200]


def test_a_timeout_counts_as_a_failure(world, settings, django_capture_on_commit_callbacks):
    settings.WEBHOOK_TIMEOUT_SECONDS = 0.5
    # A server that accepts the connection and never answers.
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)
    try:
        endpoint = endpoint_for(world, f"http://127.0.0.1:{silent.getsockname()[1]}/hook")
        delivery = _test_event(endpoint, world, django_capture_on_commit_callbacks)
    finally:
        silent.close()
    assert delivery.status == "pending" and delivery.attempts == 1
    assert delivery.last_status_code is None
    assert delivery.last_response == "No answer in time."


def test_after_the_last_retry_the_delivery_has_failed_and_can_be_sent_again(
    world, server, settings, django_capture_on_commit_callbacks
):
    settings.WEBHOOK_RETRY_SCHEDULE = (5, 60)
    endpoint = endpoint_for(world, server.url("/hook"))
    server.default.status = 503
    with time_machine.travel(timezone.now(), tick=False) as clock:
        delivery = _test_event(endpoint, world, django_capture_on_commit_callbacks)
        for _ in range(2):
            delivery.refresh_from_db()
            clock.move_to(delivery.next_attempt_at)
            services.send_due_deliveries()
        delivery.refresh_from_db()
        assert delivery.status == "failed" and delivery.attempts == 3
        assert delivery.next_attempt_at is None
        clock.shift(dt.timedelta(days=3))
        services.send_due_deliveries()
    assert len(server.requests) == 3  # the cap holds

    server.default.status = 200
    with django_capture_on_commit_callbacks(execute=True):
        services.redeliver(delivery, by=world.admin.user)
    delivery.refresh_from_db()
    assert delivery.status == "succeeded"
    assert len(server.requests) == 4
    assert delivery.attempt_log.count() == 4


def test_an_endpoint_that_keeps_failing_is_switched_off_and_its_admins_told(
    world, server, settings, django_capture_on_commit_callbacks
):
    settings.WEBHOOK_RETRY_SCHEDULE = ()
    settings.WEBHOOK_DISABLE_AFTER_FAILURES = 3
    endpoint = endpoint_for(world, server.url("/hook"))
    server.default.status = 500
    for _ in range(2):
        _test_event(endpoint, world, django_capture_on_commit_callbacks)
    endpoint.refresh_from_db()
    assert endpoint.enabled and endpoint.consecutive_failures == 2

    _test_event(endpoint, world, django_capture_on_commit_callbacks)
    endpoint.refresh_from_db()
    assert not endpoint.enabled
    assert "3 deliveries in a row" in endpoint.disabled_reason
    assert Notification.objects.filter(recipient=world.admin, kind="webhook_disabled").exists()
    assert not Notification.objects.filter(recipient=world.outsider_admin).exists()
    assert AuditEvent.objects.filter(verb="webhook.endpoint_disabled").exists()

    # Nothing more is queued for it, and a test cannot be sent until it is switched on again.
    assert services.queue_event(world.org.pk, "person.left", {"person_id": 1}) == []
    with pytest.raises(services.DomainError, match="Switch the endpoint on"):
        services.send_test_event(endpoint, by=world.admin.user)
    endpoint = services.update_endpoint(
        endpoint,
        url=endpoint.url,
        description="",
        events=endpoint.events,
        enabled=True,
        by=world.admin.user,
    )
    assert endpoint.consecutive_failures == 0


def test_a_success_resets_the_count_of_failures(
    world, server, settings, django_capture_on_commit_callbacks
):
    settings.WEBHOOK_RETRY_SCHEDULE = ()
    settings.WEBHOOK_DISABLE_AFTER_FAILURES = 2
    endpoint = endpoint_for(world, server.url("/hook"))
    server.reply(500)
    _test_event(endpoint, world, django_capture_on_commit_callbacks)
    _test_event(endpoint, world, django_capture_on_commit_callbacks)
    server.reply(500)
    _test_event(endpoint, world, django_capture_on_commit_callbacks)
    endpoint.refresh_from_db()
    assert endpoint.enabled and endpoint.consecutive_failures == 1


def test_private_addresses_are_refused_when_not_allowed(world, settings):
    settings.OUTBOUND_ALLOW_PRIVATE = False
    for url in ("https://127.0.0.1/hook", "https://10.1.2.3/hook", "https://169.254.169.254/"):
        with pytest.raises(services.DomainError, match="private network"):
            endpoint_for(world, url)
    with pytest.raises(services.DomainError, match="https://"):
        endpoint_for(world, "http://example.com/hook")
    assert not Endpoint.objects.exists()


def test_the_address_is_checked_again_at_each_delivery(
    world, server, settings, django_capture_on_commit_callbacks
):
    endpoint = endpoint_for(world, server.url("/hook"))  # allowed while the tests allow it
    settings.OUTBOUND_ALLOW_PRIVATE = False
    delivery = _test_event(endpoint, world, django_capture_on_commit_callbacks)
    assert server.requests == []
    assert delivery.status == "pending"
    assert "https://" in delivery.last_response


def test_a_redirect_is_not_followed(world, server, django_capture_on_commit_callbacks):
    endpoint = endpoint_for(world, server.url("/hook"))
    server.reply(302, headers={"Location": server.url("/elsewhere")})
    delivery = _test_event(endpoint, world, django_capture_on_commit_callbacks)
    assert [r.path for r in server.requests] == ["/hook"]
    assert delivery.status == "pending" and delivery.last_status_code == 302


def test_an_unreachable_endpoint_does_not_break_the_event(
    world, django_capture_on_commit_callbacks
):
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()
    endpoint = endpoint_for(world, f"http://127.0.0.1:{port}/hook")
    delivery = _test_event(endpoint, world, django_capture_on_commit_callbacks)
    assert delivery.status == "pending" and delivery.last_status_code is None
    assert delivery.last_response


def test_two_runners_never_send_the_same_attempt(world, server, django_capture_on_commit_callbacks):
    endpoint = endpoint_for(world, server.url("/hook"))
    with django_capture_on_commit_callbacks(execute=False):
        delivery = services.send_test_event(endpoint, by=world.admin.user)
    assert services.deliver(delivery.pk) == "succeeded"
    assert services.deliver(delivery.pk) == "skipped"
    assert len(server.requests) == 1


def test_an_address_with_a_line_break_is_refused_when_saved(world):
    for url in ("https://1.1.1.1/hook\r\nX: 1", "https://1.1.1.1/a hook", "https://1.1.1.1:99999/"):
        with pytest.raises(services.DomainError, match=r"address|port|space|character"):
            endpoint_for(world, url)
    assert not Endpoint.objects.exists()


def test_a_stored_address_that_cannot_be_sent_to_is_a_failed_attempt(
    world, server, django_capture_on_commit_callbacks
):
    endpoint = endpoint_for(world, server.url("/hook"))
    Endpoint.objects.filter(pk=endpoint.pk).update(url=server.url("/a hook"))  # an old row
    endpoint.refresh_from_db()
    delivery = _test_event(endpoint, world, django_capture_on_commit_callbacks)
    assert delivery.status == "pending" and delivery.attempts == 1
    assert delivery.next_attempt_at is not None and "spaces" in delivery.last_response
    assert server.requests == []


def test_any_error_while_sending_is_a_failed_attempt_then_a_final_failure(
    world, server, monkeypatch, django_capture_on_commit_callbacks
):
    def broken(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise http.client.InvalidURL("URL can't contain control characters")

    monkeypatch.setattr(services._OPENER, "open", broken)
    endpoint = endpoint_for(world, server.url("/hook"))
    delivery = _test_event(endpoint, world, django_capture_on_commit_callbacks)
    assert delivery.status == "pending" and delivery.attempts == 1
    assert "InvalidURL" in delivery.last_response
    for _ in SCHEDULE:
        Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
        services.deliver(delivery.pk)
    delivery.refresh_from_db()
    assert delivery.status == "failed" and delivery.attempts == len(SCHEDULE) + 1
    endpoint.refresh_from_db()
    assert endpoint.consecutive_failures == 1
