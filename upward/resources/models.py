"""The organisation's library of resources, the activity ideas for between sessions, and what
each pair has saved and done."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    ARTICLE = "article", _("Article")
    VIDEO = "video", _("Video")
    PODCAST = "podcast", _("Podcast")
    BOOK = "book", _("Book")
    WORKSHOP = "workshop", _("Workshop")
    ACTIVITY = "activity", _("Activity")


JOURNEY_STEPS = (
    (1, _("1. Introductory meeting")),
    (2, _("2. Goal setting")),
    (3, _("3. Skill progression")),
    (4, _("4. New perspectives")),
    (5, _("5. Leadership development")),
    (6, _("6. Review and feedback")),
)


class Resource(models.Model):
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="resources"
    )
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices)
    summary = models.TextField(
        _("summary"), blank=True, help_text=_("A sentence or two on why a pair might use it.")
    )
    url = models.URLField(_("link"), max_length=500, blank=True)
    file = models.FileField(_("file"), upload_to="resources/%Y/%m/", blank=True, max_length=255)
    topics = models.ManyToManyField(
        "organisations.Topic", blank=True, related_name="+", verbose_name=_("topics")
    )
    journey_step = models.PositiveSmallIntegerField(
        _("suggested step"),
        null=True,
        blank=True,
        choices=JOURNEY_STEPS,
        help_text=_("The session of the six-step journey it suits best, if any."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["title", "id"]
        constraints = [
            # A link or a file: exactly one.
            models.CheckConstraint(
                condition=(Q(url="") & ~Q(file="")) | (~Q(url="") & Q(file="")),
                name="resource_link_or_file",
            ),
            models.CheckConstraint(condition=Q(kind__in=Kind.values), name="resource_kind_valid"),
            models.CheckConstraint(
                condition=Q(journey_step__isnull=True)
                | (Q(journey_step__gte=1) & Q(journey_step__lte=6)),
                name="resource_step_range",
            ),
        ]
        indexes = [models.Index(fields=["organisation", "kind"])]

    def __str__(self) -> str:
        return self.title


class ActivityIdea(models.Model):
    """Something a pair can do between sessions. Organisation empty: offered to everyone."""

    organisation = models.ForeignKey(
        "organisations.Organisation",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="activity_ideas",
    )
    slug = models.SlugField(max_length=60)
    title = models.CharField(_("title"), max_length=150)
    description = models.TextField(_("description"))
    journey_step = models.PositiveSmallIntegerField(
        _("suggested step"), null=True, blank=True, choices=JOURNEY_STEPS
    )
    position = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "slug"], name="activity_slug_unique_per_org"
            ),
            models.UniqueConstraint(
                fields=["slug"],
                condition=Q(organisation__isnull=True),
                name="activity_slug_unique_shared",
            ),
            models.CheckConstraint(
                condition=Q(journey_step__isnull=True)
                | (Q(journey_step__gte=1) & Q(journey_step__lte=6)),
                name="activity_step_range",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class SavedItem(models.Model):
    """A resource or activity a pair keeps on its list, and whether they have done it."""

    pairing = models.ForeignKey(
        "pairing.Pairing", on_delete=models.CASCADE, related_name="saved_items"
    )
    resource = models.ForeignKey(
        Resource, null=True, blank=True, on_delete=models.CASCADE, related_name="saves"
    )
    activity = models.ForeignKey(
        ActivityIdea, null=True, blank=True, on_delete=models.CASCADE, related_name="saves"
    )
    saved_by = models.ForeignKey(
        "organisations.Person", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    saved_at = models.DateTimeField(auto_now_add=True)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["done_at", "-saved_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(resource__isnull=True) & Q(activity__isnull=False))
                | (Q(resource__isnull=False) & Q(activity__isnull=True)),
                name="saved_item_one_thing",
            ),
            models.UniqueConstraint(
                fields=["pairing", "resource"],
                condition=Q(resource__isnull=False),
                name="save_resource_once",
            ),
            models.UniqueConstraint(
                fields=["pairing", "activity"],
                condition=Q(activity__isnull=False),
                name="save_activity_once",
            ),
        ]

    def __str__(self) -> str:
        return f"Saved {self.pk}"

    @property
    def item(self) -> Resource | ActivityIdea:
        return self.resource or self.activity  # type: ignore[return-value]
