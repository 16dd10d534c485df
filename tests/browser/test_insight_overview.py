"""The organisation overview in a real browser, wide and narrow: an organisation admin follows
the main navigation to it and sees the programmes, the pilot beside its later cohort and who is
asked to take part, with hidden cells as dashes; a programme manager sees only their own
programme. Screenshots go to artifacts/screenshots/."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from upward.insight.tests.test_overview import build_lab


@pytest.mark.django_db(transaction=True)
def test_overview_wide_and_narrow(visitor_factory):  # type: ignore[no-untyped-def]
    lab = build_lab()

    admin = visitor_factory("admin")
    admin.sign_in(lab.admin.email)
    nav = admin.page.get_by_role("navigation", name="Main")
    nav.get_by_role("link", name="Overview").click()
    expect(admin.page.get_by_role("heading", level=1)).to_have_text("Organisation overview")
    expect(admin.page.get_by_role("link", name="Brightwater pilot")).to_be_visible()
    expect(admin.page.get_by_text("Cohorts from “Brightwater pilot”")).to_be_visible()
    expect(admin.page.get_by_text("Never asked")).to_be_visible()
    expect(admin.page.get_by_text("fewer than")).to_have_count(0)
    admin.look("overview-wide")
    admin.page.set_viewport_size({"width": 375, "height": 800})
    admin.look("overview-narrow")

    admin.page.set_viewport_size({"width": 1280, "height": 900})
    admin.page.get_by_label("Year it started").select_option("2025")
    admin.page.get_by_role("button", name="Filter").click()
    expect(admin.page.get_by_role("link", name="Leaders listening")).to_have_count(0)
    expect(admin.page.get_by_role("link", name="Brightwater pilot")).to_be_visible()
    admin.look("overview-filtered")

    manager = visitor_factory("manager")
    manager.sign_in(lab.mia.email)
    manager.page.get_by_role("navigation", name="Main").get_by_role("link", name="Overview").click()
    expect(manager.page.get_by_role("link", name="Leaders listening")).to_be_visible()
    expect(manager.page.get_by_text("Brightwater pilot")).to_have_count(0)
    expect(manager.page.get_by_text("No cohorts to compare yet")).to_be_visible()
    manager.look("overview-manager")
