from django.apps import AppConfig


class ProgrammesConfig(AppConfig):
    name = "upward.programmes"
    label = "programmes"

    def ready(self) -> None:
        from upward.core.roles import register_privileged_role
        from upward.programmes.access import can_manage_programmes

        # Org admins and programme managers see applicants' and pairs' information.
        register_privileged_role("programme manager or org admin", can_manage_programmes)
