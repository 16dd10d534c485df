from django.apps import AppConfig


class SurveysConfig(AppConfig):
    name = "upward.surveys"
    label = "surveys"

    def ready(self) -> None:
        from upward.surveys.panels import register_panels

        register_panels()
        from upward.notifications.scheduled import register_job

        register_job("upward.surveys.services.send_survey_reminders", order=30)
        from upward.surveys.cohorts import register as register_cohort_copier

        register_cohort_copier()
