"""Participant-choice mode in Chromium: the manager opens a choice round, a senior mentee ranks
the partners recommended to them, and the manager closes the round and reviews which choice
each pair was. Screenshots of every step; axe-core on each."""

import re

import pytest

from upward.pairing.models import ChoiceOption, MatchRun
from upward.pairing.tests.helpers import build_cohort, choice_mode


@pytest.mark.django_db(transaction=True)
def test_a_mentee_ranks_recommended_mentors_and_gets_their_choice(visitor_factory, world):
    cohort = build_cohort(world)
    programme = cohort.programme
    choice_mode(cohort, by=world.manager.user)

    manager = visitor_factory("manager")
    manager.sign_in(world.manager.email)
    manager.go(f"/programmes/{programme.pk}/matching/")
    assert manager.page.get_by_role("heading", name="Participants choose").is_visible()
    manager.look("matching-choice-mode")
    manager.page.get_by_role("button", name="Open a choice round").click()
    manager.page.wait_for_load_state()
    assert manager.page.get_by_text("Choice round open. 2 people have been asked").is_visible()
    manager.look("round-open")

    mentee = visitor_factory("mentee")
    mentee.sign_in(cohort.sam.email)
    round_pk = re.search(r"/rounds/(\d+)/", manager.page.url).group(1)
    mentee.go(f"/choices/{round_pk}/")
    page = mentee.page
    assert page.get_by_role("heading", name="Choose your reverse mentor").is_visible()
    assert page.get_by_role("heading", name="Jess Junior").is_visible()
    assert page.get_by_role("heading", name="Kai Keen").is_visible()
    assert page.get_by_text("They can help with what you want to learn: Python.").is_visible()
    mentee.look("recommendations")

    # Sam's profile fits Jess best, but Sam would rather learn data skills from Kai.
    page.get_by_label("Your choice for Kai Keen").select_option(label="1st choice")
    page.get_by_label("Your choice for Jess Junior").select_option(label="2nd choice")
    page.get_by_role("button", name="Save my ranking").click()
    page.wait_for_load_state()
    assert page.get_by_text("Your 2 choices are saved").is_visible()
    ranking = page.get_by_role("region", name="Your ranking")
    assert re.search(r"1st\s+Kai Keen", ranking.inner_text())
    mentee.look("ranked")
    ranks = dict(
        ChoiceOption.objects.filter(chooser__person=cohort.sam).values_list("partner_id", "rank")
    )
    assert ranks == {cohort.kai.pk: 1, cohort.jess.pk: 2}

    manager.go(f"/programmes/{programme.pk}/matching/rounds/{round_pk}/")
    assert manager.page.get_by_text("of 2 choosers have ranked").is_visible()
    manager.page.get_by_role("button", name="Close the round and resolve the choices").click()
    manager.page.wait_for_load_state()
    assert manager.page.get_by_role("heading", name="Participants' choices").is_visible()
    sam_row = manager.page.get_by_role("row", name=re.compile("Sam Senior"))
    assert "Kai Keen" in sam_row.inner_text() and "Mentee: 1st choice" in sam_row.inner_text()
    manager.look("proposal-from-choices")
    run = MatchRun.objects.get(kind="choice")
    assert run.results["choice"]["mentee"]["first"] == 1

    # The round is closed for the mentee; the ranking stays visible, read only.
    mentee.go(f"/choices/{round_pk}/")
    assert mentee.page.get_by_text("This round has closed").is_visible()
    assert not mentee.page.get_by_role("button", name="Save my ranking").count()
    mentee.look("closed")
