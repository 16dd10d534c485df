"""A real OpenID Connect provider (oidc-provider-mock) on a local port, and an organisation
that signs in through it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests
from django.test import Client
from django.urls import reverse
from oidc_provider_mock import run_server_in_thread

from upward.organisations.models import Organisation, OrganisationDomain, Person
from upward.sso.models import IdentityProvider
from upward.testing.factories import OrganisationFactory, PersonFactory, person_with_account

SECRET = "s3cret-from-the-provider"


@pytest.fixture(scope="session")
def oidc_server_handle() -> Iterator[Any]:
    with run_server_in_thread() as server:
        yield server


@pytest.fixture(scope="session")
def oidc_server(oidc_server_handle: Any) -> str:
    return f"http://localhost:{oidc_server_handle.server_port}"


def provider_signing_key(server: Any) -> Any:
    """The running provider's private signing key (the one its jwks_uri publishes), to sign
    what the mock does not send itself: a back-channel logout token."""
    for function in server.app.before_request_funcs[None]:
        names = function.__code__.co_freevars
        if "storage" in names:
            storage = function.__closure__[names.index("storage")].cell_contents
            return storage.jwk
    raise AssertionError("oidc-provider-mock changed: no storage in its app")


@dataclass
class SsoWorld:
    org: Organisation
    domain: OrganisationDomain
    idp: IdentityProvider
    admin: Person  # org admin, with an account and a password
    member: Person  # in the directory, with an account and a password
    newcomer: Person  # in the directory, no account yet
    base_url: str

    def provider_says(self, sub: str, **claims: Any) -> None:
        """What the provider will tell Upward about `sub` (its userinfo and ID token claims)."""
        response = requests.put(f"{self.base_url}/users/{sub}", json=claims, timeout=5)
        assert response.status_code == 204


@pytest.fixture
def sso(db: Any, oidc_server: str) -> SsoWorld:
    org = OrganisationFactory(name="Acme Ltd", slug="acme")
    domain = OrganisationDomain.objects.create(organisation=org, domain="acme.test")
    admin = person_with_account(
        organisation=org, full_name="Priya Admin", email="priya@acme.test", is_org_admin=True
    )
    member = person_with_account(organisation=org, full_name="Mo Member", email="mo@acme.test")
    newcomer = PersonFactory(organisation=org, full_name="Ada Newcomer", email="ada@acme.test")
    idp = IdentityProvider.objects.create(
        organisation=org,
        protocol="oidc",
        display_name="Acme sign-in",
        enabled=True,
        server_url=oidc_server,
        client_id="upward-acme",
        client_secret=SECRET,
    )
    idp.domains.add(domain)
    return SsoWorld(org, domain, idp, admin, member, newcomer, oidc_server)


def client_for(person: Person) -> Client:
    client = Client()
    assert person.user is not None
    client.force_login(person.user)
    return client


def start_at_provider(client: Client, email: str) -> str:
    """The sign-in page's email step, then its "Continue" button: the provider's URL."""
    page = client.post(reverse("sso:continue"), {"login": email})
    assert page.status_code == 200, page.status_code
    assert "sso/continue.html" in [t.name for t in page.templates]
    to_provider = client.post(page.context["action"], {"process": "login"})
    assert to_provider.status_code == 302, to_provider.status_code
    return str(to_provider["Location"])


def authorise(client: Client, authorize_url: str, sub: str) -> Any:
    """The person signs in at the provider as `sub`; the browser comes back to Upward."""
    answer = requests.post(authorize_url, data={"sub": sub}, allow_redirects=False, timeout=5)
    assert answer.status_code == 302, answer.text[:500]
    back = urlsplit(answer.headers["Location"])
    assert back.path.startswith("/accounts/oidc/"), back
    return client.get(f"{back.path}?{back.query}")


def sign_in_through_provider(client: Client, email: str, sub: str | None = None) -> Any:
    return authorise(client, start_at_provider(client, email), sub or email)
