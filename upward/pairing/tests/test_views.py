"""Pages as each persona, bad input, the whole flow through HTTP, and query budgets."""

import pytest
from django.core import mail
from pytest_django.asserts import assertContains, assertNotContains

from upward.pairing import services
from upward.pairing.models import MatchRule, MatchRun, Pairing
from upward.pairing.tests.helpers import add_participant, pairing_of, published, run
from upward.testing.factories import level, person_with_account

VALID_RUN = {
    "mode": "optimal",
    "min_level_gap": "1",
    "exclude_same_team": "on",
    "capacity": "1",
    "max_concurrent": "2",
    "respond_days": "7",
    "related_credit": "0.5",
    "w_topics": "4",
    "w_reciprocity": "1",
    "w_interests": "1",
    "w_availability": "1",
    "w_timezone": "1",
    "w_department": "0.5",
    "w_objective": "2",
    "matching_mode": "manager",
    "who_chooses": "mentees",
    "shortlist_size": "5",
    "max_ranked": "3",
}


@pytest.fixture
def state(cohort, world, django_capture_on_commit_callbacks):
    """A published run (Sam–Jess proposed), an extra draft run, a rule, an ended pairing."""
    with django_capture_on_commit_callbacks(execute=True):
        published(cohort, by=world.manager.user)
    sofia_pairing = pairing_of(cohort, cohort.sofia)
    services.end_pairing(sofia_pairing, by=None, reason="Test")
    draft = run(cohort, by=world.manager.user)
    rule = MatchRule.objects.create(
        programme=cohort.programme, kind="exclude", mentee=cohort.sofia, mentor=cohort.jess
    )
    mail.outbox.clear()
    return {"cohort": cohort, "run": draft, "rule": rule, "ended": sofia_pairing}


def manager_urls(state):
    p = state["cohort"].programme.pk
    r = state["run"].pk
    e = state["ended"].pk
    return {
        "get": [
            f"/programmes/{p}/matching/",
            f"/programmes/{p}/matching/runs/",
            f"/programmes/{p}/matching/runs/{r}/",
            f"/programmes/{p}/matching/runs/{r}/publish/",
            f"/programmes/{p}/pairings/",
            f"/programmes/{p}/pairings/{pairing_of(state['cohort'], state['cohort'].sam).pk}/end/",
        ],
        "post": [
            f"/programmes/{p}/matching/",
            f"/programmes/{p}/matching/runs/{r}/publish/",
            f"/programmes/{p}/matching/runs/{r}/swap/",
            f"/programmes/{p}/matching/rules/",
            f"/programmes/{p}/matching/rules/{state['rule'].pk}/remove/",
            f"/programmes/{p}/pairings/{e}/new-partner/",
            f"/programmes/{p}/pairings/{e}/complete/",
            f"/programmes/{p}/pairings/{e}/end/",
        ],
    }


@pytest.mark.parametrize("who", ["manager", "admin"])
def test_managers_and_admins_open_every_matching_page(state, world, who):
    client = world.client_for(getattr(world, who))
    for url in manager_urls(state)["get"]:
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("who", ["other_manager", "outsider_admin", "applicant", "senior"])
def test_everyone_else_gets_404_on_matching_pages(state, world, who):
    client = world.client_for(getattr(world, who))
    urls = manager_urls(state)
    for url in urls["get"]:
        assert client.get(url).status_code == 404, url
    for url in urls["post"]:
        assert client.post(url, {"role": "mentee"}).status_code == 404, url
    assert MatchRun.objects.count() == 2 and MatchRule.objects.count() == 1


def test_anonymous_is_sent_to_sign_in(state, world):
    client = world.client_for(None)
    urls = manager_urls(state)
    pairing = pairing_of(state["cohort"], state["cohort"].sam)
    for url in [*urls["get"], f"/pairings/{pairing.pk}/"]:
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url
    response = client.post(f"/pairings/{pairing.pk}/answer/", {"decision": "accept"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_proposal_page_is_for_its_mentor_only_until_they_accept(state, world):
    cohort = state["cohort"]
    pairing = pairing_of(cohort, cohort.sam)
    url = f"/pairings/{pairing.pk}/"
    body = world.client_for(cohort.jess).get(url).content.decode()
    assert "Sam Senior" in body and "Finance Director" in body and "Python" in body
    assert "Accept" in body and "Decline" in body
    for person in (cohort.sam, cohort.kai, world.manager, world.admin, world.outsider_admin):
        assert world.client_for(person).get(url).status_code == 404
        assert (
            world.client_for(person).post(url + "answer/", {"decision": "accept"}).status_code
            == 404
        )


def test_whole_flow_over_http(cohort, world, django_capture_on_commit_callbacks):
    manager = world.client_for(world.manager)
    page = manager.get(f"/programmes/{cohort.programme.pk}/matching/").content.decode()
    assert "Run matching" in page
    response = manager.post(f"/programmes/{cohort.programme.pk}/matching/", VALID_RUN)
    run_ = MatchRun.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/runs/{run_.pk}/")
    review = manager.get(response["Location"]).content.decode()
    assert "Sam Senior" in review and "Jess Junior" in review and "Publish" in review
    # The small consented group is held back without a label saying one was.
    assert "A group of fewer than 10 people is never shown." in review
    assert "Suppressed" not in " ".join(review.split())
    with django_capture_on_commit_callbacks(execute=True):
        response = manager.post(
            f"/programmes/{cohort.programme.pk}/matching/runs/{run_.pk}/publish/"
        )
    assert response.status_code == 302
    assert Pairing.objects.filter(state="proposed").count() == 2

    pairing = pairing_of(cohort, cohort.sam)
    dashboard_response = world.client_for(cohort.sam).get("/dashboard/")
    assertNotContains(dashboard_response, "Jess Junior")
    assert world.client_for(cohort.sam).get(f"/pairings/{pairing.pk}/").status_code == 404
    jess = world.client_for(cohort.jess)
    assert "Proposals waiting for you" in jess.get("/dashboard/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        jess.post(f"/pairings/{pairing.pk}/answer/", {"decision": "accept"})
    sam = world.client_for(cohort.sam)
    assert "Jess Junior" in sam.get("/dashboard/").content.decode()
    page_response = sam.get(f"/pairings/{pairing.pk}/")
    page = page_response.content.decode()
    assert "Confirm the pairing" in page
    assertNotContains(page_response, "Race")
    with django_capture_on_commit_callbacks(execute=True):
        sam.post(f"/pairings/{pairing.pk}/answer/", {"decision": "accept"})
    pairing.refresh_from_db()
    assert pairing.state == "active"


def test_mentor_page_never_shows_lived_experience_to_the_mentee(
    cohort, world, django_capture_on_commit_callbacks
):
    # Kai consented to lived experience for matching; Sofia must not read it. The mentee sees
    # the pairing page once her mentor has accepted, so Kai accepts first and Sofia asks.
    with django_capture_on_commit_callbacks(execute=True):
        published(cohort, by=world.manager.user)
    kai_pairing = pairing_of(cohort, cohort.sofia)
    assert kai_pairing.mentor == cohort.kai
    url = f"/pairings/{kai_pairing.pk}/"
    with django_capture_on_commit_callbacks(execute=True):
        response = world.client_for(cohort.kai).post(url + "answer/", {"decision": "accept"})
    assert response.status_code == 302
    response = world.client_for(cohort.sofia).get(url)
    assertContains(response, "Confirm the pairing")
    assertContains(response, "Kai Keen")
    assertNotContains(response, "Race and ethnicity")


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("w_topics", "-1", "greater than or equal to 0"),
        ("w_topics", "lots", "Enter a number"),
        ("related_credit", "3", "less than or equal to 1"),
        ("capacity", "0", "greater than or equal to 1"),
        ("min_level_gap", "1.5", "Enter a whole number"),
        ("mode", "chaos", "Select a valid choice"),
    ],
)
def test_bad_run_input_shows_clear_messages(cohort, world, field, value, message):
    data = {**VALID_RUN, field: value}
    response = world.client_for(world.manager).post(
        f"/programmes/{cohort.programme.pk}/matching/", data
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not MatchRun.objects.exists()


def test_run_form_refuses_when_not_in_matching(world):
    from upward.pairing.tests.helpers import build_cohort

    recruiting = build_cohort(world, state="recruiting")
    client = world.client_for(world.manager)
    page = client.get(f"/programmes/{recruiting.programme.pk}/matching/").content.decode()
    assert "Matching opens at the matching stage" in page
    response = client.post(f"/programmes/{recruiting.programme.pk}/matching/", VALID_RUN)
    assert "matching stage" in response.content.decode()
    assert not MatchRun.objects.exists()


@pytest.mark.parametrize(
    "data",
    [
        {"kind": "pin", "mentee": "999999", "mentor": "1"},
        {"kind": "pin", "mentee": "abc", "mentor": "abc"},
        {"kind": "marry", "mentee": "", "mentor": ""},
        {},
    ],
)
def test_bad_rule_input_is_refused_with_a_message(cohort, world, data):
    client = world.client_for(world.manager)
    response = client.post(f"/programmes/{cohort.programme.pk}/matching/rules/", data, follow=True)
    assert response.status_code == 200
    assert not MatchRule.objects.exists()
    body = response.content.decode()
    assert "alert--error" in body


def test_pin_exclude_and_swap_from_the_review_page(cohort, world):
    client = world.client_for(world.manager)
    first = run(cohort, by=world.manager.user)
    url = f"/programmes/{cohort.programme.pk}/matching/runs/{first.pk}/"
    client.post(
        f"/programmes/{cohort.programme.pk}/matching/rules/",
        {"kind": "pin", "mentee": cohort.sam.pk, "mentor": cohort.jess.pk, "next": url},
    )
    assert MatchRule.objects.filter(kind="pin").count() == 1
    page_response = client.get(url)
    page = page_response.content.decode()
    assert "Out of date" in page
    assertNotContains(page_response, "Publish…")
    response = client.post(
        url + "swap/",
        {"mentee_a": cohort.sam.pk, "mentee_b": cohort.sofia.pk, "confirmed": "yes"},
        follow=True,
    )
    assertContains(response, "Swapped")
    assert set(MatchRule.objects.values_list("mentee_id", "mentor_id")) == {
        (cohort.sam.pk, cohort.kai.pk),
        (cohort.sofia.pk, cohort.jess.pk),
    }
    bad = client.post(
        url + "swap/", {"mentee_a": cohort.sam.pk, "mentee_b": cohort.sam.pk}, follow=True
    )
    assert "two different mentees" in bad.content.decode()
    # Next-URL cannot send the manager off-site.
    response = client.post(
        f"/programmes/{cohort.programme.pk}/matching/rules/",
        {
            "kind": "exclude",
            "mentee": cohort.sam.pk,
            "mentor": cohort.jess.pk,
            "next": "https://evil.test/",
        },
    )
    assert response["Location"].startswith("/programmes/")


def test_publishing_an_out_of_date_run_is_refused_with_a_message(cohort, world):
    first = run(cohort, by=world.manager.user)
    MatchRule.objects.create(
        programme=cohort.programme, kind="exclude", mentee=cohort.sam, mentor=cohort.jess
    )
    response = world.client_for(world.manager).post(
        f"/programmes/{cohort.programme.pk}/matching/runs/{first.pk}/publish/", follow=True
    )
    assert "changed since this run" in response.content.decode()
    assert not Pairing.objects.exists()


def test_end_needs_a_reason_and_keeps_it_private(state, world):
    cohort = state["cohort"]
    pairing = pairing_of(cohort, cohort.sam)
    url = f"/programmes/{cohort.programme.pk}/pairings/{pairing.pk}/end/"
    client = world.client_for(world.manager)
    response = client.post(url, {"reason": ""})
    assert response.status_code == 200 and "This field is required" in response.content.decode()
    client.post(url, {"reason": "Jess changed roles"})
    pairing.refresh_from_db()
    assert pairing.state == "ended" and pairing.closed_reason == "Jess changed roles"
    listing = client.get(f"/programmes/{cohort.programme.pk}/pairings/").content.decode()
    assert "Jess changed roles" in listing
    mine_response = world.client_for(cohort.jess).get(f"/pairings/{pairing.pk}/")
    mine = mine_response.content.decode()
    assertNotContains(mine_response, "Jess changed roles")
    assert "This pairing has ended." in mine


def test_bad_answer_is_refused(state, world):
    pairing = pairing_of(state["cohort"], state["cohort"].sam)
    client = world.client_for(state["cohort"].jess)
    response = client.post(f"/pairings/{pairing.pk}/answer/", {"decision": "maybe"}, follow=True)
    assert "Choose to accept or to decline" in response.content.decode()
    pairing.refresh_from_db()
    assert pairing.state == "proposed"


def test_busy_run_page_polls_and_refreshes_when_done(
    cohort, world, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr("upward.pairing.services.runs.BACKGROUND_THRESHOLD", 2)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        queued = run(cohort, by=world.manager.user)
    client = world.client_for(world.manager)
    url = f"/programmes/{cohort.programme.pk}/matching/runs/{queued.pk}/"
    page = client.get(url).content.decode()
    assert 'hx-trigger="every 2s"' in page
    partial = client.get(url, headers={"HX-Request": "true"})
    assert "HX-Refresh" not in partial
    assertNotContains(partial, "<html")
    callbacks[0]()
    done = client.get(url, headers={"HX-Request": "true"})
    assert done["HX-Refresh"] == "true"
    assert "HX-Request" in done["Vary"]


def test_list_pages_keep_a_flat_query_count(
    cohort, world, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    for n in range(8):
        mentor = person_with_account(
            organisation=world.org, full_name=f"Mentor {n}", level=level(world.org, 1)
        )
        mentee = person_with_account(
            organisation=world.org, full_name=f"Mentee {n}", level=level(world.org, 7)
        )
        add_participant(cohort, mentor, "mentor", offered_topics=[cohort.python])
        add_participant(cohort, mentee, "mentee", wanted_topics=[cohort.python])
    with django_capture_on_commit_callbacks(execute=True):
        published(cohort, by=world.manager.user)
    draft = run(cohort, by=world.manager.user)
    client = world.client_for(world.manager)
    p = cohort.programme.pk
    with django_assert_max_num_queries(14):
        response = client.get(f"/programmes/{p}/pairings/")
    assert response.status_code == 200
    with django_assert_max_num_queries(12):
        response = client.get(f"/programmes/{p}/matching/runs/")
    assert response.status_code == 200
    with django_assert_max_num_queries(25):
        response = client.get(f"/programmes/{p}/matching/")
    assert response.status_code == 200
    with django_assert_max_num_queries(25):
        response = client.get(f"/programmes/{p}/matching/runs/{draft.pk}/")
    assert response.status_code == 200
    jess = world.client_for(cohort.jess)
    with django_assert_max_num_queries(14):
        response = jess.get("/dashboard/")
    assert response.status_code == 200


def test_a_mentor_decline_asks_first_and_says_what_it_does(state, world):
    pairing = pairing_of(state["cohort"], state["cohort"].sam)
    client = world.client_for(state["cohort"].jess)
    url = f"/pairings/{pairing.pk}/answer/"
    response = client.post(url, {"decision": "decline"})
    assertContains(response, "Decline the proposal to mentor Sam Senior?", status_code=200)
    assertContains(response, "will not be told", status_code=200)
    assertContains(response, 'name="confirmed" value="yes"', status_code=200)
    pairing.refresh_from_db()
    assert pairing.state == "proposed"
    response = client.post(url, {"decision": "decline", "confirmed": "yes"})
    assert response.status_code == 302
    pairing.refresh_from_db()
    assert pairing.state != "proposed"
    assert (
        world.client_for(world.outsider_admin).post(url, {"decision": "decline"}).status_code == 404
    )
