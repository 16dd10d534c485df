from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from pytest_django.asserts import assertNotContains

from upward.consent.models import AboutYou, ConsentEvent
from upward.core.audit import verify_chain
from upward.core.errors import DomainError
from upward.core.models import AuditEvent
from upward.goals.models import Goal
from upward.impact.selectors import commitment_totals
from upward.notes.models import MeetingNote, Message, SharedNote
from upward.notifications.models import OutboundEmail
from upward.organisations.models import Person
from upward.pairing.models import Pairing
from upward.pairing.selectors import pairing_counts
from upward.privacy.models import ErasureRecord
from upward.privacy.services import TOMBSTONE_NAME, erase_person
from upward.privacy.tests.scenario import build
from upward.recruitment.models import Application
from upward.surveys.models import Answer, Response, Submission
from upward.surveys.models import Response as SurveyResponse
from upward.surveys.pseudonyms import pseudonym

pytestmark = pytest.mark.django_db

NEEDLES = ("jess junior", "jess@northwind.test")


def _scan(needles: tuple[str, ...]) -> list[str]:
    """Every value of every column of every table, read with raw SQL."""
    hits = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608 (names from introspection)
            columns = [c[0] for c in cursor.description]
            for row in cursor.fetchall():
                for column, value in zip(columns, row, strict=True):
                    if isinstance(value, bytes | memoryview):
                        value = bytes(value).decode("latin-1")
                    if isinstance(value, str) and any(n in value.lower() for n in needles):
                        hits.append(f"{table}.{column}")
    return hits


def _figures(scenario: Any) -> dict[str, Any]:
    programme = scenario.pairs.world.programme
    return {
        "pairings": pairing_counts(programme),
        "commitments": commitment_totals(programme),
        "goals": Goal.objects.filter(pairing__programme=programme).count(),
        "applications": Application.objects.filter(programme=programme).count(),
        "submissions": Submission.objects.filter(survey=scenario.survey).count(),
        "responses": Response.objects.filter(survey__programme=programme).count(),
        "answers": Answer.objects.filter(response__survey__programme=programme).count(),
    }


def test_erasure_leaves_no_trace_of_name_or_email_in_any_column(pairs) -> None:  # type: ignore[no-untyped-def]
    scenario = build(pairs)
    jess = pairs.mentor
    # The usual case: the programme is over. (A live pairing ends first: see the next test.)
    Pairing.objects.filter(programme=pairs.world.programme).update(state="completed")
    assert _scan(NEEDLES), "the scenario must put her name and address in the database first"
    before = _figures(scenario)

    report = erase_person(jess, by=pairs.world.admin.user)

    assert _scan(NEEDLES) == []
    assert _figures(scenario) == before
    assert report.deleted["notes.MeetingNote"] == 1
    # The append-only audit log is not rewritten: its chain still verifies.
    assert verify_chain(pairs.world.org).intact
    jess.refresh_from_db()
    assert jess.full_name == TOMBSTONE_NAME and not jess.is_active and jess.user_id is None
    assert (jess.job_title, jess.location, jess.manager_id) == ("", "", None)
    assert not get_user_model().objects.filter(email="jess@northwind.test").exists()


def test_a_live_pairing_ends_and_the_partner_is_told_without_her_name(pairs) -> None:  # type: ignore[no-untyped-def]
    scenario = build(pairs)
    total = Pairing.objects.count()
    erase_person(pairs.mentor, by=pairs.world.admin.user)
    assert Pairing.objects.get(pk=pairs.pairing.pk).state == "ended"
    assert Pairing.objects.get(pk=pairs.other.pk).state == "active"
    assert Pairing.objects.count() == total
    told = pairs.mentee.notifications.count()
    assert told >= 2  # the message alert from the scenario and the neutral notice
    assert _scan(NEEDLES) == []
    for email in OutboundEmail.objects.filter(person=pairs.mentee):
        assert "Jess" not in f"{email.subject} {email.body} {email.html}"
    assert scenario.survey.pk


def test_the_last_admin_cannot_be_erased(world) -> None:  # type: ignore[no-untyped-def]
    other = world.outsider_admin
    with pytest.raises(DomainError, match="at least one active organisation admin"):
        erase_person(other, by=world.admin.user)
    assert Person.objects.get(pk=other.pk).full_name == "Oscar Outsider"


def test_the_partner_keeps_their_own_records(pairs) -> None:  # type: ignore[no-untyped-def]
    scenario = build(pairs)
    erase_person(pairs.mentor, by=pairs.world.admin.user)
    assert MeetingNote.objects.get(pk=scenario.sam_note.pk).body == "Sam private thoughts"
    assert Message.objects.get(pk=scenario.sam_message.pk).body == "Sam says hello back"
    assert not Message.objects.filter(pk=scenario.jess_message.pk).exists()
    assert not MeetingNote.objects.filter(pk=scenario.jess_note.pk).exists()
    assert Goal.objects.get(owner=pairs.mentee).statement == "Sam goal statement"
    # The shared note stays for Sam, no longer signed.
    note = SharedNote.objects.get(pairing=pairs.pairing)
    assert note.body == "Written by Jess" and note.created_by is None
    # Sam's notification keeps its meaning without her name.
    alert = pairs.mentee.notifications.get(kind="message")
    assert alert.subject == "a former participant sent you a message"


def test_applications_lose_free_text_and_special_category_data(pairs) -> None:  # type: ignore[no-untyped-def]
    build(pairs)
    erase_person(pairs.mentor, by=pairs.world.admin.user)
    application = Application.objects.get(person=pairs.mentor)
    assert application.motivation == "" and not application.lived_experience_consent
    assert not application.answers.exists()
    assert not application.lived_experience_topics.exists()


def test_special_category_answers_and_consents_go(pairs) -> None:  # type: ignore[no-untyped-def]
    build(pairs)
    erase_person(pairs.mentor, by=pairs.world.admin.user)
    assert not AboutYou.objects.filter(person=pairs.mentor).exists()
    assert not ConsentEvent.objects.filter(person=pairs.mentor).exists()


def test_erasure_strips_their_groups_from_anonymous_survey_rows(pairs) -> None:  # type: ignore[no-untyped-def]
    scenario = build(pairs)
    programme = pairs.world.programme
    theirs = pseudonym(person_id=pairs.mentor.pk, programme_id=programme.pk, anonymous=True)
    others = pseudonym(person_id=pairs.mentee.pk, programme_id=programme.pk, anonymous=True)
    for alias, role in ((theirs, "mentor"), (others, "mentee")):
        SurveyResponse.objects.create(
            survey=scenario.survey,
            is_anonymous=True,
            pseudonym=alias,
            role=role,
            groups=["ethnicity:asian"],
        )
    erase_person(pairs.mentor, by=pairs.world.admin.user)
    assert SurveyResponse.objects.get(pseudonym=theirs).groups == []
    assert SurveyResponse.objects.get(pseudonym=others).groups == ["ethnicity:asian"]


def test_surveys_identified_lose_the_person_anonymous_untouched(pairs) -> None:  # type: ignore[no-untyped-def]
    build(pairs)
    anonymous = list(Response.objects.filter(is_anonymous=True).values())
    erase_person(pairs.mentor, by=pairs.world.admin.user)
    assert list(Response.objects.filter(is_anonymous=True).values()) == anonymous
    identified = Response.objects.get(is_anonymous=False)
    assert identified.person_id is None


def test_erasure_is_audited_and_ledgered_by_ids_only(pairs) -> None:  # type: ignore[no-untyped-def]
    build(pairs)
    jess = pairs.mentor
    erase_person(jess, by=pairs.world.admin.user)
    event = AuditEvent.objects.get(verb="privacy.person_erased")
    assert event.object_id == str(jess.pk) and event.data == {"person_id": jess.pk}
    assert event.actor == pairs.world.admin.user
    record = ErasureRecord.objects.get()
    assert (record.person_id, record.organisation_id, record.by_user_id) == (
        jess.pk,
        pairs.world.org.pk,
        pairs.world.admin.user.pk,
    )


def test_an_admin_cannot_erase_their_own_entry(world) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(DomainError, match="your own entry"):
        erase_person(world.admin, by=world.admin.user)
    assert Person.objects.get(pk=world.admin.pk).full_name == "Ada Admin"


def test_erasing_twice_changes_nothing_more(pairs) -> None:  # type: ignore[no-untyped-def]
    build(pairs)
    erase_person(pairs.mentor, by=pairs.world.admin.user)
    again = erase_person(Person.objects.get(pk=pairs.mentor.pk), by=pairs.world.admin.user)
    assert again.deleted == {}
    assert _scan(NEEDLES) == []


# --- the page ----------------------------------------------------------------------------------


def _url(person: Person) -> str:
    return f"/privacy/people/{person.pk}/erase/"


def test_the_page_names_the_consequences_and_needs_the_name(pairs) -> None:  # type: ignore[no-untyped-def]
    client = pairs.world.client_for(pairs.world.admin)
    page = client.get(_url(pairs.mentor))
    assert page.status_code == 200
    assert b"cannot be undone" in page.content and b"Jess Junior" in page.content
    wrong = client.post(_url(pairs.mentor), {"confirm_name": "Someone Else"})
    assert wrong.status_code == 200 and b"not their name" in wrong.content
    empty = client.post(_url(pairs.mentor), {})
    assert empty.status_code == 200
    assert Person.objects.get(pk=pairs.mentor.pk).full_name == "Jess Junior"
    done = client.post(_url(pairs.mentor), {"confirm_name": "  jess   JUNIOR "})
    assert done.status_code == 302
    assert Person.objects.get(pk=pairs.mentor.pk).full_name == TOMBSTONE_NAME


def test_the_person_page_links_to_erasure_for_admins(world) -> None:  # type: ignore[no-untyped-def]
    page = world.client_for(world.admin).get(f"/people/{world.applicant.pk}/")
    assert page.status_code == 200 and _url(world.applicant).encode() in page.content
    own = world.client_for(world.admin).get(f"/people/{world.admin.pk}/")
    assertNotContains(own, _url(world.admin), status_code=200)


def test_an_admin_cannot_erase_themselves_through_the_page(world) -> None:  # type: ignore[no-untyped-def]
    client = world.client_for(world.admin)
    page = client.get(_url(world.admin))
    assert page.status_code == 200 and b"cannot erase your own entry" in page.content
    client.post(_url(world.admin), {"confirm_name": "Ada Admin"})
    assert Person.objects.get(pk=world.admin.pk).full_name == "Ada Admin"


@pytest.mark.parametrize("who", ["outsider_admin", "manager", "applicant"])
def test_others_get_404_and_erase_nothing(world, who: str) -> None:  # type: ignore[no-untyped-def]
    client = world.client_for(getattr(world, who))
    assert client.get(_url(world.senior)).status_code == 404
    assert client.post(_url(world.senior), {"confirm_name": "Sam Senior"}).status_code == 404
    assert Person.objects.get(pk=world.senior.pk).full_name == "Sam Senior"


def test_an_erased_entry_says_so_and_offers_no_second_erasure(pairs) -> None:  # type: ignore[no-untyped-def]
    erase_person(pairs.mentor, by=pairs.world.admin.user)
    client = pairs.world.client_for(pairs.world.admin)
    page = client.get(f"/people/{pairs.mentor.pk}/")
    assert page.status_code == 200 and b"This entry was erased" in page.content
    assertNotContains(page, "Erase this person", status_code=200)
    again = client.get(_url(pairs.mentor))
    assert again.status_code == 302


def test_a_directory_entry_without_an_account_can_be_erased(world) -> None:  # type: ignore[no-untyped-def]
    from upward.testing.factories import PersonFactory

    person = PersonFactory(
        organisation=world.org, full_name="Nadia Noaccount", email="nadia@x.test"
    )
    report = erase_person(person, by=world.admin.user)
    assert "accounts.User" not in report.deleted
    assert _scan(("nadia noaccount", "nadia@x.test")) == []
