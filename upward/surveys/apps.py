from django.apps import AppConfig


class SurveysConfig(AppConfig):
    name = "upward.surveys"
    label = "surveys"

    def ready(self) -> None:
        from upward.surveys.panels import register_panels

        register_panels()
        from upward.notifications.scheduled import register_job

        register_job("upward.surveys.services.send_survey_reminders", order=30)
        # After the reminders: the last anonymous answers of finished surveys (issue 15).
        register_job("upward.surveys.services.write_finished_surveys", order=31)

        from upward.programmes import lifecycle
        from upward.programmes.models import State
        from upward.surveys.programme_end import completion_consequences, open_end_surveys

        lifecycle.register(
            State.COMPLETED,
            name="surveys.end_survey",
            order=30,
            consequences=completion_consequences,
            effect=open_end_surveys,
        )

        from upward.surveys.cohorts import register as register_cohort_copier

        register_cohort_copier()

        from upward.consent.signals import consent_withdrawn
        from upward.surveys.consent import strip_groups_on_withdrawal

        consent_withdrawn.connect(
            strip_groups_on_withdrawal, dispatch_uid="surveys.strip_groups_on_withdrawal"
        )
