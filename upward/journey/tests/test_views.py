"""Every page asked as each persona; bad input through the forms; query budgets; htmx."""

from __future__ import annotations

import datetime as dt
from email import message_from_bytes

import pytest
from django.core import mail
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from upward.journey import services
from upward.journey.models import Event, Meeting, MeetingAgendaItem, PairAgreement
from upward.journey.tests.conftest import NOW
from upward.journey.tests.factories import accepted, active_pairing
from upward.journey.tests.helpers import book, sessions

pytestmark = pytest.mark.django_db


def _pair_urls(pairs, meeting):
    p = pairs.pairing.pk
    return [
        reverse("journey:pairing", args=[p]),
        reverse("journey:agreement", args=[p]),
        reverse("journey:meetings", args=[p]),
        reverse("journey:book", args=[p]),
        reverse("journey:meeting", args=[meeting.pk]),
        reverse("journey:reschedule", args=[meeting.pk]),
        reverse("journey:cancel", args=[meeting.pk]),
        reverse("journey:record", args=[meeting.pk]),
        reverse("journey:meeting_ics", args=[meeting.pk]),
    ]


def test_pair_pages_are_for_the_pair_only(pairs, world):
    meeting = book(pairs)
    urls = _pair_urls(pairs, meeting)
    for person in (pairs.mentee, pairs.mentor):
        client = world.client_for(person)
        for url in urls:
            assert client.get(url).status_code == 200, url
    # The other pair, the programme's manager, the organisation admin, an outsider: 404.
    for person in (pairs.other.mentor, world.manager, world.admin, world.outsider_admin):
        client = world.client_for(person)
        for url in urls:
            assert client.get(url).status_code == 404, (person, url)
        item = meeting.agenda.all()[0]
        assert client.post(reverse("journey:agenda_toggle", args=[item.pk])).status_code == 404
    anonymous = world.client_for(None)
    for url in urls:
        response = anonymous.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_manager_pages(pairs, world):
    programme = world.programme
    event = services.save_event(
        programme,
        None,
        data={"title": "Mentor kick-off", "kind": "kickoff", "audience": "mentors"},
        starts_at=NOW + dt.timedelta(days=5),
        ends_at=NOW + dt.timedelta(days=5, hours=2),
        time_zone="Europe/London",
        organiser=world.manager,
        by=None,
    )
    urls = [
        reverse("journey:programme_setup", args=[programme.pk]),
        reverse("journey:programme_pairs", args=[programme.pk]),
        reverse("journey:manager_pairing", args=[programme.pk, pairs.pairing.pk]),
        reverse("journey:programme_events", args=[programme.pk]),
        reverse("journey:event_new", args=[programme.pk]),
        reverse("journey:event_edit", args=[programme.pk, event.pk]),
        reverse("journey:event_cancel", args=[programme.pk, event.pk]),
        reverse("journey:event_attendance", args=[programme.pk, event.pk]),
    ]
    for person in (world.manager, world.admin):
        client = world.client_for(person)
        for url in urls:
            assert client.get(url).status_code == 200, url
    for person in (world.other_manager, pairs.mentor, pairs.mentee, world.outsider_admin):
        client = world.client_for(person)
        for url in urls:
            assert client.get(url).status_code == 404, (person, url)
    for url in urls:
        assert world.client_for(None).get(url).status_code == 302


def test_manager_sees_counts_but_no_content(pairs, world):
    meeting = book(pairs, place="The quiet room by the lifts")
    services.save_agreement(
        pairs.pairing,
        person=pairs.mentee,
        data={
            "confidentiality": "SECRET-WORDING",
            "meetings_per_month": 1,
            "minutes_per_meeting": 60,
            "ends_on": dt.date(2027, 7, 1),
            "raising_concerns": "Talk.",
        },
        by=None,
    )
    client = world.client_for(world.manager)
    for url in (
        reverse("journey:programme_pairs", args=[world.programme.pk]),
        reverse("journey:manager_pairing", args=[world.programme.pk, pairs.pairing.pk]),
    ):
        response = client.get(url)
        html = response.content.decode()
        assert "Sam Senior" in html
        assertNotContains(response, "SECRET-WORDING")
        assertNotContains(response, "quiet room")
        assertNotContains(response, meeting.agenda.all()[0].text)
    html = client.get(
        reverse("journey:manager_pairing", args=[world.programme.pk, pairs.pairing.pk])
    ).content.decode()
    assert "Pending" in html


def test_other_programmes_pairing_is_404_for_this_manager(pairs, world):
    third = active_pairing(world.other_programme, mentor=pairs.mentor, mentee=pairs.other_mentee)
    url = reverse("journey:manager_pairing", args=[world.programme.pk, third.pk])
    assert world.client_for(world.manager).get(url).status_code == 404
    url = reverse("journey:manager_pairing", args=[world.other_programme.pk, third.pk])
    assert world.client_for(world.manager).get(url).status_code == 404
    assert world.client_for(world.other_manager).get(url).status_code == 200


def test_pairing_page_tells_each_role_who_books(pairs, world):
    url = reverse("journey:pairing", args=[pairs.pairing.pk])
    senior = world.client_for(pairs.mentee).get(url).content.decode()
    response = world.client_for(pairs.mentor).get(url)
    junior = response.content.decode()
    assert "You book the next meeting." in senior
    assert "Waiting for Sam Senior to book the next meeting" in junior
    assertNotContains(response, "You book the next meeting.")
    assertNotContains(response, reverse("journey:book", args=[pairs.pairing.pk]))
    # Agreement pending until both confirm, partner profile shown, extras slot present.
    assert "pair agreement is pending" in senior
    assert "Jess Junior" in senior
    assert 'class="pairing-extras"' in senior
    # The current step and the mentee's preparation for it.
    first = sessions(pairs.version)[0]
    assert first.title in senior
    assert first.mentee_prepares[:40] in senior
    assert first.mentor_prepares[:40] in junior


def test_agreement_pending_until_both_confirm_through_the_pages(pairs, world):
    url = reverse("journey:agreement", args=[pairs.pairing.pk])
    data = {
        "confidentiality": "Between us.",
        "meetings_per_month": "1",
        "minutes_per_meeting": "60",
        "ends_on": "2027-07-01",
        "raising_concerns": "We talk.",
        "and_confirm": "1",
        "based_on": "0",  # the version the page showed: none yet
    }
    response = world.client_for(pairs.mentee).post(url, data)
    assert response.status_code == 302
    page = reverse("journey:pairing", args=[pairs.pairing.pk])
    html = world.client_for(pairs.mentor).get(page).content.decode()
    assert "Agreement pending: please read it and confirm." in html
    world.client_for(pairs.mentor).post(
        reverse("journey:agreement_confirm", args=[pairs.pairing.pk]), {"version": "1"}
    )
    assert PairAgreement.objects.get().is_confirmed
    html_response = world.client_for(pairs.mentor).get(page)
    html = html_response.content.decode()
    assert "Confirmed by both" in html
    assertNotContains(html_response, "Agreement pending")


def test_confirming_an_agreement_changed_since_the_page_opened_is_refused(pairs, world):
    url = reverse("journey:agreement", args=[pairs.pairing.pk])
    data = {
        "confidentiality": "Between us.",
        "meetings_per_month": "1",
        "minutes_per_meeting": "60",
        "ends_on": "2027-07-01",
        "raising_concerns": "We talk.",
    }
    world.client_for(pairs.mentee).post(url, {**data, "based_on": "0"})
    page = world.client_for(pairs.mentor).get(url)
    assertContains(page, 'name="version" value="1"', status_code=200)
    # The senior saves version 2 while the mentor still reads version 1.
    world.client_for(pairs.mentee).post(
        url,
        {**data, "confidentiality": "I may share notes with my line manager.", "based_on": "1"},
    )
    response = world.client_for(pairs.mentor).post(
        reverse("journey:agreement_confirm", args=[pairs.pairing.pk]),
        {"version": "1"},
        follow=True,
    )
    assertContains(response, "The agreement has changed since you opened it", status_code=200)
    assertContains(response, "I may share notes with my line manager.", status_code=200)
    assertNotContains(response, "Confirmed by both", status_code=200)
    assert PairAgreement.objects.get().mentor_confirmed_at is None
    # The outsider cannot confirm at all.
    outsider = world.client_for(pairs.other.mentor).post(
        reverse("journey:agreement_confirm", args=[pairs.pairing.pk]), {"version": "2"}
    )
    assert outsider.status_code == 404


def test_saving_an_agreement_edit_from_a_stale_page_is_refused(pairs, world):
    url = reverse("journey:agreement", args=[pairs.pairing.pk])
    data = {
        "confidentiality": "Between us.",
        "meetings_per_month": "1",
        "minutes_per_meeting": "60",
        "ends_on": "2027-07-01",
        "raising_concerns": "We talk.",
        "based_on": "0",
    }
    world.client_for(pairs.mentee).post(url, {**data, "and_confirm": "1"})
    page = world.client_for(pairs.mentor).get(url)
    assertContains(page, 'name="based_on" value="1"', status_code=200)
    # The senior saves version 2 while the mentor edits from version 1.
    world.client_for(pairs.mentee).post(
        url, {**data, "confidentiality": "I may share notes with my line manager.", "based_on": "1"}
    )
    world.client_for(pairs.mentee).post(
        reverse("journey:agreement_confirm", args=[pairs.pairing.pk]), {"version": "2"}
    )
    response = world.client_for(pairs.mentor).post(
        url, {**data, "confidentiality": "Nothing leaves the room.", "based_on": "1"}
    )
    assertContains(response, "Your partner changed the agreement while you were", status_code=200)
    assertContains(response, "The agreement as it stands now (version 2)", status_code=200)
    assertContains(response, "I may share notes with my line manager.", status_code=200)
    assertContains(response, 'name="based_on" value="2"', status_code=200)
    agreement = PairAgreement.objects.get()
    assert agreement.version == 2
    assert agreement.confidentiality == "I may share notes with my line manager."
    assert agreement.mentee_confirmed_at is not None  # the senior's confirmation stands


def test_agreement_form_bad_input(pairs, world):
    url = reverse("journey:agreement", args=[pairs.pairing.pk])
    response = world.client_for(pairs.mentee).post(
        url,
        {
            "confidentiality": "x",
            "meetings_per_month": "1",
            "minutes_per_meeting": "600",
            "ends_on": "2020-01-01",
            "raising_concerns": "y",
        },
    )
    assert response.status_code == 200
    assert "minutes_per_meeting" in response.context["form"].errors
    assert not PairAgreement.objects.exists()


def _booking(**changes):
    data = {
        "date": "2027-02-10",
        "start_time": "10:00",
        "duration_minutes": "60",
        "time_zone": "Europe/London",
        "place": "Café",
        "video_url": "",
    }
    data.update(changes)
    return data


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"date": "2027-01-20"}, "date"),
        ({"duration_minutes": "5"}, "duration_minutes"),
        ({"duration_minutes": "500"}, "duration_minutes"),
        ({"time_zone": "Nowhere/Atlantis"}, "time_zone"),
        ({"start_time": "25:99"}, "start_time"),
        ({"date": "not a date"}, "date"),
        ({"video_url": "not a url"}, "video_url"),
    ],
)
def test_booking_form_bad_input_is_a_form_error(pairs, world, changes, field):
    url = reverse("journey:book", args=[pairs.pairing.pk])
    response = world.client_for(pairs.mentee).post(url, _booking(**changes))
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not Meeting.objects.exists()


def test_booking_form_overlap_is_a_clear_error(pairs, world):
    url = reverse("journey:book", args=[pairs.pairing.pk])
    client = world.client_for(pairs.mentee)
    assert client.post(url, _booking()).status_code == 302
    response = client.post(url, _booking(start_time="10:30"))
    assert response.status_code == 200
    assert "already have a meeting" in str(response.context["form"].errors)
    assert Meeting.objects.count() == 1


def test_booking_in_the_bookers_zone_and_shown_in_each_zone(pairs, world):
    pairs.mentor.time_zone = "Asia/Kolkata"
    pairs.mentor.save(update_fields=["time_zone"])
    url = reverse("journey:book", args=[pairs.pairing.pk])
    with_step = _booking(step=str(sessions(pairs.version)[0].pk))
    response = world.client_for(pairs.mentee).post(url, with_step)
    meeting = Meeting.objects.get()
    assert response["Location"] == reverse("journey:meeting", args=[meeting.pk])
    assert meeting.starts_at == dt.datetime(2027, 2, 10, 10, 0, tzinfo=dt.UTC)  # GMT in Feb
    html = world.client_for(pairs.mentor).get(response["Location"]).content.decode()
    assert "15:30" in html  # the mentor's own time in Kolkata
    assert "10:00 for Sam Senior" in html


def test_junior_post_to_book_is_refused(pairs, world):
    url = reverse("journey:book", args=[pairs.pairing.pk])
    response = world.client_for(pairs.mentor).post(url, _booking())
    assert response.status_code == 403
    assert not Meeting.objects.exists()
    page = world.client_for(pairs.mentor).get(url).content.decode()
    assert "Sam Senior books and changes meetings" in page


def test_agenda_toggle_htmx_returns_the_partial(pairs, world):
    meeting = book(pairs)
    item = meeting.agenda.order_by("position")[0]
    client = world.client_for(pairs.mentor)
    url = reverse("journey:agenda_toggle", args=[item.pk])
    response = client.post(url, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<section class="card" id="agenda"')
    assertNotContains(response, "<html")
    assert "HX-Request" in response["Vary"]
    item.refresh_from_db()
    assert item.done_by == pairs.mentor and item.done_at == NOW
    # Without htmx: a redirect back to the meeting; ticking again unticks.
    response = client.post(url)
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.done_at is None
    page = client.get(reverse("journey:meeting", args=[meeting.pk]))
    assert "HX-Request" in page["Vary"]


def test_add_agenda_item(pairs, world):
    meeting = book(pairs)
    client = world.client_for(pairs.mentor)
    url = reverse("journey:meeting", args=[meeting.pk])
    response = client.post(url, {"text": "Talk about the new rota"}, HTTP_HX_REQUEST="true")
    assert "Talk about the new rota" in response.content.decode()
    # Agenda text is encrypted: compared in Python, not filtered in the database.
    assert "Talk about the new rota" in [
        item.text for item in MeetingAgendaItem.objects.filter(meeting=meeting)
    ]
    response = client.post(url, {"text": ""}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200


def test_cancel_needs_confirmation(pairs, world, django_capture_on_commit_callbacks):
    meeting = book(pairs)
    url = reverse("journey:cancel", args=[meeting.pk])
    client = world.client_for(pairs.mentee)
    assert client.post(url, {}).status_code == 200
    meeting.refresh_from_db()
    assert meeting.status == "scheduled"
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url, {"confirm": "on"}).status_code == 302
    meeting.refresh_from_db()
    assert meeting.status == "cancelled"
    assert any("Cancelled" in m.subject for m in mail.outbox)
    # The mentor may not cancel (policy), even by posting directly.
    other = book(pairs, days=6)
    world.client_for(pairs.mentor).post(
        reverse("journey:cancel", args=[other.pk]), {"confirm": "on"}
    )
    other.refresh_from_db()
    assert other.status == "scheduled"


def test_record_outcome_page(pairs, world, clock):
    meeting = book(pairs, days=1)
    url = reverse("journey:record", args=[meeting.pk])
    client = world.client_for(pairs.mentor)
    response = client.post(url, {"outcome": "held", "actual_minutes": "45"})
    assert response.status_code == 200  # too early
    assert "once its start time" in str(response.context["form"].errors)
    clock.move_to(meeting.ends_at)
    response = client.post(url, {"outcome": "held", "actual_minutes": ""})
    assert "actual_minutes" in response.context["form"].errors
    assert client.post(url, {"outcome": "held", "actual_minutes": "45"}).status_code == 302
    meeting.refresh_from_db()
    assert meeting.status == "held" and meeting.actual_minutes == 45


def test_list_pages_query_budgets(pairs, world, django_assert_max_num_queries):
    for days in range(1, 8):
        book(pairs, days=days, step=None)
    for i in range(6):
        from upward.testing.factories import person_with_account

        mentor = person_with_account(organisation=world.org, email=f"m{i}@northwind.test")
        mentee = person_with_account(organisation=world.org, email=f"s{i}@northwind.test")
        active_pairing(world.programme, mentor=mentor, mentee=mentee)
    checks = [
        (pairs.mentee, reverse("journey:pairing", args=[pairs.pairing.pk]), 30),
        (pairs.mentee, reverse("journey:meetings", args=[pairs.pairing.pk]), 16),
        (world.manager, reverse("journey:programme_pairs", args=[world.programme.pk]), 18),
        (world.manager, reverse("journey:programme_events", args=[world.programme.pk]), 14),
        (world.manager, reverse("journey:templates"), 12),
        (pairs.mentor, reverse("journey:events"), 14),
    ]
    for person, url, budget in checks:
        client = world.client_for(person)
        with django_assert_max_num_queries(budget):
            assert client.get(url).status_code == 200


def test_programme_setup_page_saves(pairs, world):
    url = reverse("journey:programme_setup", args=[world.programme.pk])
    client = world.client_for(world.manager)
    response = client.post(
        url,
        {
            "version": pairs.version.pk,
            "mode": "free",
            "meetings_per_month": "2",
            "minutes_per_meeting": "45",
        },
    )
    assert response.status_code == 302
    pj = world.programme.__class__.objects.get(pk=world.programme.pk).journey
    assert pj.mode == "free" and pj.minutes_per_meeting == 45
    bad = client.post(
        url,
        {"version": "999999", "mode": "x", "meetings_per_month": "0", "minutes_per_meeting": "1"},
    )
    assert bad.status_code == 200
    assert set(bad.context["form"].errors) == {
        "version",
        "mode",
        "meetings_per_month",
        "minutes_per_meeting",
    }


def test_template_library_access_and_clone(pairs, world):
    builtin = pairs.version.template
    manager = world.client_for(world.manager)
    assert manager.get(reverse("journey:templates")).status_code == 200
    assert manager.get(reverse("journey:template", args=[builtin.pk])).status_code == 200
    assert world.client_for(pairs.mentor).get(reverse("journey:templates")).status_code == 404
    assert world.client_for(None).get(reverse("journey:templates")).status_code == 302
    # Built-in cannot be drafted.
    assert manager.post(reverse("journey:draft", args=[builtin.pk])).status_code == 404
    response = manager.post(
        reverse("journey:template_clone", args=[builtin.pk]), {"name": "Northwind way"}
    )
    copy = builtin.__class__.objects.get(name="Northwind way")
    assert response["Location"] == reverse("journey:template", args=[copy.pk])
    assert copy.organisation == world.org
    # Someone from another organisation cannot see or edit it.
    outsider = world.client_for(world.outsider_admin)
    assert outsider.get(reverse("journey:template", args=[copy.pk])).status_code == 404
    assert outsider.post(reverse("journey:draft", args=[copy.pk])).status_code == 404
    # Draft, edit a step, publish through the pages.
    assert manager.post(reverse("journey:draft", args=[copy.pk])).status_code == 302
    draft = copy.versions.get(number__isnull=True)
    step = draft.steps.get(position=3)
    response = manager.post(
        reverse("journey:step_edit", args=[copy.pk, step.pk]),
        {"kind": "session", "title": "Our first session", "agenda": "Coffee\nIntroductions"},
    )
    assert response.status_code == 302
    assert manager.get(reverse("journey:draft", args=[copy.pk])).status_code == 200
    manager.post(reverse("journey:draft_publish", args=[copy.pk]), {"change_note": "Ours"})
    assert copy.versions.get(number=2).steps.get(position=3).title == "Our first session"
    assert copy.versions.get(number=1).steps.get(position=3).title != "Our first session"


def test_events_for_the_right_audience(pairs, world, clock, django_capture_on_commit_callbacks):
    url = reverse("journey:event_new", args=[world.programme.pk])
    manager = world.client_for(world.manager)
    with django_capture_on_commit_callbacks(execute=True):
        response = manager.post(
            url,
            {
                "kind": "kickoff",
                "audience": "mentors",
                "title": "Kick-off for mentors",
                "date": "2027-02-08",
                "start_time": "14:00",
                "end_time": "16:00",
                "time_zone": "Europe/London",
                "place": "Boardroom",
            },
        )
    assert response.status_code == 302
    event = Event.objects.get()
    invited = sorted(m.to[0] for m in mail.outbox)
    assert invited == sorted([pairs.mentor.email, pairs.other.mentor.email])
    event_url = reverse("journey:event", args=[event.pk])
    assert world.client_for(pairs.mentor).get(event_url).status_code == 200
    assert world.client_for(pairs.mentee).get(event_url).status_code == 404
    assert world.client_for(world.outsider_admin).get(event_url).status_code == 404
    assert world.client_for(None).get(event_url).status_code == 302
    ics_response = world.client_for(pairs.mentor).get(reverse("journey:event_ics", args=[event.pk]))
    assert b"METHOD:REQUEST" in ics_response.content

    # RSVP, then managers mark attendance once it has started.
    world.client_for(pairs.mentor).post(event_url, {"answer": "yes"})
    assert event.responses.get(person=pairs.mentor).answer == "yes"
    assert world.client_for(pairs.mentor).post(event_url, {"answer": "perhaps"}).status_code == 200
    attendance = reverse("journey:event_attendance", args=[world.programme.pk, event.pk])
    # The page's people travel with the form (attendance is saved a page at a time).
    people = [pairs.mentor.pk, pairs.other.mentor.pk]
    response = manager.post(attendance, {"people": people, f"attended_{pairs.mentor.pk}": "on"})
    assert "once the event has started" in response.content.decode()
    clock.move_to(event.starts_at + dt.timedelta(minutes=10))
    manager.post(attendance, {"people": people, f"attended_{pairs.mentor.pk}": "on"})
    assert event.responses.get(person=pairs.mentor).attended is True
    assert event.responses.get(person=pairs.other.mentor).attended is False


def test_event_end_before_start_is_a_form_error(pairs, world):
    response = world.client_for(world.manager).post(
        reverse("journey:event_new", args=[world.programme.pk]),
        {
            "kind": "knowledge",
            "audience": "all",
            "title": "Halfway",
            "date": "2027-03-01",
            "start_time": "14:00",
            "end_time": "13:00",
            "time_zone": "Europe/London",
        },
    )
    assert response.status_code == 200
    assert "end_time" in response.context["form"].errors
    assert not Event.objects.exists()


def test_event_update_and_cancel_raise_sequence(pairs, world, django_capture_on_commit_callbacks):
    accepted(world.programme, pairs.mentee, "mentee")
    event = services.save_event(
        world.programme,
        None,
        data={"title": "Knowledge session", "kind": "knowledge", "audience": "all"},
        starts_at=NOW + dt.timedelta(days=3),
        ends_at=NOW + dt.timedelta(days=3, hours=1),
        time_zone="Europe/London",
        organiser=world.manager,
        by=None,
    )
    uid = event.uid
    services.save_event(
        world.programme,
        event,
        data={"title": "Knowledge session (moved)"},
        starts_at=NOW + dt.timedelta(days=4),
        ends_at=NOW + dt.timedelta(days=4, hours=1),
        time_zone="Europe/London",
        organiser=world.manager,
        by=None,
    )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel_event(event, by=None)
    event.refresh_from_db()
    assert event.uid == uid and event.sequence == 2
    assert len(mail.outbox) == 4  # both pairs, both roles
    for message in mail.outbox:
        parsed = message_from_bytes(message.message().as_bytes())
        (part,) = [p for p in parsed.walk() if p.get_content_type() == "text/calendar"]
        assert part.get_param("method") == "CANCEL"
        assert b"METHOD:CANCEL" in part.get_payload(decode=True)


def test_event_edits_resend_invites_only_when_the_calendar_entry_changes(
    pairs, world, settings, django_capture_on_commit_callbacks
):
    from upward.notifications.tests.test_outbox import CountingBackend

    settings.EMAIL_BACKEND = "upward.notifications.tests.test_outbox.CountingBackend"
    CountingBackend.made = 0
    accepted(world.programme, pairs.mentee, "mentee")
    when = {
        "starts_at": NOW + dt.timedelta(days=3),
        "ends_at": NOW + dt.timedelta(days=3, hours=1),
        "time_zone": "Europe/London",
        "organiser": world.manager,
        "by": None,
    }
    data = {"title": "Kick-off", "kind": "kickoff", "audience": "all", "place": "Hall"}
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        event = services.save_event(world.programme, None, data=data, **when)
    assert len(mail.outbox) == 4 and len(callbacks) == 1
    assert CountingBackend.made == 1  # all the invitations over one connection

    # Saved again as it was, or with only its kind changed: nothing a calendar shows changed.
    with django_capture_on_commit_callbacks(execute=True):
        services.save_event(world.programme, event, data=data, **when)
        services.save_event(world.programme, event, data=data | {"kind": "knowledge"}, **when)
    event.refresh_from_db()
    assert event.sequence == 0 and event.kind == "knowledge"
    assert len(mail.outbox) == 4

    # A new place is news for every calendar: SEQUENCE rises and everyone hears.
    with django_capture_on_commit_callbacks(execute=True):
        services.save_event(world.programme, event, data=data | {"place": "Room 2"}, **when)
    event.refresh_from_db()
    assert event.sequence == 1
    assert len(mail.outbox) == 8
    assert all(m.subject == "[Upward] Updated: Kick-off" for m in mail.outbox[4:])


def test_calendar_settings_page(pairs, world):
    client = world.client_for(pairs.mentor)
    url = reverse("journey:calendar")
    assert "No link yet" in client.get(url).content.decode()
    client.post(url, {"action": "regenerate"})
    token = pairs.mentor.calendar_feed.token
    assert token in client.get(url).content.decode()
    client.post(url, {"action": "revoke"})
    assert world.client_for(None).get(f"/calendar/{token}.ics").status_code == 404
    assert world.client_for(None).get(url).status_code == 302


def test_my_journeys_redirects_to_the_only_pairing(pairs, world):
    response = world.client_for(pairs.mentor).get(reverse("journey:mine"))
    assert response["Location"] == reverse("journey:pairing", args=[pairs.pairing.pk])
    response = world.client_for(world.manager).get(reverse("journey:mine"))
    assert "No pairing yet" in response.content.decode()
