"""Move lived experience off applications into the consent app (issue 15).

An application's lived-experience topics, kept with `lived_experience_consent`, become the
person's "About you" lived-experience answer (encrypted), and the tick becomes a matching
consent under the "legacy-application" wording (the words the tick was given under). A
programme with such applications has its matching switch turned on, so matching keeps working
as it did; reporting is not switched on (nobody agreed to it). The old columns are emptied:
nothing reads them any more.
"""

import json

from django.db import migrations

from upward.core.fields import sealed_for

LEGACY_VERSION = "legacy-application"


def forwards(apps, schema_editor):
    Application = apps.get_model("recruitment", "Application")
    AboutYou = apps.get_model("consent", "AboutYou")
    ConsentEvent = apps.get_model("consent", "ConsentEvent")
    Programme = apps.get_model("programmes", "Programme")
    Topic = apps.get_model("organisations", "Topic")
    Person = apps.get_model("organisations", "Person")

    topics_by_person: dict[int, set[int]] = {}
    when_by_person: dict[int, object] = {}
    programmes: set[int] = set()
    consented = Application.objects.filter(lived_experience_consent=True).order_by("updated_at")
    for application in consented.select_related("person"):
        ids = set(
            Topic.objects.filter(
                pk__in=application.lived_experience_topics.values_list("pk", flat=True),
                organisation_id=application.person.organisation_id,
                kind="experience",
            ).values_list("pk", flat=True)
        )
        topics_by_person.setdefault(application.person_id, set()).update(ids)
        when_by_person[application.person_id] = application.updated_at
        programmes.add(application.programme_id)
    for person_id, ids in topics_by_person.items():
        about, _created = AboutYou.objects.get_or_create(person_id=person_id)
        try:
            existing = set(json.loads(about.lived_experience)) if about.lived_experience else set()
        except ValueError:
            existing = set()
        if about.lived_experience != "prefer_not" and (ids | existing):
            # Historical models do not carry `encryption_organisation`: seal the value for the
            # person's organisation explicitly and write it with update().
            organisation_id = Person.objects.values_list("organisation_id", flat=True).get(
                pk=person_id
            )
            AboutYou.objects.filter(pk=about.pk).update(
                lived_experience=sealed_for(organisation_id, json.dumps(sorted(ids | existing)))
            )
        ConsentEvent.objects.create(
            person_id=person_id,
            purpose="matching",
            granted=True,
            version=LEGACY_VERSION,
            at=when_by_person[person_id],
        )
    Programme.objects.filter(pk__in=programmes).update(special_category_matching=True)
    Through = Application.lived_experience_topics.through
    Through.objects.all().delete()
    Application.objects.filter(lived_experience_consent=True).update(
        lived_experience_consent=False
    )


class Migration(migrations.Migration):
    dependencies = [
        ("recruitment", "0002_application_internal_note"),
        ("consent", "0001_about_you_and_consent_events"),
        ("programmes", "0004_special_category_switches"),
        ("core", "0003_organisation_keys"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
