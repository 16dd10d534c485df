from django.apps import AppConfig


class ProgrammesConfig(AppConfig):
    name = "upward.programmes"
    label = "programmes"

    def ready(self) -> None:
        from upward.core.roles import register_privileged_role
        from upward.organisations.signals import department_deletion_requested
        from upward.programmes.access import can_manage_programmes
        from upward.programmes.cohorts import register_own_copiers
        from upward.programmes.signals import refuse_deleting_an_eligible_department

        # Org admins and programme managers see applicants' and pairs' information.
        register_privileged_role("programme manager or org admin", can_manage_programmes)
        register_own_copiers()
        department_deletion_requested.connect(
            refuse_deleting_an_eligible_department,
            dispatch_uid="programmes.refuse_deleting_an_eligible_department",
        )
