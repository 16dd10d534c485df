"""Envelope encryption: a data key per organisation wrapped by the master keys, tokens that name
their key, a short-lived bounded key cache, crypto-shredding and the column migration helper."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from types import SimpleNamespace
from typing import Any

import pytest
from cryptography.fernet import Fernet
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction

from upward.core import crypto, keys
from upward.core.fields import (
    EncryptedBinaryField,
    EncryptedTextField,
    encrypted_fields,
    lookup_for,
    organisation_path,
    sealed,
)
from upward.core.migration_helpers import encrypt_column
from upward.core.models import AuditEvent, OrganisationKey
from upward.goals.models import Goal
from upward.notes import services as notes
from upward.notes.models import Message
from upward.testing.factories import OrganisationFactory

SECRET = "I was passed over twice after coming out"


def raw(table: str, column: str, pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])  # noqa: S608
        return cursor.fetchone()[0]


def test_every_organisation_gets_a_key_stored_only_wrapped(db, settings):
    org = OrganisationFactory()
    row = OrganisationKey.objects.get(organisation=org)
    assert row.shredded_at is None
    # The stored value is the data key under the first master key, never the key itself.
    master = Fernet(settings.ENCRYPTION_KEYS[0].encode())
    data_key = master.decrypt(row.wrapped.encode())
    assert data_key.decode() not in row.wrapped
    token = crypto.encrypt(SECRET, org.pk)
    assert token.startswith(f"o1:{org.pk}:{row.pk}:")
    assert Fernet(data_key).decrypt(token.split(":", 3)[3].encode()).decode() == SECRET


def test_two_organisations_use_different_keys_and_decrypt_needs_only_the_token(db):
    a, b = OrganisationFactory(), OrganisationFactory()
    token_a, token_b = crypto.encrypt(SECRET, a.pk), crypto.encrypt(SECRET, b.pk)
    assert crypto.parse(token_a)[1] != crypto.parse(token_b)[1]  # type: ignore[index]
    crypto.cache.clear()  # another process: nothing cached
    assert crypto.decrypt(token_a) == crypto.decrypt(token_b) == SECRET


def test_a_token_claiming_another_organisations_key_is_refused(db):
    a, b = OrganisationFactory(), OrganisationFactory()
    _org, key_b, body = crypto.parse(crypto.encrypt(SECRET, b.pk))  # type: ignore[misc]
    with pytest.raises(crypto.DecryptionError, match="does not exist"):
        crypto.decrypt(f"o1:{a.pk}:{key_b}:{body}")
    with pytest.raises(crypto.DecryptionError, match="well-formed"):
        crypto.decrypt("o1:not-a-number:1:x")


def test_tokens_from_before_envelope_keys_still_decrypt(db, settings):
    legacy = Fernet(settings.ENCRYPTION_KEYS[0].encode()).encrypt(SECRET.encode()).decode()
    assert crypto.decrypt(legacy) == SECRET
    assert crypto.token_organisation(legacy) is None


def test_a_value_with_no_organisation_is_under_the_master_keys(db, settings):
    token = crypto.encrypt(SECRET)
    assert crypto.parse(token) is None
    assert Fernet(settings.ENCRYPTION_KEYS[0].encode()).decrypt(token.encode()).decode() == SECRET


def test_a_key_made_for_an_organisation_without_one_is_reused(db):
    org = OrganisationFactory()
    OrganisationKey.objects.filter(organisation=org).delete()
    crypto.cache.clear()
    first = crypto.encrypt(SECRET, org.pk)
    second = crypto.encrypt(SECRET, org.pk)
    assert OrganisationKey.objects.filter(organisation=org).count() == 1
    assert crypto.parse(first)[1] == crypto.parse(second)[1]  # type: ignore[index]


def test_shredding_erases_one_organisation_only_and_is_audited(pairs, django_user_model):
    org = pairs.world.org
    other_org = OrganisationFactory()
    message = notes.send_message(pairs.pairing, body=SECRET, author=pairs.mentee)
    other_token = crypto.encrypt("Other organisation's text", other_org.pk)
    wrapped_before = OrganisationKey.objects.get(organisation=org).wrapped

    assert keys.shred_organisation_key(org) == 1

    assert Message.objects.get(pk=message.pk).body == crypto.ERASED
    crypto.cache.clear()
    assert Message.objects.get(pk=message.pk).body == crypto.ERASED
    assert crypto.decrypt(other_token) == "Other organisation's text"
    row = OrganisationKey.objects.get(organisation=org)
    assert row.wrapped == "" and row.shredded_at is not None
    entry = AuditEvent.objects.get(verb="encryption_key.shredded")
    assert entry.organisation == org
    assert entry.data == {"keys": 1}
    assert wrapped_before not in str(entry.data)
    # The organisation can go on: new text gets a fresh key and reads.
    fresh = notes.send_message(pairs.pairing, body="After", author=pairs.mentee)
    assert Message.objects.get(pk=fresh.pk).body == "After"
    assert OrganisationKey.objects.filter(organisation=org, shredded_at__isnull=True).count() == 1


def test_a_shredded_key_lives_in_another_process_cache_for_the_cache_time_only(
    db, settings, monkeypatch
):
    org = OrganisationFactory()
    token = crypto.encrypt(SECRET, org.pk)
    key_id = crypto.parse(token)[1]  # type: ignore[index]
    crypto.cache.clear()
    assert crypto.decrypt(token) == SECRET  # this "other process" now has the key cached
    # Shredded elsewhere: this process's cache is not told.
    OrganisationKey.objects.filter(pk=key_id).update(wrapped="", shredded_at="2026-01-01T00:00Z")
    assert crypto.decrypt(token) == SECRET
    now = crypto.time.monotonic()
    monkeypatch.setattr(
        crypto.time, "monotonic", lambda: now + settings.ENCRYPTION_KEY_CACHE_SECONDS + 1
    )
    assert crypto.decrypt(token) == crypto.ERASED


def test_the_key_cache_is_bounded(monkeypatch):
    monkeypatch.setattr(crypto, "CACHE_SIZE", 3)
    cache = crypto._KeyCache()
    for n in range(1, 6):
        cache.put(crypto.DataKey(n, n, None), active=True)
    assert cache.by_id(1) is None and cache.by_id(2) is None
    assert cache.by_id(5) is not None
    assert len(cache._by_key) == 3 and len(cache._active) == 3


def test_update_with_plaintext_fails_loudly_and_sealed_values_work(pairs):
    message = notes.send_message(pairs.pairing, body="first", author=pairs.mentee)
    with (
        pytest.raises(crypto.MissingOrganisationKey, match=r"notes\.Message\.body is encrypted"),
        transaction.atomic(),
    ):
        Message.objects.filter(pk=message.pk).update(body="plain")
    with (
        pytest.raises(crypto.MissingOrganisationKey, match="cannot be searched"),
        transaction.atomic(),
    ):
        list(Message.objects.filter(body="first"))
    assert Message.objects.get(pk=message.pk).body == "first"
    Message.objects.filter(pk=message.pk).update(body=sealed(message, "body", "second"))
    assert Message.objects.get(pk=message.pk).body == "second"
    assert crypto.token_organisation(raw("notes_message", "body", message.pk)) == pairs.world.org.pk
    # Clearing needs no key.
    assert Message.objects.filter(pk=message.pk).exclude(body="").update(body="") == 1


def test_every_model_with_an_encrypted_field_says_how_to_find_its_organisation():
    models_with_fields = {model for model, _field in encrypted_fields()}
    assert models_with_fields, "no encrypted fields found"
    for model in models_with_fields:
        path = organisation_path(model)
        assert path, f"{model._meta.label} has an encrypted field and no encryption_organisation"
        assert path.endswith("organisation_id"), model._meta.label
        # The path is a valid ORM lookup too (rotation and migrations use it).
        lookup = lookup_for(model)
        assert lookup is not None
        str(model._base_manager.values_list("pk", lookup).query)
    assert all(
        isinstance(f, (EncryptedTextField, EncryptedBinaryField)) for _m, f in encrypted_fields()
    )


def test_the_column_migration_helper_encrypts_plaintext_rows_and_reverses(pairs):
    from upward.goals import services as goals

    goal = goals.create_goal(
        pairs.pairing,
        owner=pairs.mentee,
        statement="Lead a meeting",
        measure="Two meetings",
        why=SECRET,
        target_date=dt.date(2030, 1, 1),
        person=pairs.mentee,
    )
    # As it was before the migration: plaintext in the column.
    with connection.cursor() as cursor:
        cursor.execute("UPDATE goals_goal SET why = %s WHERE id = %s", [SECRET, goal.pk])
    step = encrypt_column("goals.Goal", "why", "pairing__programme__organisation_id")
    editor: Any = SimpleNamespace(connection=connection)
    state_apps: Any = apps
    backward: Any = step.reverse_code
    step.code(state_apps, editor)
    stored = raw("goals_goal", "why", goal.pk)
    assert SECRET not in stored
    assert crypto.token_organisation(stored) == pairs.world.org.pk
    assert Goal.objects.get(pk=goal.pk).why == SECRET
    step.code(state_apps, editor)  # twice: tokens are left alone
    assert raw("goals_goal", "why", goal.pk) == stored
    backward(state_apps, editor)
    assert raw("goals_goal", "why", goal.pk) == SECRET


def test_offboarding_dry_run_counts_and_changes_nothing(pairs):
    notes.send_message(pairs.pairing, body=SECRET, author=pairs.mentee)
    out = StringIO()
    call_command("offboard_organisation", pairs.world.org.slug, stdout=out)
    assert "notes.Message: 1" in out.getvalue()
    assert "Dry run" in out.getvalue()
    assert type(pairs.world.org).objects.filter(pk=pairs.world.org.pk).exists()
    assert OrganisationKey.objects.get(organisation=pairs.world.org).shredded_at is None
    assert Message.objects.get().body == SECRET


def test_offboarding_for_real_shreds_then_deletes_everything_under_the_organisation(
    pairs, django_user_model
):
    org = pairs.world.org
    keep = OrganisationFactory(slug="keep")
    keep_token = crypto.encrypt("kept", keep.pk)
    users_before = django_user_model.objects.count()
    org_users = django_user_model.objects.filter(person__organisation=org).count()
    notes.send_message(pairs.pairing, body=SECRET, author=pairs.mentee)
    out = StringIO()
    call_command("offboard_organisation", org.slug, "--for-real", stdout=out)
    assert "Destroyed the encryption key" in out.getvalue()
    assert "Deleted" in out.getvalue()
    assert not type(org).objects.filter(pk=org.pk).exists()
    assert not Message.objects.exists()
    assert not OrganisationKey.objects.filter(organisation_id=org.pk).exists()
    assert django_user_model.objects.count() == users_before - org_users
    entry = AuditEvent.objects.get(verb="organisation.offboarded")
    assert entry.organisation is None and entry.object_id == str(org.pk)
    assert SECRET not in str(entry.data)
    assert crypto.decrypt(keep_token) == "kept"


def test_offboarding_an_unknown_organisation_fails(db):
    with pytest.raises(CommandError, match="No organisation"):
        call_command("offboard_organisation", "nobody", "--for-real", stdout=StringIO())
