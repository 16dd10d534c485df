"""Create the database cache table the rate limits count in (config.settings.base CACHES).

`manage.py createcachetable` does the same, but a deployment that forgot it would answer every
sign-in with a 500; as a migration it cannot be forgotten. It creates only missing tables and
does nothing when the cache is Redis, so running it again is safe.
"""

from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("core", "0001_audit_event")]

    operations = [migrations.RunPython(create_cache_table, migrations.RunPython.noop)]
