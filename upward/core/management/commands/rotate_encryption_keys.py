"""Re-encrypt every stored note, message and post with the first key in ENCRYPTION_KEYS.

    1. Generate a key:   python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"
    2. Put it FIRST in ENCRYPTION_KEYS, keep the old key after it, deploy.
    3. Run:              manage.py rotate_encryption_keys            (dry run: counts only)
                         manage.py rotate_encryption_keys --for-real
    4. When it reports 0 to re-encrypt, remove the old key and deploy again.

Safe to run again at any time: rows already under the first key are skipped.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from upward.core import crypto
from upward.core.fields import encrypted_fields

BATCH = 500


class Command(BaseCommand):
    help = "Re-encrypt stored notes, messages and posts with the first key in ENCRYPTION_KEYS."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--for-real",
            action="store_true",
            help="Write the re-encrypted values. Without it, only count what would change.",
        )

    def handle(self, *args: Any, for_real: bool = False, **options: Any) -> None:
        total_rotated = total_current = 0
        qn = connection.ops.quote_name
        for model, field in encrypted_fields():
            table, column = model._meta.db_table, str(field.column)
            pk = str(model._meta.pk.column) if model._meta.pk else "id"
            rotated = current = 0
            last_pk: Any = None
            # Raw SQL on purpose: the ORM would decrypt on read, and saving through the model
            # would touch auto_now timestamps. Rows are read in primary-key batches.
            while True:
                with transaction.atomic():
                    with connection.cursor() as cursor:
                        where = f"WHERE {qn(pk)} > %s " if last_pk is not None else ""
                        cursor.execute(
                            f"SELECT {qn(pk)}, {qn(column)} FROM {qn(table)} {where}"  # noqa: S608
                            f"ORDER BY {qn(pk)} LIMIT {BATCH}",
                            [last_pk] if last_pk is not None else [],
                        )
                        rows = cursor.fetchall()
                        for row_pk, token in rows:
                            if not token or crypto.is_current(token):
                                current += 1
                                continue
                            try:
                                new_token = crypto.rotate(token)
                            except crypto.DecryptionError as exc:
                                raise CommandError(
                                    f"{model._meta.label}.{field.name} row {row_pk} cannot be "
                                    "decrypted with any configured key. Was a key removed too "
                                    "early? Nothing after this row was changed."
                                ) from exc
                            rotated += 1
                            if for_real:
                                # Only if the value is still the one read: a write
                                # made meanwhile (an edit, a cleared outbox body) wins.
                                cursor.execute(
                                    f"UPDATE {qn(table)} SET {qn(column)} = %s "  # noqa: S608
                                    f"WHERE {qn(pk)} = %s AND {qn(column)} = %s",
                                    [new_token, row_pk, token],
                                )
                if not rows:
                    break
                last_pk = rows[-1][0]
            verb = "re-encrypted" if for_real else "to re-encrypt"
            self.stdout.write(
                f"{model._meta.label}.{field.name}: {rotated} {verb}, {current} already current"
            )
            total_rotated += rotated
            total_current += current
        verb = "Re-encrypted" if for_real else "Would re-encrypt"
        self.stdout.write(
            self.style.SUCCESS(
                f"{verb} {total_rotated} values; {total_current} were already under the first key."
            )
        )
        if not for_real and total_rotated:
            self.stdout.write("Dry run: nothing was written. Run again with --for-real.")
