"""Signing in through an organisation's OpenID Connect provider, in a real browser, against a
real provider (oidc-provider-mock) running on a local port."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from oidc_provider_mock import run_server_in_thread

from tests.browser.conftest import fill_sign_in
from upward.organisations.models import OrganisationDomain
from upward.sso.models import IdentityProvider
from upward.testing.factories import OrganisationFactory, PersonFactory, person_with_account


@pytest.fixture
def provider_url() -> Iterator[str]:
    with run_server_in_thread() as server:
        yield f"http://localhost:{server.server_port}"


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_person_signs_in_and_out_through_their_organisations_provider(
    visitor_factory, provider_url
) -> None:  # type: ignore[no-untyped-def]
    org = OrganisationFactory(name="Acme Ltd", slug="acme")
    domain = OrganisationDomain.objects.create(organisation=org, domain="acme.test")
    admin = person_with_account(
        organisation=org, full_name="Priya Admin", email="priya@acme.test", is_org_admin=True
    )
    ada = PersonFactory(organisation=org, full_name="Ada Newcomer", email="ada@acme.test")
    idp = IdentityProvider.objects.create(
        organisation=org,
        display_name="Acme sign-in",
        enabled=True,
        server_url=provider_url,
        client_id="upward-acme",
        client_secret="s3cret",
    )
    idp.domains.add(domain)

    # The org admin's settings page: the values to paste, the form.
    # (Her domain signs in through the provider; as an admin she may use her password, on the
    # password step the "continue" page links to.)
    priya = visitor_factory("admin")
    priya.go("/accounts/login/?step=password")
    fill_sign_in(priya.page, admin.email, "correct horse battery")
    priya.go("/people/setup/")
    priya.page.get_by_role("link", name="Set up single sign-on").click()
    priya.page.wait_for_url(re.compile(r"/organisation/sso/$"))
    assert priya.page.get_by_text("/accounts/oidc/org-acme/login/callback/").is_visible()
    priya.look("settings")
    # "Test sign-in": to the provider and back, then who it would be; nobody is signed in.
    priya.page.get_by_role("button", name="Test sign-in").click()
    priya.page.wait_for_url(re.compile(r"/organisation/sso/test/$"))
    priya.look("test-sign-in")
    priya.page.get_by_role("button", name="Continue with Acme sign-in").click()
    priya.page.wait_for_url(re.compile(re.escape(provider_url) + r"/oauth2/authorize"))
    priya.page.locator("input[name=sub]").fill("ada@acme.test")
    priya.page.get_by_role("button", name="Authorize").click()
    priya.page.wait_for_load_state()
    assert priya.page.get_by_role("heading", name="Test sign-in worked").is_visible()
    priya.look("test-result")
    ada.refresh_from_db()
    assert ada.user is None

    # Ada types her address; her domain's provider takes over.
    visitor = visitor_factory("ada")
    visitor.go("/accounts/login/")
    visitor.look("email-step")
    visitor.page.get_by_label("Email").fill("ada@acme.test")
    visitor.page.get_by_role("button", name="Continue").click()
    # The continue page sends her on by itself (auto-continue), to the provider's page.
    visitor.page.wait_for_url(re.compile(re.escape(provider_url) + r"/oauth2/authorize"))
    visitor.page.screenshot(path=_shot("provider"), full_page=True)
    visitor.page.locator("input[name=sub]").fill("ada@acme.test")
    visitor.page.get_by_role("button", name="Authorize").click()
    visitor.page.wait_for_url(re.compile(r"/dashboard/$"))
    visitor.look("dashboard")
    ada.refresh_from_db()
    assert ada.user is not None

    # Signing out of Upward goes on to the provider's sign-out, then back to Upward.
    visitor.page.get_by_role("button", name=re.compile("Sign out", re.I)).click()
    visitor.page.wait_for_url(re.compile(r"/signed-out/"))
    visitor.look("signed-out")
    visitor.page.wait_for_url(re.compile(re.escape(provider_url) + r"/oauth2/end_session"))
    visitor.page.screenshot(path=_shot("provider-sign-out"), full_page=True)

    # Someone the directory does not know is refused, with a page that says why.
    stranger = visitor_factory("stranger")
    stranger.go("/accounts/login/")
    stranger.page.get_by_label("Email").fill("bob@acme.test")
    stranger.page.get_by_role("button", name="Continue").click()
    stranger.page.wait_for_url(re.compile(re.escape(provider_url) + r"/oauth2/authorize"))
    stranger.page.locator("input[name=sub]").fill("bob@acme.test")
    stranger.page.get_by_role("button", name="Authorize").click()
    stranger.page.wait_for_load_state()
    assert stranger.page.get_by_role("heading", name="Sign-in not possible").is_visible()
    stranger.look("refused")


def _shot(name: str) -> str:
    from tests.browser.conftest import SCREENSHOTS

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return str(SCREENSHOTS / f"test_sso-{name}.png")
