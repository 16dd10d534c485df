"""The match review of a large run in Chromium: filters update the results in place, paging
keeps them, and the person picker works with the keyboard. Screenshots at 1280 and 375 px."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import SCREENSHOTS
from upward.pairing.models import MatchRule
from upward.pairing.tests.helpers import build_cohort, grow, run


@pytest.mark.django_db(transaction=True)
def test_pairing_review_filters_and_picker(visitor_factory, world):
    cohort = build_cohort(world)
    grow(cohort, world, mentees=40, mentors=41)
    draft = run(cohort, by=world.manager.user)
    url = f"/programmes/{cohort.programme.pk}/matching/runs/{draft.pk}/"

    manager = visitor_factory("manager")
    page = manager.page
    manager.sign_in(world.manager.email)
    manager.go(url)
    assert page.get_by_role("heading", name="42 proposed pairs").is_visible()
    assert page.get_by_text("Showing every pair (42). This page: 1–25.").is_visible()
    manager.look("review")

    # Typing a name updates the results without reloading, and the address follows.
    page.get_by_label("Name", exact=True).fill("mentee 1")
    expect(page.locator("#review-count")).to_contain_text("pairs match")
    assert "q=mentee%201" in page.url
    expect(page.locator("#review-announce")).to_have_text("13 pairs match.")
    page.get_by_label("Show").select_option("low")
    page.wait_for_url(re.compile("show=low"))
    expect(page.locator("#review-count")).to_contain_text("match")
    assert page.get_by_text(re.compile(r"A low score here is [0-9.]+ or less")).is_visible()
    page.get_by_label("Show").select_option("")
    page.get_by_label("Name", exact=True).fill("")
    expect(page.locator("#review-count")).to_contain_text("Showing every pair")
    page.get_by_label("Sort by").select_option("score_asc")
    page.wait_for_url(re.compile("sort=score_asc"))
    # Paging keeps the sort (a plain link: works without JavaScript too).
    page.get_by_role("link", name="Next").click()
    page.wait_for_load_state()
    assert "sort=score_asc" in page.url and "page=2" in page.url

    # The picker: type, arrow down into the list, choose; Enter searches, never submits.
    mentee_box = page.locator("#pick-mentee")
    mentee_box.fill("mentee 05")
    mentee_box.press("Enter")
    page.wait_for_selector("#pick-mentee-results input[type=radio]")
    mentee_box.press("ArrowDown")
    focused = page.evaluate("document.activeElement.name")
    assert focused == "mentee"
    page.keyboard.press("Space")
    mentor_box = page.locator("#pick-mentor")
    mentor_box.fill("mentor 3")
    page.wait_for_selector("#pick-mentor-results input[type=radio]")
    assert page.locator("#pick-mentor-results").get_by_text("Analyst").first.is_visible()
    page.locator("#pick-mentor-results input[type=radio]").first.check()
    swap_a = page.locator("#pick-mentee_a")
    swap_a.fill("sam")
    page.wait_for_selector("#pick-mentee_a-results input[type=radio]")
    page.locator("#pick-mentee_a").scroll_into_view_if_needed()
    manager.look("picker-open")
    page.set_viewport_size({"width": 1280, "height": 900})
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "pairing-review-picker-1280.png"), full_page=True)
    page.get_by_role("button", name="Save the rule").click()
    page.wait_for_load_state()
    assert page.get_by_text(re.compile("will be paired on the next run")).is_visible()
    assert "sort=score_asc" in page.url and "page=2" in page.url  # back where they were
    assert MatchRule.objects.filter(kind="pin", mentee__full_name="Mentee 05").exists()

    # Phone width: filters and picker stack, nothing scrolls sideways.
    page.set_viewport_size({"width": 375, "height": 800})
    manager.go(url + "?show=low")
    page.locator("#pick-mentee").fill("mentee")
    page.wait_for_selector("#pick-mentee-results input[type=radio]")
    page.screenshot(path=str(SCREENSHOTS / "pairing-review-picker-375.png"), full_page=True)
    width = page.evaluate("document.documentElement.scrollWidth")
    wide = page.evaluate(
        "[...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > 376"
        " && !e.closest('.table-wrap')).slice(0, 8).map(e => e.tagName + '.' + e.className + '#' + e.id"
        " + ':' + Math.round(e.getBoundingClientRect().right))"
    )
    assert width <= 375, (width, wide)
    manager.look("review-phone")
    page.set_viewport_size({"width": 1280, "height": 900})
    manager.go(url + "?q=mentee+2&show=")
    page.screenshot(path=str(SCREENSHOTS / "pairing-review-filtered-1280.png"), full_page=False)
