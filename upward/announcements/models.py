"""Announcements: a message from the programme team to part of a programme's cohort.

Who received an announcement is stored with it (its `recipients`), so the people who can read it
stay the people it was sent to, even when someone later joins the programme or a pair catches up
with its meeting rhythm.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

TITLE_MAX = 150
BODY_MAX = 5000


class AnnouncementAudience(models.TextChoices):
    EVERYONE = "everyone", _("Everyone taking part")
    MENTORS = "mentors", _("Mentors only")
    MENTEES = "mentees", _("Mentees only")
    BEHIND = "behind", _("Pairs behind their meeting rhythm (both people)")


class Announcement(models.Model):
    programme = models.ForeignKey(
        "programmes.Programme", on_delete=models.CASCADE, related_name="announcements"
    )
    title = models.CharField(_("title"), max_length=TITLE_MAX)
    body = models.TextField(_("message"))
    audience = models.CharField(
        _("who receives it"), max_length=10, choices=AnnouncementAudience.choices
    )
    # The ready-made text it started from, if any (announcements/library.py).
    template_key = models.SlugField(max_length=40, blank=True)
    sent_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    sent_at = models.DateTimeField()
    recipient_count = models.PositiveIntegerField(default=0)
    recipients = models.ManyToManyField("organisations.Person", related_name="+")
    # Made when the confirmation page is shown and sent back with it: the same confirmation
    # sent twice (a double click, a resubmitted form) makes one announcement.
    send_token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)

    class Meta:
        ordering = ["-sent_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(audience__in=AnnouncementAudience.values),
                name="announcement_audience_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.title
