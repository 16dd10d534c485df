"""The privacy app's own records: the erasure ledger and each organisation's retention rules.

Neither holds personal data: ids, times and numbers of months only (docs/privacy.md)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ErasureRecord(models.Model):
    """One erasure, by ids only. `manage.py restore` reads these to erase again anyone a backup
    taken before the erasure brings back (upward.privacy.restore)."""

    person_id = models.BigIntegerField(db_index=True)
    organisation_id = models.BigIntegerField()
    erased_at = models.DateTimeField(db_index=True)
    # The account of the admin who erased them (an id, not a link: the ledger outlives accounts).
    by_user_id = models.BigIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["erased_at", "id"]

    def __str__(self) -> str:
        return f"person {self.person_id} erased {self.erased_at:%Y-%m-%d}"


class RetentionRule(models.Model):
    """How many whole months an organisation keeps one category of data (upward.privacy.retention).

    No row: the category's default applies. `months` null: kept (only where the category allows).
    """

    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="retention_rules"
    )
    category = models.CharField(max_length=40)
    months = models.PositiveSmallIntegerField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["organisation", "category"]
        verbose_name = _("retention rule")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "category"], name="retention_rule_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.category}: {self.months}"
