"""The outbox hardened: a state and finish time per email, the person it is for, and bodies and
attachment bytes encrypted at rest.

Existing rows are carried over: sent ones become "sent" (finished when they were sent), and the
text of unsent ones is encrypted in place (the columns stay text). Unsent ones the old sender
had given up (8 attempts) become "given up" with their text cleared, so they are not sent late. Attachment bytes move through
a new column, since a binary column cannot be turned into ciphertext by changing its type.
"""

import base64

import django.db.models.deletion
import django.utils.timezone
import upward.core.fields
from django.db import migrations, models

from upward.core import crypto
from upward.core.fields import Sealed


def _no_pending_triggers(schema_editor):
    # PostgreSQL refuses ALTER TABLE on a table with deferred foreign-key checks still pending
    # from the updates below; run them now.
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def carry_emails_over(apps, schema_editor):
    _no_pending_triggers(schema_editor)
    OutboundEmail = apps.get_model("notifications", "OutboundEmail")
    OutboundAttachment = apps.get_model("notifications", "OutboundAttachment")
    OutboundEmail.objects.filter(sent_at__isnull=False).update(
        state="sent", finished_at=models.F("sent_at")
    )
    # Bytes the old sender should have cleared once sent (a crash between its two updates).
    OutboundAttachment.objects.filter(email__sent_at__isnull=False).update(content=b"")
    given_up = OutboundEmail.objects.filter(sent_at__isnull=True, attempts__gte=8)
    OutboundAttachment.objects.filter(email__in=given_up).update(content=b"")
    given_up.update(
        state="given_up", finished_at=django.utils.timezone.now(), body="", html="", claim=""
    )
    # body and html are still plain text fields here: encrypt by hand.
    for row in OutboundEmail.objects.filter(sent_at__isnull=True).only("pk", "body", "html"):
        OutboundEmail.objects.filter(pk=row.pk).update(
            body=crypto.encrypt(row.body) if row.body else "",
            html=crypto.encrypt(row.html) if row.html else "",
        )


def carry_emails_back(apps, schema_editor):
    _no_pending_triggers(schema_editor)
    OutboundEmail = apps.get_model("notifications", "OutboundEmail")
    # The old sender knows no states, only "8 attempts means given up": a given-up or cancelled
    # email (its text already cleared) must not come back as one to send.
    OutboundEmail.objects.filter(
        sent_at__isnull=True, state__in=("given_up", "cancelled"), attempts__lt=8
    ).update(attempts=8)
    # body and html are plain text fields again here, holding ciphertext: decrypt by hand.
    for row in OutboundEmail.objects.only("pk", "body", "html"):
        OutboundEmail.objects.filter(pk=row.pk).update(
            body=crypto.decrypt(row.body) if row.body else "",
            html=crypto.decrypt(row.html) if row.html else "",
        )


def carry_attachments_over(apps, schema_editor):
    _no_pending_triggers(schema_editor)
    OutboundAttachment = apps.get_model("notifications", "OutboundAttachment")
    for row in OutboundAttachment.objects.only("pk", "content"):
        # The new field encrypts on write.
        content = bytes(row.content or b"")
        OutboundAttachment.objects.filter(pk=row.pk).update(
            # Sealed: a ready-made token (under the master keys; rotate_encryption_keys later
            # moves it to the organisation's key), since update() has no instance to encrypt for.
            encrypted_content=Sealed(crypto.encrypt(base64.b64encode(content).decode("ascii")))
            if content
            else ""
        )


def carry_attachments_back(apps, schema_editor):
    _no_pending_triggers(schema_editor)
    OutboundAttachment = apps.get_model("notifications", "OutboundAttachment")
    for row in OutboundAttachment.objects.only("pk", "encrypted_content"):
        OutboundAttachment.objects.filter(pk=row.pk).update(content=row.encrypted_content)



class Migration(migrations.Migration):

    dependencies = [
        ('notifications', '0002_outbound_email'),
        ('organisations', '0003_organisation_domains'),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='outboundemail',
            name='outbound_email_pending',
        ),
        migrations.AddField(
            model_name='outboundemail',
            name='finished_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='outboundemail',
            name='person',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='outbound_emails', to='organisations.person'),
        ),
        migrations.AddField(
            model_name='outboundemail',
            name='state',
            field=models.CharField(choices=[('queued', 'Waiting to be sent'), ('sent', 'Sent'), ('given_up', 'Given up'), ('cancelled', 'Cancelled')], default='queued', max_length=20),
        ),
        migrations.RunPython(carry_emails_over, carry_emails_back),
        migrations.AlterField(
            model_name='outboundemail',
            name='body',
            field=upward.core.fields.EncryptedTextField(blank=True),
        ),
        migrations.AlterField(
            model_name='outboundemail',
            name='html',
            field=upward.core.fields.EncryptedTextField(blank=True),
        ),
        migrations.AddField(
            model_name='outboundattachment',
            name='encrypted_content',
            field=upward.core.fields.EncryptedBinaryField(blank=True, default=b''),
        ),
        migrations.RunPython(carry_attachments_over, carry_attachments_back),
        migrations.RemoveField(
            model_name='outboundattachment',
            name='content',
        ),
        migrations.RenameField(
            model_name='outboundattachment',
            old_name='encrypted_content',
            new_name='content',
        ),
        migrations.AddIndex(
            model_name='outboundemail',
            index=models.Index(condition=models.Q(('state', 'queued')), fields=['next_attempt_at'], name='outbound_email_pending'),
        ),
        migrations.AddConstraint(
            model_name='outboundemail',
            constraint=models.CheckConstraint(condition=models.Q(('state__in', ['queued', 'sent', 'given_up', 'cancelled'])), name='outbound_email_state_valid'),
        ),
        migrations.AddConstraint(
            model_name='outboundemail',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('finished_at__isnull', True), ('state', 'queued')), models.Q(models.Q(('state', 'queued'), _negated=True), ('finished_at__isnull', False)), _connector='OR'), name='outbound_email_finished_when_not_queued'),
        ),
    ]
