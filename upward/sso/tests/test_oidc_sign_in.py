"""Sign-in through a real OpenID Connect provider (oidc-provider-mock), end to end."""

from __future__ import annotations

from typing import Any

import pytest
import requests
from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from pytest_django.asserts import assertNotContains

from upward.core.models import AuditEvent
from upward.organisations.models import OrganisationDomain
from upward.sso.models import IdentityProvider
from upward.sso.tests.conftest import (
    SsoWorld,
    authorise,
    client_for,
    sign_in_through_provider,
    start_at_provider,
)
from upward.testing.factories import OrganisationFactory, PersonFactory, UserFactory

User = get_user_model()


def signed_in_user(client: Client) -> Any:
    response = client.get(reverse("dashboard"))
    return response.wsgi_request.user


def test_newcomer_signs_in_and_gets_an_account_linked_to_their_person(sso: SsoWorld) -> None:
    sso.provider_says("ada-sub", email="ada@acme.test", name="Ada N")
    client = Client()
    response = sign_in_through_provider(client, "ada@acme.test", sub="ada-sub")
    assert response.status_code == 302
    assert response["Location"] == reverse("dashboard")
    sso.newcomer.refresh_from_db()
    user = sso.newcomer.user
    assert user is not None
    assert signed_in_user(client) == user
    assert not user.has_usable_password()
    assert EmailAddress.objects.filter(user=user, email="ada@acme.test", verified=True).exists()
    assert SocialAccount.objects.get(user=user).provider == "org-acme"
    assert AuditEvent.objects.filter(verb="person.account_linked", object_id=str(sso.newcomer.pk))

    # The next sign-in uses the same account, no second one.
    again = Client()
    assert sign_in_through_provider(again, "ada@acme.test", sub="ada-sub").status_code == 302
    assert signed_in_user(again) == user
    assert User.objects.filter(email__iexact="ada@acme.test").count() == 1


def test_person_with_an_account_signs_in_as_that_account(sso: SsoWorld) -> None:
    sso.provider_says("mo-sub", email="MO@acme.test")
    client = Client()
    response = sign_in_through_provider(client, "mo@acme.test", sub="mo-sub")
    assert response.status_code == 302
    assert signed_in_user(client) == sso.member.user
    assert SocialAccount.objects.get(provider="org-acme", uid="mo-sub").user == sso.member.user


def _refused(response: Any, text: str) -> None:
    assert response.status_code == 403
    assert "sso/refused.html" in [t.name for t in response.templates]
    assert text in response.content.decode()
    assert "No Upward account was created or changed." in response.content.decode()


def test_address_outside_the_providers_domains_is_refused(sso: SsoWorld) -> None:
    users = User.objects.count()
    sso.provider_says("stranger", email="stranger@gmail.test")
    client = Client()
    response = sign_in_through_provider(client, "mo@acme.test", sub="stranger")
    _refused(response, "outside the domains it serves")
    assert User.objects.count() == users
    assert not SocialAccount.objects.exists()
    assert not signed_in_user(client).is_authenticated


def test_address_not_in_the_directory_is_refused(sso: SsoWorld) -> None:
    users = User.objects.count()
    sso.provider_says("bob-sub", email="bob@acme.test")
    client = Client()
    _refused(sign_in_through_provider(client, "bob@acme.test", sub="bob-sub"), "no active entry")
    assert User.objects.count() == users
    assert not signed_in_user(client).is_authenticated
    assert AuditEvent.objects.filter(verb="sso.sign_in_refused", organisation=sso.org).exists()


def test_person_who_left_is_refused(sso: SsoWorld) -> None:
    sso.newcomer.is_active = False
    sso.newcomer.save()
    sso.provider_says("ada-sub", email="ada@acme.test")
    client = Client()
    _refused(sign_in_through_provider(client, "ada@acme.test", sub="ada-sub"), "no active entry")
    sso.newcomer.refresh_from_db()
    assert sso.newcomer.user is None


def test_another_organisations_provider_cannot_sign_in_our_people(sso: SsoWorld) -> None:
    """Globex's provider vouches for an Acme address: refused, Acme's person untouched."""
    globex = OrganisationFactory(name="Globex", slug="globex")
    globex_domain = OrganisationDomain.objects.create(organisation=globex, domain="globex.test")
    # Globex's directory has an entry with an Acme address (added before Acme claimed it).
    PersonFactory(organisation=globex, email="ada@acme.test")
    idp = IdentityProvider.objects.create(
        organisation=globex,
        display_name="Globex sign-in",
        enabled=True,
        server_url=sso.base_url,
        client_id="upward-globex",
        client_secret="x",
    )
    idp.domains.add(globex_domain)
    sso.provider_says("evil", email="ada@acme.test")
    client = Client()
    authorize_url = start_at_provider(client, "someone@globex.test")
    _refused(authorise(client, authorize_url, "evil"), "outside the domains it serves")
    sso.newcomer.refresh_from_db()
    assert sso.newcomer.user is None
    assert not signed_in_user(client).is_authenticated


def test_account_linked_in_another_organisation_is_never_taken_over(sso: SsoWorld) -> None:
    globex = OrganisationFactory(name="Globex", slug="globex")
    elsewhere = UserFactory(email="ada@acme.test")
    PersonFactory(organisation=globex, email="ada@acme.test", user=elsewhere)
    sso.provider_says("ada-sub", email="ada@acme.test")
    client = Client()
    _refused(sign_in_through_provider(client, "ada@acme.test", sub="ada-sub"), "belongs elsewhere")
    sso.newcomer.refresh_from_db()
    assert sso.newcomer.user is None
    assert not SocialAccount.objects.exists()


def test_unconfirmed_sign_up_for_the_address_is_replaced(sso: SsoWorld) -> None:
    """Someone signed up with Ada's address but never confirmed it: the provider proves the
    address, so that account (and its password) goes; Ada gets her own."""
    squatter = User.objects.create_user("ada@acme.test", "squatters-password")
    EmailAddress.objects.create(user=squatter, email="ada@acme.test", verified=False)
    sso.provider_says("ada-sub", email="ada@acme.test")
    client = Client()
    assert sign_in_through_provider(client, "ada@acme.test", sub="ada-sub").status_code == 302
    assert not User.objects.filter(pk=squatter.pk).exists()
    sso.newcomer.refresh_from_db()
    assert sso.newcomer.user is not None
    assert not sso.newcomer.user.has_usable_password()


def test_disabled_provider_is_not_offered_and_its_urls_are_gone(sso: SsoWorld) -> None:
    sso.idp.enabled = False
    sso.idp.save()
    client = Client()
    response = client.post(reverse("sso:continue"), {"login": "ada@acme.test"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login") + "?step=password")
    login = client.post(reverse("openid_connect_login", args=["org-acme"]), {"process": "login"})
    assert login.status_code == 404


def test_email_step_decides_by_domain_only(sso: SsoWorld) -> None:
    """An Acme address with no person and no account goes to the provider like any other:
    the page never tells whether an address has an account."""
    client = Client()
    for email in ("nobody@acme.test", "mo@acme.test"):
        page = client.post(reverse("sso:continue"), {"login": email})
        assert page.status_code == 200
        assert "Continue with Acme sign-in" in page.content.decode()
    other = client.post(reverse("sso:continue"), {"login": "someone@elsewhere.test"})
    assert other.status_code == 302
    password_step = client.get(other["Location"])
    assert password_step.status_code == 200
    assert 'value="someone@elsewhere.test"' in password_step.content.decode()
    assert 'name="password"' in password_step.content.decode()


def test_email_step_with_bad_input_explains(sso: SsoWorld) -> None:
    client = Client()
    response = client.post(reverse("sso:continue"), {"login": "not an address"}, follow=True)
    assert response.status_code == 200
    assert "Enter your email address" in response.content.decode()
    assert 'name="login"' in response.content.decode()


def test_sign_out_also_ends_the_session_at_the_provider(sso: SsoWorld) -> None:
    sso.provider_says("mo-sub", email="mo@acme.test")
    client = Client()
    assert sign_in_through_provider(client, "mo@acme.test", sub="mo-sub").status_code == 302
    response = client.post(reverse("account_logout"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("sso:signed_out") + "?t=")
    assert not signed_in_user(client).is_authenticated
    page = client.get(response["Location"])
    assert page.status_code == 200
    location = page.context["provider_url"]
    assert location.startswith(f"{sso.base_url}/oauth2/end_session?")
    assert "client_id=upward-acme" in location
    assert (
        "post_logout_redirect_uri=http%3A%2F%2F127.0.0.1%3A8000%2Faccounts%2Flogin%2F" in location
    )
    assert "Sign out of Acme sign-in" in page.content.decode()
    # The provider's sign-out page answers (the real mock, not our guess of its address).
    assert requests.get(location, timeout=5).status_code == 200


def test_signed_out_page_with_a_forged_token_goes_nowhere(sso: SsoWorld) -> None:
    page = Client().get(reverse("sso:signed_out") + "?t=acme")
    assert page.status_code == 200
    assert "You are signed out of Upward" in page.content.decode()
    assertNotContains(page, sso.base_url)


def test_continue_page_lets_its_form_lead_to_the_provider(sso: SsoWorld) -> None:
    """The form posts to Upward, which redirects to the provider: the page's CSP must allow
    that origin in form-action, and only that one besides its own."""
    page = Client().post(reverse("sso:continue"), {"login": "mo@acme.test"})
    policy = page["Content-Security-Policy"]
    form_action = next(p for p in policy.split(";") if p.strip().startswith("form-action"))
    assert sso.base_url in form_action
    other = Client().get(reverse("account_login"))
    assert sso.base_url not in other["Content-Security-Policy"]


def test_password_sign_out_stays_local(sso: SsoWorld) -> None:
    client = client_for(sso.member)
    response = client.post(reverse("account_logout"))
    assert response.status_code == 302
    assert not response["Location"].startswith("http")


@pytest.mark.parametrize("enabled", [True, False])
def test_admin_test_sign_in_shows_the_match_and_signs_nobody_in(
    sso: SsoWorld, enabled: bool
) -> None:
    sso.idp.enabled = enabled
    sso.idp.save()
    sso.provider_says("ada-sub", email="ada@acme.test")
    client = client_for(sso.admin)
    page = client.post(reverse("sso:test"))
    assert page.status_code == 200
    assert "Test sign-in" in page.content.decode()
    to_provider = client.post(page.context["action"], {"process": "login"})
    assert to_provider.status_code == 302
    result = authorise(client, to_provider["Location"], "ada-sub")
    assert result.status_code == 200
    assert "Test sign-in worked" in result.content.decode()
    assert "Ada Newcomer" in result.content.decode()
    assert signed_in_user(client) == sso.admin.user
    sso.newcomer.refresh_from_db()
    assert sso.newcomer.user is None
    assert AuditEvent.objects.filter(verb="sso.tested", organisation=sso.org).exists()


def test_admin_test_sign_in_reports_a_refusal(sso: SsoWorld) -> None:
    sso.provider_says("bob-sub", email="bob@acme.test")
    client = client_for(sso.admin)
    page = client.post(reverse("sso:test"))
    to_provider = client.post(page.context["action"], {"process": "login"})
    result = authorise(client, to_provider["Location"], "bob-sub")
    assert result.status_code == 200
    assert "would be refused" in result.content.decode()
    assert "no active entry" in result.content.decode()


def test_password_link_on_the_continue_page_keeps_where_the_person_was_going(
    sso: SsoWorld,
) -> None:
    page = Client().post(
        reverse("sso:continue"), {"login": "priya@acme.test", "next": "/programmes/"}
    )
    assert page.status_code == 200
    assert page.context["next_url"] == "/programmes/"
    assert "step=password&amp;next=%2Fprogrammes%2F" in page.content.decode()
    evil = Client().post(
        reverse("sso:continue"), {"login": "priya@acme.test", "next": "https://evil.example/"}
    )
    assert evil.context["next_url"] == ""
    assertNotContains(evil, "evil.example")
