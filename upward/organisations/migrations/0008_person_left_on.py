"""Person.left_on: the day someone was marked as left.

Before this the directory kept no leaving date, only `is_active`. For people who have already
left, the date is recovered from the audit log, as the programme report did until now: the
latest "marked as left", or directory change that unticked "still here", not followed by
"marked back". Someone who left with no such entry keeps no date; reports leave them out of
retention rates rather than guess.
"""

from django.db import migrations, models
from django.utils import timezone


def recover_leaving_dates(apps, schema_editor):  # type: ignore[no-untyped-def]
    Person = apps.get_model("organisations", "Person")
    AuditEvent = apps.get_model("core", "AuditEvent")
    leavers = set(Person.objects.filter(is_active=False).values_list("pk", flat=True))
    if not leavers:
        return
    found: dict[int, object] = {}
    events = (
        AuditEvent.objects.filter(
            object_type="organisations.person",
            verb__in=("person.marked_left", "person.updated", "person.marked_back"),
        )
        .order_by("created_at", "id")
        .values_list("object_id", "verb", "data", "created_at")
    )
    for object_id, verb, data, at in events.iterator(chunk_size=2000):
        try:
            pk = int(object_id)
        except ValueError:
            continue
        if pk not in leavers:
            continue
        if verb == "person.updated" and "is_active" not in (data or {}).get("fields", []):
            continue
        if verb == "person.marked_back":
            found.pop(pk, None)
        else:
            found[pk] = timezone.localdate(at)
    by_day: dict[object, list[int]] = {}
    for pk, day in found.items():
        by_day.setdefault(day, []).append(pk)
    for day, pks in by_day.items():
        Person.objects.filter(pk__in=pks).update(left_on=day)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0004_audit_hash_chain"),
        ("organisations", "0007_encrypt_free_text"),
    ]

    operations = [
        migrations.AddField(
            model_name="person",
            name="left_on",
            field=models.DateField(blank=True, editable=False, null=True),
        ),
        migrations.RunPython(recover_leaving_dates, migrations.RunPython.noop, elidable=True),
    ]
