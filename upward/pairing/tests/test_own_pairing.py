"""Nobody pins, excludes, swaps, publishes or closes a pairing they are part of.

The access rule (nobody manages a programme they take part in) keeps participants away from
the matching pages; these services refuse as well, for overlaps made before the rule.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from upward.core.errors import DomainError
from upward.pairing import services
from upward.pairing.models import MatchRule, MatchRun, Pairing
from upward.pairing.tests.helpers import add_participant, pairing_of, published, run

OWN_RULE = "You cannot pin, exclude or swap a pair you are part of"
OWN_PAIRING = "You are part of this pairing"


@pytest.fixture
def sam_manages(cohort, world):  # type: ignore[no-untyped-def]
    """Sam, an accepted mentee, named a manager of the same programme (older data)."""
    cohort.programme.managers.add(world.senior)
    return world.senior


@pytest.mark.parametrize("kind", ["pin", "exclude"])
def test_a_manager_cannot_pin_or_exclude_themselves(cohort, sam_manages, kind):
    with pytest.raises(DomainError, match=OWN_RULE):
        services.add_match_rule(
            cohort.programme,
            kind=kind,
            mentee_id=cohort.sam.pk,
            mentor_id=cohort.jess.pk,
            by=sam_manages.user,
        )
    assert not MatchRule.objects.exists()


def test_a_mentor_who_manages_cannot_pin_themselves_either(cohort, world):
    cohort.programme.managers.add(cohort.jess)
    with pytest.raises(DomainError, match=OWN_RULE):
        services.add_match_rule(
            cohort.programme,
            kind="pin",
            mentee_id=str(cohort.sofia.pk),
            mentor_id=str(cohort.jess.pk),
            by=cohort.jess.user,
        )
    # Pairs they are not in are refused by access (404), not by this rule: the service only
    # guards the self-decision, and another manager's pin still works.
    rule = services.add_match_rule(
        cohort.programme,
        kind="pin",
        mentee_id=cohort.sofia.pk,
        mentor_id=cohort.jess.pk,
        by=world.manager.user,
    )
    assert rule.kind == "pin"


def test_a_manager_cannot_remove_a_rule_about_themselves(cohort, world, sam_manages):
    rule = services.add_match_rule(
        cohort.programme,
        kind="exclude",
        mentee_id=cohort.sam.pk,
        mentor_id=cohort.kai.pk,
        by=world.manager.user,
    )
    with pytest.raises(DomainError, match=OWN_RULE):
        services.remove_match_rule(rule, by=sam_manages.user)
    assert MatchRule.objects.filter(pk=rule.pk).exists()


def test_a_manager_cannot_swap_their_own_mentor(cohort, world, sam_manages):
    first = run(cohort, by=world.manager.user)
    with pytest.raises(DomainError, match=OWN_RULE):
        services.swap_mentors(
            first, mentee_a=cohort.sam.pk, mentee_b=cohort.sofia.pk, by=sam_manages.user
        )
    assert not MatchRule.objects.exists()
    # Nor swap two others' mentors when one of those mentors is them.
    cohort.programme.managers.add(cohort.kai)
    with pytest.raises(DomainError, match=OWN_RULE):
        services.swap_mentors(
            first, mentee_a=cohort.sam.pk, mentee_b=cohort.sofia.pk, by=cohort.kai.user
        )


def test_a_participant_cannot_run_or_publish_matching(cohort, world, sam_manages):
    with pytest.raises(DomainError, match="You take part in this programme"):
        run(cohort, by=sam_manages.user)
    first = run(cohort, by=world.manager.user)
    with pytest.raises(DomainError, match="proposes a pair you are part of"):
        services.publish_match_run(first, by=sam_manages.user)
    assert not Pairing.objects.exists()
    assert MatchRun.objects.get(pk=first.pk).published_at is None
    assert services.publish_match_run(first, by=world.manager.user)


def test_a_manager_cannot_end_complete_or_rematch_their_own_pairing(cohort, world, sam_manages):
    published(cohort, by=world.manager.user)
    pairing = pairing_of(cohort, cohort.sam)
    with pytest.raises(DomainError, match=OWN_PAIRING):
        services.end_pairing(pairing, by=sam_manages.user, reason="I want another mentor")
    with pytest.raises(DomainError, match=OWN_PAIRING):
        services.complete_pairing(pairing, by=sam_manages.user)
    pairing.refresh_from_db()
    assert pairing.is_live
    # Leaving as the mentee (through the safety app) is still their right.
    services.end_pairing(
        pairing,
        by=sam_manages.user,
        reason="Stepping back",
        closed_by="mentee",
        notify_people=False,
    )
    pairing.refresh_from_db()
    with pytest.raises(DomainError, match=OWN_PAIRING):
        services.find_new_partner(pairing, for_role="mentee", by=sam_manages.user)


def test_matching_pages_are_404_to_a_manager_who_takes_part(cohort, world, sam_manages):
    first = run(cohort, by=world.manager.user)
    client = world.client_for(sam_manages)
    urls = [
        reverse("pairing:matching", args=[cohort.programme.pk]),
        reverse("pairing:runs", args=[cohort.programme.pk]),
        reverse("pairing:run", args=[cohort.programme.pk, first.pk]),
        reverse("pairing:pairings", args=[cohort.programme.pk]),
    ]
    for url in urls:
        assert client.get(url).status_code == 404, url
    response = client.post(
        reverse("pairing:add_rule", args=[cohort.programme.pk]),
        {"kind": "pin", "mentee": cohort.sam.pk, "mentor": cohort.jess.pk},
    )
    assert response.status_code == 404
    response = client.post(reverse("pairing:publish", args=[cohort.programme.pk, first.pk]))
    assert response.status_code == 404
    assert not MatchRule.objects.exists()
    assert not Pairing.objects.exists()
    # The real manager still runs it.
    assert world.client_for(world.manager).get(urls[2]).status_code == 200


def test_an_org_admin_who_takes_part_cannot_see_their_own_proposal(cohort, world):
    add_participant(cohort, world.admin, "mentee")
    published(cohort, by=world.manager.user)
    admin = world.client_for(world.admin)
    page = admin.get(reverse("pairing:pairings", args=[cohort.programme.pk]))
    assert page.status_code == 404
    # Every other programme stays theirs.
    other = admin.get(reverse("pairing:matching", args=[world.other_programme.pk]))
    assert other.status_code == 200
    with pytest.raises(DomainError, match=OWN_RULE):
        services.add_match_rule(
            cohort.programme,
            kind="exclude",
            mentee_id=world.admin.pk,
            mentor_id=cohort.jess.pk,
            by=world.admin.user,
        )


def test_bad_ids_in_rules_still_get_the_plain_message(cohort, sam_manages):
    with pytest.raises(DomainError, match="not an accepted mentee"):
        services.add_match_rule(
            cohort.programme, kind="pin", mentee_id="x", mentor_id=None, by=sam_manages.user
        )
