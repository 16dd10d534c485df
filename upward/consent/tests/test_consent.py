"""Special-category data and consent per purpose (issue 15): recorded with the wording's version
and the time, used only with consent and the programme's switch, withdrawn at once, never shown
to other participants unless shared, and only ever on the person's own page."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from upward.consent import selectors, services
from upward.consent.models import AboutYou, ConsentEvent
from upward.consent.purposes import CURRENT, LEGACY_VERSION, Purpose
from upward.core.errors import DomainError
from upward.core.models import AuditEvent
from upward.pairing.selectors import MatchSettings, build_match_inputs
from upward.pairing.tests.helpers import build_cohort, pairing_of, published
from upward.programmes.models import Programme
from upward.recruitment.tests.helpers import apply, open_recruitment
from upward.surveys.models import PendingResponse, Response
from upward.surveys.tests.helpers import (
    END_DAY,
    START_DAY,
    answer,
    open_template,
    participants,
    settle,
)
from upward.testing.factories import TopicFactory, level

ABOUT = "/people/me/about/"


def grant_url(purpose: str) -> str:
    return reverse("consent:grant", args=[purpose])


def withdraw_url(purpose: str) -> str:
    return reverse("consent:withdraw", args=[purpose])


@pytest.fixture
def race(world):  # type: ignore[no-untyped-def]
    return TopicFactory(organisation=world.org, name="Race and ethnicity", kind="experience")


# --- Recording consent -----------------------------------------------------------------------


def test_consent_is_recorded_with_the_wording_version_and_the_time(world):
    moment = dt.datetime(2026, 12, 1, 9, 30, tzinfo=dt.UTC)
    with time_machine.travel(moment, tick=False):
        response = world.client_for(world.applicant).post(grant_url("matching"))
    assert response.status_code == 302
    event = ConsentEvent.objects.get(person=world.applicant)
    assert (event.purpose, event.granted) == ("matching", True)
    assert event.version == CURRENT["matching"].version
    assert event.at == moment
    # Granting again under the same words records nothing new; withdrawing appends.
    services.record_consent(world.applicant, Purpose.MATCHING, granted=True, by=None)
    assert ConsentEvent.objects.filter(person=world.applicant).count() == 1
    services.record_consent(world.applicant, Purpose.MATCHING, granted=False, by=None)
    assert [e.granted for e in ConsentEvent.objects.filter(person=world.applicant)] == [
        False,
        True,
    ]
    assert not selectors.has_consent(world.applicant.pk, Purpose.MATCHING)
    audit = AuditEvent.objects.filter(verb__startswith="consent.").order_by("id")
    assert [a.verb for a in audit] == ["consent.granted", "consent.withdrawn"]
    assert audit[0].data == {"purpose": "matching", "version": CURRENT["matching"].version}


def test_consent_history_is_append_only(world):
    event = services.record_consent(world.applicant, Purpose.REPORTING, granted=True, by=None)
    assert event is not None
    event.granted = False
    with pytest.raises(ValueError, match="append-only"):
        event.save()


def test_old_consents_stay_tied_to_the_words_they_were_given_under(world):
    ConsentEvent.objects.create(
        person=world.applicant, purpose="matching", granted=True, version=LEGACY_VERSION
    )
    response = world.client_for(world.applicant).get(ABOUT)
    # The legacy words are shown in the history, and the person is asked about the new ones.
    assertContains(response, "use them to find me a good match")
    assertContains(response, f"version {LEGACY_VERSION}")
    assertContains(response, "I agree to the new wording")
    services.record_consent(world.applicant, Purpose.MATCHING, granted=True, by=None)
    versions = list(
        ConsentEvent.objects.filter(person=world.applicant).values_list("version", flat=True)
    )
    assert versions == [CURRENT["matching"].version, LEGACY_VERSION]


def test_an_unknown_purpose_is_refused(world):
    client = world.client_for(world.applicant)
    assert client.post(grant_url("marketing")).status_code == 404
    assert client.get(withdraw_url("marketing")).status_code == 404
    with pytest.raises(DomainError, match="not a purpose"):
        services.record_consent(world.applicant, "marketing", granted=True, by=None)
    assert not ConsentEvent.objects.exists()


# --- The "About you" page --------------------------------------------------------------------


def test_answers_are_optional_encrypted_and_never_audited(world, race):
    client = world.client_for(world.applicant)
    page = client.get(ABOUT)
    assertContains(page, "Prefer not to say")
    assertContains(page, "Why we ask, and who sees it")
    response = client.post(
        ABOUT,
        {
            "ethnicity": "asian",
            "age_band": "prefer_not",
            "lived_experience": [race.pk],
            "shared_with_partner": [],
        },
    )
    assert response.status_code == 302
    about = AboutYou.objects.get(person=world.applicant)
    assert about.ethnicity == "asian" and about.age_band == "prefer_not"
    assert about.gender_identity == ""  # not answered
    assert about.lived_topic_ids() == [race.pk]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT ethnicity, lived_experience FROM consent_aboutyou WHERE id = %s", [about.pk]
        )
        ethnicity, lived = cursor.fetchone()
    assert "asian" not in ethnicity and f"[{race.pk}]" not in lived
    # Fernet tokens under the person's organisation's data key (core.crypto, "o1:<org>:…").
    prefix = f"o1:{world.applicant.organisation_id}:"
    assert ethnicity.startswith(prefix) and lived.startswith(prefix)
    for event in AuditEvent.objects.all():
        assert "asian" not in str(event.data) and "Race" not in str(event.data)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"ethnicity": "martian"}, "“martian” is not one of the options"),
        ({"age_band": "101"}, "“101” is not one of the options"),
        ({"lived_experience": ["999999"]}, "not in the list"),
        ({"lived_experience": ["abc"]}, "“abc” is not a topic in the list"),
        ({"shared_with_partner": ["salary"]}, "“salary” is not something you can share"),
    ],
)
def test_unknown_option_values_are_refused_with_a_clear_error(world, race, data, message):
    response = world.client_for(world.applicant).post(ABOUT, data)
    assertContains(response, message, status_code=200)
    assert not AboutYou.objects.exists()


def test_the_service_refuses_unknown_values_and_other_organisations_topics(world, race):
    elsewhere = TopicFactory(name="Elsewhere", kind="experience")
    with pytest.raises(DomainError, match="not one of the options"):
        services.save_about_you(world.applicant, answers={"ethnicity": "martian"}, by=None)
    with pytest.raises(DomainError, match="not a question"):
        services.save_about_you(world.applicant, answers={"religion": "x"}, by=None)
    with pytest.raises(DomainError, match="from the list"):
        services.save_about_you(world.applicant, answers={}, lived_experience=[elsewhere], by=None)
    with pytest.raises(DomainError, match="not both"):
        services.save_about_you(
            world.applicant, answers={}, lived_experience=[race], lived_prefer_not=True, by=None
        )
    assert not AboutYou.objects.exists()


def test_the_page_is_only_ever_the_persons_own(world, race):
    services.save_about_you(
        world.applicant, answers={"ethnicity": "black"}, lived_experience=[race], by=None
    )
    black = 'id="id_ethnicity_2" checked'
    assertContains(world.client_for(world.applicant).get(ABOUT), black)
    # Another person (even an organisation admin) sees only their own, empty, page.
    other = world.client_for(world.admin).get(ABOUT)
    assertNotContains(other, black, status_code=200)
    assertNotContains(
        other,
        f'name="lived_experience" value="{race.pk}" id="id_lived_experience_0" checked',
        status_code=200,
    )
    # Posting someone else's id changes nothing of theirs: the page takes no person.
    world.client_for(world.admin).post(ABOUT, {"ethnicity": "white", "person": world.applicant.pk})
    assert AboutYou.objects.get(person=world.applicant).ethnicity == "black"
    assert AboutYou.objects.get(person=world.admin).ethnicity == "white"
    # Signed out: sent to sign in.
    assert world.client_for(None).get(ABOUT).status_code == 302


# --- A programme must switch a purpose on ----------------------------------------------------


def _mentor_of(world, **switches):  # type: ignore[no-untyped-def]
    programme = open_recruitment(
        world.programme,
        mentor_level_min=level(world.org, 1),
        mentor_level_max=level(world.org, 4),
        mentee_level_min=level(world.org, 6),
        mentee_level_max=level(world.org, 9),
        **switches,
    )
    apply(programme, world.applicant)
    return programme


def test_consent_questions_appear_only_where_a_programme_uses_the_purpose(world):
    _mentor_of(world)
    page = world.client_for(world.applicant).get(ABOUT)
    assertNotContains(page, "What your answers may be used for", status_code=200)
    assertNotContains(page, CURRENT["matching"].version, status_code=200)

    Programme.objects.filter(pk=world.programme.pk).update(special_category_matching=True)
    page = world.client_for(world.applicant).get(ABOUT)
    assertContains(page, "What your answers may be used for")
    assertContains(page, str(CURRENT["matching"].text)[:40])
    assertNotContains(page, str(CURRENT["reporting"].text)[:40], status_code=200)

    Programme.objects.filter(pk=world.programme.pk).update(special_category_reporting=True)
    page = world.client_for(world.applicant).get(ABOUT)
    assertContains(page, str(CURRENT["reporting"].text)[:40])


def test_switch_off_means_not_used_in_matching_even_with_consent(world):
    cohort = build_cohort(world)  # Kai consented on applying; the switch is on
    kai = next(m for m in _inputs(cohort).mentors if int(m.id) == cohort.kai.pk)
    assert kai.lived_experience == frozenset({str(cohort.race.pk)})
    Programme.objects.filter(pk=cohort.programme.pk).update(special_category_matching=False)
    cohort.programme.refresh_from_db()
    kai = next(m for m in _inputs(cohort).mentors if int(m.id) == cohort.kai.pk)
    assert kai.lived_experience == frozenset() and kai.group is None


def _inputs(cohort):  # type: ignore[no-untyped-def]
    return build_match_inputs(cohort.programme, settings=MatchSettings())


# --- Withdrawal takes effect at once ---------------------------------------------------------


def test_withdrawal_removes_lived_experience_from_the_next_matching_run(world):
    cohort = build_cohort(world)
    client = world.client_for(cohort.kai)
    confirm = client.get(withdraw_url("matching"))
    assertContains(confirm, "Yes, withdraw")
    assert selectors.has_consent(cohort.kai.pk, Purpose.MATCHING)  # a GET changes nothing
    assert client.post(withdraw_url("matching")).status_code == 302
    kai = next(m for m in _inputs(cohort).mentors if int(m.id) == cohort.kai.pk)
    assert kai.lived_experience == frozenset()
    assert not kai.lived_experience_consent and kai.group is None
    # The programme team no longer sees it either.
    app = cohort.programme.applications.get(person=cohort.kai)
    review = world.client_for(world.manager).get(
        reverse("recruitment:review_detail", args=[cohort.programme.pk, app.pk])
    )
    assertNotContains(review, "Race and ethnicity", status_code=200)


def _reporting_programme(world):  # type: ignore[no-untyped-def]
    programme = world.programme
    programme.state = "active"
    programme.special_category_reporting = True
    programme.save(update_fields=["state", "special_category_reporting"])
    return programme


def test_report_groups_need_reporting_consent_and_the_switch(world, race):
    programme = _reporting_programme(world)
    # Groups are kept on anonymous rows only when at least the special-category threshold (10)
    # of the programme's participants share them.
    people = participants(programme, 12, role="mentor", prefix="R")
    agreed, matching_only = people[:10], people[10]
    for person in people:
        services.save_about_you(person, answers={}, lived_experience=[race], by=None)
    for person in agreed:
        services.record_consent(person, Purpose.REPORTING, granted=True, by=None)
    services.record_consent(matching_only, Purpose.MATCHING, granted=True, by=None)
    start = open_template(programme, "generational-start")
    for person in people:
        answer(start, person, today=START_DAY, understanding_generations=2)
    settle(start)
    groups = sorted(Response.objects.filter(survey=start).values_list("groups", flat=True))
    assert groups == [[], []] + [[race.pk]] * 10
    assert not Response.objects.filter(survey=start, person__isnull=False).exists()

    # Switch off: nobody's groups are used, consent or not.
    Programme.objects.filter(pk=programme.pk).update(special_category_reporting=False)
    end = open_template(programme, "generational-end")
    answer(end, agreed[0], today=END_DAY, understanding_generations=3)
    settle(end)
    assert list(Response.objects.filter(survey=end).values_list("groups", flat=True)) == [[]]


def test_groups_below_the_special_category_threshold_are_not_kept(world, race):
    programme = _reporting_programme(world)
    people = participants(programme, 9, role="mentor", prefix="S")
    for person in people:
        services.save_about_you(person, answers={}, lived_experience=[race], by=None)
        services.record_consent(person, Purpose.REPORTING, granted=True, by=None)
    start = open_template(programme, "generational-start")
    for person in people:
        answer(start, person, today=START_DAY, understanding_generations=2)
    settle(start)
    assert list(Response.objects.filter(survey=start).values_list("groups", flat=True)) == (
        [[]] * 9
    )


def test_withdrawal_strips_groups_from_stored_and_waiting_anonymous_responses(world, race):
    programme = _reporting_programme(world)
    people = participants(programme, 11, role="mentor", prefix="W")
    for person in people:
        services.save_about_you(person, answers={}, lived_experience=[race], by=None)
        services.record_consent(person, Purpose.REPORTING, granted=True, by=None)
    start = open_template(programme, "generational-start")
    for person in people:
        answer(start, person, today=START_DAY, understanding_generations=2)
    # Some answers are written (a batch), the others still wait: withdrawal must reach both.
    assert Response.objects.filter(survey=start).exists()
    assert PendingResponse.objects.filter(survey=start).exists()

    leaving = people[0]
    response = world.client_for(leaving).post(withdraw_url("reporting"))
    assert response.status_code == 302
    settle(start)
    assert sorted(r.groups for r in Response.objects.filter(survey=start)) == (
        [[]] + [[race.pk]] * 10
    )
    # And new answers carry none.
    end = open_template(programme, "generational-end")
    answer(end, leaving, today=END_DAY, understanding_generations=3)
    settle(end)
    assert list(Response.objects.filter(survey=end).values_list("groups", flat=True)) == [[]]


# --- Never shown to other participants unless shared -----------------------------------------


def _active_pairing(world):  # type: ignore[no-untyped-def]
    cohort = build_cohort(world)
    published(cohort, by=world.manager.user)
    pairing = pairing_of(cohort, cohort.sofia)
    assert pairing.mentor == cohort.kai
    url = f"/pairings/{pairing.pk}/"
    world.client_for(cohort.kai).post(url + "answer/", {"decision": "accept"})
    world.client_for(cohort.sofia).post(url + "answer/", {"decision": "accept"})
    pairing.refresh_from_db()
    assert pairing.state == "active"
    return cohort, url


def test_a_partner_sees_only_what_was_shared(world):
    cohort, url = _active_pairing(world)
    services.save_about_you(
        cohort.kai,
        answers={"ethnicity": "asian", "disability": "yes"},
        lived_experience=[cohort.race],
        by=None,
    )
    sofia = world.client_for(cohort.sofia)
    page = sofia.get(url)
    assertContains(page, "Kai Keen")
    for hidden in ("Race and ethnicity", "Asian or Asian British", "long-term health"):
        assertNotContains(page, hidden, status_code=200)

    services.save_about_you(
        cohort.kai,
        answers={"ethnicity": "asian", "disability": "yes"},
        lived_experience=[cohort.race],
        shared_with_partner=["ethnicity"],
        by=None,
    )
    page = sofia.get(url)
    assertContains(page, "Asian or Asian British")
    assertNotContains(page, "Race and ethnicity", status_code=200)
    assertNotContains(page, "long-term health", status_code=200)

    services.save_about_you(
        cohort.kai,
        answers={"ethnicity": "asian"},
        lived_experience=[cohort.race],
        shared_with_partner=["ethnicity", "lived_experience"],
        by=None,
    )
    assertContains(sofia.get(url), "Race and ethnicity")
    # Another participant never reaches the pair's page at all.
    assert world.client_for(cohort.jess).get(url).status_code == 404


def test_a_proposal_is_not_yet_a_partner(world):
    cohort = build_cohort(world)
    published(cohort, by=world.manager.user)
    pairing = pairing_of(cohort, cohort.sofia)
    services.save_about_you(
        cohort.sofia,
        answers={"ethnicity": "asian"},
        shared_with_partner=["ethnicity"],
        by=None,
    )
    page = world.client_for(cohort.kai).get(f"/pairings/{pairing.pk}/")
    assertContains(page, "Sofia Strand")
    assertNotContains(page, "Asian or Asian British", status_code=200)


# --- The programme team: only with consent, audited, never across organisations ---------------


def test_team_view_is_audited_and_404_across_organisations(world):
    cohort = build_cohort(world)
    app = cohort.programme.applications.get(person=cohort.kai)
    url = reverse("recruitment:review_detail", args=[cohort.programme.pk, app.pk])
    response = world.client_for(world.outsider_admin).get(url)
    assert response.status_code == 404
    assert not AuditEvent.objects.filter(verb="special_category.viewed").exists()
    response = world.client_for(world.manager).get(url)
    assertContains(response, "Race and ethnicity")
    viewed = AuditEvent.objects.get(verb="special_category.viewed")
    assert viewed.actor == world.manager.user
    assert "Race" not in str(viewed.data) and str(cohort.race.pk) not in str(viewed.data)


# --- Existing applications keep working ------------------------------------------------------


def test_legacy_application_consent_is_migrated_to_a_matching_consent(world, race):
    import importlib

    from django.apps import apps

    from upward.recruitment.models import Application

    migration = importlib.import_module(
        "upward.recruitment.migrations.0003_lived_experience_to_consent"
    )
    programme = _mentor_of(world)
    app = Application.objects.get(person=world.applicant)
    # As the old form stored it: the tick and the topics on the application.
    Application.objects.filter(pk=app.pk).update(lived_experience_consent=True)
    app.lived_experience_topics.add(race)
    unticked = apply(programme, world.other_applicant)
    unticked.lived_experience_topics.add(race)  # a stray topic without the tick

    migration.forwards(apps, None)

    event = ConsentEvent.objects.get(person=world.applicant)
    assert (event.purpose, event.granted, event.version) == ("matching", True, LEGACY_VERSION)
    assert AboutYou.objects.get(person=world.applicant).lived_topic_ids() == [race.pk]
    assert not ConsentEvent.objects.filter(person=world.other_applicant).exists()
    assert not AboutYou.objects.filter(person=world.other_applicant).exists()
    programme.refresh_from_db()
    assert programme.special_category_matching and not programme.special_category_reporting
    app.refresh_from_db()
    assert not app.lived_experience_consent and app.lived_experience_topics.count() == 0
    assert unticked.lived_experience_topics.count() == 0
    assert selectors.lived_experience_for([world.applicant.pk], Purpose.MATCHING) == {
        world.applicant.pk: [race.pk]
    }


def test_about_you_answers_count_in_reports_only_with_reporting_consent(world):
    programme = _reporting_programme(world)
    people = participants(programme, 12, role="mentor", prefix="E")
    for i, person in enumerate(people):
        # Ten say Asian, one prefers not to say, one says White (a group too small to keep).
        code = "asian" if i < 10 else ("prefer_not" if i == 10 else "white")
        services.save_about_you(person, answers={"ethnicity": code}, lived_experience=[], by=None)
        services.record_consent(person, Purpose.REPORTING, granted=True, by=None)
    start = open_template(programme, "generational-start")
    for person in people:
        answer(start, person, today=START_DAY, understanding_generations=2)
    settle(start)
    groups = sorted(Response.objects.filter(survey=start).values_list("groups", flat=True))
    assert groups == [[], []] + [["ethnicity:asian"]] * 10
    assert selectors.group_label("ethnicity:asian") == "Asian or Asian British"

    # Withdrawal strips them like lived experience.
    response = world.client_for(people[0]).post(withdraw_url("reporting"))
    assert response.status_code == 302
    groups = sorted(Response.objects.filter(survey=start).values_list("groups", flat=True))
    assert groups == [[], [], []] + [["ethnicity:asian"]] * 9
