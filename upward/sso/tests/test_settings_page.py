"""The org admin's single sign-on page: who may use it, what it saves, what it never shows."""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.test import Client
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from upward.core.models import AuditEvent
from upward.organisations.models import OrganisationDomain
from upward.sso.models import IdentityProvider
from upward.sso.tests.conftest import SECRET, SsoWorld, client_for
from upward.testing.factories import OrganisationFactory, person_with_account


def admin_client(sso: SsoWorld) -> Client:
    return client_for(sso.admin)


def form_data(sso: SsoWorld, **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "protocol": "oidc",
        "display_name": "Acme sign-in",
        "server_url": sso.base_url,
        "client_id": "upward-acme",
        "client_secret": "",
        "domains": [sso.domain.pk],
        "enabled": "on",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_secret_is_encrypted_at_rest(sso: SsoWorld) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT client_secret FROM sso_identityprovider WHERE id = %s", [sso.idp.pk])
        (stored,) = cursor.fetchone()
    assert stored
    assert SECRET not in stored
    assert IdentityProvider.objects.get(pk=sso.idp.pk).client_secret == SECRET


def test_page_shows_the_values_to_paste_and_never_the_secret(sso: SsoWorld) -> None:
    response = admin_client(sso).get(reverse("sso:settings"))
    assert response.status_code == 200
    text = response.content.decode()
    assert "http://127.0.0.1:8000/accounts/oidc/org-acme/login/callback/" in text
    assert "http://127.0.0.1:8000/accounts/saml/org-acme/acs/" in text
    assert "openid email profile" in text
    assert "http://127.0.0.1:8000/sso/acme/backchannel-logout/" in text
    assertNotContains(response, SECRET)
    assert "Leave blank to keep the current one." in text


def test_blank_secret_keeps_the_old_one_and_changes_are_audited(sso: SsoWorld) -> None:
    response = admin_client(sso).post(
        reverse("sso:settings"), form_data(sso, display_name="Acme SSO", sso_only="on")
    )
    assert response.status_code == 302
    idp = IdentityProvider.objects.get(pk=sso.idp.pk)
    assert idp.client_secret == SECRET
    assert idp.display_name == "Acme SSO"
    assert idp.sso_only
    event = AuditEvent.objects.filter(verb="sso.provider_updated").latest("id")
    assert event.organisation == sso.org
    assert "display_name" in event.data["changed"]
    assert "client_secret" not in event.data["changed"]
    assert SECRET not in str(event.data)


def test_new_secret_replaces_the_old_one(sso: SsoWorld) -> None:
    response = admin_client(sso).post(
        reverse("sso:settings"), form_data(sso, client_secret="brand-new")
    )
    assert response.status_code == 302
    assert IdentityProvider.objects.get(pk=sso.idp.pk).client_secret == "brand-new"
    event = AuditEvent.objects.filter(verb="sso.provider_updated").latest("id")
    assert "client_secret" in event.data["changed"]
    assert "brand-new" not in str(event.data)


def test_first_set_up_needs_every_oidc_value(sso: SsoWorld) -> None:
    other = OrganisationFactory(slug="globex")
    admin = person_with_account(organisation=other, email="gia@globex.test", is_org_admin=True)
    client = client_for(admin)
    response = client.post(
        reverse("sso:settings"),
        {"protocol": "oidc", "display_name": "Globex", "enabled": "on"},
    )
    assert response.status_code == 400
    text = response.content.decode()
    assert "Enter the provider&#x27;s issuer URL." in text
    assert "Enter the client ID" in text
    assert "Enter the client secret" in text
    assert "Tick at least one domain" in text
    assert not IdentityProvider.objects.filter(organisation=other).exists()


def test_a_domain_of_another_organisation_cannot_be_served(sso: SsoWorld) -> None:
    other = OrganisationFactory(slug="globex")
    OrganisationDomain.objects.create(organisation=other, domain="globex.test")
    admin = person_with_account(organisation=other, email="gia@globex.test", is_org_admin=True)
    client = client_for(admin)
    response = client.post(
        reverse("sso:settings"),
        {
            "protocol": "oidc",
            "display_name": "Globex",
            "server_url": sso.base_url,
            "client_id": "c",
            "client_secret": "s",
            "domains": [sso.domain.pk],
            "enabled": "on",
        },
    )
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert not IdentityProvider.objects.filter(organisation=other).exists()
    # and the page offers only Globex's own domains
    page = client.get(reverse("sso:settings"))
    assert "globex.test" in page.content.decode()
    assertNotContains(page, "acme.test")


def test_saml_needs_metadata_or_url_and_certificate(sso: SsoWorld) -> None:
    response = admin_client(sso).post(
        reverse("sso:settings"),
        form_data(sso, protocol="saml", saml_entity_id="https://idp.example/entity"),
    )
    assert response.status_code == 400
    text = response.content.decode()
    assert "Enter the single sign-on URL, or the metadata URL instead." in text
    assert "Paste the signing certificate" in text
    bad_cert = admin_client(sso).post(
        reverse("sso:settings"),
        form_data(
            sso,
            protocol="saml",
            saml_entity_id="https://idp.example/entity",
            saml_sso_url="https://idp.example/sso",
            saml_x509cert="<script>alert(1)</script>",
        ),
    )
    assert bad_cert.status_code == 400
    assertNotContains(bad_cert, "<script>alert(1)</script>", status_code=400)
    assert "does not look like a certificate" in bad_cert.content.decode()


def test_sso_only_needs_the_provider_on(sso: SsoWorld) -> None:
    response = admin_client(sso).post(
        reverse("sso:settings"), form_data(sso, enabled=None, sso_only="on")
    )
    assert response.status_code == 400
    assert "Turn the provider on as well" in response.content.decode()


def test_a_refused_save_shows_what_is_saved_not_what_was_refused(sso: SsoWorld) -> None:
    """An outside review: unticking "On" with SSO-only still ticked was refused, yet the page
    said "Saved but off" and hid the turn-off button while single sign-on stayed on."""
    IdentityProvider.objects.filter(pk=sso.idp.pk).update(enabled=True, sso_only=True)
    response = admin_client(sso).post(
        reverse("sso:settings"), form_data(sso, enabled=None, sso_only="on")
    )
    assert response.status_code == 400
    assertContains(response, "<strong>On.</strong>", status_code=400)
    assertNotContains(response, "Saved but off", status_code=400)
    assertContains(response, reverse("sso:disable"), status_code=400)


def test_display_name_is_escaped_everywhere(sso: SsoWorld) -> None:
    sso.idp.display_name = '<img src=x onerror="alert(1)">'
    sso.idp.save()
    page = Client().post(reverse("sso:continue"), {"login": "mo@acme.test"})
    assert page.status_code == 200
    assertNotContains(page, '<img src=x onerror="alert(1)">')
    assert "&lt;img" in page.content.decode()


def test_disable_is_confirmed_then_audited(sso: SsoWorld) -> None:
    client = admin_client(sso)
    confirm = client.get(reverse("sso:disable"))
    assert confirm.status_code == 200
    assert "Turn single sign-on off?" in confirm.content.decode()
    assert IdentityProvider.objects.get(pk=sso.idp.pk).enabled
    response = client.post(reverse("sso:disable"))
    assert response.status_code == 302
    idp = IdentityProvider.objects.get(pk=sso.idp.pk)
    assert not idp.enabled
    assert not idp.sso_only
    assert AuditEvent.objects.filter(verb="sso.provider_disabled", organisation=sso.org).exists()


def test_only_the_organisations_admins_reach_the_page(sso: SsoWorld) -> None:
    member = client_for(sso.member)
    for name, method in (
        ("sso:settings", "get"),
        ("sso:settings", "post"),
        ("sso:test", "post"),
        ("sso:disable", "get"),
        ("sso:disable", "post"),
    ):
        assert getattr(member, method)(reverse(name)).status_code == 404
        anonymous = getattr(Client(), method)(reverse(name))
        assert anonymous.status_code == 302
        assert anonymous["Location"].startswith(reverse("account_login"))
    assert IdentityProvider.objects.get(pk=sso.idp.pk).enabled


def test_another_organisations_admin_sees_only_their_own(sso: SsoWorld) -> None:
    other = OrganisationFactory(slug="globex")
    admin = person_with_account(organisation=other, email="gia@globex.test", is_org_admin=True)
    client = client_for(admin)
    page = client.get(reverse("sso:settings"))
    assert page.status_code == 200
    assert "Not set up yet" in page.content.decode()
    assertNotContains(page, "upward-acme")
    client.post(reverse("sso:disable"))
    assert IdentityProvider.objects.get(pk=sso.idp.pk).enabled


def test_setup_page_links_to_sso_for_admins(sso: SsoWorld) -> None:
    page = admin_client(sso).get(reverse("organisations:setup"))
    assert page.status_code == 200
    assert reverse("sso:settings") in page.content.decode()
