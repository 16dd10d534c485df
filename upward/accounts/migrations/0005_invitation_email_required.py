from django.db import migrations, models


class Migration(migrations.Migration):
    """Step 3 of 3: every invitation names its address."""

    dependencies = [
        ("accounts", "0004_fill_invitation_email"),
    ]

    operations = [
        migrations.AddConstraint(
            model_name="accountinvitation",
            constraint=models.CheckConstraint(
                condition=models.Q(("email", ""), _negated=True), name="invitation_email_set"
            ),
        ),
    ]
