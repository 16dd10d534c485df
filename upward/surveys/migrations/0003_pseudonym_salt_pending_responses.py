"""Issue 15: anonymous surveys that stay anonymous.

Adds the per-organisation pseudonym salt and the buffer of waiting anonymous answers, and
re-keys the pseudonyms already stored (docs/surveys-and-outcomes.md, "Old pseudonyms"):

- Every pseudonym written under the old key (derived from SECRET_KEY) that belongs to someone
  who answered or took part in the programme is recomputed under the new key (the
  SURVEY_PSEUDONYM_SECRET setting and the organisation's salt), so in-flight programmes still
  pair start and end answers. Nothing is left under the old key.
- A legacy pseudonym nobody can be found for (the person was deleted) gets one random
  replacement, the same for all its rows, so its start and end still pair but SECRET_KEY can
  no longer name it.
- Anonymous answers to surveys that never pair (midpoint, after each session) get a random
  pseudonym per answer and lose the occasion hash.
- Every anonymous survey's answers are re-inserted in a random order, so their physical order
  no longer follows the order people answered in.
"""

import hashlib
import hmac
import secrets
import uuid

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import upward.core.fields

PAIRED_TIMINGS = {"start", "end", "follow_up_3", "follow_up_6"}


def _hex(key: bytes, message: str) -> str:
    return hmac.new(key, message.encode(), hashlib.sha256).hexdigest()


def rekey(apps, schema_editor):  # type: ignore[no-untyped-def]
    Survey = apps.get_model("surveys", "Survey")
    Response = apps.get_model("surveys", "Response")
    Answer = apps.get_model("surveys", "Answer")
    Submission = apps.get_model("surveys", "Submission")
    PseudonymSalt = apps.get_model("surveys", "PseudonymSalt")
    Programme = apps.get_model("programmes", "Programme")
    Application = apps.get_model("recruitment", "Application")
    old_key = hmac.new(
        settings.SECRET_KEY.encode(), b"upward.surveys.pseudonym.v1", hashlib.sha256
    ).digest()
    rng = secrets.SystemRandom()
    programme_ids = sorted(set(Response.objects.values_list("survey__programme_id", flat=True)))
    for programme_id in programme_ids:
        organisation_id = Programme.objects.values_list("organisation_id", flat=True).get(
            pk=programme_id
        )
        salt, _made = PseudonymSalt.objects.get_or_create(
            organisation_id=organisation_id, defaults={"salt": secrets.token_hex(32)}
        )
        new_key = hmac.new(
            str(settings.SURVEY_PSEUDONYM_SECRET).encode(),
            b"upward.surveys.pseudonym.v2:" + salt.salt.encode(),
            hashlib.sha256,
        ).digest()
        people = set(
            Submission.objects.filter(survey__programme_id=programme_id).values_list(
                "person_id", flat=True
            )
        ) | set(
            Application.objects.filter(programme_id=programme_id).values_list(
                "person_id", flat=True
            )
        )
        renamed: dict[str, str] = {}
        for person_id in people:
            for namespace in ("", "identified:"):
                message = f"{namespace}{programme_id}:{person_id}"
                renamed[_hex(old_key, message)] = _hex(new_key, message)
        orphans: dict[str, str] = {}
        for survey in Survey.objects.filter(programme_id=programme_id).order_by("pk"):
            paired = survey.timing in PAIRED_TIMINGS
            named = list(Response.objects.filter(survey=survey, is_anonymous=False))
            for response in named:
                response.pseudonym = renamed.get(response.pseudonym) or orphans.setdefault(
                    response.pseudonym, secrets.token_hex(32)
                )
            Response.objects.bulk_update(named, ["pseudonym"])
            anonymous = list(Response.objects.filter(survey=survey, is_anonymous=True))
            if not anonymous:
                continue
            answers = list(Answer.objects.filter(response__in=anonymous))
            by_response: dict[object, list[object]] = {}
            for answer in answers:
                by_response.setdefault(answer.response_id, []).append(answer)
            for response in anonymous:
                if paired:
                    response.pseudonym = renamed.get(response.pseudonym) or orphans.setdefault(
                        response.pseudonym, secrets.token_hex(32)
                    )
                else:
                    response.pseudonym = secrets.token_hex(32)
                    response.occasion_key = ""
            rng.shuffle(anonymous)
            Answer.objects.filter(response__in=anonymous).delete()
            Response.objects.filter(pk__in=[r.pk for r in anonymous]).delete()
            Response.objects.bulk_create(anonymous)
            Answer.objects.bulk_create(
                answer for response in anonymous for answer in by_response.get(response.pk, [])
            )


class Migration(migrations.Migration):
    dependencies = [
        ("organisations", "0006_people_import_background"),
        ("surveys", "0002_survey_sent_at"),
        ("programmes", "0001_initial"),
        ("recruitment", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="PendingResponse",
            fields=[
                (
                    "id",
                    models.UUIDField(
                        default=uuid.uuid4, editable=False, primary_key=True, serialize=False
                    ),
                ),
                ("payload", upward.core.fields.EncryptedTextField()),
                (
                    "survey",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="surveys.survey",
                    ),
                ),
            ],
        ),
        migrations.CreateModel(
            name="PseudonymSalt",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("salt", models.CharField(max_length=64)),
                (
                    "organisation",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="organisations.organisation",
                    ),
                ),
            ],
        ),
        migrations.RunPython(rekey, migrations.RunPython.noop),
    ]
