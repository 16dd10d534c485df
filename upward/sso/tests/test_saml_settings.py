"""How an organisation's SAML identity provider becomes allauth's settings: the certificate as
admins paste it, the identity provider's metadata read through the outbound guard, and what
happens when the metadata cannot be used (no sign-in, and no server error)."""

from __future__ import annotations

import pytest
from allauth.socialaccount.models import SocialApp
from django.core.exceptions import ValidationError
from django.test import Client

from upward.core.testing.recorder import Recorder
from upward.sso.models import IdentityProvider, Protocol
from upward.sso.saml import certificate_body, parse_metadata, read_metadata, saml_app
from upward.sso.testing.saml_idp import SamlIdentityProvider, SamlUser
from upward.testing.factories import OrganisationFactory, PersonFactory, give_domain

pytestmark = pytest.mark.django_db  # the cache is in the database


@pytest.fixture
def idp():
    with SamlIdentityProvider(SamlUser("ada@acme.example")) as server:
        yield server


def test_a_certificate_is_read_however_it_was_pasted(idp):
    pem = idp.keys.certificate
    body = idp.certificate

    assert certificate_body(pem) == body
    assert certificate_body(body) == body
    assert (
        certificate_body("\n  " + "\n".join(body[i : i + 64] for i in range(0, len(body), 64)))
        == body
    )


def test_the_metadata_gives_entity_id_sso_and_logout_urls_and_certificate(idp):
    found = read_metadata(idp.url("/metadata"))

    assert found == {
        "entity_id": idp.entity_id,
        "sso_url": idp.sso_url,
        "slo_url": idp.slo_url,
        "x509cert": idp.certificate,
    }


def test_metadata_that_is_not_saml_gets_a_clear_error():
    with pytest.raises(ValidationError, match="has no entity ID"):
        parse_metadata(b"<html><body>Sign in</body></html>")
    with pytest.raises(ValidationError, match="not SAML metadata"):
        parse_metadata(b"not xml at all <")


def test_metadata_without_a_certificate_is_refused(idp):
    full = idp.metadata_xml()
    start, end = full.index("<md:KeyDescriptor"), full.index("</md:KeyDescriptor>")
    without_key = full[:start] + full[end + len("</md:KeyDescriptor>") :]
    with pytest.raises(ValidationError, match="signing certificate"):
        parse_metadata(without_key)
    # An empty certificate element is refused too (the parser itself fails on it).
    with pytest.raises(ValidationError, match="not SAML metadata Upward can read"):
        parse_metadata(full.replace(idp.certificate, ""))


def test_a_metadata_address_that_fails_gets_a_clear_error():
    with Recorder() as server:
        server.reply(500, "oops")
        with pytest.raises(ValidationError, match="answered 500"):
            read_metadata(server.url("/broken-metadata"))
        server.reply(302, headers={"Location": "http://169.254.169.254/"})
        with pytest.raises(ValidationError, match="answered 302"):
            read_metadata(server.url("/redirecting-metadata"))


def test_the_metadata_address_may_not_point_into_a_private_network(settings):
    settings.OUTBOUND_ALLOW_PRIVATE = False
    with pytest.raises(ValidationError, match=r"private network|https://"):
        read_metadata("https://127.0.0.1/metadata")


def test_a_provider_set_up_from_its_metadata_url_alone_signs_people_in(idp):
    org = OrganisationFactory(slug="acme")
    provider = IdentityProvider.objects.create(
        organisation=org,
        protocol=Protocol.SAML,
        display_name="Acme",
        enabled=True,
        saml_metadata_url=idp.url("/metadata"),
    )
    provider.domains.add(give_domain(org, "acme.example"))
    ada = PersonFactory(organisation=org, email="ada@acme.example")

    app = saml_app(provider)
    assert app.client_id == "org-acme"
    assert app.settings["idp"]["sso_url"] == idp.sso_url
    assert app.settings["advanced"]["want_assertion_signed"] is True

    client = Client(HTTP_HOST="localhost")
    to_idp = client.post("/accounts/saml/org-acme/login/")["Location"]
    _action, fields = idp.form_fields(idp.answer(to_idp))
    assert client.post("/accounts/saml/org-acme/acs/", fields, follow=True).status_code == 200
    ada.refresh_from_db()
    assert ada.user_id is not None


def test_a_provider_whose_metadata_cannot_be_read_is_not_offered():
    org = OrganisationFactory(slug="acme")
    with Recorder() as server:
        server.reply(404, "gone", times=5)
        provider = IdentityProvider.objects.create(
            organisation=org,
            protocol=Protocol.SAML,
            display_name="Acme",
            enabled=True,
            saml_metadata_url=server.url("/metadata"),
        )
        with pytest.raises(SocialApp.DoesNotExist) as caught:
            saml_app(provider)
        # Left out because of the metadata address's answer, not for a missing setting.
        assert "answered 404" in str(caught.value.__cause__)
        client = Client(HTTP_HOST="localhost")
        assert client.post("/accounts/saml/org-acme/login/").status_code == 404
        assert client.get("/accounts/saml/org-acme/metadata/").status_code == 404


def test_a_failing_metadata_address_is_asked_again_only_after_a_while():
    with Recorder() as server:
        server.reply(503, "down", times=3)
        for _ in range(3):
            with pytest.raises(ValidationError, match="answered 503"):
                read_metadata(server.url("/metadata"))
        assert len(server.requests) == 1
        with pytest.raises(ValidationError, match="answered 503"):
            read_metadata(server.url("/metadata"), fresh=True)
        assert len(server.requests) == 2


def test_another_organisations_broken_metadata_does_not_stop_this_ones_sign_in(idp):
    acme = OrganisationFactory(slug="acme")
    provider = IdentityProvider.objects.create(
        organisation=acme,
        protocol=Protocol.SAML,
        display_name="Acme",
        enabled=True,
        saml_entity_id=idp.entity_id,
        saml_sso_url=idp.sso_url,
        saml_x509cert=idp.certificate,
    )
    provider.domains.add(give_domain(acme, "acme.example"))
    ada = PersonFactory(organisation=acme, email="ada@acme.example")
    with Recorder() as broken:
        broken.reply(404, "gone", times=5)
        IdentityProvider.objects.create(
            organisation=OrganisationFactory(slug="globex"),
            protocol=Protocol.SAML,
            display_name="Globex",
            enabled=True,
            saml_metadata_url=broken.url("/metadata"),
        )
        client = Client(HTTP_HOST="localhost")
        to_idp = client.post("/accounts/saml/org-acme/login/")["Location"]
        _action, fields = idp.form_fields(idp.answer(to_idp))
        page = client.post("/accounts/saml/org-acme/acs/", fields, follow=True)

    assert page.status_code == 200
    ada.refresh_from_db()
    assert ada.user_id is not None


def test_the_admin_form_reads_the_metadata_url_before_saving(idp):
    from upward.sso.forms import IdentityProviderForm

    org = OrganisationFactory(slug="acme")
    domain = give_domain(org, "acme.example")
    data = {
        "protocol": "saml",
        "display_name": "Acme sign-in",
        "saml_entity_id": idp.entity_id,
        "saml_metadata_url": idp.url("/metadata"),
        "domains": [domain.pk],
        "enabled": "on",
    }
    assert IdentityProviderForm(data, organisation=org).is_valid()

    with Recorder() as server:
        server.reply(404, "no such page")
        form = IdentityProviderForm(
            {**data, "saml_metadata_url": server.url("/wrong")}, organisation=org
        )
        assert not form.is_valid()
    assert "answered 404" in form.errors["saml_metadata_url"][0]

    wrong_entity = IdentityProviderForm(
        {**data, "saml_entity_id": "https://someone-else.example/"}, organisation=org
    )
    assert not wrong_entity.is_valid()
    assert "saml_metadata_url" in wrong_entity.errors
