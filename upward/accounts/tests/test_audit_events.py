"""Sign-ins, failed sign-ins, two-factor changes, rights and admin-site actions are recorded in
the audit log, in the right chain, and no entry holds a typed address, password or value."""

from __future__ import annotations

import json

import pytest
from allauth.account.signals import login_code_rejected
from allauth.mfa.models import Authenticator
from allauth.mfa.signals import authentication_failed, authenticator_added
from django.contrib.auth.models import Group
from django.test import Client, RequestFactory

from upward.core import audit
from upward.core.models import AuditEvent
from upward.core.testing.two_factor import force_login_with_two_factor
from upward.organisations.models import Department, Topic
from upward.testing.factories import TopicFactory, UserFactory

PASSWORD = "correct horse battery"  # UserFactory's and person_with_account's


def _only(verb: str, **filters) -> AuditEvent:  # type: ignore[no-untyped-def]
    entries = list(AuditEvent.objects.filter(verb=verb, **filters))
    assert len(entries) == 1, [e.verb for e in entries]
    return entries[0]


def _holds_no(entry: AuditEvent, *values: str) -> None:
    text = json.dumps(entry.data).lower() + entry.object_id.lower()
    for value in values:
        assert value.lower() not in text


def _sign_in(email: str, password: str) -> Client:
    client = Client()
    client.post("/accounts/login/", {"login": email, "password": password})
    return client


def test_a_sign_in_is_recorded_in_the_persons_organisation(world):
    user = world.applicant.user
    client = _sign_in(user.email, PASSWORD)
    entry = _only("account.signed_in")
    assert (entry.organisation_id, entry.actor_id, entry.object_id) == (
        world.org.pk,
        user.pk,
        str(user.pk),
    )
    _holds_no(entry, user.email, PASSWORD)
    client.post("/accounts/logout/")
    assert _only("account.signed_out").organisation_id == world.org.pk
    assert audit.verify_chain(world.org).intact


def test_a_wrong_password_is_recorded_without_the_password(world):
    user = world.applicant.user
    _sign_in(user.email.upper(), "not-the-password-123")
    assert not AuditEvent.objects.filter(verb="account.signed_in").exists()
    entry = _only("account.sign_in_failed")
    assert entry.organisation_id == world.org.pk and entry.actor_id is None
    assert entry.object_id == str(user.pk)
    assert entry.data == {"known_account": True, "step": "password"}
    _holds_no(entry, "not-the-password-123", user.email)


def test_an_unknown_address_is_never_stored_only_a_keyed_hash(world):
    typed = "Nobody.Here@Example.test"
    _sign_in(typed, "guess-123456")
    _sign_in("nobody.here@example.test ", "guess-654321")
    first, second = AuditEvent.objects.filter(verb="account.sign_in_failed").order_by("position")
    for entry in (first, second):
        assert entry.organisation_id is None and entry.object_id == ""
        assert entry.data["known_account"] is False
        _holds_no(entry, "nobody", "example.test", "guess")
        assert len(entry.data["address_hash"]) == 16
    # The same address gives the same hash (repeated attempts can be counted) ...
    assert first.data["address_hash"] == second.data["address_hash"]
    # ... and the hash is keyed: a plain hash of the address is not it.
    import hashlib

    plain = hashlib.sha256(typed.lower().encode()).hexdigest()[:16]
    assert first.data["address_hash"] != plain


def test_two_factor_changes_and_wrong_codes_are_recorded(world):
    user = world.applicant.user
    request = RequestFactory().get("/")
    authenticator = Authenticator(
        user=user, type=Authenticator.Type.TOTP, data={"secret": "s3cr3t"}
    )
    authenticator_added.send(
        sender=Authenticator, request=request, user=user, authenticator=authenticator
    )
    authentication_failed.send(
        sender=Authenticator, request=request, user=user, authenticator=authenticator
    )
    added = _only("account.two_factor_added")
    assert (added.organisation_id, added.actor_id, added.data) == (
        world.org.pk,
        user.pk,
        {"method": "totp"},
    )
    failed = _only("account.sign_in_failed")
    assert failed.data == {"known_account": True, "step": "two_factor", "method": "totp"}
    _holds_no(added, "s3cr3t")


def test_staff_superuser_and_group_changes_are_recorded(db):
    user = UserFactory(email="root@northwind.test")
    assert not AuditEvent.objects.filter(verb__startswith="account.staff").exists()
    user.is_staff = True
    user.save()
    user.save()  # no change, no second entry
    _only("account.staff_granted", object_id=str(user.pk))
    user.is_superuser = True
    user.is_staff = False
    user.save()
    _only("account.superuser_granted")
    _only("account.staff_removed")
    group = Group.objects.create(name="Operators")
    user.groups.add(group)
    entry = _only("account.permissions_changed")
    assert entry.data == {"what": "groups", "change": "add"}
    assert audit.verify_chain(None).intact


def test_create_superuser_is_recorded(db):
    from upward.accounts.models import User

    user = User.objects.create_superuser("boss@northwind.test", "x-long-password-1")
    _only("account.superuser_granted", object_id=str(user.pk))
    _only("account.staff_granted", object_id=str(user.pk))


@pytest.fixture
def staff(db):  # type: ignore[no-untyped-def]
    user = UserFactory(email="root@northwind.test", is_staff=True, is_superuser=True)
    client = Client()
    force_login_with_two_factor(client, user)
    return user, client


def test_admin_site_changes_are_recorded_without_values(world, staff):
    user, client = staff
    department = Department.objects.create(organisation=world.org, name="Old name")
    response = client.post(
        f"/admin/organisations/department/{department.pk}/change/",
        {"name": "Secret new name", "organisation": world.org.pk},
    )
    assert response.status_code == 302, response.content[:2000]
    entry = _only("admin.changed")
    assert entry.organisation_id == world.org.pk and entry.actor_id == user.pk
    assert entry.object_type == "organisations.department"
    assert entry.object_id == str(department.pk)
    assert entry.data == {"admin_site": True, "fields": ["Name"]}
    _holds_no(entry, "Secret new name", "Old name")
    assert audit.verify_chain(world.org).intact


def test_admin_site_bulk_deletions_are_each_recorded(world, staff):
    user, client = staff
    topics = [TopicFactory(organisation=world.org, name=f"Topic {i}") for i in range(3)]
    response = client.post(
        "/admin/organisations/topic/",
        {
            "action": "delete_selected",
            "_selected_action": [t.pk for t in topics],
            "post": "yes",
        },
    )
    assert response.status_code == 302
    assert not Topic.objects.filter(pk__in=[t.pk for t in topics]).exists()
    deleted = AuditEvent.objects.filter(verb="admin.deleted").order_by("position")
    assert sorted(e.object_id for e in deleted) == sorted(str(t.pk) for t in topics)
    assert {e.organisation_id for e in deleted} == {world.org.pk}
    assert {e.actor_id for e in deleted} == {user.pk}
    for entry in deleted:
        _holds_no(entry, "Topic 0", "Topic 1", "Topic 2")
    assert audit.verify_chain(world.org).intact


def test_a_wrong_emailed_sign_in_code_is_recorded(world):
    user = world.applicant.user
    request = RequestFactory().get("/")
    login_code_rejected.send(sender=None, request=request, user=user, last_attempt=False)
    entry = _only("account.sign_in_failed")
    assert entry.organisation_id == world.org.pk and entry.object_id == str(user.pk)
    assert entry.data == {"known_account": True, "step": "sign_in_code"}
