from __future__ import annotations

import json

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from pytest_django.asserts import assertNotContains

from upward.core.models import AuditEvent
from upward.organisations.models import Person
from upward.privacy import export
from upward.privacy.tests.scenario import build

pytestmark = pytest.mark.django_db


def _person_links() -> set[str]:
    targets = {Person, get_user_model()}
    found = set()
    for model in apps.get_models(include_auto_created=False):
        for field in model._meta.get_fields():
            if field.is_relation and field.concrete and field.related_model in targets:
                found.add(f"{model._meta.label}.{field.name}")
    return found


def test_every_link_to_a_person_is_exported_or_skipped_with_a_reason() -> None:
    covered = {key for section in export.SECTIONS for key in section.covers}
    links = _person_links()
    missing = sorted(links - covered - set(export.SKIPPED))
    assert not missing, f"Export these in a section or skip them with a reason: {missing}"
    stale = sorted((covered | set(export.SKIPPED)) - links)
    assert not stale, f"These name no field that points at a person: {stale}"
    assert not covered & set(export.SKIPPED), "A field is both exported and skipped"
    assert all(len(reason) > 10 for reason in export.SKIPPED.values())


def test_the_coverage_check_sees_a_new_link(monkeypatch: pytest.MonkeyPatch) -> None:
    # The check fails when a section stops covering a field: take one away.
    sections = tuple(s for s in export.SECTIONS if s.key != "private_notes")
    monkeypatch.setattr(export, "SECTIONS", sections)
    covered = {key for section in export.SECTIONS for key in section.covers}
    assert "notes.MeetingNote.author" in _person_links() - covered - set(export.SKIPPED)


def test_my_data_shows_what_is_mine_and_nothing_of_others(pairs) -> None:  # type: ignore[no-untyped-def]
    build(pairs)
    client = pairs.world.client_for(pairs.mentor)
    response = client.get("/privacy/my-data/")
    for mine in (
        "Jess private thoughts",
        "Jess says hello",
        "Written by Jess",
        "Jess goal statement",
        "Jess commits",
        "Thank you from Sam",  # received
        "Jess raised this",
        "Jess pulse comment",
        "Jess hopes for a lot",
        "Jess answer",
        "Jess disability answer",
        "v-test",
        "Sam Senior",  # the partner, by name
        "jess@northwind.test",
        "Answers to anonymous surveys are stored without your name",
    ):
        assert mine in response.content.decode(), mine
    for theirs in (
        "Sam private thoughts",
        "Sam says hello back",
        "Sam goal statement",
        "Sam commits",
        "Team note on it",
        "Anonymous words",
        "sam@northwind.test",
    ):
        assertNotContains(response, theirs, status_code=200)


def test_the_partner_sees_their_own_export_not_jess_s(pairs) -> None:  # type: ignore[no-untyped-def]
    build(pairs)
    response = pairs.world.client_for(pairs.mentee).get("/privacy/my-data/")
    assert response.status_code == 200
    assert "Sam private thoughts" in response.content.decode()
    for theirs in ("Jess private thoughts", "Jess says hello", "Jess raised this", "Jess pulse"):
        assertNotContains(response, theirs, status_code=200)


def test_json_download_is_the_same_data_and_is_audited(pairs) -> None:  # type: ignore[no-untyped-def]
    build(pairs)
    response = pairs.world.client_for(pairs.mentor).get("/privacy/my-data.json")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    data = json.loads(response.content)
    sections = {s["key"]: s for s in data["sections"]}
    assert set(sections) == {s.key for s in export.SECTIONS}
    texts = json.dumps(data)
    assert "Jess private thoughts" in texts and "Sam private thoughts" not in texts
    assert "Team note on it" not in texts
    event = AuditEvent.objects.get(verb="privacy.data_exported")
    assert event.actor == pairs.mentor.user and event.data == {}


def test_hostile_text_is_escaped_on_the_page(pairs) -> None:  # type: ignore[no-untyped-def]
    scenario = build(pairs)
    scenario.jess_message.body = "<script>alert(1)</script>"
    scenario.jess_message.save()
    response = pairs.world.client_for(pairs.mentor).get("/privacy/my-data/")
    assertNotContains(response, "<script>alert(1)", status_code=200)
    assert b"&lt;script&gt;alert(1)" in response.content


def test_an_empty_account_sees_empty_sections(world) -> None:  # type: ignore[no-untyped-def]
    response = world.client_for(world.other_manager).get("/privacy/my-data/")
    assert response.status_code == 200
    assert b"Nothing here." in response.content


def test_signed_out_visitors_are_sent_to_sign_in(client) -> None:  # type: ignore[no-untyped-def]
    for url in ("/privacy/my-data/", "/privacy/my-data.json"):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_account_menu_links_to_your_data(world) -> None:  # type: ignore[no-untyped-def]
    response = world.client_for(world.applicant).get("/accounts/email/")
    assert b'href="/privacy/my-data/"' in response.content


def test_dates_read_as_dates_on_the_page_and_iso_in_the_file(pairs) -> None:  # type: ignore[no-untyped-def]
    build(pairs)
    client = pairs.world.client_for(pairs.mentor)
    joined = pairs.mentor.user.date_joined
    page = client.get("/privacy/my-data/")
    assert f"{joined:%-d %B %Y}" in page.content.decode()
    data = json.loads(client.get("/privacy/my-data.json").content)
    account = next(s for s in data["sections"] if s["key"] == "account")
    assert account["rows"][0]["Joined"] == joined.isoformat()
