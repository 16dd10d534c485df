"""Profiles the selectors hand the engine: consent, reporting lines, working together."""

import datetime as dt

from upward.consent import services as consent_services
from upward.consent.purposes import Purpose
from upward.pairing.selectors import MatchSettings, build_match_inputs, utc_offset_hours
from upward.pairing.tests.helpers import add_participant
from upward.programmes.models import Programme
from upward.recruitment.models import Application
from upward.testing.factories import TopicFactory, level, person_with_account


def inputs(cohort, **settings):
    return build_match_inputs(cohort.programme, settings=MatchSettings(**settings))


def by_id(profiles):
    return {int(p.id): p for p in profiles}


def test_profiles_carry_levels_topics_teams_and_chains(cohort):
    data = inputs(cohort)
    mentors, mentees = by_id(data.mentors), by_id(data.mentees)
    assert set(mentors) == {cohort.jess.pk, cohort.kai.pk}
    assert set(mentees) == {cohort.sam.pk, cohort.sofia.pk}
    assert mentors[cohort.jess.pk].level == 2
    assert mentees[cohort.sofia.pk].level == 9
    assert mentors[cohort.jess.pk].offers == frozenset({str(cohort.python.pk)})
    assert mentees[cohort.sam.pk].wants == frozenset({str(cohort.python.pk)})
    assert mentors[cohort.jess.pk].department == str(cohort.jess.department_id)
    assert mentors[cohort.jess.pk].capacity == 1
    assert mentors[cohort.jess.pk].max_concurrent == 2


def test_lived_experience_is_used_only_with_consent(cohort):
    data = inputs(cohort)
    kai = by_id(data.mentors)[cohort.kai.pk]
    assert kai.lived_experience == frozenset({str(cohort.race.pk)})
    assert kai.group == "Race and ethnicity" and kai.group_consent

    # Consent withdrawn (the topics stay on his "About you" page): nothing reaches the engine
    # from the next run on.
    consent_services.record_consent(cohort.kai, Purpose.MATCHING, granted=False, by=None)
    kai = by_id(inputs(cohort).mentors)[cohort.kai.pk]
    assert kai.lived_experience == frozenset()
    assert not kai.lived_experience_consent
    assert kai.group is None and not kai.group_consent


def test_lived_experience_is_not_used_when_the_programme_switch_is_off(cohort):
    # Kai consents, but the programme does not use special-category data in matching.
    Programme.objects.filter(pk=cohort.programme.pk).update(special_category_matching=False)
    cohort.programme.refresh_from_db()
    kai = by_id(inputs(cohort).mentors)[cohort.kai.pk]
    assert kai.lived_experience == frozenset()
    assert kai.group is None


def test_reporting_chain_is_loaded_for_every_participant(cohort, world):
    cohort.jess.manager = world.manager
    cohort.jess.save(update_fields=["manager"])
    world.manager.manager = cohort.sam
    world.manager.save(update_fields=["manager"])
    jess = by_id(inputs(cohort).mentors)[cohort.jess.pk]
    assert jess.manager_chain == (str(world.manager.pk), str(cohort.sam.pk))


def test_reporting_line_keeps_a_mentor_away_from_their_managers_manager(cohort, world):
    from upward.pairing.tests.helpers import pairs_of, run

    cohort.jess.manager = world.manager
    cohort.jess.save(update_fields=["manager"])
    world.manager.manager = cohort.sam
    world.manager.save(update_fields=["manager"])
    result = run(cohort)
    assert (cohort.sam.pk, cohort.jess.pk) not in pairs_of(result)


def test_works_with_counts_in_both_directions(cohort):
    # Only Jess declared Sam; Sam's profile must know too.
    application = Application.objects.get(programme=cohort.programme, person=cohort.jess)
    application.works_with.add(cohort.sam)
    data = inputs(cohort)
    assert str(cohort.sam.pk) in by_id(data.mentors)[cohort.jess.pk].works_with
    assert str(cohort.jess.pk) in by_id(data.mentees)[cohort.sam.pk].works_with


def test_topic_relations_link_parent_and_children(cohort, world):
    child = TopicFactory(organisation=world.org, name="Pandas", parent=cohort.python)
    data = inputs(cohort)
    assert str(child.pk) in data.topic_relations[str(cohort.python.pk)]
    assert str(cohort.python.pk) in data.topic_relations[str(child.pk)]


def test_utc_offset_uses_the_programme_start_date():
    assert utc_offset_hours("Europe/London", dt.date(2027, 1, 11)) == 0
    assert utc_offset_hours("Europe/London", dt.date(2027, 7, 1)) == 1
    assert utc_offset_hours("Asia/Kolkata", dt.date(2027, 1, 11)) == 5.5
    assert utc_offset_hours("Not/AZone", dt.date(2027, 1, 11)) == 0


def test_people_without_a_level_are_left_out_with_a_reason(cohort, world):
    nolevel = person_with_account(
        organisation=world.org, full_name="Nel Nolevel", level=level(world.org, 7)
    )
    add_participant(cohort, nolevel, "mentee")
    nolevel.level = None
    nolevel.save(update_fields=["level"])
    data = inputs(cohort)
    assert nolevel.pk not in by_id(data.mentees)
    assert [(x.person_id, x.reason) for x in data.left_out] == [(nolevel.pk, "no_level")]


def test_profile_building_takes_a_fixed_number_of_queries(
    cohort, world, django_assert_max_num_queries
):
    for n in range(6):
        p = person_with_account(
            organisation=world.org, full_name=f"Extra Mentor {n}", level=level(world.org, 1)
        )
        add_participant(cohort, p, "mentor", offered_topics=[cohort.python])
    with django_assert_max_num_queries(14):
        data = inputs(cohort)
    assert len(data.mentors) == 8


def test_fingerprint_changes_with_the_inputs_only(cohort):
    first = inputs(cohort).fingerprint()
    assert inputs(cohort).fingerprint() == first
    assert inputs(cohort, min_level_gap=3).fingerprint() != first
    application = Application.objects.get(programme=cohort.programme, person=cohort.sam)
    application.wanted_topics.add(cohort.data)
    assert inputs(cohort).fingerprint() != first
