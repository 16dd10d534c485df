import datetime as dt

import pytest
import time_machine
from allauth.account.models import EmailAddress
from django.core import mail
from django.test import Client

from upward.accounts import services
from upward.accounts.models import AccountInvitation, User
from upward.core.errors import Conflict, DomainError
from upward.core.models import AuditEvent
from upward.testing.factories import PersonFactory, give_domain


@pytest.fixture
def newcomer(world):
    return PersonFactory(
        organisation=world.org, full_name="Nia Newcomer", email="Nia@Northwind.test"
    )


def invite(world, person, capture):
    with capture(execute=True):
        return services.invite_person_to_upward(person, by=world.admin.user)


def test_invitation_emails_a_link_that_creates_a_verified_linked_account(
    world, newcomer, django_capture_on_commit_callbacks
):
    invitation = invite(world, newcomer, django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["Nia@Northwind.test"]
    assert f"/invitation/{invitation.token}/" in message.body

    client = Client()
    page = client.get(f"/invitation/{invitation.token}/")
    assert "Nia Newcomer" in page.content.decode()
    response = client.post(
        f"/invitation/{invitation.token}/",
        {"password1": "a-long-unusual-passphrase", "password2": "a-long-unusual-passphrase"},
    )
    assert response.status_code == 302
    newcomer.refresh_from_db()
    user = newcomer.user
    assert user is not None and user.email == "nia@northwind.test"
    assert EmailAddress.objects.get(user=user).verified
    assert client.get("/dashboard/").status_code == 200  # signed in
    assert AuditEvent.objects.filter(verb="person.invitation_accepted").count() == 1


def test_invitation_link_works_once(world, newcomer, django_capture_on_commit_callbacks):
    invitation = invite(world, newcomer, django_capture_on_commit_callbacks)
    services.accept_invitation(invitation, password="a-long-unusual-passphrase")
    response = Client().get(f"/invitation/{invitation.token}/")
    assert response.status_code == 410
    assert "can no longer be used" in response.content.decode()
    with pytest.raises(DomainError, match="This invitation can no longer be used"):
        services.accept_invitation(invitation, password="another-long-passphrase")


def test_expired_invitation_is_refused(world, newcomer, django_capture_on_commit_callbacks):
    invitation = invite(world, newcomer, django_capture_on_commit_callbacks)
    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(days=15)):
        response = Client().post(
            f"/invitation/{invitation.token}/",
            {"password1": "a-long-unusual-passphrase", "password2": "a-long-unusual-passphrase"},
        )
    assert response.status_code == 410
    assert not User.objects.filter(email__iexact=newcomer.email).exists()


def test_weak_or_mismatched_passwords_get_clear_errors(
    world, newcomer, django_capture_on_commit_callbacks
):
    invitation = invite(world, newcomer, django_capture_on_commit_callbacks)
    url = f"/invitation/{invitation.token}/"
    body = Client().post(url, {"password1": "12345678", "password2": "12345678"}).content.decode()
    assert "too common" in body or "entirely numeric" in body
    body = (
        Client()
        .post(url, {"password1": "a-long-unusual-passphrase", "password2": "different-one-here"})
        .content.decode()
    )
    assert "do not match" in body
    assert not User.objects.filter(email__iexact=newcomer.email).exists()


def test_cannot_invite_someone_who_already_has_an_account(world):
    with pytest.raises(Conflict, match="Jess Junior already has an Upward account"):
        services.invite_person_to_upward(world.applicant, by=world.admin.user)


def test_cannot_invite_someone_who_has_left(world, newcomer):
    newcomer.is_active = False
    newcomer.save()
    with pytest.raises(DomainError, match="left"):
        services.invite_person_to_upward(newcomer, by=world.admin.user)


def test_unknown_token_is_404(db):
    assert Client().get("/invitation/not-a-real-token/").status_code == 404


def test_signing_up_with_a_directory_email_links_the_person_after_verification(
    world, newcomer, django_capture_on_commit_callbacks
):
    give_domain(world.org, "northwind.test")  # the operator's step that allows open sign-up
    client = Client()
    with django_capture_on_commit_callbacks(execute=True):  # allauth's email, via the outbox
        response = client.post(
            "/accounts/signup/",
            {
                "email": "nia@northwind.test",
                "password1": "a-long-unusual-passphrase",
                "password2": "a-long-unusual-passphrase",
            },
        )
    assert response.status_code == 302
    newcomer.refresh_from_db()
    assert newcomer.user is None  # not until the email is verified
    confirmation_link = next(
        line for line in mail.outbox[-1].body.splitlines() if "/accounts/confirm-email/" in line
    ).strip()
    path = confirmation_link[confirmation_link.index("/accounts/confirm-email/") :]
    client.post(path)
    newcomer.refresh_from_db()
    assert newcomer.user is not None
    assert newcomer.user.email == "nia@northwind.test"


def test_an_account_without_a_directory_entry_sees_what_to_do(db):
    user = User.objects.create_user("stranger@example.com", "a-long-unusual-passphrase")
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    client = Client()
    client.force_login(user)
    body = client.get("/dashboard/").content.decode()
    assert "not linked to an organisation" in body
    assert client.get("/people/").status_code == 404


def test_the_migration_fills_old_invitations_and_revokes_those_whose_person_changed(
    world, newcomer
):
    import importlib

    migration = importlib.import_module("upward.accounts.migrations.0004_fill_invitation_email")
    future = dt.datetime.now(dt.UTC) + dt.timedelta(days=7)
    untouched = AccountInvitation.objects.create(person=newcomer, email="x@y.z", expires_at=future)
    AccountInvitation.objects.filter(pk=untouched.pk).update(
        created_at=newcomer.updated_at + dt.timedelta(seconds=1)
    )
    # This person was edited after their invitation went out.
    changed_person = PersonFactory(organisation=world.org, email="now@northwind.test")
    changed = AccountInvitation.objects.create(
        person=changed_person, email="x@y.z", expires_at=future
    )
    AccountInvitation.objects.filter(pk=changed.pk).update(
        created_at=changed_person.updated_at - dt.timedelta(seconds=1)
    )
    rows = list(AccountInvitation.objects.select_related("person").order_by("pk"))
    for row in rows:
        row.email = ""  # as they were before the migration (the constraint forbids storing it)
    migration.fill(rows, dt.datetime.now(dt.UTC))
    untouched.refresh_from_db()
    changed.refresh_from_db()
    assert untouched.email == "Nia@Northwind.test" and untouched.is_usable
    assert changed.email == "now@northwind.test" and changed.revoked_at is not None
