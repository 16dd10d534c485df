"""Signing in through an organisation's SAML 2.0 identity provider, in a real browser: Upward's
email-first sign-in page, the "Continue with …" page, the test identity provider's page (a
separate server, on another site), and back to Upward signed in."""

from __future__ import annotations

import re

import pytest

from upward.sso.models import IdentityProvider, Protocol
from upward.sso.testing.saml_idp import SamlIdentityProvider, SamlUser
from upward.testing.factories import OrganisationFactory, PersonFactory, give_domain


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_person_signs_in_through_their_organisations_saml_provider(visitor_factory):
    org = OrganisationFactory(slug="acme", name="Acme Bank")
    person = PersonFactory(organisation=org, email="ada@acme.example", full_name="Ada Lovelace")
    with SamlIdentityProvider(SamlUser("ada@acme.example", "Ada", "Lovelace")) as idp:
        provider = IdentityProvider.objects.create(
            organisation=org,
            protocol=Protocol.SAML,
            display_name="Acme sign-in",
            enabled=True,
            saml_entity_id=idp.entity_id,
            saml_sso_url=idp.sso_url,
            saml_x509cert=idp.certificate,
        )
        provider.domains.add(give_domain(org, "acme.example"))
        ada = visitor_factory("ada")
        page = ada.page

        ada.go("/accounts/login/")
        page.get_by_label("Email").fill("ada@acme.example")
        ada.look("email-step")
        page.get_by_role("button", name="Continue").click()

        # Upward's "Continue with Acme sign-in" page goes on by itself to the provider.
        page.wait_for_url(re.compile(rf"^{re.escape(idp.sso_url)}\?SAMLRequest="))
        assert page.get_by_text("Signed in as ada@acme.example").is_visible()
        ada.look("identity-provider")
        page.get_by_role("button", name="Continue to the service").click()

        page.wait_for_url(re.compile(r"/dashboard/"))
        ada.look("signed-in")
        assert page.get_by_text("Ada Lovelace").first.is_visible()
        person.refresh_from_db()
        assert person.user is not None
        assert person.user.email == "ada@acme.example"
        assert idp.requests[-1].acs_url.startswith(ada.base_url)


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_forged_saml_response_gets_a_page_not_a_session(visitor_factory):
    org = OrganisationFactory(slug="acme", name="Acme Bank")
    person = PersonFactory(organisation=org, email="ada@acme.example")
    with SamlIdentityProvider(SamlUser("ada@acme.example"), variant="forged") as idp:
        provider = IdentityProvider.objects.create(
            organisation=org,
            protocol=Protocol.SAML,
            display_name="Acme sign-in",
            enabled=True,
            saml_entity_id=idp.entity_id,
            saml_sso_url=idp.sso_url,
            saml_x509cert=idp.certificate,
        )
        provider.domains.add(give_domain(org, "acme.example"))
        visitor = visitor_factory("forged")
        page = visitor.page

        visitor.go("/accounts/login/")
        page.get_by_label("Email").fill("ada@acme.example")
        page.get_by_role("button", name="Continue").click()
        page.wait_for_url(re.compile(rf"^{re.escape(idp.sso_url)}"))
        page.get_by_role("button", name="Continue to the service").click()

        page.wait_for_load_state()
        assert page.get_by_text("did not complete").is_visible()
        visitor.look("refused")
        person.refresh_from_db()
        assert person.user is None
