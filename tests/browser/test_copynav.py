"""The grouped tab bars at 1280 and 320 px, by keyboard, and the sign-in page (docs/copy.md)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import SCREENSHOTS
from upward.programmes.models import Programme
from upward.testing.pairs import build_pairs

NO_SIDEWAYS_SCROLL = "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
TOO_WIDE = """[...document.querySelectorAll('body *')]
  .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
  .map(e => e.tagName + '.' + e.className).slice(0, 8)"""


def _shot(visitor, name: str) -> None:  # type: ignore[no-untyped-def]
    # The top of the page only, where the bar is: artifacts/screenshots/copynav-*.png.
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    visitor.page.screenshot(path=str(SCREENSHOTS / f"copynav-{name}.png"))


def _nav_fits(visitor, name: str) -> None:  # type: ignore[no-untyped-def]
    # The bar itself: every tab inside the viewport, nothing scrolled out of sight. (The page
    # around it is the reflow work of issue 14's accessibility part.)
    nav = visitor.page.get_by_role("navigation", name=name, exact=True)
    assert nav.evaluate("n => n.scrollWidth <= n.clientWidth")
    rights = nav.locator("a, summary").evaluate_all(
        "els => els.filter(e => e.offsetParent).map(e => e.getBoundingClientRect().right)"
    )
    assert rights and max(rights) <= 320


def _fits(visitor) -> None:  # type: ignore[no-untyped-def]
    assert visitor.page.evaluate(NO_SIDEWAYS_SCROLL), visitor.page.evaluate(TOO_WIDE)


def _more_by_keyboard(visitor, nav_name: str, link: str) -> None:  # type: ignore[no-untyped-def]
    nav = visitor.page.get_by_role("navigation", name=nav_name, exact=True)
    expect(nav.get_by_role("link", name=link, exact=True)).to_be_hidden()
    nav.locator("summary").focus()
    visitor.page.keyboard.press("Enter")
    expect(nav.get_by_role("link", name=link, exact=True)).to_be_visible()
    # Tab reaches the first link of the opened menu.
    visitor.page.keyboard.press("Tab")
    focused = visitor.page.evaluate("document.activeElement.closest('.subnav__menu') !== null")
    assert focused


@pytest.mark.django_db(transaction=True)
def test_copynav_programme_bar(visitor_factory, world) -> None:  # type: ignore[no-untyped-def]
    Programme.objects.filter(pk=world.programme.pk).update(state="active")
    lead = visitor_factory("programme")
    lead.sign_in(world.manager.email)
    lead.go(f"/programmes/{world.programme.pk}/")
    bar = lead.page.get_by_role("navigation", name="Programme", exact=True)
    links = bar.locator(":scope > a")
    tops = {
        round(box["y"])
        for box in links.evaluate_all("els => els.map(e => e.getBoundingClientRect())")
    }
    assert len(tops) == 1, "the tabs in view sit on one line at 1280 px"
    lead.look("bar-1280")
    _shot(lead, "programme-1280")
    _more_by_keyboard(lead, "Programme", "Design")
    lead.look("more-open-1280")
    _shot(lead, "programme-more-open-1280")

    lead.page.set_viewport_size({"width": 320, "height": 800})
    lead.go(f"/programmes/{world.programme.pk}/edit/")
    expect(bar.locator("summary")).to_have_text("More: Design")
    _fits(lead)
    _nav_fits(lead, "Programme")
    for name in ("Overview", "Applications", "Journey", "Surveys", "Needs attention"):
        expect(bar.get_by_role("link", name=name, exact=True)).to_be_in_viewport()
    lead.look("bar-320")
    _shot(lead, "programme-320")


@pytest.mark.django_db(transaction=True)
def test_copynav_pair_workspace_bar(visitor_factory, world) -> None:  # type: ignore[no-untyped-def]
    pairs = build_pairs(world)
    mentor = visitor_factory("pair")
    mentor.sign_in(pairs.mentor.email)
    mentor.go(f"/pairings/{pairs.pairing.pk}/journey/")
    mentor.look("bar-1280")
    _more_by_keyboard(mentor, "Pair workspace", "Skills")
    mentor.look("more-open-1280")
    _shot(mentor, "pair-more-open-1280")
    mentor.page.get_by_role("navigation", name="Pair workspace").get_by_role(
        "link", name="Skills", exact=True
    ).click()
    expect(mentor.page.locator(".subnav__more summary")).to_have_text("More: Skills")

    mentor.page.set_viewport_size({"width": 320, "height": 800})
    mentor.go(f"/pairings/{pairs.pairing.pk}/journey/")
    _nav_fits(mentor, "Pair workspace")
    mentor.look("bar-320")
    mentor.page.locator(".subnav__more summary").click()
    _shot(mentor, "pair-320-more-open")


@pytest.mark.django_db(transaction=True)
def test_copynav_sign_in_page(visitor_factory, world) -> None:  # type: ignore[no-untyped-def]
    visitor = visitor_factory("account")
    visitor.go("/accounts/login/")
    expect(visitor.page).to_have_title("Sign in · Upward")
    visitor.look("sign-in-1280")
    _shot(visitor, "sign-in-1280")
    visitor.page.set_viewport_size({"width": 320, "height": 800})
    visitor.go("/accounts/password/reset/")
    _fits(visitor)
    visitor.look("reset-320")
