"""Notifications stored before links were kept relative held absolute links to this site
(http://127.0.0.1:8000/…), which stop working when the site moves host or port. Keep only the
path. Links to other sites are left alone: the open view refuses them anyway."""

from django.db import migrations

from upward.core.links import ForeignLinkError, relative_path


def make_links_relative(apps, schema_editor):
    Notification = apps.get_model("notifications", "Notification")
    absolute = Notification.objects.filter(url__regex=r"^https?://").only("pk", "url")
    for notification in absolute.iterator(chunk_size=500):
        try:
            path = relative_path(notification.url)
        except ForeignLinkError:
            continue
        Notification.objects.filter(pk=notification.pk).update(url=path)


class Migration(migrations.Migration):
    dependencies = [("notifications", "0003_outbox_encrypted_person_state")]

    # Relative links work under any address, so there is nothing to put back.
    operations = [migrations.RunPython(make_links_relative, migrations.RunPython.noop)]
