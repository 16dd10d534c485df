"""Encrypting a column that used to hold plaintext, for the migration that switches it.

    migrations.AlterField(... EncryptedTextField ...),
    encrypt_column("goals", "Goal", "why", "pairing__programme__organisation_id"),

Raw values are read and written with the connection's cursor (the ORM would try to decrypt
them), in primary-key batches; each row's organisation comes from `organisation_lookup` through
the historical model, one query a batch. Values that are already tokens are left alone, so the
step can run twice. Reversing decrypts back to plaintext (a shredded value becomes the
placeholder text, the only thing left of it).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import migrations

from upward.core import crypto

BATCH = 500


def _is_token(value: str) -> bool:
    if value.startswith(crypto.PREFIX):
        return True
    try:
        crypto.master_decrypt(value)
    except crypto.DecryptionError:
        return False
    return True


def _each_batch(
    apps: Any,
    schema_editor: Any,
    label: str,
    field_name: str,
    lookup: str | None,
    change: Callable[[str, int | None], str | None],
) -> int:
    app_label, model_name = label.split(".")
    model = apps.get_model(app_label, model_name)
    connection = schema_editor.connection
    qn = connection.ops.quote_name
    table = qn(model._meta.db_table)
    column = qn(model._meta.get_field(field_name).column)
    pk = qn(model._meta.pk.column)
    changed = 0
    last: Any = None
    while True:
        with connection.cursor() as cursor:
            where = f"WHERE {pk} > %s " if last is not None else ""
            cursor.execute(
                f"SELECT {pk}, {column} FROM {table} {where}ORDER BY {pk} LIMIT {BATCH}",  # noqa: S608
                [last] if last is not None else [],
            )
            rows = cursor.fetchall()
        if not rows:
            return changed
        last = rows[-1][0]
        todo = [(row_pk, value) for row_pk, value in rows if value]
        orgs: dict[Any, Any] = {}
        if lookup and todo:
            manager = model._base_manager.using(connection.alias)
            orgs = {
                str(row_pk): org
                for row_pk, org in manager.filter(pk__in=[p for p, _v in todo]).values_list(
                    "pk", lookup
                )
            }
        with connection.cursor() as cursor:
            for row_pk, value in todo:
                new = change(value, orgs.get(str(model._meta.pk.to_python(row_pk))))
                if new is None or new == value:
                    continue
                cursor.execute(
                    f"UPDATE {table} SET {column} = %s WHERE {pk} = %s",  # noqa: S608
                    [new, row_pk],
                )
                changed += 1


def encrypt_column(
    label: str, field_name: str, organisation_lookup: str | None
) -> migrations.RunPython:
    """A reversible migration step encrypting the existing plaintext of one column."""

    def forward(apps: Any, schema_editor: Any) -> None:
        def seal(value: str, organisation_id: int | None) -> str | None:
            if _is_token(value):
                return None
            return crypto.encrypt(value, organisation_id)

        _each_batch(apps, schema_editor, label, field_name, organisation_lookup, seal)

    def backward(apps: Any, schema_editor: Any) -> None:
        def unseal(value: str, _organisation_id: int | None) -> str | None:
            if not _is_token(value):
                return None
            return crypto.decrypt(value)

        _each_batch(apps, schema_editor, label, field_name, None, unseal)

    return migrations.RunPython(forward, backward, elidable=False)
