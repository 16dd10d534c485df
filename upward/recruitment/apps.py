from django.apps import AppConfig


class RecruitmentConfig(AppConfig):
    name = "upward.recruitment"
    label = "recruitment"

    def ready(self) -> None:
        from upward.consent import applicability
        from upward.consent.purposes import Purpose
        from upward.recruitment.consent import uses_matching, uses_reporting

        # A person is asked about a purpose only if a programme they applied to uses it.
        applicability.register(Purpose.MATCHING, uses_matching)
        applicability.register(Purpose.REPORTING, uses_reporting)
