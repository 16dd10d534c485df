"""The match review in words, in Chromium: each pair's reasons by name, both profiles side by
side, the run report in sentences with the jargon folded away, and a swap that shows its
what-if before anything changes. Screenshots at 1280 and 375 px (axe and the CSP watch run on
every look)."""

import pytest
from playwright.sync_api import expect

from upward.pairing.models import MatchRule
from upward.pairing.tests.helpers import build_cohort, grow, run


@pytest.mark.django_db(transaction=True)
def test_review_in_words_and_swap_preview(visitor_factory, world):
    cohort = build_cohort(world)
    grow(cohort, world, mentees=6, mentors=7)
    draft = run(cohort, by=world.manager.user)
    url = f"/programmes/{cohort.programme.pk}/matching/runs/{draft.pk}/"

    manager = visitor_factory("manager")
    page = manager.page
    manager.sign_in(world.manager.email)
    manager.go(url)
    report = page.locator("section.plain-report")
    expect(report.get_by_text("8 of 8 mentees have a mentor in this proposal.")).to_be_visible()
    expect(report.get_by_text("Gini of scores (0 = even)")).to_be_hidden()  # folded away
    sam = page.locator("tbody tr", has_text="Sam Senior")
    expect(sam).to_contain_text("Jess Junior can share Python, which Sam Senior wants to learn.")
    sam.get_by_text("Both profiles side by side").click()
    expect(sam.locator(".pair-side").first).to_contain_text("Wants to learn")
    manager.look("review-words")

    report.get_by_text("How the score is worked out").click()
    expect(report.get_by_text("Gini of scores (0 = even)")).to_be_visible()
    manager.look("review-workings")

    # Phone width: the reasons and profiles stack; nothing but the table scrolls sideways.
    page.set_viewport_size({"width": 375, "height": 800})
    manager.go(url)
    page.locator("tbody tr", has_text="Sam Senior").get_by_text(
        "Both profiles side by side"
    ).click()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, width
    manager.look("review-words-phone")

    # A swap asks first, with both pairs' scores before and after.
    page.set_viewport_size({"width": 1280, "height": 900})
    manager.go(url)
    for field, name in (("mentee_a", "sam"), ("mentee_b", "sofia")):
        page.locator(f"#pick-{field}").fill(name)
        page.wait_for_selector(f"#pick-{field}-results input[type=radio]")
        page.locator(f"#pick-{field}-results input[type=radio]").first.check()
    page.get_by_role("button", name="Swap", exact=True).click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", name="Swap these two mentees' mentors?")).to_be_visible()
    expect(page.get_by_text("The swap makes the proposal weaker")).to_be_visible()
    assert not MatchRule.objects.exists()
    manager.look("swap-preview")
    page.set_viewport_size({"width": 375, "height": 800})
    manager.look("swap-preview-phone")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.get_by_role("button", name="Yes, swap them").click()
    page.wait_for_load_state()
    expect(page.get_by_text("Swapped: both new pairs are pinned.")).to_be_visible()
    assert MatchRule.objects.filter(kind="pin").count() == 2
