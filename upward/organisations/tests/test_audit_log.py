"""The audit log page: org admins only, their own organisation only, newest first, filtered by
kind, actor and dates, with the chain's status; and the role and download entries it shows."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from upward.core import audit
from upward.core.models import AuditEvent
from upward.organisations import services
from upward.organisations.audit_log import describe, kind_of

URL = "/people/audit/"


def _tamper(sql: str, params: list) -> None:  # type: ignore[type-arg]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("ALTER TABLE core_auditevent DISABLE TRIGGER USER")
        cursor.execute(sql, params)


def _details(person):  # type: ignore[no-untyped-def]
    return services.PersonDetails(
        email=person.email,
        full_name=person.full_name,
        level=person.level,
        department=person.department,
        team=person.team,
        manager=person.manager,
        time_zone=person.time_zone,
        is_active=person.is_active,
        is_org_admin=person.is_org_admin,
    )


@pytest.mark.parametrize("who", ["manager", "applicant", "senior"])
def test_only_org_admins_see_the_log(world, who):
    response = world.client_for(getattr(world, who)).get(URL)
    assert response.status_code == 404


def test_signed_out_visitors_are_sent_to_sign_in(world):
    response = world.client_for(None).get(URL)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_an_admin_sees_only_their_own_organisation(world):
    audit.record("match_run.published", world.programme, by=world.manager.user)
    audit.record(
        "match_run.published",
        world.outsider_admin,
        by=world.outsider_admin.user,
        organisation=world.outsider_admin.organisation,
    )
    mine = world.client_for(world.admin).get(URL)
    assert mine.status_code == 200
    assert [r.entry.organisation_id for r in mine.context["rows"]] == [world.org.pk]
    assertContains(mine, "Published the matches")
    assertContains(mine, "Mo Manager")
    assertNotContains(mine, "Oscar Outsider", status_code=200)
    theirs = world.client_for(world.outsider_admin).get(URL)
    assert [r.entry.organisation_id for r in theirs.context["rows"]] == [
        world.outsider_admin.organisation_id
    ]
    assertNotContains(theirs, "Mo Manager", status_code=200)


def test_newest_first_and_paged(world):
    for i in range(55):
        audit.record("test.thing", world.programme, data={"i": i})
    client = world.client_for(world.admin)
    first = client.get(URL)
    rows = first.context["rows"]
    assert len(rows) == 50
    assert rows[0].entry.data["i"] == 54 and rows[0].entry.position > rows[1].entry.position
    second = client.get(URL, {"page": 2})
    assert [r.entry.data["i"] for r in second.context["rows"]] == [4, 3, 2, 1, 0]


def test_filter_by_kind_actor_and_dates(world):
    ada, mo = world.admin.user, world.manager.user
    audit.record("programme.managers_changed", world.programme, by=ada)
    audit.record("match_run.published", world.programme, by=mo)
    audit.record_ref("account.signed_in", "accounts.user", mo.pk, by=mo, organisation=world.org)
    client = world.client_for(world.admin)

    def verbs(**params):  # type: ignore[no-untyped-def]
        response = client.get(URL, params)
        assert response.status_code == 200
        return [r.entry.verb for r in response.context["rows"]]

    assert verbs(kind="roles") == ["programme.managers_changed"]
    assert verbs(kind="matching") == ["match_run.published"]
    assert verbs(kind="sign_in") == ["account.signed_in"]
    assert verbs(actor="mo man") == ["account.signed_in", "match_run.published"]
    assert verbs(actor="Ada", kind="matching") == []
    today = timezone.localdate()
    assert len(verbs(date_from=today.isoformat(), date_to=today.isoformat())) == 3
    assert verbs(date_from=(today + dt.timedelta(days=1)).isoformat()) == []
    assert verbs(date_to=(today - dt.timedelta(days=1)).isoformat()) == []
    # A bad value is set aside and named, not an error page.
    response = client.get(URL, {"kind": "nonsense", "date_from": "31/02/2026"})
    assert response.status_code == 200 and len(response.context["rows"]) == 3
    assert len(response.context["unknown_filters"]) == 2
    empty = client.get(URL, {"actor": "Nobody at all"})
    assert "No entries match" in empty.content.decode()


def test_the_page_says_the_log_is_intact_or_where_it_is_broken(world):
    entries = [audit.record("test.thing", world.programme) for _ in range(4)]
    client = world.client_for(world.admin)
    response = client.get(URL)
    assert "The log is intact." in response.content.decode()
    _tamper("UPDATE core_auditevent SET verb = %s WHERE id = %s", ["test.forged", entries[2].pk])
    # Filtering and paging reuse the last check (it walks every entry) and say when it was made;
    # "Check again" walks the chain anew.
    response = client.get(URL)
    assertContains(response, "The log is intact.")
    assertContains(response, "Checked ")
    response = client.get(URL, {"check": "1"})
    assertContains(response, "The log is broken at entry 3.")
    assertContains(response, "has been changed since it was written")
    assertNotContains(response, "The log is intact.", status_code=200)


def test_user_written_text_in_an_entry_is_escaped(world):
    world.admin.user.name = "<b>Ada</b>"
    world.admin.user.save()
    world.admin.full_name = "<script>alert(1)</script>"
    world.admin.save()
    audit.record("person.updated", world.admin, by=world.admin.user, data={"fields": ["<i>x</i>"]})
    response = world.client_for(world.admin).get(URL)
    assertNotContains(response, "<script>alert(1)</script>", status_code=200)
    assertNotContains(response, "<i>x</i>", status_code=200)
    assertContains(response, "&lt;script&gt;alert(1)&lt;/script&gt;")


def test_making_and_unmaking_an_admin_is_a_role_change(world):
    jess = world.applicant
    by = world.admin.user
    services.update_person(
        jess,
        by=by,
        details=dataclasses.replace(_details(jess), is_org_admin=True),
    )
    granted = AuditEvent.objects.get(verb="person.admin_granted", object_id=str(jess.pk))
    assert granted.actor_id == by.pk and granted.organisation_id == world.org.pk
    jess.refresh_from_db()
    services.update_person(
        jess,
        by=by,
        details=dataclasses.replace(_details(jess), is_org_admin=False),
    )
    assert (
        AuditEvent.objects.filter(verb="person.admin_removed", object_id=str(jess.pk)).count() == 1
    )
    assert kind_of("person.admin_granted") == kind_of("person.admin_removed") == "roles"
    response = world.client_for(world.admin).get(URL, {"kind": "roles"})
    page = response.content.decode()
    assert "Made an organisation admin" in page and "No longer an organisation admin" in page
    assert "Jess Junior" in page  # who it was about


def test_downloads_of_personal_data_are_recorded(world, pairs):
    mentor = pairs.mentor
    client = world.client_for(mentor)
    response = client.post(
        reverse("goals:workbook", args=[pairs.pairing.pk]), {"include_notes": "on"}
    )
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    workbook = AuditEvent.objects.get(verb="export.workbook")
    assert (workbook.organisation_id, workbook.actor_id) == (world.org.pk, mentor.user.pk)
    assert (workbook.object_type, workbook.object_id) == ("pairing.pairing", str(pairs.pairing.pk))
    assert workbook.data == {"include_notes": True}
    csv = world.client_for(world.manager).get(reverse("surveys:export", args=[world.programme.pk]))
    assert csv.status_code == 200
    outcomes = AuditEvent.objects.get(verb="export.outcomes")
    assert outcomes.actor_id == world.manager.user.pk
    # Someone who may not download gets no file and leaves no entry.
    refused = world.client_for(world.other_applicant).post(
        reverse("goals:workbook", args=[pairs.pairing.pk]), {}
    )
    assert refused.status_code == 404
    assert AuditEvent.objects.filter(verb__startswith="export.").count() == 2
    page = world.client_for(world.admin).get(URL, {"kind": "exports"}).content.decode()
    assert "Downloaded a pair&#x27;s workbook (PDF)" in page
    assert "Downloaded a programme&#x27;s outcomes (CSV)" in page


def test_every_verb_has_words():
    assert describe("match_run.published") == "Published the matches"
    assert describe("goals.goal_created") == "Goal created"
    assert kind_of("special_category.viewed") == "sensitive"
    assert kind_of("privacy.person_erased") == "erasure"
    assert kind_of("notes.message_sent") == "other"


@pytest.mark.parametrize(
    "verb",
    [
        "safety.concern_raised",
        "safety.pulse_submitted",
        "safety.pairing_left",
        "safety.rematch_requested",
        "survey.answered",
        "pairing.state_changed",
        # Who changed their consent or About-you answers, beside the inclusion figures before
        # and after, would tell which group lost one person.
        "consent.withdrawn",
        "consent.granted",
        "special_category.updated",
    ],
)
def test_entries_that_are_safety_data_are_not_listed(world, verb):
    """Who raised a concern, left a pairing or answered a survey is for the safety readers (or
    nobody): an org admin reading the log must not learn it from the actor column."""
    audit.record(verb, world.programme, by=world.applicant.user, organisation=world.org)
    audit.record("person.updated", world.applicant, by=world.admin.user, organisation=world.org)
    response = world.client_for(world.admin).get(URL)
    assertContains(response, "Changed a person")
    assert [row.entry.verb for row in response.context["rows"]] == ["person.updated"]
    # Still in the chain, which still verifies.
    assert AuditEvent.objects.filter(verb=verb).count() == 1
    assert audit.verify_chain(world.org).intact
