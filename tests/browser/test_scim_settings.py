"""The SCIM help page in a real browser: an admin finds the address to paste and how to make
the token, with an empty state before any provisioning and the changes listed after.
Screenshots are saved as artifacts/screenshots/scim-*."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from upward.accounts.models import TokenKind, TokenScope
from upward.accounts.tokens import issue_token
from upward.scim import provisioning


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_an_admin_reads_how_to_connect_and_sees_the_activity(visitor_factory, world):
    admin = visitor_factory("scim")
    admin.sign_in(world.admin.email)
    page = admin.page
    admin.go("/organisation/scim/")
    expect(page.get_by_role("heading", name="SCIM provisioning", level=1)).to_be_visible()
    expect(page.locator("#scim-base-url")).to_contain_text("/scim/v2/")
    expect(page.get_by_text("No SCIM activity yet")).to_be_visible()
    expect(page.get_by_role("link", name="service tokens page")).to_be_visible()
    admin.look("empty")

    token, _raw = issue_token(
        kind=TokenKind.SERVICE,
        organisation=world.org,
        name="Entra ID",
        scopes=[TokenScope.SCIM],
        by=None,
    )
    provisioning.create(
        world.org,
        {
            "userName": "lin@northwind.test",
            "displayName": "Lin Provisioned",
            "emails": [{"type": "work", "value": "lin@northwind.test"}],
        },
        token=token,
    )
    page.reload()
    row = page.get_by_role("row", name="Lin Provisioned")
    expect(row).to_contain_text("Added")
    expect(row).to_contain_text("Entra ID")
    admin.look("activity")
