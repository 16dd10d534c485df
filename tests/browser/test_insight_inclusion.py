"""The inclusion page in a real browser: an organisation admin reads participation by group for
the whole organisation and for one programme, at desktop and phone width. Screenshots in
artifacts/screenshots/; axe-core and the CSP watch run on every look (see conftest.py)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from upward.insight.tests.helpers import applied, matched, reporting
from upward.testing.factories import TopicFactory


@pytest.mark.django_db(transaction=True)
def test_admin_reads_inclusion_by_group(visitor_factory, world):
    reporting(world.programme, world.other_programme)
    applied(world, world.programme, 12, ethnicity="white", disability="no")
    matched(world, world.programme, 6, ethnicity="white", disability="no")
    matched(world, world.programme, 5, completed=True, ethnicity="asian", disability="no")
    applied(world, world.programme, 14, ethnicity="asian", disability="yes")
    applied(world, world.programme, 11, consent=False)
    # Names the organisation writes are shown escaped, like every text.
    caring = TopicFactory(organisation=world.org, name="Caring <b>role</b>", kind="experience")
    applied(world, world.programme, 13, lived=caring)
    applied(world, world.other_programme, 3, ethnicity="black", disability="yes")
    applied(world, world.other_programme, 20, ethnicity="white", disability="no")

    admin = visitor_factory("admin")
    admin.sign_in(world.admin.email)
    page = admin.page
    admin.go("/overview/inclusion/")
    expect(page.get_by_role("heading", name="Inclusion", exact=True)).to_be_visible()
    expect(page.get_by_role("heading", name="Why some figures show “—”")).to_be_visible()
    expect(page.get_by_role("table").filter(has_text="Ethnic group")).to_be_visible()
    expect(page.get_by_text("fewer than")).to_have_count(0)
    expect(page.get_by_role("rowheader", name="Caring <b>role</b>")).to_be_visible()
    admin.look("inclusion-organisation")

    page.get_by_label("Programme").select_option(label=world.programme.name)
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_role("heading", name=f"Taking part: {world.programme.name}")).to_be_visible()
    admin.look("inclusion-programme")

    page.set_viewport_size({"width": 375, "height": 800})
    admin.look("inclusion-programme-phone")
