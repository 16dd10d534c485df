from __future__ import annotations

from upward.organisations import selectors
from upward.organisations.models import Person
from upward.testing.factories import OrganisationFactory, PersonFactory


def test_reporting_chain_ids_in_one_query(db, django_assert_num_queries):
    org = OrganisationFactory()
    ceo = PersonFactory(organisation=org)
    director = PersonFactory(organisation=org, manager=ceo)
    lead = PersonFactory(organisation=org, manager=director)
    junior = PersonFactory(organisation=org, manager=lead)
    peer = PersonFactory(organisation=org, manager=director)
    loner = PersonFactory(organisation=org)
    PersonFactory(organisation=OrganisationFactory())  # another organisation: not included

    with django_assert_num_queries(1):
        chains = selectors.reporting_chain_ids(org)

    assert chains == {
        ceo.pk: (),
        director.pk: (ceo.pk,),
        lead.pk: (director.pk, ceo.pk),
        junior.pk: (lead.pk, director.pk, ceo.pk),
        peer.pk: (director.pk, ceo.pk),
        loner.pk: (),
    }


def test_reporting_chain_survives_a_loop_in_bad_data(db):
    org = OrganisationFactory()
    a = PersonFactory(organisation=org)
    b = PersonFactory(organisation=org, manager=a)
    # Bypass the services to simulate data that should never exist.
    Person.objects.filter(pk=a.pk).update(manager=b)
    chains = selectors.reporting_chain_ids(org)
    assert set(chains) == {a.pk, b.pk}
    assert all(len(chain) <= 1 for chain in chains.values())


def test_reporting_chain_ignores_a_manager_in_another_organisation(db):
    org = OrganisationFactory()
    stranger = PersonFactory(organisation=OrganisationFactory())
    person = PersonFactory(organisation=org)
    Person.objects.filter(pk=person.pk).update(manager=stranger)
    assert selectors.reporting_chain_ids(org) == {person.pk: ()}


def test_chains_among_some_people_match_the_whole_organisations(
    db, django_assert_max_num_queries
):
    """`among` reads only the people asked about and their managers, one query per level of
    the tree, and gives each of them the same chain as the whole-organisation read."""
    org = OrganisationFactory()
    ceo = PersonFactory(organisation=org)
    director = PersonFactory(organisation=org, manager=ceo)
    lead = PersonFactory(organisation=org, manager=director)
    junior = PersonFactory(organisation=org, manager=lead)
    peer = PersonFactory(organisation=org, manager=director)
    PersonFactory(organisation=org, manager=peer)  # not asked about: not returned
    a = PersonFactory(organisation=org)
    b = PersonFactory(organisation=org, manager=a)
    Person.objects.filter(pk=a.pk).update(manager=b)  # a loop in bad data
    stranger = PersonFactory(organisation=OrganisationFactory())
    odd = PersonFactory(organisation=org)
    Person.objects.filter(pk=odd.pk).update(manager=stranger)
    whole = selectors.reporting_chain_ids(org)
    asked = [junior.pk, peer.pk, odd.pk]
    with django_assert_max_num_queries(4):  # at most one per level: junior's chain is 3 deep
        some = selectors.reporting_chain_ids(org, among=asked)
    assert {pk: some[pk] for pk in asked} == {pk: whole[pk] for pk in asked}
    assert some[junior.pk] == (lead.pk, director.pk, ceo.pk)
    assert some[odd.pk] == ()
    # A loop is cut wherever the walk meets a repeat (where depends on the reading order), but
    # it always ends.
    looped = selectors.reporting_chain_ids(org, among=[a.pk])
    assert len(looped[a.pk]) <= 1
