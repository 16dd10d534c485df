"""Rotate the master keys, rewrap every organisation key, and move old values to organisation keys.

    1. Generate a key:   python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"
    2. Put it FIRST in ENCRYPTION_KEYS, keep the old key after it, deploy.
    3. Run:              manage.py rotate_encryption_keys            (dry run: counts only)
                         manage.py rotate_encryption_keys --for-real
    4. When it reports 0 to rewrap and 0 to re-encrypt, remove the old key and deploy again.

Organisation data keys are rewrapped (re-encrypted) under the first master key; the values they
encrypt do not change. Values written before envelope keys (plain tokens under the master keys)
are re-encrypted under their organisation's data key, or under the first master key if they
belong to no organisation. Safe to run again at any time: what is current is skipped.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from upward.core import crypto, keys
from upward.core.fields import encrypted_fields, lookup_for

BATCH = 500


class Command(BaseCommand):
    help = (
        "Rewrap organisation keys under the first key in ENCRYPTION_KEYS and move values "
        "still under the master keys to their organisation's key."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--for-real",
            action="store_true",
            help="Write the changes. Without it, only count what would change.",
        )

    def handle(self, *args: Any, for_real: bool = False, **options: Any) -> None:
        try:
            with transaction.atomic():
                rewrapped, keys_current = keys.rewrap_all(for_real=for_real)
        except crypto.DecryptionError as exc:
            raise CommandError(
                "An organisation key cannot be decrypted with any key in ENCRYPTION_KEYS. Was a "
                "master key removed too early? No key was changed."
            ) from exc
        verb = "rewrapped" if for_real else "to rewrap"
        self.stdout.write(f"Organisation keys: {rewrapped} {verb}, {keys_current} already current")

        total_rotated = total_current = 0
        qn = connection.ops.quote_name
        for model, field in encrypted_fields():
            table, column = model._meta.db_table, str(field.column)
            pk_field = model._meta.pk
            assert pk_field is not None
            pk = str(pk_field.column)
            lookup = lookup_for(model)
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
                    legacy = [(p, t) for p, t in rows if t and crypto.parse(t) is None]
                    current += len(rows) - len(legacy)
                    orgs: dict[str, Any] = {}
                    if legacy and lookup:
                        orgs = {
                            str(p): org
                            for p, org in model._base_manager.filter(
                                pk__in=[p for p, _t in legacy]
                            ).values_list("pk", lookup)
                        }
                    with connection.cursor() as cursor:
                        for row_pk, token in legacy:
                            org = orgs.get(str(pk_field.to_python(row_pk)))
                            if crypto.is_current(token, org):
                                current += 1
                                continue
                            try:
                                new_token = crypto.rotate(token, org)
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
                f"{verb} {total_rotated} values; {total_current} were already current."
            )
        )
        if not for_real and (total_rotated or rewrapped):
            self.stdout.write("Dry run: nothing was written. Run again with --for-real.")
