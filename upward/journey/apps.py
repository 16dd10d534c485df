from django.apps import AppConfig


class JourneyConfig(AppConfig):
    name = "upward.journey"
    label = "journey"

    def ready(self) -> None:
        from upward.notifications.scheduled import register_job

        register_job("upward.journey.services.send_journey_reminders", order=20)
        from upward.journey.cohorts import register as register_cohort_copier

        register_cohort_copier()
