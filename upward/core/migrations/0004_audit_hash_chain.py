"""Chain the audit log: every entry carries its position and the previous entry's hash.

1. New columns (`actor_ref`, `position`, `prev_hash`, `hash`) and the chain heads.
2. The entries written before this migration are chained in the order they were written
   (`created_at`, then id), one chain per organisation and one for entries with no organisation.
3. Unique positions per chain, so no two writers can ever fork a chain.
4. On PostgreSQL, triggers (`upward.core.audit_guard`) refuse to change or delete an entry, with two exceptions Django's own
   cascades need: deleting an account empties `actor` (and nothing else), and deleting a whole
   organisation deletes its entries and chain head (the `pre_delete` receiver in
   `upward.core.signals` names the organisation for the transaction). Its deletion is itself
   recorded in the chain with no organisation.
"""

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models

from upward.core import audit_chain, audit_guard

def chain_existing(apps, schema_editor):
    AuditEvent = apps.get_model("core", "AuditEvent")
    AuditChain = apps.get_model("core", "AuditChain")
    db = schema_editor.connection.alias
    heads: dict = {}
    batch = []
    entries = AuditEvent._base_manager.using(db).order_by("created_at", "id")
    for entry in entries.iterator(chunk_size=2000):
        key = audit_chain.chain_key(entry.organisation_id)
        position, prev_hash, _org = heads.get(key, (0, audit_chain.GENESIS, None))
        entry.position, entry.prev_hash = position + 1, prev_hash
        entry.actor_ref = entry.actor_id
        entry.data = audit_chain.normalise_data(entry.data or {})
        entry.hash = audit_chain.entry_hash(
            position=entry.position,
            prev_hash=entry.prev_hash,
            organisation_id=entry.organisation_id,
            actor_ref=entry.actor_ref,
            verb=entry.verb,
            object_type=entry.object_type,
            object_id=entry.object_id,
            data=entry.data,
            created_at=entry.created_at,
        )
        heads[key] = (entry.position, entry.hash, entry.organisation_id)
        batch.append(entry)
        if len(batch) >= 2000:
            AuditEvent._base_manager.using(db).bulk_update(
                batch, ["position", "prev_hash", "hash", "actor_ref", "data"]
            )
            batch = []
    if batch:
        AuditEvent._base_manager.using(db).bulk_update(
            batch, ["position", "prev_hash", "hash", "actor_ref", "data"]
        )
    AuditChain._base_manager.using(db).bulk_create(
        AuditChain(key=key, organisation_id=org_id, position=position, hash=hash_)
        for key, (position, hash_, org_id) in heads.items()
    )


def guard(apps, schema_editor):
    audit_guard.install(schema_editor.connection)


def unguard(apps, schema_editor):
    audit_guard.uninstall(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0003_organisation_keys"),
        ("organisations", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="AuditChain",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("key", models.CharField(max_length=40, unique=True)),
                ("position", models.PositiveBigIntegerField(default=0)),
                ("hash", models.CharField(default="", max_length=64)),
                (
                    "organisation",
                    models.OneToOneField(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="organisations.organisation",
                    ),
                ),
            ],
        ),
        migrations.AddField(
            model_name="auditevent",
            name="actor_ref",
            field=models.BigIntegerField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="position",
            field=models.PositiveBigIntegerField(default=0),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="auditevent",
            name="prev_hash",
            field=models.CharField(default="", max_length=64),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="auditevent",
            name="hash",
            field=models.CharField(default="", max_length=64),
            preserve_default=False,
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="created_at",
            field=models.DateTimeField(db_index=True, default=django.utils.timezone.now),
        ),
        migrations.RunPython(chain_existing, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="auditevent",
            constraint=models.UniqueConstraint(
                fields=("organisation", "position"), name="audit_one_entry_per_position"
            ),
        ),
        migrations.AddConstraint(
            model_name="auditevent",
            constraint=models.UniqueConstraint(
                condition=models.Q(organisation__isnull=True),
                fields=("position",),
                name="audit_one_entry_per_position_no_org",
            ),
        ),
        migrations.RunPython(guard, unguard),
    ]
