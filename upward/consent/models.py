"""Optional special-category data about a person, and their consent to each purpose.

Every value is encrypted at rest. Consent is an append-only history: a person's current
answer for a purpose is their latest event.
"""

from __future__ import annotations

import json
from typing import Any

from django.db import models
from django.db.models import Q
from django.utils import timezone

from upward.consent.categories import PREFER_NOT
from upward.consent.purposes import Purpose
from upward.core.fields import EncryptedTextField


class AboutYou(models.Model):
    """One person's optional answers. Blank means not answered; `prefer_not` is an answer."""

    # Encrypted under the person's organisation's data key (core.fields).
    encryption_organisation = "person.organisation_id"

    person = models.OneToOneField(
        "organisations.Person", on_delete=models.CASCADE, related_name="about_you"
    )
    ethnicity = EncryptedTextField(blank=True, default="")
    gender_identity = EncryptedTextField(blank=True, default="")
    sexual_orientation = EncryptedTextField(blank=True, default="")
    disability = EncryptedTextField(blank=True, default="")
    social_background = EncryptedTextField(blank=True, default="")
    age_band = EncryptedTextField(blank=True, default="")
    # A JSON list of the organisation's lived-experience topic ids, or "prefer_not".
    lived_experience = EncryptedTextField(blank=True, default="")
    # The items (category keys, or "lived_experience") the person shares with their partner.
    shared_with_partner = models.JSONField(default=list, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "about you"
        verbose_name_plural = "about you"

    def __str__(self) -> str:
        return f"About person {self.person_id}"

    def value(self, key: str) -> str:
        return str(getattr(self, key, "") or "")

    def lived_topic_ids(self) -> list[int]:
        """The chosen lived-experience topic ids (none when blank or "prefer not to say")."""
        raw = self.lived_experience or ""
        if not raw or raw == PREFER_NOT:
            return []
        try:
            ids: Any = json.loads(raw)
        except ValueError:
            return []
        return sorted({int(i) for i in ids if isinstance(i, int)})

    @property
    def lived_prefer_not(self) -> bool:
        return self.lived_experience == PREFER_NOT


class ConsentEvent(models.Model):
    """One answer to one purpose's question: granted or withdrawn, under a wording version.

    Append-only: rows are never changed. They go only with the person (erasure)."""

    person = models.ForeignKey(
        "organisations.Person", on_delete=models.CASCADE, related_name="consent_events"
    )
    purpose = models.CharField(max_length=20, choices=Purpose.choices)
    granted = models.BooleanField()
    version = models.CharField(max_length=40)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["person", "purpose", "-at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(purpose__in=Purpose.values), name="consent_purpose_valid"
            ),
        ]

    def __str__(self) -> str:
        state = "granted" if self.granted else "withdrawn"
        return f"{self.purpose} {state} by person {self.person_id} ({self.version})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not self._state.adding:
            raise ValueError("Consent events are append-only; record a new event instead.")
        super().save(*args, **kwargs)
