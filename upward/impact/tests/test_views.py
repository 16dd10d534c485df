"""Every impact page asked as every persona, the forms with good and bad input, query budgets
and the inclusion tags."""

from __future__ import annotations

import datetime as dt

import pytest
from django.template import Context, Template
from pytest_django.asserts import assertNotContains

from upward.impact import services
from upward.impact.models import Commitment, ImpactSettings
from upward.impact.tests.helpers import at, complete, meeting
from upward.recruitment.models import Invitation
from upward.testing.factories import person_with_account
from upward.testing.workspace import accept

PAIR_OWNERS = {"mentor", "mentee"}


def _get(personas, world, who, url):  # type: ignore[no-untyped-def]
    return world.client_for(personas[who]).get(url)


def _expect(response, status):  # type: ignore[no-untyped-def]
    if status == "login":
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    else:
        assert response.status_code == status, response.status_code


EVERYONE = [
    "mentor",
    "mentee",
    "other_mentor",
    "other_mentee",
    "manager",
    "other_manager",
    "admin",
    "outsider",
    "anonymous",
]


def _matrix(allowed: dict[str, int]) -> list[tuple[str, object]]:
    return [(who, "login" if who == "anonymous" else allowed.get(who, 404)) for who in EVERYONE]


@pytest.mark.parametrize(("who", "status"), _matrix({"mentor": 200, "mentee": 200}))
def test_commitments_pages(personas, world, pairs, who, status):
    item = services.add_commitment(
        pairs.pairing, owner=pairs.mentee, kind="commitment", text="Mentee's own", by=None
    )
    base = f"/pairings/{pairs.pairing.pk}/commitments/"
    _expect(_get(personas, world, who, base), status)
    _expect(_get(personas, world, who, base + "new/"), status)
    # Only the owner reaches their own commitment: the partner gets 404 like anyone.
    own = 200 if who == "mentee" else ("login" if who == "anonymous" else 404)
    _expect(_get(personas, world, who, f"{base}{item.pk}/edit/"), own)
    _expect(_get(personas, world, who, f"{base}{item.pk}/delete/"), own)


def test_the_partner_never_sees_my_commitments(world, pairs):
    services.add_commitment(
        pairs.pairing, owner=pairs.mentee, kind="commitment", text="Mentee's secret", by=None
    )
    body = world.client_for(pairs.mentor).get(f"/pairings/{pairs.pairing.pk}/commitments/")
    assertNotContains(body, "Mentee's secret")
    assert "Nothing written yet" in body.content.decode()


@pytest.mark.parametrize(("who", "status"), _matrix({"mentee": 200}))
def test_thank_you_page(personas, world, pairs, who, status):
    _expect(_get(personas, world, who, f"/pairings/{pairs.pairing.pk}/thank-you/"), status)


@pytest.mark.parametrize(("who", "status"), _matrix({"mentor": 200}))
def test_contribution_pages(personas, world, pairs, who, status):
    complete(pairs.pairing)
    base = f"/pairings/{pairs.pairing.pk}/contribution/"
    for url in (base, base + "record.pdf", base + "certificate.pdf", base + "share/"):
        response = _get(personas, world, who, url)
        _expect(response, status)
        if status == 200 and url.endswith(".pdf"):
            assert response.content.startswith(b"%PDF")


@pytest.mark.parametrize("who", ["mentee", "other_mentor", "manager", "admin", "outsider"])
def test_contribution_posts_are_refused_to_others(personas, world, pairs, who):
    client = world.client_for(personas[who])
    base = f"/pairings/{pairs.pairing.pk}/contribution/"
    assert client.post(base + "share/").status_code == 404
    assert client.post(base + "thank-you-note/", {"show": "1"}).status_code == 404


@pytest.mark.parametrize(("who", "status"), _matrix({"manager": 200, "admin": 200}))
def test_programme_pages(personas, world, pairs, who, status):
    pk = world.programme.pk
    for url in (
        f"/programmes/{pk}/impact/",
        f"/programmes/{pk}/mentor-time/",
        f"/programmes/{pk}/mentor-time/cap/",
    ):
        _expect(_get(personas, world, who, url), status)


@pytest.mark.parametrize(
    ("who", "status"),
    _matrix({"manager": 200, "other_manager": 200, "admin": 200, "outsider": 200}),
)
def test_mentor_load_page(personas, world, pairs, who, status):
    response = _get(personas, world, who, "/mentor-load/")
    _expect(response, status)
    if who in ("outsider", "other_manager"):
        # Only programmes they run: the outsider runs none of Northwind's, the other manager
        # runs the inclusion pilot, where Jess was not asked.
        assertNotContains(response, pairs.mentor.full_name)
    elif status == 200:
        assert pairs.mentor.full_name in response.content.decode()


def test_mentor_load_counts_only_the_viewer_s_programmes(world, pairs, settings):
    settings.UPWARD_MIN_GROUP_SIZE = 2
    inclusion = world.other_programme
    tia = person_with_account(organisation=world.org, full_name="Tia Third")
    for person in (tia, pairs.other.mentor):
        Invitation.objects.create(programme=inclusion, person=person, role="mentor")
    # Olu runs the inclusion pilot only: Tia and Kai from it, nobody from Mo's programme.
    response = world.client_for(world.other_manager).get("/mentor-load/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Tia Third" in html
    assert "Kai Keen" in html
    assertNotContains(response, "Jess Junior")
    # Mo runs world.programme only: Jess and Kai, never Tia's ask in the inclusion pilot.
    response = world.client_for(world.manager).get("/mentor-load/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Jess Junior" in html
    assertNotContains(response, "Tia Third")
    assert "Only asks made in programmes you run are counted" in html


def test_mentor_load_hides_small_inclusion_programmes_and_says_so(world, pairs, settings):
    settings.UPWARD_MIN_GROUP_SIZE = 5
    tia = person_with_account(organisation=world.org, full_name="Tia Third")
    Invitation.objects.create(programme=world.other_programme, person=tia, role="mentor")
    for who in (world.admin, world.other_manager):
        response = world.client_for(who).get("/mentor-load/")
        assert response.status_code == 200
        html = response.content.decode()
        assertNotContains(response, "Tia Third")
        assert "fewer than 5 people were asked adds nothing" in html
        assert "Not counted per person, because too few people were asked there" in html
        assert "Inclusion pilot" in html


def test_mentor_load_leaves_out_programmes_the_admin_takes_part_in(world, pairs):
    """An org admin who is a mentee in world.programme stops overseeing it, here too."""
    accept(world.programme, world.admin, "mentee")
    response = world.client_for(world.admin).get("/mentor-load/")
    assert response.status_code == 200
    html = response.content.decode()
    assertNotContains(response, "Jess Junior")
    assert "Nobody has been asked to mentor yet" in html


# ---------------------------------------------------------------------------------------------
# Forms


def test_commitment_crud_through_the_pages(world, pairs):
    client = world.client_for(pairs.mentee)
    base = f"/pairings/{pairs.pairing.pk}/commitments/"
    response = client.post(base + "new/", {"kind": "commitment", "text": "", "theme": ""})
    assert "Write what you will do" in response.content.decode()
    response = client.post(
        base + "new/", {"kind": "commitment", "text": "Plan", "due_on": "2027-01-01"}
    )
    assert "from today onwards" in response.content.decode()
    response = client.post(base + "new/", {"kind": "commitment", "text": "Plan", "due_on": "soon"})
    assert response.status_code == 200 and not Commitment.objects.exists()
    response = client.post(base + "new/", {"kind": "commitment", "text": "Plan", "theme": "evil"})
    assert response.status_code == 200 and not Commitment.objects.exists()
    client.post(
        base + "new/",
        {
            "kind": "commitment",
            "text": "As an ally I will sponsor two juniors",
            "due_on": "2027-06-30",
            "theme": "development",
        },
    )
    item = Commitment.objects.get()
    assert (item.owner, item.theme, item.due_on) == (
        pairs.mentee,
        "development",
        dt.date(2027, 6, 30),
    )
    client.post(
        f"{base}{item.pk}/edit/", {"text": "Sponsor three", "due_on": "2027-06-30", "theme": ""}
    )
    item.refresh_from_db()
    assert item.text == "Sponsor three" and item.theme == ""
    client.post(f"{base}{item.pk}/status/", {"status": "nonsense"})
    item.refresh_from_db()
    assert item.status == "open"
    response = client.post(f"{base}{item.pk}/status/", {"status": "done"}, follow=True)
    item.refresh_from_db()
    assert item.status == "done" and "your update is saved" in response.content.decode()
    assert "Are you sure?" in client.get(f"{base}{item.pk}/delete/").content.decode()
    assert Commitment.objects.exists()
    client.post(f"{base}{item.pk}/delete/")
    assert not Commitment.objects.exists()


def test_cap_settings_form(world, pairs):
    client = world.client_for(world.manager)
    url = f"/programmes/{world.programme.pk}/mentor-time/cap/"
    assert 'value="4.0"' in client.get(url).content.decode()
    for bad in ("0", "41", "two", ""):
        response = client.post(url, {"monthly_cap_hours": bad})
        assert response.status_code == 200 and not ImpactSettings.objects.exists()
    client.post(url, {"monthly_cap_hours": "2.5"})
    assert ImpactSettings.objects.get().monthly_cap_minutes == 150


# ---------------------------------------------------------------------------------------------
# Query budgets


def _crowd(world, pairs, n=6):  # type: ignore[no-untyped-def]
    from upward.testing.factories import level, person_with_account
    from upward.testing.workspace import accept, make_pairing

    for i in range(n):
        mentor = person_with_account(organisation=world.org, level=level(world.org, 2))
        mentee = person_with_account(organisation=world.org, level=level(world.org, 8))
        accept(world.programme, mentor, "mentor")
        pairing = make_pairing(world.programme, mentor=mentor, mentee=mentee)
        meeting(pairing, at("2027-03-02"), minutes=60 + i)


def test_mentor_time_page_query_budget(world, pairs, django_assert_max_num_queries):
    client = world.client_for(world.manager)
    client.get("/")  # warm the session
    _crowd(world, pairs, 2)
    with django_assert_max_num_queries(14) as small:
        response = client.get(f"/programmes/{world.programme.pk}/mentor-time/")
    assert response.status_code == 200
    _crowd(world, pairs, 8)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(f"/programmes/{world.programme.pk}/mentor-time/")
    assert response.status_code == 200
    assert response.content.decode().count("Within the cap") == 12


def test_mentor_load_page_query_budget(world, pairs, django_assert_max_num_queries):
    client = world.client_for(world.admin)
    _crowd(world, pairs, 2)
    with django_assert_max_num_queries(12) as small:
        response = client.get("/mentor-load/")
    assert response.status_code == 200
    _crowd(world, pairs, 8)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get("/mentor-load/?often=1")
    assert response.status_code == 200


def test_commitments_and_contribution_query_budgets(world, pairs, django_assert_max_num_queries):
    for i in range(8):
        services.add_commitment(
            pairs.pairing, owner=pairs.mentor, kind="commitment", text=f"Plan {i}", by=None
        )
        meeting(pairs.pairing, at("2027-02-01") + dt.timedelta(days=i), minutes=30)
    client = world.client_for(pairs.mentor)
    with django_assert_max_num_queries(12):
        response = client.get(f"/pairings/{pairs.pairing.pk}/commitments/")
    assert response.status_code == 200
    # The page itself, plus the unread-notifications count in the top bar.
    with django_assert_max_num_queries(17):
        response = client.get(f"/pairings/{pairs.pairing.pk}/contribution/")
    assert response.status_code == 200


# ---------------------------------------------------------------------------------------------
# Inclusion tags


def _render(source: str, **context) -> str:  # type: ignore[no-untyped-def]
    return Template("{% load impact_tags %}" + source).render(Context(context))


def test_pairing_panel_per_seat(world, pairs):
    source = "{% pairing_impact_panel pairing person %}"
    mentor = _render(source, pairing=pairs.pairing, person=pairs.mentor)
    mentee = _render(source, pairing=pairs.pairing, person=pairs.mentee)
    outsider = _render(source, pairing=pairs.pairing, person=world.manager)
    assert "Your contribution record" in mentor and "Write a thank-you note" not in mentor
    assert "Write a thank-you note" in mentee and "contribution record" not in mentee
    assert outsider.strip() == ""


def test_programme_summary(world, pairs):
    services.update_impact_settings(world.programme, monthly_cap_minutes=30, by=None)
    meeting(pairs.pairing, at("2027-03-02"), minutes=60)
    html = _render("{% programme_impact_summary programme %}", programme=world.programme)
    assert "1 mentor over the monthly time cap" in html
    assert f"/programmes/{world.programme.pk}/impact/" in html
    assert f"/programmes/{world.programme.pk}/mentor-time/" in html
    assert "appear once at least 5 people have made at least 5 commitments" in html
