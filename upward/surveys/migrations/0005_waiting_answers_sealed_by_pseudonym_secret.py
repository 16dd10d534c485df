"""Waiting anonymous answers move from the organisation's data key to a key derived from
SURVEY_PSEUDONYM_SECRET (upward/surveys/fields.py): rows already waiting are re-sealed."""

from django.db import migrations

import upward.surveys.fields
from upward.core import crypto
from upward.surveys.fields import seal, unseal


def _convert(schema_editor, read, write):
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, payload FROM surveys_pendingresponse")
        rows = cursor.fetchall()
        for pk, token in rows:
            if token:
                cursor.execute(
                    "UPDATE surveys_pendingresponse SET payload = %s WHERE id = %s",
                    [write(read(token)), pk],
                )


def forwards(apps, schema_editor):
    _convert(schema_editor, crypto.decrypt, seal)


def backwards(apps, schema_editor):
    # Back under the master keys (no organisation): the older code reads those too.
    _convert(schema_editor, unseal, lambda text: crypto.encrypt(text, None))


class Migration(migrations.Migration):
    dependencies = [
        ("surveys", "0004_encrypt_free_text"),
    ]

    operations = [
        migrations.AlterField(
            model_name="pendingresponse",
            name="payload",
            field=upward.surveys.fields.SealedTextField(),
        ),
        migrations.RunPython(forwards, backwards),
    ]
