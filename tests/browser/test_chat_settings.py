"""Chat settings in a real browser: an organisation admin connects Slack and Teams (pointed at a
local recording server), sends a test message, reads the delivery log and removes the Teams
workflow after confirming; then a participant turns on Slack direct messages. Every page is
screenshotted and checked with axe-core (see conftest.py)."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import expect

from upward.core.testing.recorder import Recorder
from upward.notifications import chat
from upward.notifications.models import ChatSettings


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_admin_connects_chat_and_a_person_opts_in(world, visitor_factory, settings):  # type: ignore[no-untyped-def]
    with Recorder() as server:
        settings.SLACK_API_URL = server.url("/api/")
        admin = visitor_factory("admin")
        admin.sign_in(world.admin.email)
        admin.go("/organisation/chat/")
        expect(admin.page.get_by_role("heading", name="Slack and Microsoft Teams")).to_be_visible()
        expect(admin.page.get_by_text("No chat messages yet")).to_be_visible()
        admin.look("chat-empty")

        admin.page.get_by_label("Slack incoming webhook URL").fill(server.url("/hook/T1/B1/sec1"))
        admin.page.get_by_label("Slack bot token").fill("xoxb-not-a-token!")
        admin.page.get_by_role("button", name="Save the chat settings").click()
        expect(admin.page.get_by_text("A Slack bot token is xoxb-").first).to_be_visible()
        admin.look("chat-invalid-token")

        admin.page.get_by_label("Slack incoming webhook URL").fill(server.url("/hook/T1/B1/sec1"))
        admin.page.get_by_label("Slack bot token").fill("xoxb-1234-5678-abcdefgh")
        admin.page.get_by_label("Microsoft Teams workflow URL").fill(server.url("/teams/flow9"))
        admin.page.get_by_role("button", name="Save the chat settings").click()
        expect(admin.page.get_by_text("The chat settings are saved.")).to_be_visible()
        expect(admin.page.get_by_text("xoxb-…efgh")).to_be_visible()
        assert "abcdefgh" not in admin.page.content()

        server.reply(200, "ok")  # the Slack channel
        server.reply(
            200, json.dumps({"ok": True, "user": {"id": "UADA"}}), content_type="application/json"
        )
        server.reply(200, '{"ok": true}', content_type="application/json")
        admin.page.get_by_role("button", name="Send a test message").click()
        expect(admin.page.get_by_text("Slack channel: the test message was sent.")).to_be_visible()
        expect(admin.page.get_by_text("Teams channel: the test message was sent.")).to_be_visible()
        expect(
            admin.page.get_by_text("Slack direct message: the test message was sent.")
        ).to_be_visible()
        admin.look("chat-configured-with-log")
        paths = [r.path for r in server.requests]
        assert paths == [
            "/hook/T1/B1/sec1",
            "/api/users.lookupByEmail",
            "/api/chat.postMessage",
            "/teams/flow9",
        ]

        admin.go("/organisation/chat/remove/teams/")
        expect(
            admin.page.get_by_role("heading", name="Remove the Teams workflow address?")
        ).to_be_visible()
        admin.look("chat-remove-confirm")
        admin.page.get_by_role("button", name="Remove it").click()
        expect(admin.page.get_by_text("The Teams workflow address is removed.")).to_be_visible()
        assert ChatSettings.objects.get(organisation=world.org).teams_webhook_url == ""

        person = visitor_factory("person")
        person.sign_in(world.senior.email)
        person.go("/notifications/preferences/")
        box = person.page.get_by_label("Also send me a Slack direct message")
        expect(box).not_to_be_checked()
        person.look("preferences-with-slack")
        box.check()
        person.page.get_by_role("button", name="Save my choices").click()
        expect(person.page.get_by_text("Your notification choices are saved.")).to_be_visible()
        expect(person.page.get_by_label("Also send me a Slack direct message")).to_be_checked()
        assert chat.opted_in(world.senior)
