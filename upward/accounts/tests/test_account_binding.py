"""Accounts bind to the right organisation (issue 11, hole 2), through the real views.

(a) Open sign-up used to link a verified address to the lowest-id person with that address in
any organisation. (b) An invitation was bound to the person, not the address it was sent to.
"""

from __future__ import annotations

import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.test import Client, TestCase
from pytest_django.asserts import assertNotContains

from upward.accounts.models import AccountInvitation, User
from upward.core.models import AuditEvent
from upward.organisations.models import Person
from upward.testing.factories import (
    OrganisationFactory,
    PersonFactory,
    level,
    person_with_account,
)

PASSWORD = "a-long-unusual-passphrase"
NO_ENTRY = "Ask your organisation's Upward admin for an invitation"


def sign_up_and_confirm(email: str) -> Client:
    """allauth's sign-up form, then the confirmation link from the email it sends."""
    client = Client()
    # allauth's email leaves through the outbox after the commit, which the test database
    # never makes: run the after-commit work here (TestCase's, as the fixture does).
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(
            "/accounts/signup/", {"email": email, "password1": PASSWORD, "password2": PASSWORD}
        )
    assert response.status_code == 302
    link = next(line for line in mail.outbox[-1].body.splitlines() if "/confirm-email/" in line)
    response = client.post(link[link.index("/accounts/confirm-email/") :].strip())
    assert response.status_code == 302
    assert EmailAddress.objects.get(email__iexact=email).verified
    return client


def invitation_link(email: str) -> str:
    body = next(m for m in reversed(mail.outbox) if m.to == [email] and "invit" in m.subject).body
    link = re.search(r"/invitation/[\w-]+/", str(body))
    assert link, body
    return link.group(0)


@pytest.fixture
def invite(django_capture_on_commit_callbacks):
    """Press "Invite to Upward" on the person's page; returns the response (followed)."""

    def press(client: Client, person: Person):  # type: ignore[no-untyped-def]
        # The test database never commits: run the after-commit work (the email) here.
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(f"/people/{person.pk}/invite/", follow=True)

    return press


def person_form(email: str, name: str, organisation, **overrides) -> dict:
    data = {
        "full_name": name,
        "email": email,
        "job_title": "",
        "level": level(organisation, 2).pk,
        "department": "",
        "team": "",
        "manager_email": "",
        "location": "",
        "time_zone": "Europe/London",
        "start_date": "",
        "is_active": "on",
    }
    data.update(overrides)
    return data


@pytest.fixture
def victim_org(db):
    return OrganisationFactory(name="Victim Council", slug="victim", domains=["victim.test"])


# ---------------------------------------------------------------------------------------------
# (a) Open sign-up


def test_reproduction_a_sign_up_lands_in_the_organisation_owning_the_domain(
    world, victim_org, django_capture_on_commit_callbacks
):
    # The attacker's organisation cannot add her now (shown through the view)...
    attacker = world.client_for(world.outsider_admin)
    response = attacker.post(
        "/people/new/", person_form("vic@victim.test", "Vic Tim", world.outsider_admin.organisation)
    )
    assert response.status_code == 200
    assert "another organisation&#x27;s domain" in response.content.decode()
    # ...but a person made before the domain was claimed (lowest id) is still there.
    planted = PersonFactory(organisation=world.outsider_admin.organisation, email="Vic@victim.test")
    own = PersonFactory(organisation=victim_org, email="vic@victim.test", full_name="Vic Tim")
    assert planted.pk < own.pk

    client = sign_up_and_confirm("vic@victim.test")

    own.refresh_from_db()
    planted.refresh_from_db()
    assert own.user is not None and own.user.email == "vic@victim.test"
    assert planted.user is None
    body = client.get("/dashboard/")
    assert body.status_code == 200
    assert "Victim Council" in body.content.decode()


def test_sign_up_with_a_domain_owned_by_nobody_links_nobody(world, invite):
    # Before: any directory entry with the address, here in Elsewhere Ltd, got the account.
    PersonFactory(organisation=world.outsider_admin.organisation, email="nia@mailbox.test")
    client = sign_up_and_confirm("nia@mailbox.test")
    assert not Person.objects.filter(user__email="nia@mailbox.test").exists()
    response = client.get("/dashboard/")
    assert response.status_code == 200
    assert NO_ENTRY in response.content.decode()
    # Never which organisation has an entry for her.
    assertNotContains(response, "Elsewhere Ltd")
    # Signing in later does not link her either.
    client.logout()
    assert client.login(email="nia@mailbox.test", password=PASSWORD)
    assert not Person.objects.filter(user__email="nia@mailbox.test").exists()


def test_sign_up_does_not_link_a_person_in_an_organisation_not_owning_the_domain(world, victim_org):
    planted = PersonFactory(organisation=world.outsider_admin.organisation, email="vic@victim.test")
    client = sign_up_and_confirm("vic@victim.test")
    planted.refresh_from_db()
    assert planted.user is None
    response = client.get("/dashboard/")
    assert response.status_code == 200
    body = response.content.decode()
    assert NO_ENTRY in body
    assertNotContains(response, "Elsewhere Ltd")
    assertNotContains(response, "Victim Council")


def test_sign_up_skips_people_who_have_left(world, victim_org):
    leaver = PersonFactory(organisation=victim_org, email="vic@victim.test", is_active=False)
    sign_up_and_confirm("vic@victim.test")
    leaver.refresh_from_db()
    assert leaver.user is None


# ---------------------------------------------------------------------------------------------
# (b) Invitations


def test_reproduction_b_a_changed_address_does_not_inherit_the_invitation(
    world, victim_org, invite
):
    attacker = world.client_for(world.outsider_admin)
    elsewhere = world.outsider_admin.organisation
    # 1. The attacker adds an address they read and invites it.
    attacker.post("/people/new/", person_form("mallory@elsewhere.test", "Mallory", elsewhere))
    planted = Person.objects.get(email="mallory@elsewhere.test")
    response = invite(attacker, planted)
    assert "We emailed Mallory an invitation" in response.content.decode()
    link = invitation_link("mallory@elsewhere.test")

    # 2a. Moving it into a domain another organisation owns is refused outright.
    response = attacker.post(
        f"/people/{planted.pk}/edit/", person_form("vic@victim.test", "Mallory", elsewhere)
    )
    assert response.status_code == 200
    assert "another organisation&#x27;s domain" in response.content.decode()

    # 2b. An address in a domain nobody owns may be set, but that revokes the invitation.
    response = attacker.post(
        f"/people/{planted.pk}/edit/", person_form("vic@mailbox.test", "Mallory", elsewhere)
    )
    assert response.status_code == 302

    # 3. The old link no longer makes an account for the victim's address.
    response = Client().post(link, {"password1": PASSWORD, "password2": PASSWORD})
    assert not User.objects.filter(email__iexact="vic@mailbox.test").exists()
    assert response.status_code == 410
    assert Client().get(link).status_code == 410
    planted.refresh_from_db()
    assert planted.user is None
    assert AuditEvent.objects.filter(
        verb="person.invitations_revoked", object_id=str(planted.pk)
    ).exists()

    # 4. Her own organisation can still invite her, and she lands there.
    admin = world.client_for(world.admin)
    admin.post("/people/new/", person_form("vic@mailbox.test", "Vic Tim", world.org))
    own = Person.objects.get(organisation=world.org, email="vic@mailbox.test")
    response = invite(admin, own)
    assert "We emailed Vic Tim an invitation" in response.content.decode()
    victim = Client()
    response = victim.post(
        invitation_link("vic@mailbox.test"), {"password1": PASSWORD, "password2": PASSWORD}
    )
    assert response.status_code == 302
    own.refresh_from_db()
    assert own.user is not None and own.user.email == "vic@mailbox.test"
    assert EmailAddress.objects.get(user=own.user).verified


def test_acceptance_checks_the_address_even_if_revocation_was_missed(world, invite):
    person = PersonFactory(organisation=world.org, email="nia@mailbox.test")
    invite(world.client_for(world.admin), person)
    link = invitation_link("nia@mailbox.test")
    # A write that bypasses the service (a data fix, the admin site) does not revoke.
    Person.objects.filter(pk=person.pk).update(email="vic@mailbox.test")
    response = Client().post(link, {"password1": PASSWORD, "password2": PASSWORD})
    assert response.status_code == 410
    assert not User.objects.filter(email__iexact="vic@mailbox.test").exists()
    assert not User.objects.filter(email__iexact="nia@mailbox.test").exists()


def test_a_new_invitation_replaces_the_earlier_link(world, invite):
    person = PersonFactory(organisation=world.org, email="nia@mailbox.test")
    admin = world.client_for(world.admin)
    invite(admin, person)
    first = invitation_link("nia@mailbox.test")
    invite(admin, person)
    second = invitation_link("nia@mailbox.test")
    assert first != second
    assert Client().get(first).status_code == 410
    assert Client().get(second).status_code == 200


def test_a_person_in_another_organisations_domain_cannot_be_invited(world, victim_org, invite):
    # Added before the operator gave the domain to Victim Council.
    planted = PersonFactory(organisation=world.org, email="vic@victim.test")
    response = invite(world.client_for(world.admin), planted)
    assert response.status_code == 200
    assert "another organisation&#x27;s domain" in response.content.decode()
    assert not AccountInvitation.objects.filter(person=planted).exists()
    assert mail.outbox == []


def test_an_invitation_sent_before_the_domain_was_claimed_stops_working(world, invite):
    person = PersonFactory(organisation=world.org, email="vic@victim.test")
    invite(world.client_for(world.admin), person)
    link = invitation_link("vic@victim.test")
    OrganisationFactory(domains=["victim.test"])
    response = Client().post(link, {"password1": PASSWORD, "password2": PASSWORD})
    assert response.status_code == 410
    assert not User.objects.filter(email__iexact="vic@victim.test").exists()


# ---------------------------------------------------------------------------------------------
# An unverified sign-up never blocks an invitation


def test_an_unconfirmed_sign_up_is_replaced_by_the_invitation(world, invite):
    squatter = Client()
    squatter.post(
        "/accounts/signup/",
        {
            "email": "nia@mailbox.test",
            "password1": "squatters-password",
            "password2": "squatters-password",
        },
    )
    stale = User.objects.get(email__iexact="nia@mailbox.test")
    assert not EmailAddress.objects.get(user=stale).verified

    person = PersonFactory(organisation=world.org, email="nia@mailbox.test", full_name="Nia N")
    invite(world.client_for(world.admin), person)
    link = invitation_link("nia@mailbox.test")
    page = Client().get(link)
    assert page.status_code == 200
    assert "Create my account" in page.content.decode()  # the password form, not "sign in"
    invitee = Client()
    response = invitee.post(link, {"password1": PASSWORD, "password2": PASSWORD})
    assert response.status_code == 302

    person.refresh_from_db()
    assert person.user is not None and person.user.pk != stale.pk
    assert not User.objects.filter(pk=stale.pk).exists()
    assert EmailAddress.objects.filter(email__iexact="nia@mailbox.test").count() == 1
    assert EmailAddress.objects.get(email__iexact="nia@mailbox.test").verified
    assert AuditEvent.objects.filter(
        verb="account.unverified_replaced", object_id=str(person.pk)
    ).exists()
    # The squatter's password opens nothing; the invitee's does.
    assert not Client().login(email="nia@mailbox.test", password="squatters-password")
    assert Client().login(email="nia@mailbox.test", password=PASSWORD)


def test_an_unconfirmed_secondary_address_of_another_account_is_dropped(world, invite):
    other = person_with_account(organisation=world.outsider_admin.organisation)
    assert other.user is not None
    EmailAddress.objects.create(user=other.user, email="nia@mailbox.test", verified=False)
    person = PersonFactory(organisation=world.org, email="nia@mailbox.test")
    invite(world.client_for(world.admin), person)
    response = Client().post(
        invitation_link("nia@mailbox.test"), {"password1": PASSWORD, "password2": PASSWORD}
    )
    assert response.status_code == 302
    assert User.objects.filter(pk=other.user.pk).exists()  # the other account stays
    assert not EmailAddress.objects.filter(user=other.user, email="nia@mailbox.test").exists()


# ---------------------------------------------------------------------------------------------
# No enumeration: the admin learns nothing; the invitee is told


def admin_view_of_inviting(world, invite, email: str) -> tuple[str, str, str]:
    admin = world.client_for(world.outsider_admin)
    elsewhere = world.outsider_admin.organisation
    admin.post("/people/new/", person_form(email, "Someone", elsewhere))
    person = Person.objects.get(organisation=elsewhere, email=email)
    invited = invite(admin, person)
    assert invited.status_code == 200
    page = admin.get(f"/people/{person.pk}/")
    directory = admin.get("/people/")
    assert page.status_code == 200 and directory.status_code == 200
    return (
        [str(m) for m in invited.context["messages"]][-1],
        page.content.decode()
        .replace(email, "EMAIL")
        .replace(f"/people/{person.pk}/", "/people/PK/"),
        directory.content.decode(),
    )


def test_inviting_an_address_that_has_an_account_elsewhere_looks_the_same_to_the_admin(
    world, invite
):
    # jess@northwind.test has a verified, linked account in Northwind; Elsewhere invites her.
    has_account = admin_view_of_inviting(world, invite, world.applicant.email)
    no_account = admin_view_of_inviting(world, invite, "fresh@mailbox.test")
    expected = "We emailed Someone an invitation to set up their Upward account."
    assert has_account[0] == no_account[0] == expected
    assert "already" not in has_account[1]
    assert "Invited on" in has_account[1] and "Invited on" in no_account[1]
    # The person pages differ only by the address and id.
    assert _without_csrf(has_account[1]) == _without_csrf(no_account[1])
    # In the directory only Oscar himself has an account; both invitees show as invited.
    assert has_account[2].count("Has an account") == 1
    assert no_account[2].count("Has an account") == 1
    assert no_account[2].count(">Invited<") == 2


def _without_csrf(html: str) -> str:
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)
    return re.sub(r'"X-CSRFToken": "[^"]+"', "", html)


def test_the_invitee_with_an_account_is_told_to_sign_in(world, invite):
    elsewhere = world.outsider_admin.organisation
    person = PersonFactory(organisation=elsewhere, email=world.applicant.email)
    invite(world.client_for(world.outsider_admin), person)
    link = invitation_link(world.applicant.email)

    page = Client().get(link)
    assert page.status_code == 200
    assert "This address already has an Upward account" in page.content.decode()
    assertNotContains(page, "Create my account")
    response = Client().post(link, {"password1": PASSWORD, "password2": PASSWORD})
    assert response.status_code == 200
    assert User.objects.filter(email__iexact=world.applicant.email).count() == 1

    # Signed in, she may not take her Northwind account into Elsewhere Ltd.
    jess = world.client_for(world.applicant)
    response = jess.post(link)
    assert response.status_code == 200
    assert "already belongs to an organisation" in response.content.decode()
    world.applicant.refresh_from_db()
    person.refresh_from_db()
    assert world.applicant.user is not None and person.user is None


def test_a_confirmed_account_without_an_organisation_joins_by_invitation_when_signed_in(
    world, invite
):
    client = sign_up_and_confirm("nia@mailbox.test")  # nobody owns mailbox.test: no link
    person = PersonFactory(organisation=world.org, email="nia@mailbox.test")
    invite(world.client_for(world.admin), person)
    link = invitation_link("nia@mailbox.test")

    page = Client().get(link)
    assert "Sign in" in page.content.decode()
    assertNotContains(page, "Create my account")
    page = client.get(link)
    assert page.status_code == 200 and "Join Northwind Health" in page.content.decode()
    response = client.post(link)
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.user is not None and person.user.email == "nia@mailbox.test"
    assert Client().get(link).status_code == 410


def test_signed_in_as_someone_else_cannot_use_the_link(world, invite):
    sign_up_and_confirm("nia@mailbox.test")
    person = PersonFactory(organisation=world.org, email="nia@mailbox.test")
    invite(world.client_for(world.admin), person)
    link = invitation_link("nia@mailbox.test")
    stranger = User.objects.create_user("stranger@mailbox.test", PASSWORD)
    client = Client()
    client.force_login(stranger)
    page = client.get(link)
    assert page.status_code == 200
    assert "signed in with a different account" in page.content.decode()
    response = client.post(link)
    assert response.status_code == 200
    assert "was sent to nia@mailbox.test" in response.content.decode()
    person.refresh_from_db()
    assert person.user is None
