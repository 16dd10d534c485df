"""Encryption at rest: a database dump shows ciphertext only, and keys rotate."""

from __future__ import annotations

from io import StringIO

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import connection

from upward.core import crypto
from upward.core.models import OrganisationKey
from upward.notes import services
from upward.notes.models import SharedNote
from upward.testing.workspace import make_meeting

SECRET = "Sam told me about the restructure in confidence"


def raw(table: str, column: str, pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])  # noqa: S608
        return cursor.fetchone()[0]


def test_shared_note_and_revision_are_ciphertext_in_the_database(pairs):
    note = services.create_shared_note(
        pairs.pairing, title="Agenda: " + SECRET, body=SECRET, author=pairs.mentor
    )
    organisation_id = pairs.world.org.pk
    for column in ("title", "body"):
        stored = raw("notes_sharednote", column, note.pk)
        assert SECRET not in stored
        assert "Agenda" not in stored
        # A token under the organisation's data key, named in the token, that opens to the text.
        assert crypto.token_organisation(stored) == organisation_id
        assert SECRET in crypto.decrypt(stored)
    revision = note.revisions.get()
    assert SECRET not in raw("notes_sharednoterevision", "body", revision.pk)
    # The ORM gives the plaintext back.
    assert SharedNote.objects.get(pk=note.pk).body == SECRET


def test_messages_meeting_notes_and_posts_are_ciphertext(pairs):
    message = services.send_message(pairs.pairing, body=SECRET, author=pairs.mentee)
    meeting = make_meeting(pairs.pairing)
    note = services.save_meeting_note(meeting, body=SECRET, author=pairs.mentor)
    assert note is not None
    post = services.post_to_cohort(
        pairs.world.programme, "mentor", body=SECRET, author=pairs.mentor
    )
    for table, pk in (
        ("notes_message", message.pk),
        ("notes_meetingnote", note.pk),
        ("notes_cohortpost", post.pk),
    ):
        stored = raw(table, "body", pk)
        assert SECRET not in stored
        assert crypto.decrypt(stored) == SECRET


def test_two_saves_of_the_same_text_differ_in_the_database(pairs):
    a = services.send_message(pairs.pairing, body="hello", author=pairs.mentee)
    b = services.send_message(pairs.pairing, body="hello", author=pairs.mentee)
    assert raw("notes_message", "body", a.pk) != raw("notes_message", "body", b.pk)


def test_rotation_rewraps_keys_moves_old_tokens_and_is_idempotent(pairs, settings):
    old, new = settings.ENCRYPTION_KEYS[0], Fernet.generate_key().decode()
    note = services.create_shared_note(
        pairs.pairing, title="Plan", body=SECRET, author=pairs.mentor
    )
    message = services.send_message(pairs.pairing, body=SECRET, author=pairs.mentee)
    # A value written before organisation keys: a plain token under the master key.
    legacy = Fernet(old.encode()).encrypt(SECRET.encode()).decode()
    with connection.cursor() as cursor:
        cursor.execute("UPDATE notes_message SET body = %s WHERE id = %s", [legacy, message.pk])
    before = raw("notes_sharednote", "body", note.pk)

    settings.ENCRYPTION_KEYS = [new, old]
    live_keys = OrganisationKey.objects.filter(shredded_at__isnull=True).count()
    out = StringIO()
    call_command("rotate_encryption_keys", stdout=out)
    assert f"Organisation keys: {live_keys} to rewrap" in out.getvalue()
    assert "notes.Message.body: 1 to re-encrypt" in out.getvalue()
    assert "Dry run" in out.getvalue()
    assert raw("notes_message", "body", message.pk) == legacy  # the dry run wrote nothing

    out = StringIO()
    call_command("rotate_encryption_keys", "--for-real", stdout=out)
    assert f"Organisation keys: {live_keys} rewrapped" in out.getvalue()
    assert "notes.Message.body: 1 re-encrypted" in out.getvalue()
    moved = raw("notes_message", "body", message.pk)
    assert crypto.token_organisation(moved) == pairs.world.org.pk
    # Organisation tokens do not change: only their key's wrapping does.
    assert raw("notes_sharednote", "body", note.pk) == before

    # The old master key can go now, even from a process with nothing cached: everything reads.
    settings.ENCRYPTION_KEYS = [new]
    crypto.cache.clear()
    assert SharedNote.objects.get(pk=note.pk).body == SECRET
    assert type(message).objects.get(pk=message.pk).body == SECRET

    out = StringIO()
    call_command("rotate_encryption_keys", "--for-real", stdout=out)
    assert "Organisation keys: 0 rewrapped" in out.getvalue()
    assert "Re-encrypted 0 values" in out.getvalue()


def test_rotation_stops_clearly_when_a_key_is_missing(pairs, settings):
    services.send_message(pairs.pairing, body=SECRET, author=pairs.mentee)
    settings.ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="cannot be decrypted") as exc:
        call_command("rotate_encryption_keys", "--for-real", stdout=StringIO())
    assert SECRET not in str(exc.value)
