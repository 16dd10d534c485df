"""Choice-round pages as each persona: who sees what, bad input, privacy and query budgets."""

import datetime as dt

import pytest
from django.utils import timezone
from pytest_django.asserts import assertNotContains

from upward.pairing import services
from upward.pairing.models import ChoiceOption, ChoiceRound, MatchRun, MatchSetup
from upward.pairing.tests.helpers import choice_mode, open_round, rank
from upward.pairing.tests.test_views import VALID_RUN


@pytest.fixture
def round_(cohort):
    """An open round where the two mentees (Sam and Sofia) choose between Jess and Kai."""
    return open_round(cohort)


def option_field(round_, chooser, partner):
    option = ChoiceOption.objects.get(
        chooser__round=round_, chooser__person=chooser, partner=partner
    )
    return f"rank_{option.pk}"


def manager_urls(cohort, round_):
    p, r = cohort.programme.pk, round_.pk
    return {
        "get": [f"/programmes/{p}/matching/rounds/{r}/"],
        "post": [
            f"/programmes/{p}/matching/rounds/",
            f"/programmes/{p}/matching/rounds/{r}/close/",
            f"/programmes/{p}/matching/rounds/{r}/cancel/",
        ],
    }


# ---------------------------------------------------------------------------------------------
# Programme team


@pytest.mark.parametrize("who", ["manager", "admin"])
def test_programme_team_sees_the_round_but_not_the_rankings(cohort, round_, world, who):
    rank(round_, cohort.sam, cohort.kai)
    client = world.client_for(getattr(world, who))
    page = client.get(f"/programmes/{cohort.programme.pk}/matching/rounds/{round_.pk}/")
    body = page.content.decode()
    assert page.status_code == 200
    assert "Sam Senior" in body and "Sofia Strand" in body and "of 2 choosers have ranked" in body
    assertNotContains(page, "Kai Keen")  # who ranked whom is not listed here
    response = client.get(f"/programmes/{cohort.programme.pk}/matching/")
    matching = response.content.decode()
    assert "Round open" in matching and "Close the round and resolve the choices" in matching
    assertNotContains(response, "Run matching</button>")


@pytest.mark.parametrize("who", ["other_manager", "outsider_admin", "applicant", "senior"])
def test_everyone_else_gets_404_on_round_pages(cohort, round_, world, who):
    client = world.client_for(getattr(world, who))
    urls = manager_urls(cohort, round_)
    for url in urls["get"]:
        assert client.get(url).status_code == 404, url
    for url in urls["post"]:
        assert client.post(url, {"closes_at": "2030-01-01T12:00"}).status_code == 404, url
    round_.refresh_from_db()
    assert round_.is_open and not MatchRun.objects.filter(kind="choice").exists()


def test_anonymous_visitors_are_sent_to_sign_in(cohort, round_, world):
    client = world.client_for(None)
    for url in [*manager_urls(cohort, round_)["get"], f"/choices/{round_.pk}/"]:
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_manager_saves_choice_mode_opens_and_closes_a_round(cohort, world):
    client = world.client_for(world.manager)
    base = f"/programmes/{cohort.programme.pk}/matching/"
    data = {
        **VALID_RUN,
        "matching_mode": "choice",
        "who_chooses": "mentees",
        "shortlist_size": "4",
        "max_ranked": "2",
    }
    # "Run matching" with participants choosing only saves the settings.
    response = client.post(base, {**data, "action": "run"})
    assert response.status_code == 302 and response["Location"] == base
    assert not MatchRun.objects.exists()
    assert MatchSetup.objects.get().settings["max_ranked"] == 2
    page = client.get(base).content.decode()
    assert "Open a choice round" in page and "Save settings" in page

    deadline = (timezone.localtime() + dt.timedelta(days=5)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(base + "rounds/", {"closes_at": deadline})
    round_ = ChoiceRound.objects.get()
    assert response["Location"] == f"{base}rounds/{round_.pk}/"
    assert (round_.shortlist_size, round_.max_ranked) == (4, 2)

    response = client.post(f"{base}rounds/{round_.pk}/close/")
    run_ = MatchRun.objects.get(kind="choice")
    assert response["Location"] == f"{base}runs/{run_.pk}/"
    review = client.get(response["Location"]).content.decode()
    assert "Participants&#x27; choices" in review or "Participants' choices" in review
    assert "did not rank anyone" in review and "Resolve the choices again" in review

    response = client.post(f"{base}runs/{run_.pk}/resolve-again/")
    again = MatchRun.objects.filter(kind="choice").latest("id")
    assert again.pk != run_.pk and response["Location"] == f"{base}runs/{again.pk}/"


def test_bad_settings_and_deadlines_are_refused(cohort, world):
    client = world.client_for(world.manager)
    base = f"/programmes/{cohort.programme.pk}/matching/"
    bad = {**VALID_RUN, "matching_mode": "choice", "shortlist_size": "2", "max_ranked": "3"}
    response = client.post(base, {**bad, "action": "save"})
    assert response.status_code == 200
    assert "cannot rank more partners than they are shown" in response.content.decode()
    assert not MatchSetup.objects.exists()

    choice_mode(cohort)
    past = (timezone.localtime() - dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    for value, message in (
        (past, "at least an hour from now"),
        ("not a date", "Enter a valid date/time."),
        ("", "This field is required."),
    ):
        response = client.post(base + "rounds/", {"closes_at": value}, follow=True)
        assert response.status_code == 200
        assert message in response.content.decode()
    assert not ChoiceRound.objects.exists()


def test_cancel_from_the_round_page(cohort, round_, world):
    client = world.client_for(world.manager)
    base = f"/programmes/{cohort.programme.pk}/matching/rounds/{round_.pk}/"
    response = client.post(base + "cancel/", follow=True)
    assert "Round cancelled" in response.content.decode()
    round_.refresh_from_db()
    assert round_.status == "cancelled"
    response = client.post(base + "close/", follow=True)
    assert "already been closed" in response.content.decode()


# ---------------------------------------------------------------------------------------------
# Choosers


def test_chooser_sees_recommendations_with_reasons_and_ranks_them(cohort, round_, world):
    client = world.client_for(cohort.sam)
    url = f"/choices/{round_.pk}/"
    page = client.get(url).content.decode()
    assert "Choose your reverse mentor" in page
    assert "Jess Junior" in page and "Kai Keen" in page
    assert "They can help with what you want to learn: Python." in page
    assert "They want to learn what you offer: Strategy." in page
    assert page.index("Jess Junior") < page.index("Kai Keen")  # best fit first
    response = client.post(
        url,
        {
            option_field(round_, cohort.sam, cohort.kai): "1",
            option_field(round_, cohort.sam, cohort.jess): "2",
        },
        follow=True,
    )
    body = response.content.decode()
    assert "Your 2 choices are saved" in body
    ranks = dict(
        ChoiceOption.objects.filter(chooser__person=cohort.sam).values_list("partner_id", "rank")
    )
    assert ranks == {cohort.kai.pk: 1, cohort.jess.pk: 2}
    # The saved ranking shows on the page, and the selects keep it.
    assert '<option value="1" selected>1st choice</option>' in body
    assert '<option value="2" selected>2nd choice</option>' in body


@pytest.mark.parametrize(
    ("ranks", "message"),
    [(("1", "1"), "to two people"), (("2", ""), "without gaps"), (("7", ""), "from the list")],
)
def test_bad_rankings_show_an_error_and_save_nothing(cohort, round_, world, ranks, message):
    client = world.client_for(cohort.sam)
    data = {
        option_field(round_, cohort.sam, cohort.kai): ranks[0],
        option_field(round_, cohort.sam, cohort.jess): ranks[1],
    }
    response = client.post(f"/choices/{round_.pk}/", data)
    assert response.status_code == 200 and message in response.content.decode()
    assert not ChoiceOption.objects.filter(rank__isnull=False).exists()


@pytest.mark.parametrize("who", ["jess", "kai", "manager", "admin", "outsider_admin", "applicant"])
def test_only_the_chooser_sees_their_page(cohort, round_, world, who):
    person = getattr(cohort, who, None) or getattr(world, who)
    client = world.client_for(person)
    url = f"/choices/{round_.pk}/"
    assert client.get(url).status_code == 404
    field = option_field(round_, cohort.sam, cohort.kai)
    assert client.post(url, {field: "1"}).status_code == 404
    assert not ChoiceOption.objects.filter(rank__isnull=False).exists()


def test_a_withdrawn_chooser_gets_404(cohort, round_, world):
    from upward.recruitment.models import Application

    Application.objects.filter(person=cohort.sam, programme=cohort.programme).update(
        status="withdrawn"
    )
    assert world.client_for(cohort.sam).get(f"/choices/{round_.pk}/").status_code == 404


def test_after_closing_the_page_is_read_only(cohort, round_, world):
    rank(round_, cohort.sam, cohort.kai)
    services.close_choice_round(round_, by=None)
    client = world.client_for(cohort.sam)
    page_response = client.get(f"/choices/{round_.pk}/")
    page = page_response.content.decode()
    assert "This round has closed" in page and "Your 1st choice" in page
    assertNotContains(page_response, "Save my ranking")
    field = option_field(round_, cohort.sam, cohort.jess)
    response = client.post(f"/choices/{round_.pk}/", {field: "1"}, follow=True)
    assert "rankings can no longer change" in response.content.decode()
    assert ChoiceOption.objects.get(chooser__person=cohort.sam, rank=1).partner == cohort.kai


def test_lived_experience_is_never_shown_to_a_chooser(cohort, world):
    # Kai consented to share lived experience for matching; Sam wants to learn about it.
    from upward.recruitment.models import Application

    application = Application.objects.get(person=cohort.sam, programme=cohort.programme)
    application.wanted_topics.add(cohort.race)
    round_ = open_round(cohort)
    option = ChoiceOption.objects.get(chooser__person=cohort.sam, partner=cohort.kai)
    points = {c["criterion"]: c["points"] for c in option.contributions}
    assert points["topics"] > 0  # it counted in the score...
    response = world.client_for(cohort.sam).get(f"/choices/{round_.pk}/")
    page = response.content.decode()
    assert "Kai Keen" in page
    assertNotContains(response, "Race")
    assertNotContains(response, "ethnicity")  # ...but is never shown


def test_chooser_page_query_count_stays_flat(cohort, world, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from upward.pairing.tests.helpers import add_participant
    from upward.testing.factories import level, person_with_account

    def queries_for_sam() -> int:
        round_ = open_round(cohort)
        client = world.client_for(cohort.sam)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(f"/choices/{round_.pk}/").status_code == 200
        services.cancel_choice_round(round_, by=None)
        return len(captured)

    few = queries_for_sam()
    for k in range(4):
        mentor = person_with_account(
            organisation=world.org,
            full_name=f"Mentor {k}",
            level=level(world.org, 1),
            email=f"mentor{k}@northwind.test",
        )
        add_participant(cohort, mentor, "mentor", offered_topics=[cohort.python])
    many = queries_for_sam()
    assert many == few
    round_ = ChoiceRound.objects.filter(status="cancelled").latest("id")
    client = world.client_for(cohort.sam)
    with django_assert_max_num_queries(14):
        response = client.get(f"/choices/{round_.pk}/")
    assert response.status_code == 200


def test_once_active_the_team_can_still_run_matching_in_choice_mode(cohort, world):
    from upward.programmes.models import State
    from upward.programmes.services import transition_programme

    choice_mode(cohort)
    transition_programme(cohort.programme, to=State.ACTIVE, by=None, acknowledged=True)
    client = world.client_for(world.manager)
    base = f"/programmes/{cohort.programme.pk}/matching/"
    page_response = client.get(base)
    page = page_response.content.decode()
    assert "Run matching</button>" in page
    assertNotContains(page_response, "Open a choice round")
    response = client.post(base, {**VALID_RUN, "matching_mode": "choice", "action": "run"})
    run_ = MatchRun.objects.get()
    assert response["Location"] == f"{base}runs/{run_.pk}/" and run_.kind == "full"
