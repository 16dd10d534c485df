from django.apps import AppConfig


class GoalsConfig(AppConfig):
    name = "upward.goals"
    label = "goals"

    def ready(self) -> None:
        from upward.goals.panels import register_panels

        register_panels()
        from upward.goals.cohorts import register as register_cohort_copier

        register_cohort_copier()
