"""Token pages (personal and service) and the api_token management command."""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from pytest_django.asserts import assertContains, assertNotContains

from upward.accounts.models import ApiToken, TokenKind
from upward.accounts.tokens import authenticate_token, issue_token
from upward.core.models import AuditEvent

SECRET = re.compile(r"upw_[0-9a-f]{8}_[A-Za-z0-9_-]+")


@pytest.mark.django_db
def test_make_a_personal_token_shows_the_secret_once(world) -> None:  # type: ignore[no-untyped-def]
    client = world.client_for(world.applicant)
    page = client.get("/account/tokens/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "No tokens yet" in text and "people:read" in text
    assertNotContains(page, 'value="scim"')  # SCIM is for service tokens only
    made = client.post(
        "/account/tokens/", {"name": "My <script>", "scopes": ["me:read"], "expires_on": ""}
    )
    assert made.status_code == 200
    body = made.content.decode()
    secret = SECRET.search(body)
    assert secret is not None and "only time" in body
    assert "My &lt;script&gt;" in body and "<script>" not in body.split("<main", 1)[-1]
    token = authenticate_token(secret.group(0))
    assert token is not None and token.user == world.applicant.user
    assert token.scopes == ["me:read"]
    listed = client.get("/account/tokens/")
    assertContains(listed, token.prefix)
    assertNotContains(listed, secret.group(0))
    assert AuditEvent.objects.filter(verb="api_token.created", object_id=str(token.pk)).exists()


@pytest.mark.django_db
def test_a_bad_token_form_shows_errors_and_makes_nothing(world) -> None:  # type: ignore[no-untyped-def]
    client = world.client_for(world.applicant)
    response = client.post(
        "/account/tokens/", {"name": "", "scopes": ["scim"], "expires_on": "2001-01-01"}
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert {"name", "scopes", "expires_on"} <= set(form.errors)
    assert not ApiToken.objects.exists()


@pytest.mark.django_db
def test_revoke_asks_first_and_only_the_holder_may(world) -> None:  # type: ignore[no-untyped-def]
    token, raw = issue_token(
        kind=TokenKind.PERSONAL,
        organisation=world.org,
        user=world.applicant.user,
        name="Laptop",
        scopes=["me:read"],
        by=world.applicant.user,
    )
    url = f"/account/tokens/{token.pk}/revoke/"
    other = world.client_for(world.admin)
    assert other.get(url).status_code == 404
    assert other.post(url).status_code == 404
    assert authenticate_token(raw) is not None
    holder = world.client_for(world.applicant)
    confirm = holder.get(url)
    assert confirm.status_code == 200 and "cannot be undone" in confirm.content.decode()
    assert authenticate_token(raw) is not None  # asking is not revoking
    done = holder.post(url)
    assert done.status_code == 302 and done["Location"] == "/account/tokens/"
    assert authenticate_token(raw) is None
    assert AuditEvent.objects.filter(verb="api_token.revoked", object_id=str(token.pk)).exists()


@pytest.mark.django_db
def test_service_tokens_are_for_org_admins(world) -> None:  # type: ignore[no-untyped-def]
    assert world.client_for(world.applicant).get("/organisation/tokens/").status_code == 404
    admin = world.client_for(world.admin)
    page = admin.get("/organisation/tokens/")
    assert page.status_code == 200 and 'value="scim"' in page.content.decode()
    made = admin.post("/organisation/tokens/", {"name": "Entra", "scopes": ["scim"]})
    secret = SECRET.search(made.content.decode())
    assert secret is not None
    token = ApiToken.objects.get(kind=TokenKind.SERVICE)
    assert token.organisation == world.org and token.created_by == world.admin.user
    # Another organisation's admin cannot see or revoke it.
    outsider = world.client_for(world.outsider_admin)
    assertNotContains(outsider.get("/organisation/tokens/"), token.prefix)
    assert outsider.post(f"/organisation/tokens/{token.pk}/revoke/").status_code == 404
    assert (
        world.client_for(world.applicant)
        .post(f"/organisation/tokens/{token.pk}/revoke/")
        .status_code
        == 404
    )
    assert admin.post(f"/organisation/tokens/{token.pk}/revoke/").status_code == 302
    assert authenticate_token(secret.group(0)) is None


@pytest.mark.django_db
def test_setup_page_and_account_link_to_the_tokens(world) -> None:  # type: ignore[no-untyped-def]
    admin = world.client_for(world.admin)
    assert "/organisation/tokens/" in admin.get("/people/setup/").content.decode()
    assert "/account/tokens/" in admin.get("/accounts/email/").content.decode()


# ---------------------------------------------------------------------------------------------
# The management command


@pytest.mark.django_db
def test_command_creates_lists_and_revokes(world) -> None:  # type: ignore[no-untyped-def]
    out, err = StringIO(), StringIO()
    call_command(
        "api_token",
        "create",
        "--organisation",
        "northwind",
        "--name",
        "Deploy",
        "--scope",
        "people:read",
        "--scope",
        "scim",
        "--expires-days",
        "30",
        stdout=out,
        stderr=err,
    )
    raw = out.getvalue().strip()
    assert SECRET.fullmatch(raw) and "not shown again" in err.getvalue()
    token = authenticate_token(raw)
    assert token is not None and token.kind == TokenKind.SERVICE and token.expires_at
    assert token.scopes == ["people:read", "scim"]
    listing = StringIO()
    call_command("api_token", "list", stdout=listing)
    assert token.prefix in listing.getvalue() and raw not in listing.getvalue()
    call_command("api_token", "revoke", token.prefix, stdout=StringIO())
    assert authenticate_token(raw) is None
    assert AuditEvent.objects.filter(verb="api_token.revoked", actor=None).exists()


@pytest.mark.django_db
def test_command_refuses_bad_input(world) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(CommandError, match="No organisation"):
        call_command(
            "api_token", "create", "--organisation", "nope", "--name", "X", "--scope", "scim"
        )
    with pytest.raises(CommandError, match="invalid choice"):
        call_command(
            "api_token",
            "create",
            "--organisation",
            "northwind",
            "--name",
            "X",
            "--scope",
            "me:read",
        )
    with pytest.raises(CommandError, match="No service token"):
        call_command("api_token", "revoke", "deadbeef")
    assert not ApiToken.objects.exists()
