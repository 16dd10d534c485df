"""Who sees safety data, with overlapping roles (issue 11, holes 3 and 8).

The rule: a programme's leads and the organisation's safeguarding contacts see its safety data;
an org admin only when they hold one of those roles; nobody ever sees safety data about a
pairing they are part of. Each persona below holds two roles at once:

- Sam Senior is the mentee of Jess Junior's pairing *and* a manager of the same programme
  (the reproduction from the issue; added straight to the managers table, as legacy data);
- Kai Keen mentors Sofia Strand *and* is a safeguarding contact;
- Ada Admin is an org admin and nothing else; later also a safeguarding contact;
- Sasha Safe is a safeguarding contact who runs no programme.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.db import IntegrityError
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertNotContains

from upward.core.errors import Conflict, DomainError
from upward.core.models import AuditEvent
from upward.notifications.models import Notification
from upward.organisations.models import Person
from upward.pairing.models import Pairing
from upward.programmes.models import Programme
from upward.safety import selectors, services
from upward.safety.access import safety_viewers
from upward.safety.models import CheckIn, Concern, PulseResponse, SafeguardingContact
from upward.safety.tests.conftest import meeting
from upward.testing.factories import level, person_with_account

ABOUT_SAM = "CONCERN-ABOUT-SAM-he-talks-over-me"
COMMENT_ABOUT_SAM = "PULSE-COMMENT-ABOUT-SAM-dismissive-again"
ABOUT_KAI = "CONCERN-ABOUT-KAI-late-every-time"
COMMENT_BY_KAI = "PULSE-COMMENT-BY-KAI-it-was-fine"


@dataclass
class Overlap:
    world: Any
    sams: Pairing  # Jess Junior mentors Sam Senior; Sam also manages the programme
    kais: Pairing  # Kai Keen mentors Sofia Strand; Kai is a safeguarding contact
    sasha: Person  # safeguarding contact, runs nothing
    concern_about_sam: Concern
    concern_about_kai: Concern
    pulse_about_sam: PulseResponse
    pulse_by_kai: PulseResponse
    check_in_on_sams: CheckIn

    @property
    def programme(self) -> Programme:
        return self.world.programme

    def url(self, name: str, *args: Any) -> str:
        return reverse(name, args=[self.programme.pk, *args])


def name_contact(world: Any, person: Person) -> SafeguardingContact:
    return services.add_safeguarding_contact(world.org, person=person, by=world.admin.user)


@pytest.fixture
def overlap(pairs) -> Overlap:  # type: ignore[no-untyped-def]
    world = pairs.world
    Programme.objects.filter(pk=world.programme.pk).update(state="active")
    world.programme.refresh_from_db()
    # The reproduction: a senior mentee who was also made a manager of the same programme.
    world.programme.managers.add(world.senior)
    sasha = person_with_account(
        organisation=world.org,
        full_name="Sasha Safe",
        level=level(world.org, 5),
        email="sasha@northwind.test",
    )
    name_contact(world, sasha)
    name_contact(world, world.other_applicant)  # Kai Keen, who mentors Sofia Strand
    sams, kais = pairs.pairing, pairs.other
    concern_about_sam = services.raise_concern(
        sams, person=sams.mentor, text=ABOUT_SAM, by=sams.mentor.user
    )
    concern_about_kai = services.raise_concern(
        kais, person=kais.mentee, text=ABOUT_KAI, by=kais.mentee.user
    )
    pulse_about_sam = services.submit_pulse(
        meeting(sams, days_ago=1),
        person=sams.mentor,
        spoke_openly=1,
        felt_listened_to=2,
        worth_my_time=3,
        wants_support=True,
        comment=COMMENT_ABOUT_SAM,
        by=sams.mentor.user,
    )
    pulse_by_kai = services.submit_pulse(
        meeting(kais, days_ago=2),
        person=kais.mentor,
        spoke_openly=2,
        felt_listened_to=2,
        worth_my_time=2,
        comment=COMMENT_BY_KAI,
        by=kais.mentor.user,
    )
    check_in = services.schedule_check_in(
        world.programme,
        pairing=sams,
        due_on=timezone.localdate(),
        purpose="CHECK-IN-ON-SAMS-PAIRING",
        lead=world.manager,
        by=world.manager.user,
    )
    return Overlap(
        world=world,
        sams=sams,
        kais=kais,
        sasha=sasha,
        concern_about_sam=concern_about_sam,
        concern_about_kai=concern_about_kai,
        pulse_about_sam=pulse_about_sam,
        pulse_by_kai=pulse_by_kai,
        check_in_on_sams=check_in,
    )


def get(world: Any, person: Person | None, url: str) -> Any:
    return world.client_for(person).get(url)


# ---------------------------------------------------------------------------------------------
# A manager who is the mentee of a pairing in the same programme


def test_manager_who_is_a_mentee_never_sees_items_about_his_pairing(overlap) -> None:  # type: ignore[no-untyped-def]
    o, world = overlap, overlap.world
    sam = world.senior
    # He takes part, so he does not lead this programme: its safety pages are closed to him
    # (programmes.access), like every other manager page of it.
    page = get(world, sam, o.url("safety:attention"))
    assert page.status_code == 404
    # Behind the door, the selectors leave his pairing out all the same (defence in depth).
    queue = selectors.attention_queue(o.programme, viewer=sam)
    assert [c.pk for c in queue.concerns] == [o.concern_about_kai.pk]
    assert sams_pairing_absent(queue, o.sams)
    # The other lead sees both pairs, and the page names what the mentor wrote.
    page = get(world, world.manager, o.url("safety:attention"))
    assert page.status_code == 200
    body = page.content.decode()
    assert o.url("safety:concern", o.concern_about_sam.pk) in body
    assert COMMENT_ABOUT_SAM in body and COMMENT_BY_KAI in body
    full = selectors.attention_queue(o.programme, viewer=world.manager)
    assert {c.pk for c in full.concerns} == {o.concern_about_sam.pk, o.concern_about_kai.pk}
    assert o.sams.pk in {row.pairing.pk for row in full.flagged}
    # He is not named as a reader of anything in the programme.
    readers = {r.person.pk for r in safety_viewers(o.programme, pairing=o.kais)}
    assert sam.pk not in readers and world.manager.pk in readers


def sams_pairing_absent(queue: Any, pairing: Pairing) -> bool:
    return (
        pairing.pk not in {row.pairing.pk for row in queue.flagged}
        and all(c.pairing_id != pairing.pk for c in queue.concerns)
        and all(c.pairing_id != pairing.pk for c in queue.check_ins)
        and all(p.pairing_id != pairing.pk for p in queue.comments)
        and all(e.pairing_id != pairing.pk for e in queue.exits)
    )


def test_manager_who_is_a_mentee_gets_404_on_every_url_about_his_pairing(overlap) -> None:  # type: ignore[no-untyped-def]
    o, world = overlap, overlap.world
    sam = world.senior
    own = [
        o.url("safety:concern", o.concern_about_sam.pk),
        o.url("safety:pulses", o.sams.pk),
        o.url("safety:check_in_new", o.sams.pk),
        o.url("safety:check_in", o.check_in_on_sams.pk),
    ]
    for url in own:
        assert get(world, sam, url).status_code == 404, url
        assert get(world, world.manager, url).status_code == 200, url  # the other lead
    posts = [
        (o.url("safety:snooze", o.sams.pk), {"kind": "low_pulse", "days": 7}),
        (o.url("safety:concern_move", o.concern_about_sam.pk), {"to": "resolved"}),
        (o.url("safety:concern", o.concern_about_sam.pk), {"body": "a note"}),
    ]
    client = world.client_for(sam)
    for url, data in posts:
        assert client.post(url, data).status_code == 404, url
    o.concern_about_sam.refresh_from_db()
    assert o.concern_about_sam.state == "open" and not o.concern_about_sam.notes.exists()
    # He takes part, so the other pair's items are closed to him too: he does not lead it.
    assert get(world, sam, o.url("safety:concern", o.concern_about_kai.pk)).status_code == 404
    assert get(world, sam, o.url("safety:pulses", o.kais.pk)).status_code == 404


def test_counts_on_the_programme_page_leave_out_his_pairing(overlap) -> None:  # type: ignore[no-untyped-def]
    o, world = overlap, overlap.world
    detail = reverse("programmes:detail", args=[o.programme.pk])

    def summary(person: Person) -> str:
        response = get(world, person, detail)
        assert response.status_code == 200
        html = " ".join(response.content.decode().split())
        return html.replace('</span><span class="stat__label">', " ")

    assert "2 open concerns" in summary(world.manager)
    assert "2 pairs flagged" in summary(world.manager)
    # He takes part, so the programme page is not his; the counts behind it leave him out too.
    assert get(world, world.senior, detail).status_code == 404
    assert selectors.attention_counts(o.programme, viewer=world.senior) == {
        "flagged": 1,
        "concerns": 1,
        "requests": 0,
        "waiting": 0,
    }


def test_exit_from_his_pairing_is_not_in_his_exits_list(overlap) -> None:  # type: ignore[no-untyped-def]
    o, world = overlap, overlap.world
    services.leave_pairing(
        o.sams,
        person=o.sams.mentor,
        category="uncomfortable",
        reason="EXIT-REASON-ABOUT-SAM",
        by=o.sams.mentor.user,
    )
    for person in (world.manager, o.sasha):
        for url in (o.url("safety:exits"), o.url("safety:attention")):
            response = get(world, person, url)
            assert response.status_code == 200, (person, url)
            assert "EXIT-REASON-ABOUT-SAM" in response.content.decode(), (person, url)
    # Sam, the mentee it is about, manages the programme but takes part: no door at all, and
    # the selector behind the door leaves it out for him as well.
    assert get(world, world.senior, o.url("safety:exits")).status_code == 404
    assert all(
        e.pairing_id != o.sams.pk for e in selectors.exits_for(o.programme, viewer=world.senior)
    )
    # The line the pairing keeps (shown on the pairings page to every manager and org admin)
    # names neither who ended it nor why.
    o.sams.refresh_from_db()
    assert "Jess" not in o.sams.closed_reason
    assert "comfortable" not in o.sams.closed_reason.lower()


# ---------------------------------------------------------------------------------------------
# Org admins


def test_org_admin_alone_sees_no_safety_data(overlap) -> None:  # type: ignore[no-untyped-def]
    o, world = overlap, overlap.world
    urls = [
        o.url("safety:attention"),
        o.url("safety:exits"),
        o.url("safety:settings"),
        o.url("safety:concern", o.concern_about_sam.pk),
        o.url("safety:concern", o.concern_about_kai.pk),
        o.url("safety:pulses", o.sams.pk),
        o.url("safety:check_in", o.check_in_on_sams.pk),
        o.url("safety:check_in_new", o.kais.pk),
    ]
    for url in urls:
        assert get(world, world.admin, url).status_code == 404, url
    # The programme page still opens for her, without the needs-attention summary.
    detail = get(world, world.admin, reverse("programmes:detail", args=[o.programme.pk]))
    assert detail.status_code == 200
    assertNotContains(detail, f"attention-summary-h-{o.programme.pk}")
    assert o.programme.name in detail.content.decode()
    # Once named a safeguarding contact, she sees them all.
    name_contact(world, world.admin)
    for url in urls:
        assert get(world, world.admin, url).status_code == 200, url
    body = get(world, world.admin, o.url("safety:attention")).content.decode()
    assert COMMENT_ABOUT_SAM in body and COMMENT_BY_KAI in body


def test_other_organisations_admin_and_contact_see_nothing(overlap) -> None:  # type: ignore[no-untyped-def]
    o, world = overlap, overlap.world
    services.add_safeguarding_contact(
        world.outsider_admin.organisation, person=world.outsider_admin, by=None
    )
    for url in (o.url("safety:attention"), o.url("safety:pulses", o.sams.pk)):
        assert get(world, world.outsider_admin, url).status_code == 404


# ---------------------------------------------------------------------------------------------
# Safeguarding contacts


def test_contact_who_runs_nothing_sees_every_programme_and_reaches_it(overlap) -> None:  # type: ignore[no-untyped-def]
    o, world = overlap, overlap.world
    Programme.objects.filter(pk=world.other_programme.pk).update(state="active")
    page = get(world, o.sasha, o.url("safety:attention"))
    assert page.status_code == 200
    body = page.content.decode()
    assert "Jess Junior" in body and "Sofia Strand" in body
    assert COMMENT_ABOUT_SAM in body and COMMENT_BY_KAI in body
    # She does not run the programme: no links to its other pages, which would answer 404.
    assertNotContains(page, reverse("programmes:edit", args=[o.programme.pk]))
    assert (
        get(world, o.sasha, reverse("programmes:detail", args=[o.programme.pk])).status_code == 404
    )
    assert (
        get(
            world, o.sasha, reverse("safety:attention", args=[world.other_programme.pk])
        ).status_code
        == 200
    )
    # Her dashboard links to every programme's queue.
    dashboard = get(world, o.sasha, reverse("dashboard"))
    assert dashboard.status_code == 200
    html = dashboard.content.decode()
    assert o.url("safety:attention") in html
    assert reverse("safety:attention", args=[world.other_programme.pk]) in html
    # Removed, she loses it at once.
    services.remove_safeguarding_contact(
        SafeguardingContact.objects.get(person=o.sasha), by=world.admin.user
    )
    assert get(world, o.sasha, o.url("safety:attention")).status_code == 404
    dashboard = get(world, o.sasha, reverse("dashboard"))
    assert dashboard.status_code == 200
    assertNotContains(dashboard, o.url("safety:attention"))


def test_contact_who_is_a_mentor_never_sees_his_own_pairing(overlap) -> None:  # type: ignore[no-untyped-def]
    o, world = overlap, overlap.world
    kai = world.other_applicant
    page = get(world, kai, o.url("safety:attention"))
    assert page.status_code == 200
    body = page.content.decode()
    assert "Jess Junior" in body and COMMENT_ABOUT_SAM in body  # the other pair
    assertNotContains(page, "Sofia Strand")
    assertNotContains(page, COMMENT_BY_KAI)  # his own
    assertNotContains(page, o.url("safety:concern", o.concern_about_kai.pk))
    for url in (
        o.url("safety:concern", o.concern_about_kai.pk),  # raised about him by his mentee
        o.url("safety:pulses", o.kais.pk),
        o.url("safety:check_in_new", o.kais.pk),
    ):
        assert get(world, kai, url).status_code == 404, url
    assert get(world, kai, o.url("safety:concern", o.concern_about_sam.pk)).status_code == 200
    # Someone who has left loses the role's access with their account's.
    Person.objects.filter(pk=o.sasha.pk).update(is_active=False)
    assert get(world, o.sasha, o.url("safety:attention")).status_code == 404


# ---------------------------------------------------------------------------------------------
# The pulse comment (hole 8)


def test_pulse_comment_is_shown_to_those_who_may_read_it_and_nobody_else(overlap) -> None:  # type: ignore[no-untyped-def]
    o, world = overlap, overlap.world
    queue, pulses = o.url("safety:attention"), o.url("safety:pulses", o.sams.pk)
    for reader in (world.manager, o.sasha, world.other_applicant):
        for url in (queue, pulses):
            response = get(world, reader, url)
            assert response.status_code == 200, (reader, url)
            assert COMMENT_ABOUT_SAM in response.content.decode(), (reader, url)
    # On the queue it sits with the low-pulse flag of that pair, with a way to all its pulses.
    body = get(world, world.manager, queue).content.decode()
    card = body[body.index(f'id="pair-{o.sams.pk}-h"') :]
    card = card[: card.index("</article>")]
    assert COMMENT_ABOUT_SAM in card and pulses in card
    for other in (
        world.senior,  # the mentee, even as a lead
        world.applicant,  # the mentor who wrote it: a team page, not hers
        world.admin,
        world.other_manager,
        world.outsider_admin,
    ):
        response = get(world, other, pulses)
        assert response.status_code == 404, other
    for other in (world.senior, world.admin, world.other_manager):
        response = get(world, other, reverse("programmes:detail", args=[o.programme.pk]))
        if response.status_code == 200:
            assertNotContains(response, COMMENT_ABOUT_SAM)
    # Sam takes part, so he does not lead the programme: no queue at all.
    assert get(world, world.senior, queue).status_code == 404
    anonymous = get(world, None, pulses)
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous.url


def test_pulse_page_does_not_show_single_scores(overlap) -> None:  # type: ignore[no-untyped-def]
    o, world = overlap, overlap.world
    response = get(world, world.manager, o.url("safety:pulses", o.sams.pk))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Would like a word" in body and "2 or lower" in body
    assertNotContains(response, "spoke_openly")
    assertNotContains(response, "I could speak openly")


# ---------------------------------------------------------------------------------------------
# Telling the writer exactly who reads it


def test_forms_name_the_readers(overlap) -> None:  # type: ignore[no-untyped-def]
    o, world = overlap, overlap.world
    held = meeting(o.sams, days_ago=3)
    mentor = world.client_for(world.applicant)
    for url in (
        reverse("safety:pulse", args=[o.sams.pk, held.pk]),
        reverse("safety:raise_concern", args=[o.sams.pk]),
        reverse("safety:leave", args=[o.sams.pk]),
    ):
        response = mentor.get(url)
        assert response.status_code == 200, url
        text = " ".join(response.content.decode().split())
        assert "Read by:" in text, url
        assert "Mo Manager (programme lead)" in text, url
        assert "Sasha Safe (safeguarding contact)" in text, url
        assert "Kai Keen (safeguarding contact)" in text, url
        # Sam manages the programme but is in this pairing: never a reader, never named.
        assert "Sam Senior (" not in text, url
        assert "Ada Admin" not in text, url
        assert "programme team" not in text.lower(), url
    # Kai writes about his own pairing: he is not among his own readers.
    held_kai = meeting(o.kais, days_ago=3)
    response = world.client_for(world.other_applicant).get(
        reverse("safety:pulse", args=[o.kais.pk, held_kai.pk])
    )
    text = response.content.decode()
    assert "Sasha Safe (safeguarding contact)" in text
    assertNotContains(response, "Kai Keen (")


def test_readers_when_a_lead_is_also_a_contact_and_when_nobody_is_left(overlap) -> None:  # type: ignore[no-untyped-def]
    o, world = overlap, overlap.world
    name_contact(world, world.manager)
    readers = {r.person.full_name: r.roles for r in safety_viewers(o.programme, pairing=o.sams)}
    assert readers == {
        "Mo Manager": ("lead", "safeguarding"),
        "Sasha Safe": ("safeguarding",),
        "Kai Keen": ("safeguarding",),
    }
    text = (
        world.client_for(world.applicant)
        .get(reverse("safety:raise_concern", args=[o.sams.pk]))
        .content.decode()
    )
    assert "Mo Manager (programme lead and safeguarding contact)" in " ".join(text.split())
    # Nobody left: Sam is the only lead and there are no contacts.
    SafeguardingContact.objects.all().delete()
    o.programme.managers.set([world.senior])
    response = world.client_for(world.applicant).get(
        reverse("safety:raise_concern", args=[o.sams.pk])
    )
    assert response.status_code == 200
    text = " ".join(response.content.decode().split())
    assert "Nobody can read this yet." in text and "Read by:" not in text


# ---------------------------------------------------------------------------------------------
# Notifications go only to people who may read the item


def _told(person: Person, kind_of_key: str) -> bool:
    return Notification.objects.filter(
        recipient=person, dedupe_key__startswith=kind_of_key
    ).exists()


def test_notifications_go_only_to_readers(
    overlap, mailoutbox, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    o, world = overlap, overlap.world
    sam, kai = world.senior, world.other_applicant
    readers_of_sams = {world.manager.pk, o.sasha.pk, kai.pk}
    # Sam manages the programme but takes part in it, so he reads neither pair's items.
    readers_of_kais = {world.manager.pk, o.sasha.pk}
    # Made in the fixture: a concern and a support request on each side.
    for key, readers in (
        (f"safety-concern-{o.concern_about_sam.pk}-", readers_of_sams),
        (f"safety-support-{o.pulse_about_sam.pk}-", readers_of_sams),
        (f"safety-concern-{o.concern_about_kai.pk}-", readers_of_kais),
    ):
        told = set(
            Notification.objects.filter(dedupe_key__startswith=key).values_list(
                "recipient_id", flat=True
            )
        )
        assert told == readers, key
    with django_capture_on_commit_callbacks(execute=True):
        services.leave_pairing(o.sams, person=o.sams.mentor, by=o.sams.mentor.user)
        services.request_rematch(o.sams, person=o.sams.mentor, by=o.sams.mentor.user)
    for prefix in (f"safety-ended-lead-{o.sams.pk}-", "safety-rematch-"):
        told = set(
            Notification.objects.filter(dedupe_key__startswith=prefix).values_list(
                "recipient_id", flat=True
            )
        )
        assert told == readers_of_sams, prefix
    assert not _told(world.admin, "safety-")  # an org admin who holds no safety role
    to = {address for m in mailoutbox for address in m.to}
    assert world.manager.email in to and o.sasha.email in to
    assert world.admin.email not in to
    # Sam is told his pairing ended, as the partner, and nothing else: not even the other
    # pair's concern, since taking part means he does not lead the programme.
    sam_keys = set(Notification.objects.filter(recipient=sam).values_list("dedupe_key", flat=True))
    assert sam_keys == {f"safety-ended-{o.sams.pk}-{sam.pk}"}


def test_check_in_reminder_never_goes_to_someone_in_the_pairing(overlap) -> None:  # type: ignore[no-untyped-def]
    o, world = overlap, overlap.world
    # The lead who planned it has since stepped down: the reminder goes to the readers.
    o.programme.managers.remove(world.manager)
    sent = services.send_safety_reminders()
    assert sent["check_ins"] == 1
    told = set(
        Notification.objects.filter(
            dedupe_key__startswith=f"safety-check-in-{o.check_in_on_sams.pk}-"
        ).values_list("recipient_id", flat=True)
    )
    assert told == {o.sasha.pk, world.other_applicant.pk}


def test_when_nobody_may_read_the_admins_are_asked_for_a_contact_without_the_content(
    pairs, mailoutbox, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    world = pairs.world
    Programme.objects.filter(pk=world.programme.pk).update(state="active")
    world.programme.managers.set([world.senior])  # the only lead is the mentee
    with django_capture_on_commit_callbacks(execute=True):
        concern = services.raise_concern(
            pairs.pairing, person=pairs.mentor, text=ABOUT_SAM, by=pairs.mentor.user
        )
    assert not Notification.objects.filter(recipient=world.senior).exists()
    asked = Notification.objects.get(recipient=world.admin)
    assert asked.url.endswith(reverse("safety:contacts"))
    assert ABOUT_SAM not in asked.body and "Jess" not in asked.body
    assert [m.to for m in mailoutbox] == [[world.admin.email]]
    # The admin still cannot open it until someone is named...
    url = reverse("safety:concern", args=[world.programme.pk, concern.pk])
    assert world.client_for(world.admin).get(url).status_code == 404
    assert world.client_for(world.senior).get(url).status_code == 404
    # ...and the contacts page says which programme needs one.
    page = world.client_for(world.admin).get(reverse("safety:contacts"))
    assert page.status_code == 200
    assert "Some programmes have nobody" in page.content.decode()
    assert world.programme.name in page.content.decode()


# ---------------------------------------------------------------------------------------------
# The safeguarding contacts page


def test_contacts_page_is_for_org_admins_only(overlap) -> None:  # type: ignore[no-untyped-def]
    o, world = overlap, overlap.world
    url = reverse("safety:contacts")
    contact = SafeguardingContact.objects.get(person=o.sasha)
    remove = reverse("safety:contact_remove", args=[contact.pk])
    for person in (world.manager, o.sasha, world.senior, world.applicant):
        assert get(world, person, url).status_code == 404, person
        assert world.client_for(person).post(remove).status_code == 404, person
        assert world.client_for(person).post(url, {"person": person.pk}).status_code == 404
    # Another organisation's admin has their own page, without our contacts, and cannot
    # remove ours.
    theirs = get(world, world.outsider_admin, url)
    assert theirs.status_code == 200
    assertNotContains(theirs, "Sasha Safe")
    assert world.client_for(world.outsider_admin).post(remove).status_code == 404
    anonymous = get(world, None, url)
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous.url
    assert SafeguardingContact.objects.filter(pk=contact.pk).exists()
    page = get(world, world.admin, url)
    assert page.status_code == 200
    assert "Sasha Safe" in page.content.decode() and "Kai Keen" in page.content.decode()
    # The admin's dashboard links here.
    dashboard = get(world, world.admin, reverse("dashboard"))
    assert dashboard.status_code == 200 and url in dashboard.content.decode()


def test_admin_names_and_removes_a_contact_with_audit(overlap) -> None:  # type: ignore[no-untyped-def]
    o, world = overlap, overlap.world
    client = world.client_for(world.admin)
    url = reverse("safety:contacts")
    response = client.post(url, {"person": world.other_manager.pk})
    assert response.status_code == 302
    contact = SafeguardingContact.objects.get(person=world.other_manager)
    assert contact.added_by == world.admin.user
    assert AuditEvent.objects.filter(
        verb="safety.safeguarding_contact_added", object_id=str(contact.pk)
    ).exists()
    assert get(world, world.other_manager, o.url("safety:attention")).status_code == 200
    response = client.post(reverse("safety:contact_remove", args=[contact.pk]))
    assert response.status_code == 302
    assert not SafeguardingContact.objects.filter(pk=contact.pk).exists()
    assert AuditEvent.objects.filter(verb="safety.safeguarding_contact_removed").exists()
    assert get(world, world.other_manager, o.url("safety:attention")).status_code == 404


def test_contacts_page_refuses_bad_choices(overlap) -> None:  # type: ignore[no-untyped-def]
    o, world = overlap, overlap.world
    client = world.client_for(world.admin)
    url = reverse("safety:contacts")
    leaver = person_with_account(
        organisation=world.org, full_name="Lee Leaver", level=level(world.org, 3), is_active=False
    )
    for bad in (o.sasha.pk, world.outsider_admin.pk, leaver.pk, 10**6, "x", ""):
        response = client.post(url, {"person": bad})
        assert response.status_code == 200, bad
        assert "Choose" in response.content.decode(), bad
    assert SafeguardingContact.objects.count() == 2
    # The service refuses the same, for any other caller.
    with pytest.raises(DomainError, match="Choose someone in your organisation"):
        services.add_safeguarding_contact(world.org, person=world.outsider_admin, by=None)
    with pytest.raises(DomainError, match="This person has left; choose someone who is still here"):
        services.add_safeguarding_contact(world.org, person=leaver, by=None)
    with pytest.raises(Conflict, match="Sasha Safe is already a safeguarding contact"):
        services.add_safeguarding_contact(world.org, person=o.sasha, by=None)
    # Another organisation's contact cannot be removed from here.
    theirs = services.add_safeguarding_contact(
        world.outsider_admin.organisation, person=world.outsider_admin, by=None
    )
    assert client.post(reverse("safety:contact_remove", args=[theirs.pk])).status_code == 404
    assert SafeguardingContact.objects.filter(pk=theirs.pk).exists()


def test_one_role_per_person_in_the_database(world) -> None:  # type: ignore[no-untyped-def]
    SafeguardingContact.objects.create(organisation=world.org, person=world.manager)
    with pytest.raises(IntegrityError):
        SafeguardingContact.objects.create(organisation=world.org, person=world.manager)


def test_contacts_page_escapes_names(world) -> None:  # type: ignore[no-untyped-def]
    hostile = person_with_account(
        organisation=world.org,
        full_name='<script>alert("x")</script>',
        level=level(world.org, 4),
        email="hostile@northwind.test",
    )
    services.add_safeguarding_contact(world.org, person=hostile, by=None)
    response = world.client_for(world.admin).get(reverse("safety:contacts"))
    assert response.status_code == 200
    body = response.content.decode()
    assertNotContains(response, '<script>alert("x")</script>')
    assert "&lt;script&gt;" in body


def test_check_in_with_one_person_is_hidden_from_that_person(pairs) -> None:  # type: ignore[no-untyped-def]
    world = pairs.world
    world.programme.managers.add(world.other_manager)
    about_olu = CheckIn.objects.create(
        programme=world.programme, person=world.other_manager, due_on=timezone.localdate()
    )
    about_kai = CheckIn.objects.create(
        programme=world.programme, person=world.other_applicant, due_on=timezone.localdate()
    )
    queue = selectors.attention_queue(world.programme, viewer=world.other_manager)
    assert [c.pk for c in queue.check_ins] == [about_kai.pk]
    url = reverse("safety:check_in", args=[world.programme.pk, about_olu.pk])
    assert world.client_for(world.other_manager).get(url).status_code == 404
    assert world.client_for(world.manager).get(url).status_code == 200


def test_pairings_page_does_not_say_which_participant_left(overlap) -> None:  # type: ignore[no-untyped-def]
    o, world = overlap, overlap.world
    services.leave_pairing(
        o.sams,
        person=o.sams.mentor,
        category="uncomfortable",
        reason="EXIT-REASON-ABOUT-SAM",
        by=o.sams.mentor.user,
    )
    # The org admin runs the programme but reads no safety data: the pairings page says only
    # that a participant ended it, never which one or why.
    response = get(world, world.admin, reverse("pairing:pairings", args=[o.programme.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Ended by a participant" in body
    assertNotContains(response, "The mentor")
    assertNotContains(response, "EXIT-REASON-ABOUT-SAM")


def test_programme_tabs_offer_needs_attention_only_to_its_readers(overlap) -> None:  # type: ignore[no-untyped-def]
    o, world = overlap, overlap.world
    detail = reverse("programmes:detail", args=[o.programme.pk])
    link = f'href="{o.url("safety:attention")}"'
    as_lead = get(world, world.manager, detail)
    assert as_lead.status_code == 200 and link in as_lead.content.decode()
    # The org admin runs the programme but is no reader: no tab that would answer 404.
    as_admin = get(world, world.admin, detail)
    assert as_admin.status_code == 200
    assertNotContains(as_admin, link)
    assert get(world, world.admin, o.url("safety:attention")).status_code == 404


def test_a_contact_who_takes_part_cannot_loosen_the_flag_limits(overlap) -> None:  # type: ignore[no-untyped-def]
    # The review's reproduction: a safeguarding contact who mentors in the programme (Kai)
    # loosened the limits, hiding flags about his own pairing from the other readers.
    o, world = overlap, overlap.world
    kai = world.other_applicant
    settings_url = o.url("safety:settings")
    queue = get(world, kai, o.url("safety:attention"))
    assert queue.status_code == 200
    assertNotContains(queue, f'href="{settings_url}"')
    assert get(world, kai, settings_url).status_code == 404
    response = world.client_for(kai).post(
        settings_url, {"no_meeting_days": 180, "missed_in_a_row": 5}
    )
    assert response.status_code == 404
    assert selectors.flag_settings(o.programme).no_meeting_days != 180
    # A contact outside the programme (Sasha) and its lead still change them.
    for reader in (o.sasha, world.manager):
        page = get(world, reader, o.url("safety:attention"))
        assert page.status_code == 200 and f'href="{settings_url}"' in page.content.decode()
        assert get(world, reader, settings_url).status_code == 200


def test_naming_or_removing_a_contact_tells_the_other_admins_and_contacts(overlap) -> None:  # type: ignore[no-untyped-def]
    # An admin cannot quietly make themselves a reader of every programme's safety data.
    o, world = overlap, overlap.world
    second_admin = person_with_account(
        organisation=world.org,
        full_name="Bea Second Admin",
        is_org_admin=True,
        level=level(world.org, 7),
        email="bea@northwind.test",
    )
    contact = services.add_safeguarding_contact(world.org, person=world.admin, by=world.admin.user)
    told = set(
        Notification.objects.filter(
            dedupe_key__startswith=f"safety-contact-added-{contact.pk}-"
        ).values_list("recipient_id", flat=True)
    )
    # Bea (the other admin) and the existing contacts (Sasha, Kai); never Ada, who did it.
    assert told == {second_admin.pk, o.sasha.pk, world.other_applicant.pk}
    note = Notification.objects.get(recipient=second_admin)
    assert "Ada Admin" in note.subject and "safeguarding contact" in note.subject
    services.remove_safeguarding_contact(contact, by=world.admin.user)
    assert Notification.objects.filter(
        recipient=second_admin, dedupe_key__startswith=f"safety-contact-removed-{contact.pk}-"
    ).exists()
