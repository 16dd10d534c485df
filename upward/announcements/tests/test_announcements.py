"""Announcements: who they reach, who may send and read them, bad and hostile input, one send."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from upward.announcements import selectors, services
from upward.announcements.models import BODY_MAX, Announcement
from upward.core.models import AuditEvent
from upward.journey.models import Meeting, MeetingStatus
from upward.notifications.models import Delivery, Notification, NotificationPreference
from upward.pairing.models import Pairing
from upward.testing.pairs import Pairs, build_pairs

pytestmark = pytest.mark.django_db

# Inside world.programme's dates (11 January to 9 July 2027).
NOW = dt.datetime(2027, 3, 1, 9, 0, tzinfo=dt.UTC)
HOSTILE_TITLE = "<script>alert('t')</script> Kick-off"
HOSTILE_BODY = 'Hello <img src=x onerror="alert(1)"> & welcome'


@pytest.fixture(autouse=True)
def clock():  # type: ignore[no-untyped-def]
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def _held(pairing: Pairing, *, days_ago: int) -> Meeting:
    starts = timezone.now() - dt.timedelta(days=days_ago)
    return Meeting.objects.create(
        pairing=pairing,
        starts_at=starts,
        duration_minutes=60,
        ends_at=starts + dt.timedelta(minutes=60),
        organiser=pairing.mentee,
        status=MeetingStatus.HELD,
        actual_minutes=60,
        marked_at=starts,
    )


@pytest.fixture
def pairs(world) -> Pairs:  # type: ignore[no-untyped-def]
    """Two pairs that began sixty days ago: Jess and Sam keep their monthly rhythm, Kai and
    Sofia have never met (behind)."""
    world.programme.state = "active"
    world.programme.save(update_fields=["state"])
    found = build_pairs(world, since=timezone.now() - dt.timedelta(days=60))
    _held(found.pairing, days_ago=40)
    _held(found.pairing, days_ago=10)
    return found


def _send(world, audience: str, **kwargs):  # type: ignore[no-untyped-def]
    return services.send_announcement(
        world.programme,
        title=kwargs.get("title", "News"),
        body=kwargs.get("body", "Something to know."),
        audience=audience,
        send_token=kwargs.get("send_token", uuid.uuid4()),
        by=world.manager.user,
    )


def test_each_audience_reaches_only_its_people(world, pairs):
    def names(audience: str) -> set[str]:
        return {p.full_name for p in selectors.audience_people(world.programme, audience)}

    assert names("mentors") == {"Jess Junior", "Kai Keen"}
    assert names("mentees") == {"Sam Senior", "Sofia Strand"}
    assert names("everyone") == {"Jess Junior", "Kai Keen", "Sam Senior", "Sofia Strand"}
    # Only the pair behind its rhythm, both people in it.
    assert names("behind") == {"Kai Keen", "Sofia Strand"}
    # Someone who has left the organisation is not written to.
    pairs.other_mentor.is_active = False
    pairs.other_mentor.save(update_fields=["is_active"])
    assert names("mentors") == {"Jess Junior"}


def test_behind_follows_the_meetings(world, pairs):
    _held(pairs.other, days_ago=20)
    _held(pairs.other, days_ago=5)
    assert selectors.audience_people(world.programme, "behind") == []
    with pytest.raises(services.AnnouncementError, match="Nobody is in this audience today"):
        _send(world, "behind")


def test_mentors_only_notifies_mentors_once_each_with_their_preferences(world, pairs):
    NotificationPreference.objects.create(
        person=pairs.other_mentor, kind="programme", delivery=Delivery.IN_APP
    )
    announcement = _send(world, "mentors")
    notices = Notification.objects.filter(kind="programme")
    assert {n.recipient for n in notices} == {pairs.mentor, pairs.other_mentor}
    assert {n.url for n in notices} == {reverse("announcements:read", args=[announcement.pk])}
    assert notices.get(recipient=pairs.mentor).delivery == Delivery.DIGEST  # the kind's default
    assert notices.get(recipient=pairs.other_mentor).delivery == Delivery.IN_APP
    assert announcement.recipient_count == 2
    assert AuditEvent.objects.filter(verb="announcement.sent", object_id=str(announcement.pk))


def test_behind_audience_notifies_only_the_pair_behind(world, pairs):
    _send(world, "behind")
    recipients = set(
        Notification.objects.filter(kind="programme").values_list("recipient", flat=True)
    )
    assert recipients == {pairs.other_mentor.pk, pairs.other_mentee.pk}


def test_the_same_confirmation_sends_once(world, pairs):
    token = uuid.uuid4()
    first = _send(world, "everyone", send_token=token)
    again = _send(world, "everyone", send_token=token)
    assert first.pk == again.pk
    assert Announcement.objects.count() == 1
    assert Notification.objects.filter(kind="programme").count() == 4


def test_bad_input_is_refused_with_a_clear_message(world, pairs):
    for kwargs, message in (
        ({"title": "  "}, "Give the announcement a title"),
        ({"title": "x" * 151}, "Keep the title to 150 characters"),
        ({"title": "Two\nlines"}, "Write the title on one line"),
        ({"body": ""}, "Write the message"),
        ({"body": "x" * (BODY_MAX + 1)}, "Keep the message to 5000 characters"),
    ):
        with pytest.raises(services.AnnouncementError, match=message):
            _send(world, "everyone", **kwargs)
    with pytest.raises(services.AnnouncementError, match="Choose who receives"):
        _send(world, "managers")
    draft = world.other_programme
    with pytest.raises(services.AnnouncementError, match="once the programme has opened"):
        services.send_announcement(
            draft,
            title="x",
            body="y",
            audience="everyone",
            send_token=uuid.uuid4(),
            by=world.other_manager.user,
        )
    assert not Announcement.objects.exists() and not Notification.objects.exists()


def test_write_check_and_send_through_the_pages(world, pairs):
    client = world.client_for(world.manager)
    p = world.programme.pk
    page = client.get(reverse("announcements:new", args=[p]) + "?template=kick-off")
    assertContains(page, "Time for your first meeting")
    assertContains(page, "Agree how often you will meet")

    bad = client.post(
        reverse("announcements:new", args=[p]), {"audience": "everyone", "title": "", "body": ""}
    )
    assertContains(bad, "Give the announcement a title.", status_code=400)
    assertContains(bad, "Write the message.", status_code=400)
    long = client.post(
        reverse("announcements:new", args=[p]),
        {"audience": "nobody", "title": "Hi", "body": "x" * (BODY_MAX + 1)},
    )
    assert long.status_code == 400
    assert "audience" in long.context["form"].errors and "body" in long.context["form"].errors

    data = {
        "audience": "mentors",
        "title": "Mentors' lunch",
        "body": "Friday at noon.\n\nBring a question.",
    }
    confirm = client.post(reverse("announcements:new", args=[p]), data)
    assertContains(confirm, "Mentors only")
    assertContains(confirm, "Send to 2 people")
    assert not Announcement.objects.exists()  # checking sends nothing

    # "Change it" brings the text back, editable, and sends nothing.
    token = confirm.context["form"].initial["send_token"]
    send_data = {**data, "template_key": "", "send_token": str(token)}
    change = client.post(reverse("announcements:new", args=[p]) + "?edit=1", send_data)
    assertContains(change, "Friday at noon.")
    assert not Announcement.objects.exists()

    sent = client.post(reverse("announcements:send", args=[p]), send_data)
    assert sent.status_code == 302 and sent["Location"] == reverse("announcements:list", args=[p])
    client.post(reverse("announcements:send", args=[p]), send_data)  # a double click
    assert Announcement.objects.count() == 1
    assert Notification.objects.filter(kind="programme").count() == 2

    # The message keeps its paragraphs.
    read = world.client_for(pairs.mentor).get(
        reverse("announcements:read", args=[Announcement.objects.get().pk])
    )
    assertContains(read, "<p>Friday at noon.</p>", html=True)
    assertContains(read, "<p>Bring a question.</p>", html=True)

    listing = client.get(reverse("announcements:list", args=[p]))
    assertContains(listing, "Mentors&#x27; lunch")
    assertContains(listing, "Mentors only")
    assertContains(listing, "Mo Manager")
    assertContains(listing, '<td class="num">2</td>', html=False)


def test_managers_pages_are_404_to_everyone_else(world, pairs):
    p = world.programme.pk
    urls = [reverse("announcements:list", args=[p]), reverse("announcements:new", args=[p])]
    send = reverse("announcements:send", args=[p])
    data = {"audience": "everyone", "title": "x", "body": "y", "send_token": str(uuid.uuid4())}
    for person in (
        world.other_manager,
        world.outsider_admin,
        pairs.mentor,
        pairs.mentee,
        world.other_applicant,
    ):
        client = world.client_for(person)
        for url in urls:
            assert client.get(url).status_code == 404, (person, url)
        assert client.post(send, data).status_code == 404, person
    assert not Announcement.objects.exists()
    anonymous = world.client_for(None).get(urls[0])
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    # The organisation's admin may send, as the programme's manager may.
    assert world.client_for(world.admin).get(urls[0]).status_code == 200
    assert world.client_for(world.admin).post(send, data).status_code == 302


def test_only_its_audience_and_managers_can_read_it(world, pairs):
    announcement = _send(world, "mentors", body="For mentors only.")
    url = reverse("announcements:read", args=[announcement.pk])
    assertContains(world.client_for(pairs.mentor).get(url), "For mentors only.")
    assertContains(world.client_for(world.manager).get(url), "For mentors only.")
    for person in (pairs.mentee, pairs.other_mentee, world.other_manager, world.outsider_admin):
        assertNotContains(world.client_for(person).get(url), "For mentors only.", status_code=404)
    missing = reverse("announcements:read", args=[announcement.pk + 1000])
    assert world.client_for(pairs.mentor).get(missing).status_code == 404


def test_hostile_text_is_escaped_everywhere(world, pairs):
    client = world.client_for(world.manager)
    p = world.programme.pk
    data = {"audience": "everyone", "title": HOSTILE_TITLE, "body": HOSTILE_BODY}
    confirm = client.post(reverse("announcements:new", args=[p]), data)
    assertNotContains(confirm, "<script>alert")
    assertNotContains(confirm, "<img src=x")
    assertContains(confirm, "&lt;script&gt;")
    announcement = _send(world, "everyone", title=HOSTILE_TITLE, body=HOSTILE_BODY)
    pages = [
        client.get(reverse("announcements:list", args=[p])),
        world.client_for(pairs.mentee).get(reverse("announcements:read", args=[announcement.pk])),
        world.client_for(pairs.mentee).get(reverse("notifications:list")),
    ]
    for page in pages:
        assertNotContains(page, "<script>alert")
        assertNotContains(page, "<img src=x")
        assertContains(page, "&lt;script&gt;alert(")
    # The email is plain text: the title as written, never HTML.
    notice = Notification.objects.filter(kind="programme").first()
    assert notice is not None and HOSTILE_TITLE in notice.body and "&lt;" not in notice.body


def test_programme_tabs_link_to_announcements(world, pairs):
    page = world.client_for(world.manager).get(
        reverse("programmes:detail", args=[world.programme.pk])
    )
    assertContains(page, reverse("announcements:list", args=[world.programme.pk]))


def test_the_list_stays_flat_as_announcements_grow(world, pairs, django_assert_max_num_queries):
    client = world.client_for(world.manager)
    url = reverse("announcements:list", args=[world.programme.pk])
    for n in range(5):  # one query for the rows and their senders, however many
        _send(world, "everyone", title=f"News {n}")
    with django_assert_max_num_queries(9):
        response = client.get(url)
    assertContains(response, "News 4")
    assertContains(response, "News 0")
