"""Every safety page asked as each persona: the pair, the other pair, the manager, another
programme's manager, an outsider (404) and anonymous (sign-in). Plus the queue's query budget."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertNotContains

from upward.journey.models import MeetingStatus
from upward.journey.tests.factories import active_pairing
from upward.safety import services
from upward.safety.models import CheckIn, RematchRequest
from upward.safety.tests.conftest import meeting
from upward.testing.factories import level, person_with_account


@pytest.fixture
def things(pairs):  # type: ignore[no-untyped-def]
    world = pairs.world
    held = meeting(pairs.pairing, days_ago=1)
    concern = services.raise_concern(pairs.pairing, person=pairs.mentor, text="Worried", by=None)
    check_in = CheckIn.objects.create(
        programme=world.programme,
        pairing=pairs.pairing,
        due_on=timezone.localdate(),
        lead=world.manager,
    )
    services.leave_pairing(pairs.other, person=pairs.other.mentor, by=None)
    request = services.request_rematch(pairs.other, person=pairs.other.mentor, by=None)
    return {"held": held, "concern": concern, "check_in": check_in, "request": request}


def _pair_pages(pairs, t):  # type: ignore[no-untyped-def]
    p = pairs.pairing.pk
    return [
        reverse("safety:pulse", args=[p, t["held"].pk]),
        reverse("safety:leave", args=[p]),
        reverse("safety:rematch", args=[p]),
        reverse("safety:raise_concern", args=[p]),
    ]


def _lead_pages(pairs, t):  # type: ignore[no-untyped-def]
    pk = pairs.world.programme.pk
    return [
        reverse("safety:attention", args=[pk]),
        reverse("safety:settings", args=[pk]),
        reverse("safety:exits", args=[pk]),
        reverse("safety:concern", args=[pk, t["concern"].pk]),
        reverse("safety:check_in_new", args=[pk, pairs.pairing.pk]),
        reverse("safety:check_in", args=[pk, t["check_in"].pk]),
    ]


def _lead_posts(pairs, t):  # type: ignore[no-untyped-def]
    pk = pairs.world.programme.pk
    return [
        (reverse("safety:snooze", args=[pk, pairs.pairing.pk]), {"kind": "no_meeting", "days": 7}),
        (reverse("safety:concern_move", args=[pk, t["concern"].pk]), {"to": "acknowledged"}),
        (reverse("safety:rematch_done", args=[pk, t["request"].pk]), {}),
    ]


def test_the_pairs_pages(pairs, things) -> None:  # type: ignore[no-untyped-def]
    world = pairs.world
    mentor_only = reverse("safety:pulse", args=[pairs.pairing.pk, things["held"].pk])
    for url in _pair_pages(pairs, things):
        assert world.client_for(pairs.mentor).get(url).status_code == 200, url
        expected = 404 if url == mentor_only else 200
        assert world.client_for(pairs.mentee).get(url).status_code == expected, url
        for outsider in (
            world.other_applicant,  # the other pair
            world.manager,
            world.other_manager,
            world.admin,  # the team reaches flags, never the pair's own pages
            world.outsider_admin,
        ):
            assert world.client_for(outsider).get(url).status_code == 404, (url, outsider)
        anonymous = world.client_for(None).get(url)
        assert anonymous.status_code == 302 and "/accounts/login/" in anonymous.url


def test_the_teams_pages(pairs, things) -> None:  # type: ignore[no-untyped-def]
    world = pairs.world
    for url in _lead_pages(pairs, things):
        assert world.client_for(world.manager).get(url).status_code == 200, url
        for other in (
            world.admin,  # an org admin who is no safeguarding contact sees no safety data
            pairs.mentor,
            pairs.mentee,
            world.other_applicant,
            world.other_manager,
            world.outsider_admin,
        ):
            assert world.client_for(other).get(url).status_code == 404, (url, other)
        anonymous = world.client_for(None).get(url)
        assert anonymous.status_code == 302 and "/accounts/login/" in anonymous.url
    for url, data in _lead_posts(pairs, things):
        for other in (pairs.mentor, world.admin, world.other_manager, world.outsider_admin):
            assert world.client_for(other).post(url, data).status_code == 404, (url, other)
        assert world.client_for(world.manager).post(url, data).status_code == 302, url
    assert RematchRequest.objects.get().status == "done"


def test_my_concerns_lists_only_my_own(pairs, things) -> None:  # type: ignore[no-untyped-def]
    url = reverse("safety:my_concerns")
    assert "Worried" in pairs.world.client_for(pairs.mentor).get(url).content.decode()
    for other in (pairs.mentee, pairs.world.manager, pairs.world.outsider_admin):
        response = pairs.world.client_for(other).get(url)
        body = response.content.decode()
        assertNotContains(response, "Worried")
        assert "You have not raised any concerns" in body
    assert pairs.world.client_for(None).get(url).status_code == 302


def test_a_mentee_not_yet_told_cannot_reach_the_pairing(world) -> None:  # type: ignore[no-untyped-def]
    from upward.pairing.models import Pairing

    proposal = Pairing.objects.create(
        programme=world.programme,
        mentor=world.applicant,
        mentee=world.senior,
        state="proposed",
        respond_by=timezone.now(),
    )
    for name in ("safety:leave", "safety:raise_concern", "safety:rematch"):
        url = reverse(name, args=[proposal.pk])
        assert world.client_for(world.senior).get(url).status_code == 404


def test_attention_queue_query_budget(world, clock, django_assert_max_num_queries) -> None:  # type: ignore[no-untyped-def]
    for i in range(12):
        mentor = person_with_account(
            organisation=world.org, full_name=f"Mentor {i}", level=level(world.org, 2)
        )
        mentee = person_with_account(
            organisation=world.org, full_name=f"Mentee {i}", level=level(world.org, 8)
        )
        pairing = active_pairing(
            world.programme,
            mentor=mentor,
            mentee=mentee,
            since=timezone.now() - dt.timedelta(days=90),
        )
        meeting(pairing, days_ago=50)
        meeting(pairing, days_ago=40, status=MeetingStatus.MISSED)
        meeting(pairing, days_ago=35, status=MeetingStatus.MISSED)
        services.raise_concern(pairing, person=mentor, text="Something", by=None)
        CheckIn.objects.create(
            programme=world.programme,
            pairing=pairing,
            due_on=timezone.localdate(),
            lead=world.manager,
        )
    client = world.client_for(world.manager)
    url = reverse("safety:attention", args=[world.programme.pk])
    # Flat in the number of pairs; one query asks whether the viewer may change the limits,
    # three more who is waiting for a partner (pairing's people_waiting, with the launch date
    # when no run was published), two who is away.
    with django_assert_max_num_queries(28):
        response = client.get(url)
    assert response.status_code == 200
    body = response.content.decode()
    assert body.count("The last 2 meetings did not take place") == 12
    assert "Send a friendly check-in to Mentee 0 (the organiser)" in body


def test_programme_attention_summary(pairs, things, django_assert_max_num_queries) -> None:  # type: ignore[no-untyped-def]
    from django.template import Context, Template
    from django.test import RequestFactory

    request = RequestFactory().get("/")
    request.user = pairs.world.manager.user
    tpl = Template("{% load safety_tags %}{% programme_attention_summary programme %}")
    # People waiting for a partner add up to three (pairing's people_waiting).
    with django_assert_max_num_queries(15):
        html = tpl.render(Context({"programme": pairs.world.programme, "request": request}))
    assert reverse("safety:attention", args=[pairs.world.programme.pk]) in html
    assert "1 open concern" in " ".join(html.split()).replace(
        '</span><span class="stat__label">', " "
    )
    request.user = pairs.world.other_manager.user
    quiet = tpl.render(Context({"programme": pairs.world.other_programme, "request": request}))
    assert "Nothing needs your attention right now" in quiet
