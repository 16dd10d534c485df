"""Writes for webhooks: endpoints (made, changed, removed, secret rolled), deliveries queued after
an event commits, and each attempt to send one (signed, retried with back-off, given up after
the schedule, the endpoint switched off after repeated give-ups).

Sending is never part of the request that made the event: deliveries are written after the
commit and sent by the task queue (or, for retries, also by the scheduler's due-work job, so a
backend without delayed tasks still retries).
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import logging
import secrets
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from standardwebhooks import Webhook

from upward.core.audit import record
from upward.core.errors import DomainError
from upward.core.links import absolute_url
from upward.core.outbound import check_outbound_url
from upward.core.types import Actor
from upward.notifications.services import notify
from upward.organisations.models import Organisation, Person
from upward.webhooks.models import (
    TEST_EVENT,
    Attempt,
    Delivery,
    DeliveryStatus,
    Endpoint,
    EventType,
)

logger = logging.getLogger(__name__)

# Seconds to wait after each failed attempt (the Standard Webhooks schedule): the first try,
# then seven retries over about a day and a half, then the delivery has failed.
DEFAULT_RETRY_SCHEDULE = (5, 5 * 60, 30 * 60, 2 * 3600, 5 * 3600, 10 * 3600, 14 * 3600)
# While one runner sends a delivery, others leave it alone for this long.
CLAIM_SECONDS = 120
EXCERPT_CHARS = 300


def retry_schedule() -> tuple[int, ...]:
    return tuple(getattr(settings, "WEBHOOK_RETRY_SCHEDULE", DEFAULT_RETRY_SCHEDULE))


def new_secret() -> str:
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


def _clean_events(events: Iterable[str]) -> list[str]:
    chosen = [e for e in EventType.values if e in set(events)]
    if not chosen:
        raise DomainError(_("Choose at least one event to send."), field="events")
    return chosen


def _clean_url(url: str) -> str:
    try:
        return check_outbound_url(url)
    except ValidationError as exc:
        raise DomainError(" ".join(exc.messages), field="url") from exc


def _admin_of(organisation: Organisation, by: Actor) -> None:
    person = getattr(by, "person", None) if getattr(by, "is_authenticated", False) else None
    if person is None or not person.is_org_admin or person.organisation_id != organisation.pk:
        raise DomainError(_("Only an admin of this organisation can manage its webhooks."))


# ---------------------------------------------------------------------------------------------
# Endpoints


@transaction.atomic
def create_endpoint(
    organisation: Organisation, *, url: str, description: str, events: Iterable[str], by: Actor
) -> Endpoint:
    _admin_of(organisation, by)
    endpoint = Endpoint.objects.create(
        organisation=organisation,
        url=_clean_url(url),
        description=description.strip(),
        events=_clean_events(events),
        secret=new_secret(),
        created_by=by,
    )
    record(
        "webhook.endpoint_created",
        endpoint,
        by=by,
        data={"url": endpoint.url, "events": endpoint.events},
    )
    return endpoint


@transaction.atomic
def update_endpoint(
    endpoint: Endpoint,
    *,
    url: str,
    description: str,
    events: Iterable[str],
    enabled: bool,
    by: Actor,
) -> Endpoint:
    _admin_of(endpoint.organisation, by)
    endpoint = Endpoint.objects.select_for_update().get(pk=endpoint.pk)
    before = {"url": endpoint.url, "events": endpoint.events, "enabled": endpoint.enabled}
    endpoint.url = _clean_url(url)
    endpoint.description = description.strip()
    endpoint.events = _clean_events(events)
    if enabled and not endpoint.enabled:
        # Switched back on by hand: start counting failures afresh.
        endpoint.consecutive_failures = 0
        endpoint.disabled_reason = ""
    endpoint.enabled = enabled
    endpoint.save()
    after = {"url": endpoint.url, "events": endpoint.events, "enabled": endpoint.enabled}
    changed = sorted(k for k in after if after[k] != before[k])
    if changed:
        record("webhook.endpoint_changed", endpoint, by=by, data={"fields": changed})
    return endpoint


@transaction.atomic
def delete_endpoint(endpoint: Endpoint, *, by: Actor) -> None:
    _admin_of(endpoint.organisation, by)
    record("webhook.endpoint_deleted", endpoint, by=by, data={"url": endpoint.url})
    endpoint.delete()


@transaction.atomic
def roll_secret(endpoint: Endpoint, *, by: Actor) -> Endpoint:
    """A new secret at once; the old one stops working for every message signed from now."""
    _admin_of(endpoint.organisation, by)
    endpoint = Endpoint.objects.select_for_update().get(pk=endpoint.pk)
    endpoint.secret = new_secret()
    endpoint.save(update_fields=["secret", "updated_at"])
    record("webhook.secret_rolled", endpoint, by=by)
    return endpoint


def record_secret_viewed(endpoint: Endpoint, *, by: Actor) -> None:
    record("webhook.secret_viewed", endpoint, by=by)


# ---------------------------------------------------------------------------------------------
# Queueing


def event_payload(event_type: str, data: dict[str, Any]) -> dict[str, Any]:
    return {"type": event_type, "timestamp": timezone.now().isoformat(), "data": data}


def queue_event(organisation_id: int, event_type: str, data: dict[str, Any]) -> list[Delivery]:
    """One delivery per enabled endpoint of the organisation that asked for this event, sent by
    the task queue. Called after the event's transaction has committed."""
    return _queue(endpoints_for(organisation_id, event_type), event_type, data)


def endpoints_for(organisation_id: int, event_type: str) -> list[Endpoint]:
    return [
        e
        for e in Endpoint.objects.filter(organisation_id=organisation_id, enabled=True)
        if event_type in e.events
    ]


def queue_to(endpoints: list[Endpoint], event_type: str, data: dict[str, Any]) -> list[Delivery]:
    """queue_event for endpoints already looked up (many events of one kind at once)."""
    return _queue(endpoints, event_type, data)


def _queue(endpoints: list[Endpoint], event_type: str, data: dict[str, Any]) -> list[Delivery]:
    if not endpoints:
        return []
    payload = event_payload(event_type, data)
    now = timezone.now()
    deliveries = Delivery.objects.bulk_create(
        [
            Delivery(
                endpoint=endpoint,
                event_type=event_type,
                message_id=f"msg_{uuid.uuid4().hex}",
                payload=payload,
                next_attempt_at=now,
            )
            for endpoint in endpoints
        ]
    )
    ids = [d.pk for d in deliveries if d.pk] or list(
        Delivery.objects.filter(message_id__in=[d.message_id for d in deliveries]).values_list(
            "pk", flat=True
        )
    )
    transaction.on_commit(lambda: _enqueue_all(ids))
    return deliveries


def _enqueue_all(ids: list[int]) -> None:
    for pk in ids:
        _enqueue(pk, None)


def _enqueue(delivery_id: int, run_after: dt.datetime | None) -> None:
    """Hand a delivery to the task queue. A queue that cannot take it (down, or no delayed
    tasks) is not an error: the scheduler's due-work job sends whatever is due."""
    from upward.webhooks.tasks import deliver_task

    try:
        task = deliver_task
        if run_after is not None:
            if not task.get_backend().supports_defer:
                return
            task = task.using(run_after=run_after)
        task.enqueue(delivery_id)
    except Exception:
        logger.exception(
            "Could not queue webhook delivery %s; the scheduler will send it.", delivery_id
        )


def send_test_event(endpoint: Endpoint, *, by: Actor) -> Delivery:
    _admin_of(endpoint.organisation, by)
    if not endpoint.enabled:
        raise DomainError(_("Switch the endpoint on before sending it a test event."))
    with transaction.atomic():
        (delivery,) = _queue(
            [endpoint],
            TEST_EVENT,
            {"endpoint_id": endpoint.pk, "organisation_id": endpoint.organisation_id},
        )
        record("webhook.test_sent", endpoint, by=by, data={"delivery": delivery.pk})
    return delivery


@transaction.atomic
def redeliver(delivery: Delivery, *, by: Actor) -> Delivery:
    """Send a delivery again by hand, with a full new round of retries."""
    _admin_of(delivery.endpoint.organisation, by)
    if not delivery.endpoint.enabled:
        raise DomainError(_("Switch the endpoint on before sending again."))
    won = (
        Delivery.objects.filter(pk=delivery.pk)
        .exclude(status=DeliveryStatus.PENDING)
        .update(
            status=DeliveryStatus.PENDING,
            attempts=0,
            next_attempt_at=timezone.now(),
            updated_at=timezone.now(),
        )
    )
    if not won:
        raise DomainError(_("This delivery is already waiting to be sent."))
    record("webhook.redelivered", delivery.endpoint, by=by, data={"delivery": delivery.pk})
    pk = delivery.pk
    transaction.on_commit(lambda: _enqueue(pk, None))
    delivery.refresh_from_db()
    return delivery


# ---------------------------------------------------------------------------------------------
# Sending


@dataclass(frozen=True)
class Outcome:
    succeeded: bool
    status_code: int | None
    excerpt: str
    duration_ms: int


def sign_headers(secret: str, message_id: str, body: bytes, at: dt.datetime) -> dict[str, str]:
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": Webhook(secret).sign(message_id, at, body),
        "content-type": "application/json",
        "user-agent": "Upward-Webhooks/1",
    }


def _post(endpoint: Endpoint, delivery: Delivery) -> Outcome:
    started = time.monotonic()

    def took() -> int:
        return int((time.monotonic() - started) * 1000)

    try:
        # Checked again at each attempt: the name may point somewhere else since it was saved.
        url = check_outbound_url(endpoint.url)
    except ValidationError as exc:
        return Outcome(False, None, " ".join(exc.messages)[:EXCERPT_CHARS], took())
    body = json.dumps(delivery.payload, separators=(",", ":"), sort_keys=True).encode()
    headers = sign_headers(endpoint.secret, delivery.message_id, body, timezone.now())
    timeout = float(getattr(settings, "WEBHOOK_TIMEOUT_SECONDS", 10))
    try:
        # check_outbound_url allowed only http(s) addresses.
        request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310
        with _OPENER.open(request, timeout=timeout) as response:
            status, raw = response.status, response.read(EXCERPT_CHARS * 4)
    except urllib.error.HTTPError as exc:  # any answer outside 2xx, including redirects
        status, raw = exc.code, exc.read(EXCERPT_CHARS * 4) if exc.fp else b""
    except TimeoutError:
        return Outcome(False, None, _("No answer in time."), took())
    except Exception as exc:
        # Anything (InvalidURL, ValueError, a broken answer) is a failed attempt, so the retry
        # schedule, the final failure and the auto-disable apply: never stuck "pending".
        reason = getattr(exc, "reason", exc)
        if isinstance(reason, TimeoutError):
            return Outcome(False, None, _("No answer in time."), took())
        return Outcome(False, None, f"{type(reason).__name__}: {reason}"[:EXCERPT_CHARS], took())
    excerpt = raw.decode("utf-8", "replace")[:EXCERPT_CHARS]
    return Outcome(200 <= status < 300, status, excerpt, took())


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirect could lead anywhere, past the address check: it is an answer, not a hop."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


# No proxies from the environment either: the address checked is the address called.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirect())


def deliver(delivery_id: int) -> str:
    """Make the next attempt at one delivery if it is due, and record what happened. Returns
    the delivery's status afterwards ("skipped" when it was not due or someone else has it)."""
    now = timezone.now()
    # Claim it: only one runner (task or scheduler) wins the update.
    claimed = Delivery.objects.filter(
        pk=delivery_id, status=DeliveryStatus.PENDING, next_attempt_at__lte=now
    ).update(next_attempt_at=now + dt.timedelta(seconds=CLAIM_SECONDS))
    if not claimed:
        return "skipped"
    delivery = Delivery.objects.select_related("endpoint", "endpoint__organisation").get(
        pk=delivery_id
    )
    endpoint = delivery.endpoint
    if not endpoint.enabled:
        outcome = Outcome(False, None, _("The endpoint is switched off."), 0)
        final = True
    else:
        outcome = _post(endpoint, delivery)
        final = False
    return _record_attempt(delivery, outcome, force_final=final)


def _record_attempt(delivery: Delivery, outcome: Outcome, *, force_final: bool) -> str:
    now = timezone.now()
    schedule = retry_schedule()
    with transaction.atomic():
        delivery = Delivery.objects.select_for_update().get(pk=delivery.pk)
        endpoint = Endpoint.objects.select_for_update().get(pk=delivery.endpoint_id)
        delivery.attempts = F("attempts") + 1
        delivery.last_attempt_at = now
        delivery.last_status_code = outcome.status_code
        delivery.last_response = outcome.excerpt[:EXCERPT_CHARS]
        number = Attempt.objects.filter(delivery=delivery).count() + 1
        Attempt.objects.create(
            delivery=delivery,
            number=number,
            at=now,
            status_code=outcome.status_code,
            response=outcome.excerpt[:EXCERPT_CHARS],
            succeeded=outcome.succeeded,
            duration_ms=outcome.duration_ms,
        )
        delivery.save()
        delivery.refresh_from_db(fields=["attempts"])
        retry_at: dt.datetime | None = None
        if outcome.succeeded:
            delivery.status = DeliveryStatus.SUCCEEDED
            delivery.next_attempt_at = None
            if endpoint.consecutive_failures:
                endpoint.consecutive_failures = 0
                endpoint.save(update_fields=["consecutive_failures"])
        elif force_final or delivery.attempts > len(schedule):
            delivery.status = DeliveryStatus.FAILED
            delivery.next_attempt_at = None
            if not force_final:
                _count_failure(endpoint)
        else:
            retry_at = now + dt.timedelta(seconds=schedule[delivery.attempts - 1])
            delivery.next_attempt_at = retry_at
        delivery.save(update_fields=["status", "next_attempt_at", "updated_at"])
        if retry_at is not None:
            pk, when = delivery.pk, retry_at
            transaction.on_commit(lambda: _enqueue(pk, when))
    return str(delivery.status)


def _count_failure(endpoint: Endpoint) -> None:
    endpoint.consecutive_failures += 1
    limit = int(getattr(settings, "WEBHOOK_DISABLE_AFTER_FAILURES", 5))
    if not endpoint.enabled or endpoint.consecutive_failures < limit:
        endpoint.save(update_fields=["consecutive_failures"])
        return
    endpoint.enabled = False
    endpoint.disabled_reason = _(
        "Switched off after %(n)s deliveries in a row failed every retry."
    ) % {"n": endpoint.consecutive_failures}
    endpoint.save(update_fields=["consecutive_failures", "enabled", "disabled_reason"])
    record(
        "webhook.endpoint_disabled",
        endpoint,
        data={"failures": endpoint.consecutive_failures},
    )
    _tell_admins(endpoint)


def _tell_admins(endpoint: Endpoint) -> None:
    admins = Person.objects.filter(
        organisation_id=endpoint.organisation_id, is_org_admin=True, is_active=True
    )
    url = reverse("webhooks:detail", args=[endpoint.pk])
    stamp = int(timezone.now().timestamp())
    for admin in admins:
        notify(
            admin,
            kind="webhook_disabled",
            subject=_("A webhook endpoint was switched off"),
            template="webhooks/email/endpoint_disabled.txt",
            context={"name": admin.full_name, "endpoint": endpoint.url, "link": absolute_url(url)},
            url=url,
            dedupe_key=f"webhook-disabled:{endpoint.pk}:{stamp}",
        )


def send_due_deliveries(*, dry_run: bool = False) -> dict[str, int]:
    """The scheduler's job: send every delivery whose next attempt is due (retries on a queue
    without delayed tasks, and anything a queue lost)."""
    due = list(
        Delivery.objects.filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=timezone.now())
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:500]
    )
    if dry_run:
        return {"due": len(due)}
    counts = {"due": len(due), "succeeded": 0, "failed": 0, "retrying": 0}
    for pk in due:
        status = deliver(pk)
        if status == DeliveryStatus.SUCCEEDED:
            counts["succeeded"] += 1
        elif status == DeliveryStatus.FAILED:
            counts["failed"] += 1
        elif status == DeliveryStatus.PENDING:
            counts["retrying"] += 1
    return counts
