"""The admin's webhook pages: who may see them, what they show and never show, bad input."""

from __future__ import annotations

import pytest
from django.urls import reverse
from pytest_django.asserts import assertNotContains

from upward.core.models import AuditEvent
from upward.core.testing.recorder import Recorder
from upward.webhooks import services
from upward.webhooks.models import Delivery, Endpoint
from upward.webhooks.tests.helpers import endpoint_for

pytestmark = pytest.mark.django_db

HOSTILE = '<script>alert("x")</script>'


@pytest.fixture
def server():  # type: ignore[no-untyped-def]
    with Recorder() as recorder:
        yield recorder


@pytest.fixture
def endpoint(world, server, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    endpoint = services.create_endpoint(
        world.org,
        url=server.url("/hook"),
        description=HOSTILE,
        events=["person.left"],
        by=world.admin.user,
    )
    server.reply(500, HOSTILE)
    with django_capture_on_commit_callbacks(execute=True):
        services.send_test_event(endpoint, by=world.admin.user)
    return endpoint


def _pages(endpoint: Endpoint) -> list[str]:
    delivery = endpoint.deliveries.get()
    return [
        reverse("webhooks:detail", args=[endpoint.pk]),
        reverse("webhooks:edit", args=[endpoint.pk]),
        reverse("webhooks:delete", args=[endpoint.pk]),
        reverse("webhooks:secret", args=[endpoint.pk]),
        reverse("webhooks:roll-secret", args=[endpoint.pk]),
        reverse("webhooks:test", args=[endpoint.pk]),
        reverse("webhooks:redeliver", args=[endpoint.pk, delivery.pk]),
    ]


def test_another_organisations_admin_gets_404_everywhere(world, endpoint):
    client = world.client_for(world.outsider_admin)
    own = client.get(reverse("webhooks:list"))
    assert own.status_code == 200
    assertNotContains(own, endpoint.url)
    for url in _pages(endpoint):
        assert client.get(url).status_code in (404, 405), url
        assert client.post(url).status_code == 404, url
    endpoint.refresh_from_db()
    assert Endpoint.objects.filter(pk=endpoint.pk).exists()
    assert endpoint.deliveries.count() == 1


def test_people_who_are_not_admins_get_404(world, endpoint):
    client = world.client_for(world.manager)
    assert client.get(reverse("webhooks:list")).status_code == 404
    assert client.get(reverse("webhooks:create")).status_code == 404
    assert client.get(reverse("webhooks:detail", args=[endpoint.pk])).status_code == 404


def test_the_secret_shows_only_on_its_own_page(world, endpoint):
    client = world.client_for(world.admin)
    for url in [reverse("webhooks:list"), *_pages(endpoint)[:3], _pages(endpoint)[4]]:
        response = client.get(url)
        assert response.status_code == 200, url
        assertNotContains(response, endpoint.secret, msg_prefix=url)
        assertNotContains(response, endpoint.secret[6:], msg_prefix=url)
    response = client.get(reverse("webhooks:secret", args=[endpoint.pk]))
    assert response.status_code == 200
    assert endpoint.secret in response.content.decode()
    assert response["Cache-Control"] == "private, no-store"
    assert AuditEvent.objects.filter(verb="webhook.secret_viewed").exists()


def test_written_text_and_answers_are_escaped(world, endpoint):
    client = world.client_for(world.admin)
    for url in (reverse("webhooks:list"), reverse("webhooks:detail", args=[endpoint.pk])):
        response = client.get(url)
        assert response.status_code == 200
        assertNotContains(response, HOSTILE)
    detail = client.get(reverse("webhooks:detail", args=[endpoint.pk])).content.decode()
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in detail
    assert "webhook.test" in detail and "HTTP 500" in detail


def test_admin_adds_an_endpoint_and_sees_its_secret(world, server):
    client = world.client_for(world.admin)
    response = client.post(
        reverse("webhooks:create"),
        {"url": server.url("/in"), "description": "Warehouse", "events": ["pairing.ended"]},
    )
    endpoint = Endpoint.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("webhooks:secret", args=[endpoint.pk])
    assert endpoint.organisation == world.org and endpoint.events == ["pairing.ended"]
    assert AuditEvent.objects.filter(verb="webhook.endpoint_created").exists()


def test_bad_input_gets_clear_errors(world, settings):
    settings.OUTBOUND_ALLOW_PRIVATE = False
    client = world.client_for(world.admin)
    response = client.post(reverse("webhooks:create"), {"url": "not a url", "events": []})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Enter a full web address" in page
    assert "Choose at least one event" in page
    response = client.post(
        reverse("webhooks:create"), {"url": "http://example.com/", "events": ["person.left"]}
    )
    assert response.status_code == 200
    assert "must start with https://" in response.content.decode()
    response = client.post(
        reverse("webhooks:create"), {"url": "https://10.0.0.5/", "events": ["bogus"]}
    )
    assert response.status_code == 200
    assert not Endpoint.objects.exists()


def test_the_log_filters_by_status_and_pages(world, endpoint, django_capture_on_commit_callbacks):
    client = world.client_for(world.admin)
    url = reverse("webhooks:detail", args=[endpoint.pk])
    failed = client.get(url, {"status": "succeeded"})
    assert failed.status_code == 200
    assert "No delivery has this status" in failed.content.decode()
    pending = client.get(url, {"status": "pending"})
    assert "webhook.test" in pending.content.decode()
    assert client.get(url, {"status": "nonsense", "page": "x"}).status_code == 200


def test_roll_delete_test_and_send_again_from_the_pages(world, endpoint, server, settings):
    settings.WEBHOOK_RETRY_SCHEDULE = ()
    client = world.client_for(world.admin)
    old = endpoint.secret
    assert client.post(reverse("webhooks:roll-secret", args=[endpoint.pk])).status_code == 302
    endpoint.refresh_from_db()
    assert endpoint.secret != old

    # Give the first delivery up, then send it again.
    delivery = endpoint.deliveries.get()
    Delivery.objects.filter(pk=delivery.pk).update(status="failed", next_attempt_at=None)
    response = client.post(reverse("webhooks:redeliver", args=[endpoint.pk, delivery.pk]))
    assert response.status_code == 302
    delivery.refresh_from_db()
    assert delivery.status in ("pending", "succeeded")
    # A pending one cannot be sent twice at once.
    Delivery.objects.filter(pk=delivery.pk).update(status="pending")
    response = client.post(
        reverse("webhooks:redeliver", args=[endpoint.pk, delivery.pk]), follow=True
    )
    assert "already waiting" in response.content.decode()

    response = client.post(reverse("webhooks:test", args=[endpoint.pk]), follow=True)
    assert response.status_code == 200
    assert endpoint.deliveries.count() == 2

    assert client.get(reverse("webhooks:delete", args=[endpoint.pk])).status_code == 200
    assert Endpoint.objects.filter(pk=endpoint.pk).exists()  # a GET asks, never acts
    assert client.post(reverse("webhooks:delete", args=[endpoint.pk])).status_code == 302
    assert not Endpoint.objects.exists() and not Delivery.objects.exists()


def test_the_list_has_an_empty_state_and_shows_the_last_delivery(world, server):
    client = world.client_for(world.admin)
    response = client.get(reverse("webhooks:list"))
    assert response.status_code == 200
    assert "No webhooks yet" in response.content.decode()
    endpoint_for(world, server.url("/hook"))
    response = client.get(reverse("webhooks:list"))
    assert "Nothing sent yet" in response.content.decode()


def test_the_organisation_setup_page_links_to_webhooks(world):
    url = reverse("organisations:setup")
    response = world.client_for(world.admin).get(url)
    assert response.status_code == 200
    assert reverse("webhooks:list") in response.content.decode()
