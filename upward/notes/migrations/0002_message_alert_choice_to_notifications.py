"""Copy each "email me when my partner writes" choice into the one notification-preference model
(kind "message"), before the notes app's own copy of the model is removed (0003)."""

from django.db import migrations

KIND = "message"


def copy_forward(apps, schema_editor):
    Old = apps.get_model("notes", "NotificationPreference")
    New = apps.get_model("notifications", "NotificationPreference")
    Person = apps.get_model("organisations", "Person")
    person_of_user = dict(Person.objects.filter(user__isnull=False).values_list("user_id", "pk"))
    rows = []
    for user_id, email_on_message in Old.objects.values_list("user_id", "email_on_message"):
        person_id = person_of_user.get(user_id)
        if person_id is None:
            continue  # an account without a directory person never gets a message alert
        rows.append(
            New(
                person_id=person_id,
                kind=KIND,
                delivery="immediately" if email_on_message else "in_app",
            )
        )
    New.objects.bulk_create(rows, ignore_conflicts=True)


def copy_back(apps, schema_editor):
    Old = apps.get_model("notes", "NotificationPreference")
    New = apps.get_model("notifications", "NotificationPreference")
    for user_id, delivery in New.objects.filter(kind=KIND, person__user__isnull=False).values_list(
        "person__user_id", "delivery"
    ):
        Old.objects.update_or_create(
            user_id=user_id, defaults={"email_on_message": delivery == "immediately"}
        )
    New.objects.filter(kind=KIND).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("notes", "0001_initial"),
        ("notifications", "0002_outbound_email"),
        ("organisations", "0002_people_import"),
    ]

    operations = [migrations.RunPython(copy_forward, copy_back)]
