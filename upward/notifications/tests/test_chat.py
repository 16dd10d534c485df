"""Slack and Teams delivery, tested against a real local HTTP server that records requests."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from upward.core.models import AuditEvent
from upward.core.testing.recorder import Recorder
from upward.notifications import chat, services
from upward.notifications.models import (
    ChatDestination,
    ChatMessage,
    ChatPreference,
    ChatSettings,
    ChatState,
    Delivery,
    NotificationPreference,
)

MARKERS = ("MARKER-SUBJECT-7f3", "MARKER-PARTNER-9q2", "MARKER-LINK-4k8")
SETTINGS_URL = reverse("notifications:chat-settings")
TEST_URL = reverse("notifications:chat-test")
PREFS = reverse("notifications:preferences")


@pytest.fixture
def recorder():
    with Recorder() as server:
        yield server


@pytest.fixture
def slack_api(recorder, settings):
    settings.SLACK_API_URL = recorder.url("/api/")
    return recorder


def configure(org, **fields) -> ChatSettings:
    return ChatSettings.objects.create(organisation=org, **fields)


def opt_in(person) -> None:
    ChatPreference.objects.create(person=person, slack_direct=True)


def found(user_id: str = "U123") -> str:
    return json.dumps({"ok": True, "user": {"id": user_id}})


def notify(person, *, kind="meeting_reminder", key="k1", partner_name=MARKERS[1]):
    partner = type("P", (), {"full_name": partner_name})()
    return services.notify(
        person,
        kind=kind,
        subject=f"Meet {MARKERS[0]}",
        template="journey/email/booking_reminder.txt",
        context={"person": person, "partner": partner, "link": f"https://x.test/{MARKERS[2]}"},
        url="/journey/",
        dedupe_key=key,
    )


def sent_text(server: Recorder) -> str:
    return " ".join(r.body.decode("utf-8", "replace") for r in server.requests)


def assert_no_markers(server: Recorder) -> None:
    text = sent_text(server)
    for marker in MARKERS:
        assert marker not in text
    assert "Sam Senior" not in text  # nor the recipient's own name


# ---------------------------------------------------------------------------------------------
# Slack direct messages through the bot


def test_slack_dm_looks_up_by_email_then_posts_a_neutral_line(
    world, slack_api, django_capture_on_commit_callbacks
):
    configure(world.org, slack_bot_token="xoxb-test-123456789")
    opt_in(world.senior)
    slack_api.reply(200, found("U999"), content_type="application/json")
    slack_api.reply(200, '{"ok": true}', content_type="application/json")
    with django_capture_on_commit_callbacks(execute=True):
        notify(world.senior)
    lookup, post = slack_api.requests
    assert lookup.path == "/api/users.lookupByEmail"
    assert "sam%40northwind.test" in lookup.body.decode()
    assert lookup.header("Authorization") == "Bearer xoxb-test-123456789"
    assert post.path == "/api/chat.postMessage"
    sent = post.json()
    assert sent["channel"] == "U999"
    assert sent["text"].startswith("You have a new notification in Upward: a meeting reminder.")
    assert "http://127.0.0.1:8000/notifications/" in sent["text"]
    assert_no_markers(slack_api)
    message = ChatMessage.objects.get()
    assert (message.state, message.attempts, message.person) == (ChatState.SENT, 1, world.senior)


def test_person_not_in_slack_is_logged_and_notify_still_works(
    world, slack_api, django_capture_on_commit_callbacks
):
    configure(world.org, slack_bot_token="xoxb-test-123456789")
    opt_in(world.senior)
    slack_api.reply(
        200, '{"ok": false, "error": "users_not_found"}', content_type="application/json"
    )
    with django_capture_on_commit_callbacks(execute=True):
        notification = notify(world.senior)
    assert notification is not None
    assert len(slack_api.requests) == 1  # no post without a Slack user
    message = ChatMessage.objects.get()
    assert message.state == ChatState.GIVEN_UP
    assert "Nobody in Slack" in message.last_error


def test_no_message_without_opt_in_or_for_kinds_outside_the_whitelist(
    world, slack_api, django_capture_on_commit_callbacks
):
    configure(world.org, slack_bot_token="xoxb-test-123456789")
    with django_capture_on_commit_callbacks(execute=True):
        notify(world.senior, key="not-opted-in")
    opt_in(world.senior)
    with django_capture_on_commit_callbacks(execute=True):
        for kind in ("message", "safety", "pairing", "impact", "programme_team", "unknown_kind"):
            notify(world.senior, kind=kind, key=f"k-{kind}")
    assert slack_api.requests == []
    assert not ChatMessage.objects.exists()


def test_no_dm_for_kinds_the_person_does_not_get_straight_away(
    world, slack_api, django_capture_on_commit_callbacks
):
    configure(world.org, slack_bot_token="xoxb-test-123456789")
    opt_in(world.senior)
    NotificationPreference.objects.create(
        person=world.senior, kind="meeting_reminder", delivery=Delivery.IN_APP
    )
    with django_capture_on_commit_callbacks(execute=True):
        notify(world.senior)
    assert slack_api.requests == []


def test_other_organisations_chat_is_never_used(
    world, slack_api, django_capture_on_commit_callbacks
):
    configure(world.outsider_admin.organisation, slack_bot_token="xoxb-test-123456789")
    opt_in(world.senior)
    with django_capture_on_commit_callbacks(execute=True):
        notify(world.senior)
    assert slack_api.requests == []


# ---------------------------------------------------------------------------------------------
# Channels: Slack webhook and Teams, programme news once per announcement


def test_programme_news_posts_once_to_slack_and_teams_channels(
    world, recorder, django_capture_on_commit_callbacks
):
    configure(
        world.org,
        slack_webhook_url=recorder.url("/slack-hook"),
        teams_webhook_url=recorder.url("/teams-hook"),
    )
    with django_capture_on_commit_callbacks(execute=True):
        for person in (world.senior, world.applicant, world.manager):
            notify(person, kind="programme", key="announcement:1")
        services.notify_many(
            [
                services.BulkNotice(
                    person=world.other_applicant,
                    subject=MARKERS[0],
                    template="journey/email/booking_reminder.txt",
                    context={"person": world.other_applicant, "partner": world.senior},
                    dedupe_key="announcement:1",
                )
            ],
            kind="programme",
        )
    by_path = {r.path: r for r in recorder.requests}
    assert sorted(r.path for r in recorder.requests) == ["/slack-hook", "/teams-hook"]
    slack = by_path["/slack-hook"].json()
    assert slack["text"].startswith("There is new programme news in Upward.")
    assert slack["blocks"][0]["text"]["type"] == "mrkdwn"
    teams = by_path["/teams-hook"].json()
    assert teams["type"] == "message"
    (attachment,) = teams["attachments"]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    card = attachment["content"]
    assert (card["type"], card["version"]) == ("AdaptiveCard", "1.4")
    assert card["body"][0] == {
        "type": "TextBlock",
        "text": "There is new programme news in Upward.",
        "wrap": True,
    }
    assert card["actions"][0]["type"] == "Action.OpenUrl"
    assert_no_markers(recorder)


def test_channels_get_nothing_personal(world, recorder, django_capture_on_commit_callbacks):
    configure(world.org, slack_webhook_url=recorder.url("/slack-hook"))
    with django_capture_on_commit_callbacks(execute=True):
        notify(world.senior, kind="meeting_reminder")
        notify(world.senior, kind="survey_due", key="k2")
    assert recorder.requests == []


def test_channel_news_can_be_turned_off(world, recorder, django_capture_on_commit_callbacks):
    configure(world.org, teams_webhook_url=recorder.url("/t"), post_programme_news=False)
    with django_capture_on_commit_callbacks(execute=True):
        notify(world.senior, kind="programme")
    assert recorder.requests == []


def test_slack_mrkdwn_escapes_control_characters():
    assert chat.slack_escape("a & <b> c") == "a &amp; &lt;b&gt; c"


# ---------------------------------------------------------------------------------------------
# Failures and retries


def test_500_is_retried_with_back_off_then_sent(
    world, recorder, django_capture_on_commit_callbacks
):
    configure(world.org, teams_webhook_url=recorder.url("/t"))
    recorder.reply(500, "down")
    with django_capture_on_commit_callbacks(execute=True):
        notification = notify(world.senior, kind="programme")
    assert notification is not None
    message = ChatMessage.objects.get()
    assert (message.state, message.attempts) == (ChatState.QUEUED, 1)
    assert "Teams answered 500" in message.last_error
    assert message.next_attempt_at is not None
    assert message.next_attempt_at > timezone.now()
    assert chat.retry_due()["due"] == 0  # not before the back-off
    later = message.next_attempt_at + dt.timedelta(seconds=1)
    assert chat.retry_due(now=later) == {"due": 1, "sent": 1}
    message.refresh_from_db()
    assert (message.state, message.attempts) == (ChatState.SENT, 2)
    assert len(recorder.requests) == 2


def test_429_honours_retry_after_and_gives_up_after_a_few_tries(
    world, slack_api, django_capture_on_commit_callbacks
):
    configure(world.org, slack_bot_token="xoxb-test-123456789")
    opt_in(world.senior)
    slack_api.reply(
        429,
        '{"ok": false, "error": "ratelimited"}',
        content_type="application/json",
        headers={"Retry-After": "600"},
        times=10,
    )
    start = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        notify(world.senior)
    message = ChatMessage.objects.get()
    assert message.next_attempt_at is not None
    assert message.next_attempt_at >= start + dt.timedelta(seconds=600)
    moment = message.next_attempt_at
    for _ in range(chat.MAX_ATTEMPTS - 1):
        moment += dt.timedelta(hours=2)
        chat.retry_due(now=moment)
    message.refresh_from_db()
    assert (message.state, message.attempts) == (ChatState.GIVEN_UP, chat.MAX_ATTEMPTS)
    assert "429" in message.last_error
    assert len(slack_api.requests) == chat.MAX_ATTEMPTS
    chat.retry_due(now=moment + dt.timedelta(days=1))
    assert len(slack_api.requests) == chat.MAX_ATTEMPTS  # given up means given up


def test_unreachable_server_is_a_retry_not_a_crash(world, django_capture_on_commit_callbacks):
    with Recorder() as gone:
        url = gone.url("/t")
    configure(world.org, teams_webhook_url=url)
    with django_capture_on_commit_callbacks(execute=True):
        assert notify(world.senior, kind="programme") is not None
    message = ChatMessage.objects.get()
    assert message.state == ChatState.QUEUED
    assert "could not be reached" in message.last_error


def test_a_broken_chat_setup_never_breaks_notify(world, monkeypatch):
    configure(world.org, slack_bot_token="xoxb-test-123456789")
    opt_in(world.senior)

    def explode(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(ChatMessage.objects, "bulk_create", explode)
    assert notify(world.senior) is not None


def test_the_log_keeps_the_last_fifty(world):
    for _ in range(55):
        ChatMessage.objects.create(
            organisation=world.org,
            destination=ChatDestination.TEAMS,
            kind="programme",
            state=ChatState.SENT,
            finished_at=timezone.now(),
        )
    chat.prune(world.org.pk)
    assert ChatMessage.objects.count() == chat.KEEP_LOG


# ---------------------------------------------------------------------------------------------
# Secrets at rest


def test_secrets_are_encrypted_at_rest(world):
    configure(
        world.org,
        slack_bot_token="xoxb-plain-secret-1234",
        slack_webhook_url="https://hooks.slack.com/services/T/B/plainhook",
        teams_webhook_url="https://example.invalid/workflows/plainteams",
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT slack_bot_token, slack_webhook_url, teams_webhook_url "
            "FROM notifications_chatsettings"
        )
        raw = " ".join(cursor.fetchone())
    for plain in ("xoxb-plain", "plainhook", "plainteams"):
        assert plain not in raw
    assert ChatSettings.objects.get().slack_bot_token == "xoxb-plain-secret-1234"


# ---------------------------------------------------------------------------------------------
# The settings page


def test_only_org_admins_reach_the_settings(world):
    for person in (world.manager, world.senior):
        assert world.client_for(person).get(SETTINGS_URL).status_code == 404
        assert world.client_for(person).post(TEST_URL).status_code == 404
    response = world.client_for(world.admin).get(SETTINGS_URL)
    assertContains(response, "Slack and Microsoft Teams")
    assertContains(response, "No chat messages yet")
    assert world.client_for(None).get(SETTINGS_URL).status_code == 302


def test_admin_saves_settings_secrets_are_never_shown_back(world, recorder):
    client = world.client_for(world.admin)
    hook = recorder.url("/services/T000/B000/abcdEFGHsecretWXYZ")
    response = client.post(
        SETTINGS_URL,
        {
            "slack_webhook_url": hook,
            "slack_bot_token": "xoxb-1111-2222-secretpart-abcd",
            "teams_webhook_url": "",
            "post_programme_news": "on",
        },
    )
    assert response.status_code == 302
    chat_settings = ChatSettings.objects.get(organisation=world.org)
    assert chat_settings.slack_webhook_url == hook
    assert chat_settings.slack_bot_token == "xoxb-1111-2222-secretpart-abcd"
    page = client.get(SETTINGS_URL)
    assertNotContains(page, "secretWXYZ"[:-4])
    assertNotContains(page, "secretpart")
    assertContains(page, "xoxb-…abcd")
    event = AuditEvent.objects.get(verb="notifications.chat_settings_changed")
    assert "secret" not in json.dumps(event.data)
    # Blank keeps what is stored.
    client.post(SETTINGS_URL, {"slack_webhook_url": "", "slack_bot_token": ""})
    chat_settings.refresh_from_db()
    assert chat_settings.slack_bot_token == "xoxb-1111-2222-secretpart-abcd"
    assert chat_settings.post_programme_news is False


@pytest.mark.parametrize(
    ("field", "value", "error"),
    [
        ("slack_webhook_url", "http://hooks.example.com/x", "must start with https://"),
        ("slack_webhook_url", "ftp://hooks.example.com/x", "starting with https://"),
        ("teams_webhook_url", "https://127.0.0.1/workflow", "private network"),
        ("teams_webhook_url", "https://10.1.2.3/workflow", "private network"),
        ("slack_bot_token", "xoxp-user-token-not-a-bot", "is xoxb- followed by"),
        ("slack_bot_token", "xoxb-<script>", "is xoxb- followed by 10 to 250 letters"),
        ("slack_bot_token", "xoxb-123-abc", "is xoxb- followed by 10 to 250 letters"),
        ("slack_webhook_url", "https://hooks.example.com/services/x", "https://hooks.slack.com/"),
        ("slack_webhook_url", "https://1.1.1.1:99999/x", "not valid"),
        ("teams_webhook_url", "https://[zz]/workflow", "not valid"),
        ("teams_webhook_url", "https://1.1.1.1/work flow", "must not contain spaces"),
        ("teams_webhook_url", "https://[64:ff9b::7f00:1]/workflow", "private network"),
    ],
)
def test_settings_validation(world, settings, field, value, error):
    settings.OUTBOUND_ALLOW_PRIVATE = False
    response = world.client_for(world.admin).post(SETTINGS_URL, {field: value})
    assert response.status_code == 200
    assertContains(response, error)
    assert not ChatSettings.objects.filter(organisation=world.org).exists()


def test_test_message_goes_to_each_destination(world, slack_api):
    configure(
        world.org,
        slack_webhook_url=slack_api.url("/hook"),
        slack_bot_token="xoxb-test-123456789",
    )
    slack_api.reply(200, "ok")  # the webhook
    slack_api.reply(200, found("UADA"), content_type="application/json")
    slack_api.reply(500, "down")  # the DM fails: told at once, not retried
    response = world.client_for(world.admin).post(TEST_URL, follow=True)
    assertContains(response, "Slack channel: the test message was sent.")
    assertContains(response, "Slack direct message: the test message failed.")
    assert [r.path for r in slack_api.requests] == [
        "/hook",
        "/api/users.lookupByEmail",
        "/api/chat.postMessage",
    ]
    assert "ada%40northwind.test" in slack_api.requests[1].body.decode()
    assert "test message from Upward" in slack_api.requests[0].json()["text"]
    assertContains(response, "Failed")  # the log on the page


def test_remove_asks_first_then_forgets(world):
    configure(
        world.org, slack_bot_token="xoxb-test-123456789", teams_webhook_url="https://a.invalid/x"
    )
    client = world.client_for(world.admin)
    url = reverse("notifications:chat-remove", args=["slack-bot"])
    page = client.get(url)
    assertContains(page, "Remove the Slack bot token?")
    assert ChatSettings.objects.get().slack_bot_token
    assert client.post(url).status_code == 302
    assert ChatSettings.objects.get().slack_bot_token == ""
    assert AuditEvent.objects.filter(verb="notifications.chat_setting_removed").exists()
    assert client.get(reverse("notifications:chat-remove", args=["nope"])).status_code == 404
    other = world.client_for(world.outsider_admin)
    other_org = world.outsider_admin.organisation
    configure(other_org, teams_webhook_url="https://example.invalid/x")
    other.post(reverse("notifications:chat-remove", args=["teams"]))
    # The outsider removed their own organisation's, never ours.
    assert ChatSettings.objects.get(organisation=world.org).teams_webhook_url
    assert not ChatSettings.objects.get(organisation=other_org).teams_webhook_url
    assert world.client_for(world.senior).post(url).status_code == 404


# ---------------------------------------------------------------------------------------------
# The person's opt-in


def test_opt_in_is_offered_only_with_a_slack_bot_and_defaults_off(world):
    client = world.client_for(world.senior)
    page = client.get(PREFS)
    assert page.status_code == 200
    assertNotContains(page, "Slack direct message")
    configure(world.org, teams_webhook_url="https://example.invalid/x")
    assertNotContains(client.get(PREFS), "Slack direct message")
    settings_row = ChatSettings.objects.get(organisation=world.org)
    settings_row.slack_bot_token = "xoxb-test-123456789"
    settings_row.save()
    page = client.get(PREFS)
    assertContains(page, "Also send me a Slack direct message")
    assert 'name="slack_direct"' in page.content.decode()
    assert "checked" not in page.content.decode().split('name="slack_direct"')[1].split(">")[0]


def test_person_opts_in_and_out(world):
    configure(world.org, slack_bot_token="xoxb-test-123456789")
    client = world.client_for(world.senior)
    form = {key: "immediately" for key in ("meeting_reminder", "booking_nudge", "pairing")}
    form |= {"application": "immediately", "survey_due": "immediately", "safety": "immediately"}
    form |= {"impact": "digest", "programme": "digest", "message": "immediately"}
    assert client.post(PREFS, {**form, "slack_direct": "on"}).status_code == 302
    assert chat.opted_in(world.senior)
    assert AuditEvent.objects.filter(verb="notifications.chat_opt_in_changed").count() == 1
    assert client.post(PREFS, form).status_code == 302
    assert not chat.opted_in(world.senior)


def test_setup_page_links_to_chat_settings(world):
    page = world.client_for(world.admin).get(reverse("organisations:setup"))
    assertContains(page, SETTINGS_URL)


def test_private_addresses_are_refused_again_at_send_time(
    world, recorder, settings, django_capture_on_commit_callbacks
):
    configure(world.org, teams_webhook_url=recorder.url("/t"))  # stored while allowed
    settings.OUTBOUND_ALLOW_PRIVATE = False
    with django_capture_on_commit_callbacks(execute=True):
        notify(world.senior, kind="programme")
    assert recorder.requests == []
    message = ChatMessage.objects.get()
    assert message.state == ChatState.GIVEN_UP
    assert "https://" in message.last_error or "private network" in message.last_error


@pytest.mark.parametrize(
    ("destination", "field"),
    [
        (ChatDestination.TEAMS, "teams_webhook_url"),
        (ChatDestination.SLACK_WEBHOOK, "slack_webhook_url"),
    ],
)
def test_a_redirect_is_a_failed_delivery_never_followed(world, recorder, destination, field):
    configure(world.org, **{field: recorder.url("/hook")})
    recorder.reply(302, headers={"Location": recorder.url("/internal")})
    message = ChatMessage.objects.create(
        organisation=world.org, destination=destination, kind="programme"
    )
    assert chat.deliver(message.pk) == ChatState.GIVEN_UP
    assert [r.path for r in recorder.requests] == ["/hook"]
    message.refresh_from_db()
    assert "redirect" in message.last_error


def test_a_slack_webhook_elsewhere_than_slack_is_refused_at_send_time(world, recorder, settings):
    configure(world.org, slack_webhook_url="https://1.1.1.1/services/T/B/x")
    settings.OUTBOUND_ALLOW_PRIVATE = False
    message = ChatMessage.objects.create(
        organisation=world.org, destination=ChatDestination.SLACK_WEBHOOK, kind="programme"
    )
    assert chat.deliver(message.pk) == ChatState.GIVEN_UP
    message.refresh_from_db()
    assert "hooks.slack.com" in message.last_error
