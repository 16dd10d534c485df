"""Bulk decisions on applications: ticked on a page, or every one matching the filter."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from upward.notifications.models import Notification, OutboundEmail
from upward.programmes.models import Programme
from upward.recruitment import services
from upward.recruitment.models import Application
from upward.recruitment.tests.helpers import apply
from upward.testing.factories import level, person_with_account

Status = Application.Status


def bulk_url(programme: Programme) -> str:
    return reverse("recruitment:review_bulk", args=[programme.pk])


def mentors(world, n: int, prefix: str = "Mentor") -> list[Application]:  # type: ignore[no-untyped-def]
    people = [
        person_with_account(
            organisation=world.org, full_name=f"{prefix} {i:03d}", level=level(world.org, 2)
        )
        for i in range(n)
    ]
    return [apply(world.programme, p) for p in people]


def mentee(world) -> Application:  # type: ignore[no-untyped-def]
    return apply(world.programme, world.senior, "mentee")


def preview(client, programme, **data):  # type: ignore[no-untyped-def]
    response = client.post(bulk_url(programme), data)
    assert response.status_code == 200, response.content.decode()[:2000]
    return response, response.context["fingerprint"]


def statuses(programme: Programme) -> dict[str, str]:
    return dict(
        Application.objects.filter(programme=programme).values_list("person__full_name", "status")
    )


def test_decline_all_matching_states_the_count_and_takes_one_message(
    world, programme, django_capture_on_commit_callbacks
):
    mentors(world, 3)
    mentee(world)
    client = world.client_for(world.manager)
    response, fingerprint = preview(client, programme, action="matching:declined", role="mentor")
    assertContains(response, "Decline 3 applications?")
    assertContains(response, "3 applications match the filter")
    assertContains(response, "Mentor 000")
    assertNotContains(response, "Sam Senior")
    confirm = {
        "action": "matching:declined",
        "role": "mentor",
        "confirm": "on",
        "fingerprint": fingerprint,
    }
    # Without a message: refused, nothing changes.
    response = client.post(bulk_url(programme), confirm)
    assertContains(response, "every applicant declined will read it", status_code=409)
    assert set(statuses(programme).values()) == {"submitted"}

    message = "Thank you for applying; we had many more mentors than places this time."
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(bulk_url(programme), {**confirm, "reason": message})
    assert response.status_code == 302
    assert response.url == reverse("recruitment:review", args=[programme.pk]) + "?role=mentor"
    result = statuses(programme)
    assert result.pop("Sam Senior") == "submitted"
    assert set(result.values()) == {"declined"}
    reasons = set(
        Application.objects.filter(status=Status.DECLINED).values_list("decision_reason", flat=True)
    )
    assert reasons == {message}
    notes = Notification.objects.filter(kind="application", subject__startswith="Your application")
    assert notes.count() == 3
    assert all(message in n.body for n in notes)
    assert len([m for m in mail.outbox if "Your application to" in m.subject]) == 3
    page = client.get(response.url, follow=True)
    assertContains(page, "3 applications declined.")


def test_a_set_that_changed_since_the_confirmation_is_refused(world, programme):
    mentors(world, 2)
    client = world.client_for(world.manager)
    _response, fingerprint = preview(client, programme, action="matching:waitlisted")
    # Someone applies before the manager confirms: the filter now matches three.
    mentors(world, 1, prefix="Late")
    response = client.post(
        bulk_url(programme),
        {"action": "matching:waitlisted", "confirm": "on", "fingerprint": fingerprint},
    )
    assertContains(response, "have changed since you looked", status_code=409)
    assertContains(response, "Move 3 applications to the waiting list?", status_code=409)
    assert set(statuses(programme).values()) == {"submitted"}
    # Confirming the new count works.
    response = client.post(
        bulk_url(programme),
        {
            "action": "matching:waitlisted",
            "confirm": "on",
            "fingerprint": response.context["fingerprint"],
        },
    )
    assert response.status_code == 302
    assert set(statuses(programme).values()) == {"waitlisted"}


def test_ticked_applications_only(world, programme):
    apps = mentors(world, 3)
    client = world.client_for(world.manager)
    ticked = [apps[0].pk, apps[2].pk]
    response, fingerprint = preview(
        client, programme, action="selected:accepted", applications=ticked
    )
    assertContains(response, "Accept 2 applications?")
    assertContains(response, "You ticked 2 applications.")
    response = client.post(
        bulk_url(programme),
        {
            "action": "selected:accepted",
            "applications": ticked,
            "confirm": "on",
            "fingerprint": fingerprint,
        },
    )
    assert response.status_code == 302
    assert statuses(programme) == {
        "Mentor 000": "accepted",
        "Mentor 001": "submitted",
        "Mentor 002": "accepted",
    }


def test_accepting_beyond_the_places_needs_the_box_ticked(world, programme):
    mentors(world, 3)  # the programme has 2 places
    client = world.client_for(world.manager)
    _response, fingerprint = preview(client, programme, action="matching:accepted")
    confirm = {"action": "matching:accepted", "confirm": "on", "fingerprint": fingerprint}
    response = client.post(bulk_url(programme), confirm)
    assertContains(response, "3 mentors accepted for 2 places", status_code=409)
    assertContains(response, "Accept them even though it goes beyond the places", status_code=409)
    assert set(statuses(programme).values()) == {"submitted"}
    response = client.post(bulk_url(programme), {**confirm, "allow_overfill": "on"})
    assert response.status_code == 302
    assert set(statuses(programme).values()) == {"accepted"}


def test_applications_the_decision_cannot_change_are_counted_and_left(world, programme):
    apps = mentors(world, 3)
    services.decide_application(apps[0], decision="declined", reason="Sorry.", by=world.admin.user)
    client = world.client_for(world.manager)
    response, fingerprint = preview(client, programme, action="matching:waitlisted")
    assertContains(response, "Move 2 applications to the waiting list?")
    assertContains(response, "1 of them stays as it is")
    client.post(
        bulk_url(programme),
        {"action": "matching:waitlisted", "confirm": "on", "fingerprint": fingerprint},
    )
    assert statuses(programme)["Mentor 000"] == "declined"


def test_nothing_to_change_offers_no_confirm_button(world, programme):
    apps = mentors(world, 1)
    services.decide_application(apps[0], decision="waitlisted", by=world.admin.user)
    client = world.client_for(world.manager)
    response, _fp = preview(client, programme, action="matching:waitlisted")
    assertContains(response, "Nothing to do")
    assertNotContains(response, 'name="confirm"')


def test_bad_input_is_explained(world, programme):
    app = mentors(world, 1)[0]
    from upward.recruitment.tests.test_views import open_other

    other = apply(open_other(world), world.other_applicant)
    client = world.client_for(world.manager)
    cases = [
        ({"applications": [other.pk], "action": "selected:accepted"}, "not in this programme"),
        ({"applications": ["abc"], "action": "selected:accepted"}, "not in this programme"),
        ({"applications": [app.pk], "action": "selected:deleted"}, "Choose accept, waiting list"),
        ({"applications": [app.pk]}, "Choose what to do"),
        ({"action": "selected:accepted"}, "Tick at least one application"),
    ]
    for data, expected in cases:
        response = client.post(bulk_url(programme), data, follow=True)
        assertContains(response, expected)
    # An unknown filter value is named and left out, as on the list itself.
    response, _fp = preview(client, programme, action="matching:accepted", status="bogus")
    assertContains(response, "Unknown filter")
    assertContains(response, "Accept 1 application?")
    assert (Application.objects.get(pk=app.pk).status, other.status) == ("submitted", "submitted")


def test_review_page_offers_both_scopes_and_keeps_the_filter(world, programme):
    mentors(world, 2)
    mentee(world)
    response = world.client_for(world.manager).get(
        reverse("recruitment:review", args=[programme.pk]), {"role": "mentor"}
    )
    assertContains(response, "With all 2 applications matching the filter")
    assertContains(response, 'value="matching:declined"')
    assertContains(response, 'value="selected:accepted"')
    assertContains(response, '<input type="hidden" name="role" value="mentor">', html=False)


def test_names_are_escaped_on_the_confirmation(world, programme):
    hostile = person_with_account(
        organisation=world.org, full_name="<script>x()</script>", level=level(world.org, 2)
    )
    apply(programme, hostile)
    response, _fp = preview(world.client_for(world.manager), programme, action="matching:accepted")
    assertContains(response, "&lt;script&gt;x()&lt;/script&gt;")
    assertNotContains(response, "<script>x()</script>")


def test_only_the_programme_team_may_decide_in_bulk(world, programme):
    apps = mentors(world, 2)
    data = {"action": "matching:accepted", "confirm": "on", "allow_overfill": "on"}
    for persona in (world.other_manager, world.outsider_admin, world.applicant):
        assert world.client_for(persona).post(bulk_url(programme), data).status_code == 404
    response = world.client_for(None).post(bulk_url(programme), data)
    assert response.status_code == 302
    assert reverse("account_login") in response.url
    assert world.client_for(world.manager).get(bulk_url(programme)).status_code == 405
    assert {a.status for a in Application.objects.filter(pk__in=[a.pk for a in apps])} == {
        "submitted"
    }


def test_decisions_only_while_recruiting_or_matching(world, programme):
    mentors(world, 1)
    client = world.client_for(world.manager)
    _response, fingerprint = preview(client, programme, action="matching:waitlisted")
    Programme.objects.filter(pk=programme.pk).update(state="active")
    response = client.post(
        bulk_url(programme),
        {"action": "matching:waitlisted", "confirm": "on", "fingerprint": fingerprint},
    )
    assertContains(response, "only while the programme is recruiting or matching", status_code=409)
    assert set(statuses(programme).values()) == {"submitted"}


@pytest.mark.parametrize("size", [5, 40])
def test_bulk_accept_query_budget_does_not_grow(
    world, programme, size, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    mentors(world, size)
    client = world.client_for(world.manager)
    _response, fingerprint = preview(client, programme, action="matching:accepted")
    data = {
        "action": "matching:accepted",
        "confirm": "on",
        "allow_overfill": "on",
        "fingerprint": fingerprint,
    }
    # The same at 5 and at 40 (was ~13 per application); 2 of them chain the audit entries, 1
    # asks whether the organisation has Slack or Teams set up (notifications.chat.queue_for).
    with django_assert_max_num_queries(28):
        response = client.post(bulk_url(programme), data)
    assert response.status_code == 302
    assert Application.objects.filter(status=Status.ACCEPTED).count() == size
    assert OutboundEmail.objects.filter(subject__contains="Your place on").count() == size


@pytest.mark.parametrize("size", [5, 40])
def test_bulk_confirmation_query_budget_does_not_grow(
    world, programme, size, django_assert_max_num_queries
):
    mentors(world, size)
    client = world.client_for(world.manager)
    with django_assert_max_num_queries(11):
        response = client.post(bulk_url(programme), {"action": "matching:declined"})
    assertContains(response, f"Decline {size} applications?")
