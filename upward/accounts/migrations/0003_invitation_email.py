from django.db import migrations, models


class Migration(migrations.Migration):
    """Step 1 of 3: the address an invitation was sent to, and when it was revoked.

    Added empty; 0004 fills it for existing invitations and 0005 then requires it.
    """

    dependencies = [
        ("accounts", "0002_invitation_person"),
    ]

    operations = [
        migrations.AddField(
            model_name="accountinvitation",
            name="email",
            field=models.EmailField(default="", max_length=254),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="accountinvitation",
            name="revoked_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
    ]
