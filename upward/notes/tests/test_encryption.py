"""Encryption at rest: a database dump shows ciphertext only, and keys rotate."""

from __future__ import annotations

from io import StringIO

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import connection

from upward.core import crypto
from upward.notes import services
from upward.notes.models import SharedNote
from upward.testing.workspace import make_meeting

SECRET = "Sam told me about the restructure in confidence"


def raw(table: str, column: str, pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])  # noqa: S608
        return cursor.fetchone()[0]


def test_shared_note_and_revision_are_ciphertext_in_the_database(pairs, settings):
    note = services.create_shared_note(
        pairs.pairing, title="Agenda: " + SECRET, body=SECRET, author=pairs.mentor
    )
    for column in ("title", "body"):
        stored = raw("notes_sharednote", column, note.pk)
        assert SECRET not in stored
        assert "Agenda" not in stored
        # It is a Fernet token under the configured key, and opens to the plaintext.
        key = Fernet(settings.ENCRYPTION_KEYS[0].encode())
        assert SECRET in key.decrypt(stored.encode()).decode()
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


def test_rotation_re_encrypts_with_the_new_key_and_is_idempotent(pairs, settings):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.ENCRYPTION_KEYS = [old]
    note = services.create_shared_note(
        pairs.pairing, title="Plan", body=SECRET, author=pairs.mentor
    )
    message = services.send_message(pairs.pairing, body=SECRET, author=pairs.mentee)
    before = raw("notes_sharednote", "body", note.pk)

    settings.ENCRYPTION_KEYS = [new, old]
    out = StringIO()
    call_command("rotate_encryption_keys", stdout=out)
    assert "notes.SharedNote.body: 1 to re-encrypt" in out.getvalue()
    assert "Dry run" in out.getvalue()
    assert raw("notes_sharednote", "body", note.pk) == before  # the dry run wrote nothing

    out = StringIO()
    call_command("rotate_encryption_keys", "--for-real", stdout=out)
    assert "notes.SharedNote.body: 1 re-encrypted" in out.getvalue()
    assert "notes.Message.body: 1 re-encrypted" in out.getvalue()
    after = raw("notes_sharednote", "body", note.pk)
    assert after != before
    assert Fernet(new.encode()).decrypt(after.encode()).decode() == SECRET

    # The old key can go now: everything still reads.
    settings.ENCRYPTION_KEYS = [new]
    assert SharedNote.objects.get(pk=note.pk).body == SECRET
    assert type(message).objects.get(pk=message.pk).body == SECRET

    out = StringIO()
    call_command("rotate_encryption_keys", "--for-real", stdout=out)
    assert "Re-encrypted 0 values" in out.getvalue()


def test_rotation_stops_clearly_when_a_key_is_missing(pairs, settings):
    settings.ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    services.send_message(pairs.pairing, body=SECRET, author=pairs.mentee)
    settings.ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="cannot be decrypted") as exc:
        call_command("rotate_encryption_keys", "--for-real", stdout=StringIO())
    assert SECRET not in str(exc.value)
