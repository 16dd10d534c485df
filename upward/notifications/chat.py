"""Chat delivery: Slack and Microsoft Teams, per organisation, never with sensitive content.

Where messages go:

- Slack direct messages, through the organisation's bot token: to people who opted in on their
  notification choices page, for the kinds they get "straight away" and only the kinds in
  `CHAT_KINDS`. The person is found in Slack by their work email (users.lookupByEmail).
- One channel (a Slack incoming webhook and/or a Teams Workflows webhook): organisation-wide
  programme news only, one post per announcement however many people it reaches. A Teams
  Workflows webhook posts to a channel; it cannot reach one person, so Teams never carries
  anything personal.

What is sent is always the same generic line, built here from the kind alone: "You have a new
notification in Upward: <neutral title>" and a link to the notifications list. Never a subject,
a body, a name, or anything a person wrote: no partner names, notes, messages, safety text,
concern or pulse content, special-category data. A kind outside `CHAT_KINDS` is never sent.

Messages are queued as `ChatMessage` rows in the caller's transaction and sent after the commit
by one task each. A failure (network, 429, 5xx) is retried with a back-off that honours
Retry-After, a few times, then given up and shown in the organisation's delivery log. Nothing
here ever raises into notify() or the request that called it.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import urllib.error
import urllib.request
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_stubs_ext import StrOrPromise

from upward.core.audit import record
from upward.core.links import absolute_url
from upward.core.outbound import check_outbound_url
from upward.notifications.models import (
    ChatDestination,
    ChatMessage,
    ChatPreference,
    ChatSettings,
    ChatState,
    Delivery,
    Notification,
)
from upward.organisations.models import Organisation, Person

logger = logging.getLogger(__name__)

# The whitelist: kinds whose mere existence says nothing private, with the neutral title the
# message uses. Messages from a partner, safety, pairing changes (a partner's name, a pairing that
# ended), recognition and programme-team alerts (pairs at risk) are deliberately absent.
CHAT_KINDS: dict[str, StrOrPromise] = {
    "meeting_reminder": gettext_lazy("a meeting reminder"),
    "booking_nudge": gettext_lazy("a reminder to book your next meeting"),
    "survey_due": gettext_lazy("a survey to answer"),
    "application": gettext_lazy("news about an application or invitation"),
    "programme": gettext_lazy("programme news"),
}
# Kinds also posted once to the organisation's channel(s), when it asked for that.
CHANNEL_KINDS = frozenset({"programme"})
TEST_KIND = "test"

MAX_ATTEMPTS = 4
# Back-off after the n-th failure: 1, 5, 15 minutes (or longer if the service says Retry-After).
BACKOFF = (dt.timedelta(minutes=1), dt.timedelta(minutes=5), dt.timedelta(minutes=15))
MAX_RETRY_AFTER = dt.timedelta(hours=1)
TIMEOUT = 10
KEEP_LOG = 50


class Retryable(Exception):
    """A failure worth trying again: the network, a 429 or a 5xx."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class Permanent(Exception):
    """A failure trying again will not fix: a refused token, a person not in Slack."""


# ---------------------------------------------------------------------------------------------
# Texts


def slack_escape(text: str) -> str:
    """Slack mrkdwn treats &, < and > as control characters."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def headline(kind: str) -> str:
    if kind == TEST_KIND:
        return _("This is a test message from Upward. Chat messages are set up correctly.")
    if kind in CHANNEL_KINDS:
        return _("There is new %(title)s in Upward.") % {"title": CHAT_KINDS[kind]}
    return _("You have a new notification in Upward: %(title)s.") % {"title": CHAT_KINDS[kind]}


def app_link() -> str:
    return absolute_url(reverse("notifications:list"))


def slack_payload(kind: str) -> dict[str, Any]:
    line = headline(kind)
    link = app_link()
    label = _("Open Upward")
    return {
        "text": f"{line} {link}",
        "blocks": [
            {
                "type": "section",
                "text": {
                    "type": "mrkdwn",
                    "text": f"{slack_escape(line)}\n<{slack_escape(link)}|{slack_escape(label)}>",
                },
            }
        ],
        "unfurl_links": False,
    }


def teams_payload(kind: str) -> dict[str, Any]:
    """The envelope a Teams Workflows "when a webhook request is received" flow takes."""
    return {
        "type": "message",
        "attachments": [
            {
                "contentType": "application/vnd.microsoft.card.adaptive",
                "contentUrl": None,
                "content": {
                    "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
                    "type": "AdaptiveCard",
                    "version": "1.4",
                    "body": [{"type": "TextBlock", "text": headline(kind), "wrap": True}],
                    "actions": [
                        {"type": "Action.OpenUrl", "title": _("Open Upward"), "url": app_link()}
                    ],
                },
            }
        ],
    }


# ---------------------------------------------------------------------------------------------
# Queueing, from notify() and notify_many()


def queue_for(notifications: Iterable[Notification]) -> None:
    """Queue the chat messages of just-made notifications. Never raises: a chat problem must
    not cost anyone their notification. A fixed number of queries however many there are."""
    try:
        chat_notifications = [n for n in notifications if n.kind in CHAT_KINDS]
        if not chat_notifications:
            return
        # One read, outside a savepoint: most organisations have no chat set up, and a notify()
        # in a bulk action should not pay a savepoint's two extra queries to learn that.
        org_ids = {n.recipient.organisation_id for n in chat_notifications}
        configured = {
            s.organisation_id: s
            for s in ChatSettings.objects.filter(organisation_id__in=org_ids).exclude(
                slack_webhook_url="", slack_bot_token="", teams_webhook_url=""
            )
        }
        if not configured:
            return
        # The writes in a savepoint, so a failure leaves the caller's transaction usable.
        with transaction.atomic():
            _queue_for(chat_notifications, configured, org_ids)
    except Exception:
        logger.exception("Could not queue chat messages")


def _queue_for(
    notifications: list[Notification], configured: dict[int, ChatSettings], org_ids: set[int]
) -> None:
    with_bot = {
        n.recipient_id
        for n in notifications
        if (chat := configured.get(n.recipient.organisation_id)) and chat.slack_bot_token
    }
    opted_in = set(
        ChatPreference.objects.filter(person_id__in=with_bot, slack_direct=True).values_list(
            "person_id", flat=True
        )
    )
    rows: list[ChatMessage] = []
    channel_keys: set[tuple[int, str, str]] = set()
    for n in notifications:
        chat = configured.get(n.recipient.organisation_id)
        if chat is None:
            continue
        person = n.recipient
        if (
            chat.slack_bot_token
            and n.recipient_id in opted_in
            and n.delivery == Delivery.IMMEDIATELY
            and person.is_active
            and person.email
        ):
            rows.append(
                ChatMessage(
                    organisation_id=person.organisation_id,
                    person=person,
                    destination=ChatDestination.SLACK_DIRECT,
                    kind=n.kind,
                )
            )
        if n.kind in CHANNEL_KINDS and chat.post_programme_news:
            for destination, url in (
                (ChatDestination.SLACK_WEBHOOK, chat.slack_webhook_url),
                (ChatDestination.TEAMS, chat.teams_webhook_url),
            ):
                key = (person.organisation_id, destination, n.dedupe_key[:200])
                if url and key not in channel_keys:
                    channel_keys.add(key)
    if channel_keys:
        existing = set(
            ChatMessage.objects.filter(
                organisation_id__in={k[0] for k in channel_keys},
                dedupe_key__in={k[2] for k in channel_keys},
            ).values_list("organisation_id", "destination", "dedupe_key")
        )
        kinds = {(n.recipient.organisation_id, n.dedupe_key[:200]): n.kind for n in notifications}
        rows.extend(
            ChatMessage(
                organisation_id=org,
                destination=destination,
                kind=kinds[(org, key)],
                dedupe_key=key,
            )
            for org, destination, key in sorted(channel_keys - existing)
        )
    if not rows:
        return
    created = ChatMessage.objects.bulk_create(rows, ignore_conflicts=bool(channel_keys))
    ids = [row.pk for row in created if row.pk]
    if len(ids) < len(created):  # ignore_conflicts returns no ids on some databases
        ids = list(
            ChatMessage.objects.filter(
                state=ChatState.QUEUED, attempts=0, organisation_id__in=org_ids
            )
            .filter(
                Q(person_id__in={r.person_id for r in rows if r.person_id})
                | Q(dedupe_key__in={r.dedupe_key for r in rows if r.dedupe_key})
            )
            .values_list("pk", flat=True)
        )
    transaction.on_commit(lambda: _enqueue(ids), robust=True)


def _enqueue(ids: list[int], *, run_after: dt.datetime | None = None) -> None:
    from upward.notifications.tasks import send_chat_message

    task = send_chat_message
    if run_after is not None:
        if not task.get_backend().supports_defer:
            return  # the scheduled retry_due() picks it up
        task = task.using(run_after=run_after)
    for pk in ids:
        try:
            task.enqueue(pk)
        except Exception:
            # run_scheduled's retry_due() sends what could not be enqueued.
            logger.exception("Could not enqueue chat message %s", pk)


# ---------------------------------------------------------------------------------------------
# Sending


def deliver(message_id: int, *, now: dt.datetime | None = None, retry: bool = True) -> str:
    """One attempt at one queued message; returns its state afterwards. Never raises."""
    now = now or timezone.now()
    message = (
        ChatMessage.objects.select_related("person", "organisation")
        .filter(pk=message_id, state=ChatState.QUEUED)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .first()
    )
    if message is None:
        return ""
    # Claim it, so a task and the scheduled retry never send it twice at the same time.
    lease = now + dt.timedelta(minutes=5)
    if not ChatMessage.objects.filter(
        pk=message.pk, state=ChatState.QUEUED, attempts=message.attempts
    ).update(attempts=message.attempts + 1, next_attempt_at=lease):
        return ""
    message.attempts += 1
    chat = ChatSettings.objects.filter(organisation_id=message.organisation_id).first()
    try:
        _send(message, chat)
    except Retryable as exc:
        if not retry or message.attempts >= MAX_ATTEMPTS:
            return _finish(message, ChatState.GIVEN_UP, str(exc), now)
        wait = BACKOFF[min(message.attempts, len(BACKOFF)) - 1]
        if exc.retry_after is not None:
            wait = max(wait, min(dt.timedelta(seconds=exc.retry_after), MAX_RETRY_AFTER))
        ChatMessage.objects.filter(pk=message.pk).update(
            next_attempt_at=now + wait, last_error=str(exc)[:300]
        )
        _enqueue([message.pk], run_after=now + wait)
        return ChatState.QUEUED
    except Permanent as exc:
        return _finish(message, ChatState.GIVEN_UP, str(exc), now)
    except Exception as exc:  # a bug or a library surprise: log it, never retry forever
        logger.exception("Chat message %s failed", message.pk)
        return _finish(message, ChatState.GIVEN_UP, type(exc).__name__, now)
    return _finish(message, ChatState.SENT, "", now)


def _finish(message: ChatMessage, state: str, error: str, now: dt.datetime) -> str:
    ChatMessage.objects.filter(pk=message.pk).update(
        state=state, last_error=error[:300], finished_at=now, next_attempt_at=None
    )
    prune(message.organisation_id)
    return state


def prune(organisation_id: int) -> None:
    """Keep the last KEEP_LOG finished messages of the organisation."""
    finished = ChatMessage.objects.filter(organisation_id=organisation_id).exclude(
        state=ChatState.QUEUED
    )
    old = list(finished.order_by("-created_at", "-id").values_list("pk", flat=True)[KEEP_LOG:])
    if old:
        ChatMessage.objects.filter(pk__in=old).delete()


def retry_due(*, now: dt.datetime | None = None, dry_run: bool = False) -> dict[str, int]:
    """Send what is due (a back-off that has passed, a task that was lost). run_scheduled
    calls it; safe to run at any time."""
    now = now or timezone.now()
    due = ChatMessage.objects.filter(state=ChatState.QUEUED).filter(
        Q(next_attempt_at__lte=now)
        | Q(next_attempt_at__isnull=True, created_at__lte=now - dt.timedelta(minutes=5))
    )
    ids = list(due.values_list("pk", flat=True)[:500])
    result = {"due": len(ids), "sent": 0}
    if dry_run:
        return result
    for pk in ids:
        if deliver(pk, now=now) == ChatState.SENT:
            result["sent"] += 1
    return result


def _send(message: ChatMessage, chat: ChatSettings | None) -> None:
    if message.kind != TEST_KIND and message.kind not in CHAT_KINDS:
        raise Permanent(_("This kind of notification is never sent to chat."))
    if message.destination == ChatDestination.SLACK_WEBHOOK:
        if chat is None or not chat.slack_webhook_url:
            raise Permanent(_("The Slack webhook was removed."))
        _post_slack_webhook(chat.slack_webhook_url, slack_payload(message.kind))
    elif message.destination == ChatDestination.TEAMS:
        if chat is None or not chat.teams_webhook_url:
            raise Permanent(_("The Teams webhook was removed."))
        _post_json(_checked(chat.teams_webhook_url), teams_payload(message.kind), "Teams")
    elif message.destination == ChatDestination.SLACK_DIRECT:
        if chat is None or not chat.slack_bot_token:
            raise Permanent(_("The Slack bot token was removed."))
        person = message.person
        if person is None or not person.is_active or not person.email:
            raise Permanent(_("The person has left or has no work email."))
        if message.kind != TEST_KIND and not _still_opted_in(person):
            raise Permanent(_("The person turned Slack messages off."))
        _slack_direct(chat.slack_bot_token, person.email, slack_payload(message.kind))
    else:
        raise Permanent(_("Unknown destination."))


def _still_opted_in(person: Person) -> bool:
    return ChatPreference.objects.filter(person=person, slack_direct=True).exists()


SLACK_WEBHOOK_HOST = "hooks.slack.com"


def check_slack_webhook_url(url: str) -> str:
    """The outbound check, and the address must be Slack's own (https://hooks.slack.com/…).
    With OUTBOUND_ALLOW_PRIVATE on (a deployment's own network, the tests' recorder) any host
    the outbound check allows is taken."""
    url = check_outbound_url(url)
    if getattr(settings, "OUTBOUND_ALLOW_PRIVATE", False):
        return url
    parts = urlsplit(url)
    if parts.scheme != "https" or (parts.hostname or "").lower() != SLACK_WEBHOOK_HOST:
        raise ValidationError(
            _("A Slack incoming webhook address starts with https://%(host)s/.")
            % {"host": SLACK_WEBHOOK_HOST}
        )
    return url


def _checked(url: str, *, slack: bool = False) -> str:
    try:
        return check_slack_webhook_url(url) if slack else check_outbound_url(url)
    except ValidationError as exc:
        raise Permanent(" ".join(exc.messages)) from exc


def _retry_after(headers: Any) -> float | None:
    value = None
    if headers:
        for key, raw in dict(headers).items():
            if key.lower() == "retry-after":
                value = raw[0] if isinstance(raw, list) else raw
    try:
        return max(0.0, float(value)) if value is not None else None
    except (TypeError, ValueError):
        return None


def _judge(status: int, headers: Any, service: str) -> None:
    if 200 <= status < 300:
        return
    if 300 <= status < 400:
        raise Permanent(
            _(
                "%(service)s answered with a redirect (%(status)s), which Upward does not "
                "follow. Enter the final address in the settings."
            )
            % {"service": service, "status": status}
        )
    if status == 429 or status >= 500:
        raise Retryable(
            _("%(service)s answered %(status)s.") % {"service": service, "status": status},
            _retry_after(headers),
        )
    raise Permanent(
        _("%(service)s refused the message (%(status)s). Check the address in the settings.")
        % {"service": service, "status": status}
    )


def _post_slack_webhook(url: str, payload: dict[str, Any]) -> None:
    # Not slack-sdk's WebhookClient: it uses urlopen, which follows redirects.
    _post_json(_checked(url, slack=True), payload, "Slack")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirect could lead anywhere, past the address check: it is an answer (a failed
    delivery), never a hop."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_OPENER = urllib.request.build_opener(_NoRedirect())


def _post_json(url: str, payload: dict[str, Any], service: str) -> None:
    """POST to an address the caller checked (`_checked`: http(s) only)."""
    request = urllib.request.Request(  # noqa: S310 (checked by the caller)
        url,
        data=json.dumps(payload).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    try:
        with _OPENER.open(request, timeout=TIMEOUT) as response:
            _judge(response.status, response.headers, service)
    except urllib.error.HTTPError as exc:
        _judge(exc.code, exc.headers, service)
    except OSError as exc:
        raise Retryable(
            _("%(service)s could not be reached (%(error)s).")
            % {"service": service, "error": type(exc).__name__}
        ) from exc


def slack_client(token: str) -> Any:
    from slack_sdk import WebClient

    return WebClient(token=token, base_url=settings.SLACK_API_URL, timeout=TIMEOUT)


def _slack_direct(token: str, email: str, payload: dict[str, Any]) -> None:
    from slack_sdk.errors import SlackApiError

    client = slack_client(token)
    try:
        found = client.users_lookupByEmail(email=email)
        user_id = (found.get("user") or {}).get("id")
        if not user_id:
            raise Permanent(_("Slack did not return the person."))
        client.chat_postMessage(channel=user_id, **payload)
    except SlackApiError as exc:
        status = exc.response.status_code
        error = str((exc.response.data or {}).get("error", "")) if exc.response.data else ""
        if status == 429 or status >= 500:
            _judge(status, exc.response.headers, "Slack")
        if error == "users_not_found":
            raise Permanent(_("Nobody in Slack has this person's work email.")) from exc
        raise Permanent(
            _("Slack refused the message (%(error)s).") % {"error": error or status}
        ) from exc
    except OSError as exc:
        raise Retryable(
            _("Slack could not be reached (%(error)s).") % {"error": type(exc).__name__}
        ) from exc


# ---------------------------------------------------------------------------------------------
# Settings, opt-in and the test message


def settings_for(organisation: Organisation) -> ChatSettings | None:
    return ChatSettings.objects.filter(organisation=organisation).first()


FIELDS = {
    "slack_webhook_url": gettext_lazy("the Slack incoming webhook"),
    "slack_bot_token": gettext_lazy("the Slack bot token"),
    "teams_webhook_url": gettext_lazy("the Teams workflow address"),
}


def save_settings(
    organisation: Organisation, *, changes: dict[str, str], post_programme_news: bool, by: Any
) -> ChatSettings:
    """Set the given secrets (a blank value is not passed: it keeps what is stored). The caller
    validated them (forms.ChatSettingsForm). Audited by field name, never by value."""
    unknown = set(changes) - set(FIELDS)
    if unknown:
        raise ValueError(f"Unknown chat settings: {sorted(unknown)}")
    with transaction.atomic():
        chat, _created = ChatSettings.objects.select_for_update().get_or_create(
            organisation=organisation
        )
        for name, value in changes.items():
            setattr(chat, name, value)
        chat.post_programme_news = post_programme_news
        chat.save()
        record(
            "notifications.chat_settings_changed",
            chat,
            by=by,
            organisation=organisation,
            data={"changed": sorted(changes), "post_programme_news": post_programme_news},
        )
    return chat


def remove_setting(organisation: Organisation, name: str, *, by: Any) -> bool:
    """Forget one secret. Messages still waiting for it are given up when their turn comes."""
    if name not in FIELDS:
        raise ValueError(name)
    with transaction.atomic():
        chat = ChatSettings.objects.select_for_update().filter(organisation=organisation).first()
        if chat is None or not getattr(chat, name):
            return False
        setattr(chat, name, "")
        chat.save()
        record(
            "notifications.chat_setting_removed",
            chat,
            by=by,
            organisation=organisation,
            data={"removed": name},
        )
    return True


def set_opt_in(person: Person, *, slack_direct: bool, by: Any) -> None:
    with transaction.atomic():
        ChatPreference.objects.update_or_create(
            person=person, defaults={"slack_direct": slack_direct}
        )
        record(
            "notifications.chat_opt_in_changed",
            person,
            by=by,
            data={"slack_direct": slack_direct},
        )


def mask(value: str) -> str:
    """What the settings page shows of a stored secret: its kind and last four characters."""
    if not value:
        return ""
    if value.startswith("xoxb-"):
        return f"xoxb-…{value[-4:]}"
    parts = urlsplit(value)
    return f"{parts.scheme}://{parts.hostname or ''}/…{value[-4:]}"


def log_for(organisation: Organisation) -> Any:
    return ChatMessage.objects.filter(organisation=organisation).select_related("person")


def slack_direct_available(person: Person) -> bool:
    return (
        ChatSettings.objects.filter(organisation_id=person.organisation_id)
        .exclude(slack_bot_token="")
        .exists()
    )


def opted_in(person: Person) -> bool:
    return ChatPreference.objects.filter(person=person, slack_direct=True).exists()


@dataclass(frozen=True)
class TestResult:
    destination: str
    state: str
    error: str


def send_test(organisation: Organisation, *, admin: Person) -> list[TestResult]:
    """A test message to each configured destination, at once, one try each (the admin waits
    for the answer); the Slack bot one goes to the admin's own Slack."""
    chat = settings_for(organisation)
    if chat is None:
        return []
    rows = []
    if chat.slack_webhook_url:
        rows.append(ChatMessage(destination=ChatDestination.SLACK_WEBHOOK))
    if chat.slack_bot_token:
        rows.append(ChatMessage(destination=ChatDestination.SLACK_DIRECT, person=admin))
    if chat.teams_webhook_url:
        rows.append(ChatMessage(destination=ChatDestination.TEAMS))
    results = []
    for row in rows:
        row.organisation = organisation
        row.kind = TEST_KIND
        row.save()
        state = deliver(row.pk, retry=False)
        row.refresh_from_db()
        results.append(TestResult(row.get_destination_display(), state, row.last_error))
    return results
