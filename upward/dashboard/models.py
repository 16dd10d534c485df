from django.db import models


class TeamAlert(models.Model):
    """One day's alert check for a programme: which pairs were flagged and who was waiting
    (ids only, never a reason), so the next day's alert tells the team only what is new. The
    row exists once per programme and day, whether or not anybody was told, which makes the
    daily job safe to run as often as cron likes."""

    programme = models.ForeignKey(
        "programmes.Programme", on_delete=models.CASCADE, related_name="team_alerts"
    )
    day = models.DateField()
    # Pairing ids flagged that day, and "<person id>:<role>" for each person waiting.
    flagged = models.JSONField(default=list, blank=True)
    waiting = models.JSONField(default=list, blank=True)
    new_flagged = models.PositiveIntegerField(default=0)
    new_waiting = models.PositiveIntegerField(default=0)
    people_told = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["programme", "-day"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "day"], name="team_alert_once_a_day"),
        ]

    def __str__(self) -> str:
        return f"Team alert for {self.programme_id} on {self.day}"
