"""Each event fires from the real service that makes it, after the commit, with ids and states
only: markers planted in names, notes, reasons and answers never reach the receiver."""

from __future__ import annotations

import pytest
from django.db import transaction

from upward.core.testing.recorder import Recorder
from upward.organisations.services import mark_person_left
from upward.pairing import services as pairing_services
from upward.pairing.tests.helpers import build_cohort, pairing_of, published
from upward.programmes.services import transition_programme
from upward.webhooks.models import Delivery
from upward.webhooks.tests.helpers import endpoint_for

pytestmark = pytest.mark.django_db

MARKER = "ZZSECRETZZ"


@pytest.fixture
def server():  # type: ignore[no-untyped-def]
    with Recorder() as recorder:
        yield recorder


@pytest.fixture
def cohort(world):  # type: ignore[no-untyped-def]
    cohort = build_cohort(world)
    # Plant the marker in everything personal a careless payload could pick up.
    for person in (cohort.jess, cohort.kai, cohort.sam, cohort.sofia):
        person.full_name = f"{person.full_name} {MARKER}"
        person.job_title = MARKER
        person.save(update_fields=["full_name", "job_title"])
    cohort.sam.external_id = "HR-0042"
    cohort.sam.save(update_fields=["external_id"])
    return cohort


def _bodies(server: Recorder) -> list[dict]:
    for request in server.requests:
        assert MARKER.encode() not in request.body
        assert b"@northwind.test" not in request.body
    return [r.json() for r in server.requests]


def test_publishing_a_run_sends_pairing_published_for_each_pair(
    world, cohort, server, django_capture_on_commit_callbacks
):
    endpoint_for(world, server.url("/hook"), "pairing.published")
    other = endpoint_for(world, server.url("/other"), "person.left")
    with django_capture_on_commit_callbacks(execute=True):
        pairings = published(cohort)
    bodies = _bodies(server)
    assert len(pairings) == 2
    assert {r.path for r in server.requests} == {"/hook"}
    assert not Delivery.objects.filter(endpoint=other).exists()
    assert {b["type"] for b in bodies} == {"pairing.published"}
    by_id = {b["data"]["pairing_id"]: b["data"] for b in bodies}
    sams = pairing_of(cohort, cohort.sam)
    assert by_id[sams.pk] == {
        "pairing_id": sams.pk,
        "programme_id": cohort.programme.pk,
        "state": "proposed",
        "mentor": {"id": sams.mentor_id, "external_id": None},
        "mentee": {"id": cohort.sam.pk, "external_id": "HR-0042"},
        "proposed_at": sams.created_at.isoformat(),
        "closed_at": None,
    }
    assert set(by_id) == {p.pk for p in pairings}


def test_ending_a_pairing_sends_pairing_ended_without_the_reason(
    world, cohort, server, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        published(cohort)
    endpoint_for(world, server.url("/hook"), "pairing.ended")
    pairing = pairing_of(cohort, cohort.sam)
    with django_capture_on_commit_callbacks(execute=True):
        pairing_services.end_pairing(
            pairing, by=world.manager.user, reason=f"Conflict at work {MARKER}"
        )
    (body,) = _bodies(server)
    assert body["type"] == "pairing.ended"
    assert body["data"]["pairing_id"] == pairing.pk
    assert body["data"]["state"] == "ended"
    assert body["data"]["closed_at"]
    assert "closed_by" not in body["data"] and "reason" not in body["data"]


def test_a_person_leaving_sends_person_left(
    world, cohort, server, django_capture_on_commit_callbacks
):
    endpoint_for(world, server.url("/hook"), "person.left")
    with django_capture_on_commit_callbacks(execute=True):
        mark_person_left(cohort.sam, by=world.admin.user)
    (body,) = _bodies(server)
    assert body["type"] == "person.left"
    cohort.sam.refresh_from_db()
    assert body["data"] == {
        "person_id": cohort.sam.pk,
        "external_id": "HR-0042",
        "left_on": cohort.sam.left_on.isoformat(),
    }


def test_completing_a_programme_sends_programme_completed(
    world, cohort, server, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        published(cohort)
    for mentee in (cohort.sam, cohort.sofia):
        pairing = pairing_of(cohort, mentee)
        pairing = pairing_services.answer_proposal(pairing, person=pairing.mentor, accept=True)
        pairing_services.answer_pairing(pairing, person=mentee, accept=True)
    transition_programme(cohort.programme, to="active", by=None, acknowledged=True)
    endpoint_for(world, server.url("/hook"), "programme.completed", "pairing.ended")
    with django_capture_on_commit_callbacks(execute=True):
        transition_programme(cohort.programme, to="completed", by=world.manager.user)
    bodies = _bodies(server)
    cohort.programme.refresh_from_db()
    (done,) = [b for b in bodies if b["type"] == "programme.completed"]
    assert done["data"] == {
        "programme_id": cohort.programme.pk,
        "state": "completed",
        "starts_on": cohort.programme.starts_on.isoformat(),
        "ends_on": cohort.programme.ends_on.isoformat(),
        "ended_on": cohort.programme.ended_on.isoformat(),
    }
    # Its active pairings completed with it: each is heard as pairing.ended.
    ended = [b["data"] for b in bodies if b["type"] == "pairing.ended"]
    assert sorted(d["state"] for d in ended) == ["completed", "completed"]


def test_an_event_rolled_back_sends_nothing(
    world, cohort, server, django_capture_on_commit_callbacks
):
    endpoint_for(world, server.url("/hook"), "person.left")
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError, match="undo"), transaction.atomic():
            mark_person_left(cohort.sam, by=world.admin.user)
            raise RuntimeError("undo")
    assert server.requests == [] and not Delivery.objects.exists()


def test_other_organisations_endpoints_hear_nothing(
    world, cohort, server, django_capture_on_commit_callbacks
):
    from upward.webhooks import services

    services.create_endpoint(
        world.outsider_admin.organisation,
        url=server.url("/theirs"),
        description="",
        events=["person.left"],
        by=world.outsider_admin.user,
    )
    with django_capture_on_commit_callbacks(execute=True):
        mark_person_left(cohort.sam, by=world.admin.user)
    assert server.requests == []


def test_a_broken_receiver_never_breaks_the_request_that_made_the_event(
    world, cohort, server, django_capture_on_commit_callbacks
):
    endpoint_for(world, server.url("/hook"), "person.left")
    server.reply(500, times=10)
    client = world.client_for(world.admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/people/{cohort.sam.pk}/leave/")
    assert response.status_code == 302
    cohort.sam.refresh_from_db()
    assert not cohort.sam.is_active
    assert Delivery.objects.get().status == "pending"
