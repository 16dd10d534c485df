from django.db import migrations
from django.utils import timezone


def fill_from_person(apps, schema_editor):  # type: ignore[no-untyped-def]
    # The only address we know for an old invitation is the person's email now. If the person
    # changed after the invitation was sent, the address may have changed too, so an open
    # invitation is revoked rather than trusted (the admin can send a new one). Accepted and
    # expired ones keep the person's address for the record.
    invitation_model = apps.get_model("accounts", "AccountInvitation")
    fill(invitation_model.objects.select_related("person").filter(email=""), timezone.now())


def fill(invitations, now):  # type: ignore[no-untyped-def]
    for invitation in invitations:
        invitation.email = invitation.person.email
        fields = ["email"]
        if (
            invitation.accepted_at is None
            and invitation.expires_at > now
            and invitation.person.updated_at > invitation.created_at
        ):
            invitation.revoked_at = now
            fields.append("revoked_at")
        invitation.save(update_fields=fields)


def noop(apps, schema_editor):  # type: ignore[no-untyped-def]
    pass


class Migration(migrations.Migration):
    """Step 2 of 3: fill the address of existing invitations."""

    dependencies = [
        ("accounts", "0003_invitation_email"),
        ("organisations", "0002_people_import"),
    ]

    operations = [
        migrations.RunPython(fill_from_person, noop),
    ]
