"""SAML 2.0 sign-in through an organisation's identity provider, end to end with the Django test
client on one side and a real SAML identity provider (upward.sso.testing.saml_idp) on the other:
allauth's saml provider, python3-saml and xmlsec check what the IdP sends, as in production."""

from __future__ import annotations

import base64
from urllib.parse import urlsplit

import pytest
from allauth.socialaccount.models import SocialAccount
from django.test import Client
from lxml import etree

from upward.accounts.models import User
from upward.organisations.models import Person
from upward.sso.models import IdentityProvider, Protocol
from upward.sso.testing.saml_idp import SamlIdentityProvider, SamlUser
from upward.testing.factories import OrganisationFactory, PersonFactory, give_domain

pytestmark = pytest.mark.django_db

# python3-saml refuses single-label host names such as Django's "testserver".
HOST = "localhost"
SLUG = "acme"
ACS_PATH = f"/accounts/saml/org-{SLUG}/acs/"


@pytest.fixture
def idp():
    with SamlIdentityProvider(SamlUser("ada@acme.example", "Ada", "Lovelace")) as server:
        yield server


@pytest.fixture
def org():
    organisation = OrganisationFactory(slug=SLUG, name="Acme")
    give_domain(organisation, "acme.example")
    return organisation


@pytest.fixture
def provider(org, idp):
    row = IdentityProvider.objects.create(
        organisation=org,
        protocol=Protocol.SAML,
        display_name="Acme single sign-on",
        enabled=True,
        saml_entity_id=idp.entity_id,
        saml_sso_url=idp.sso_url,
        saml_slo_url=idp.slo_url,
        # As an admin pastes it from Entra ID: PEM, with its BEGIN/END lines.
        saml_x509cert=idp.keys.certificate,
    )
    row.domains.set(org.domains.all())
    return row


@pytest.fixture
def ada(org):
    return PersonFactory(organisation=org, email="ada@acme.example", full_name="Ada Lovelace")


def browser() -> Client:
    return Client(HTTP_HOST=HOST)


def start(client: Client) -> str:
    """Press "Continue" on allauth's SAML sign-in page; returns where it sends the browser."""
    answer = client.post(f"/accounts/saml/org-{SLUG}/login/")
    assert answer.status_code == 302, answer.content[:500]
    return answer["Location"]


def post_to_acs(client: Client, idp: SamlIdentityProvider, idp_url: str):
    """The IdP's page, then its form posted to our ACS, then the redirects that follow."""
    action, fields = idp.form_fields(idp.answer(idp_url))
    assert urlsplit(action).path == ACS_PATH
    return client.post(ACS_PATH, fields, follow=True)


def signed_in_user(client: Client) -> User | None:
    user_id = client.session.get("_auth_user_id")
    return User.objects.filter(pk=user_id).first() if user_id else None


def test_a_person_of_the_organisation_signs_in_through_saml(idp, provider, ada):
    client = browser()
    to_idp = start(client)

    assert to_idp.startswith(idp.sso_url + "?SAMLRequest=")
    page = post_to_acs(client, idp, to_idp)

    assert page.status_code == 200
    user = signed_in_user(client)
    assert user is not None
    ada.refresh_from_db()
    assert ada.user_id == user.pk
    assert user.email == "ada@acme.example"
    account = SocialAccount.objects.get(user=user)
    assert account.provider == "org-acme"
    assert account.uid == "ada@acme.example"
    # The request the IdP received named us and our ACS, as Entra ID would check.
    request = idp.requests[-1]
    assert request.issuer == f"http://{HOST}/accounts/saml/org-{SLUG}/metadata/"
    assert request.acs_url == f"http://{HOST}{ACS_PATH}"


def test_a_second_sign_in_reuses_the_same_account(idp, provider, ada):
    first = browser()
    post_to_acs(first, idp, start(first))
    second = browser()
    post_to_acs(second, idp, start(second))

    assert signed_in_user(first) == signed_in_user(second) is not None
    assert User.objects.filter(email__iexact="ada@acme.example").count() == 1
    assert SocialAccount.objects.count() == 1


@pytest.mark.parametrize(
    "variant", ["unsigned", "forged", "tampered", "expired", "wrong_audience", "sha1"]
)
def test_a_bad_response_is_refused_and_no_account_is_made(idp, provider, ada, variant):
    client = browser()
    to_idp = start(client)
    idp.variant = variant

    page = post_to_acs(client, idp, to_idp)

    assert page.status_code == 400
    assert b"did not complete" in page.content
    assert signed_in_user(client) is None
    ada.refresh_from_db()
    assert ada.user_id is None
    assert not User.objects.exists()
    assert not SocialAccount.objects.exists()


def test_a_response_caught_from_one_browser_cannot_sign_in_another(idp, provider, ada):
    victim = browser()
    _action, fields = idp.form_fields(idp.answer(start(victim)))

    attacker = browser()
    start(attacker)  # the attacker's own session has a sign-in under way, for another request
    page = attacker.post(ACS_PATH, fields, follow=True)

    # allauth finds no sign-in of this session the response answers: 403 Forbidden.
    assert page.status_code == 403
    assert b"Forbidden" in page.content
    assert signed_in_user(attacker) is None
    assert not SocialAccount.objects.exists()


def test_a_response_cannot_be_used_twice(idp, provider, ada):
    client = browser()
    _action, fields = idp.form_fields(idp.answer(start(client)))
    assert client.post(ACS_PATH, fields, follow=True).status_code == 200
    client.logout()

    again = client.post(ACS_PATH, fields, follow=True)

    assert again.status_code == 403
    assert signed_in_user(client) is None


def test_an_unsolicited_response_is_refused(idp, provider, ada):
    """IdP-initiated sign-in is off: a response answering no request of ours is refused."""
    xml = idp.response_xml(
        in_response_to=None,
        acs_url=f"http://{HOST}{ACS_PATH}",
        audience=f"http://{HOST}/accounts/saml/org-{SLUG}/metadata/",
    )
    client = browser()
    page = client.post(
        ACS_PATH, {"SAMLResponse": base64.b64encode(xml.encode()).decode()}, follow=True
    )

    assert page.status_code == 400
    assert signed_in_user(client) is None
    assert not SocialAccount.objects.exists()


def test_an_address_outside_the_providers_domains_is_refused(idp, provider, org):
    PersonFactory(organisation=org, email="ada@elsewhere.example")
    idp.user = SamlUser("ada@elsewhere.example")
    client = browser()

    page = post_to_acs(client, idp, start(client))

    assert page.status_code == 403
    assert b"outside the domains" in page.content
    assert signed_in_user(client) is None
    assert not User.objects.exists()


def test_an_address_not_in_the_directory_is_refused(idp, provider, org):
    PersonFactory(organisation=org, email="grace@acme.example", is_active=False)
    idp.user = SamlUser("grace@acme.example")
    client = browser()

    page = post_to_acs(client, idp, start(client))

    assert page.status_code == 403
    assert b"no active entry" in page.content
    assert signed_in_user(client) is None
    assert not User.objects.exists()
    assert Person.objects.get(email="grace@acme.example").user_id is None


def test_another_organisations_person_cannot_be_reached(idp, provider):
    """The IdP vouches for an address of a domain another organisation owns: refused."""
    other = OrganisationFactory(slug="globex")
    give_domain(other, "globex.example")
    PersonFactory(organisation=other, email="hank@globex.example")
    idp.user = SamlUser("hank@globex.example")
    client = browser()

    page = post_to_acs(client, idp, start(client))

    assert page.status_code == 403
    assert signed_in_user(client) is None
    assert not User.objects.exists()


def test_a_disabled_provider_signs_nobody_in(idp, provider, ada):
    client = browser()
    to_idp = start(client)
    provider.enabled = False
    provider.save()

    page = post_to_acs(client, idp, to_idp)

    assert page.status_code == 404
    assert signed_in_user(client) is None
    assert not User.objects.exists()


def test_the_service_provider_metadata_is_served(provider):
    answer = browser().get(f"/accounts/saml/org-{SLUG}/metadata/")

    assert answer.status_code == 200
    root = etree.fromstring(answer.content)
    ns = {"md": "urn:oasis:names:tc:SAML:2.0:metadata"}
    assert root.get("entityID") == f"http://{HOST}/accounts/saml/org-{SLUG}/metadata/"
    acs = root.find(".//md:AssertionConsumerService", ns)
    assert acs is not None
    assert acs.get("Location") == f"http://{HOST}{ACS_PATH}"
    assert acs.get("Binding") == "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"


def test_no_metadata_for_an_organisation_without_saml(org):
    assert browser().get(f"/accounts/saml/org-{SLUG}/metadata/").status_code == 404
    assert browser().get("/accounts/saml/org-nobody/metadata/").status_code == 404


def test_the_identity_provider_can_end_the_session(idp, provider, ada):
    client = browser()
    post_to_acs(client, idp, start(client))
    assert signed_in_user(client) is not None
    sls = f"http://{HOST}/accounts/saml/org-{SLUG}/sls/"

    answer = client.get(idp.logout_request_url(sls, sp_entity_id=f"http://{HOST}/x"))

    assert answer.status_code == 302
    assert answer["Location"].startswith(idp.slo_url + "?SAMLResponse=")
    assert signed_in_user(client) is None


def test_a_forged_logout_request_is_refused_and_the_session_kept(idp, provider, ada):
    client = browser()
    post_to_acs(client, idp, start(client))
    sls = f"http://{HOST}/accounts/saml/org-{SLUG}/sls/"
    url = idp.logout_request_url(sls, sp_entity_id=f"http://{HOST}/x")
    forged = url.split("&Signature=")[0] + "&Signature=" + "A" * 344

    answer = client.get(forged)

    assert answer.status_code == 400
    assert signed_in_user(client) is not None


def test_the_email_step_sends_the_person_on_to_the_saml_provider(idp, provider, ada):
    client = browser()

    page = client.post("/sign-in/continue/", {"login": "ada@acme.example"})

    assert page.status_code == 200
    assert b"Continue with Acme single sign-on" in page.content
    assert f'action="/accounts/saml/org-{SLUG}/login/"'.encode() in page.content
    # The form's answer redirects to the provider: CSP's form-action allows its origin only.
    policy = page["Content-Security-Policy"]
    form_action = next(d for d in policy.split(";") if d.strip().startswith("form-action"))
    assert form_action.split()[1:] == ["'self'", idp.url("").rstrip("/")]


def test_entra_ids_object_id_is_the_account_key_when_sent(idp, provider, ada):
    """Entra ID sends the user's object id: the account key, which does not change with the address."""
    object_id = "http://schemas.microsoft.com/identity/claims/objectidentifier"
    idp.user = SamlUser("ada@acme.example", extra_attributes={object_id: ["0f6b-4c1d"]})
    client = browser()

    post_to_acs(client, idp, start(client))

    account = SocialAccount.objects.get()
    assert account.uid == "0f6b-4c1d"
    assert account.user == signed_in_user(client)
