"""Webhooks in a real browser: an admin adds an endpoint, copies its secret, sends a test event
to a local HTTP server and reads the delivery log. Screenshots go to artifacts/screenshots/."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from standardwebhooks import Webhook

from upward.core.testing.recorder import Recorder
from upward.webhooks.models import Endpoint


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_admin_adds_an_endpoint_sends_a_test_and_reads_the_log(world, visitor_factory):  # type: ignore[no-untyped-def]
    with Recorder() as server:
        admin = visitor_factory("admin")
        admin.sign_in(world.admin.email)
        admin.go("/organisation/webhooks/")
        expect(admin.page.get_by_role("heading", name="No webhooks yet")).to_be_visible()
        admin.look("empty")
        admin.page.get_by_role("link", name="Add an endpoint").first.click()
        admin.page.get_by_label("Address").fill(server.url("/hook"))
        admin.page.get_by_label("Description").fill("Data warehouse <b>bold</b>")
        admin.page.get_by_label("A person leaves the organisation").check()
        admin.look("form")
        admin.page.get_by_role("button", name="Add the endpoint").click()

        expect(admin.page.get_by_role("heading", level=1)).to_have_text("Signing secret")
        endpoint = Endpoint.objects.get()
        expect(admin.page.get_by_label("Secret")).to_have_value(endpoint.secret)
        admin.look("secret")
        admin.page.get_by_role("link", name="Done").click()

        expect(admin.page.get_by_role("heading", level=1)).to_have_text(server.url("/hook"))
        expect(admin.page.get_by_text("Data warehouse <b>bold</b>")).to_be_visible()
        server.reply(500, "<i>not ready</i>")
        admin.page.get_by_role("button", name="Send a test event").click()
        expect(admin.page.get_by_text("A test event is on its way.")).to_be_visible()
        expect(admin.page.locator("tbody tr")).to_have_count(1)
        expect(admin.page.locator("tbody")).to_contain_text("HTTP 500")
        admin.page.get_by_text("Payload and attempts").click()
        expect(admin.page.locator("pre.webhook-payload")).to_contain_text('"type": "webhook.test"')
        expect(admin.page.locator("tbody")).to_contain_text("<i>not ready</i>")
        admin.look("log-retrying")

        admin.page.get_by_role("button", name="Send a test event").click()
        expect(admin.page.locator("tbody tr")).to_have_count(2)
        expect(admin.page.locator("tbody tr").first).to_contain_text("Succeeded")
        admin.look("log")
        admin.page.set_viewport_size({"width": 375, "height": 800})
        admin.look("log-narrow")

        received = server.requests[-1]
        assert Webhook(endpoint.secret).verify(received.body, received.headers)["type"] == (
            "webhook.test"
        )
        admin.page.set_viewport_size({"width": 1280, "height": 900})
        admin.go("/organisation/webhooks/")
        expect(admin.page.locator("tbody")).to_contain_text("Succeeded")
        admin.look("list")
