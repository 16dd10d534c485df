"""A person makes a personal API token, copies it once, uses it, and revokes it."""

import re

import pytest
import requests


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_make_use_and_revoke_a_personal_token(visitor_factory, world, live_server):
    jess = visitor_factory("jess")
    jess.sign_in(world.applicant.email)
    jess.go("/accounts/email/")
    jess.page.get_by_role("link", name="API tokens").click()
    jess.page.wait_for_load_state()
    assert jess.page.get_by_role("heading", name="No tokens yet").is_visible()
    jess.look("empty")

    jess.page.get_by_label("Name").fill("Calendar script")
    jess.page.get_by_role("checkbox", name=re.compile("me:read")).check()
    jess.page.get_by_role("button", name="Make the token").click()
    jess.page.wait_for_load_state()
    secret = jess.page.get_by_label("Token").input_value()
    assert secret.startswith("upw_")
    assert jess.page.get_by_text("only time Upward shows it").is_visible()
    jess.look("shown-once")

    answer = requests.get(
        f"{live_server.url}/api/v1/me/", headers={"Authorization": f"Bearer {secret}"}, timeout=10
    )
    assert answer.status_code == 200 and answer.json()["person"]["full_name"] == "Jess Junior"

    jess.page.get_by_role("link", name="I have copied it").click()
    jess.page.wait_for_load_state()
    row = jess.page.get_by_role("row", name=re.compile("Calendar script"))
    assert secret not in jess.page.content()
    jess.look("listed")
    row.get_by_role("link", name=re.compile("Revoke")).click()
    jess.page.wait_for_load_state()
    assert jess.page.get_by_role(
        "heading", name=re.compile("Revoke .Calendar script.")
    ).is_visible()
    jess.look("confirm-revoke")
    jess.page.get_by_role("button", name="Revoke the token").click()
    jess.page.wait_for_load_state()
    assert jess.page.get_by_text("no longer works").is_visible()
    jess.look("revoked")
    again = requests.get(
        f"{live_server.url}/api/v1/me/", headers={"Authorization": f"Bearer {secret}"}, timeout=10
    )
    assert again.status_code == 401
