from django.apps import AppConfig


class OrganisationsConfig(AppConfig):
    name = "upward.organisations"
    label = "organisations"

    def ready(self) -> None:
        from upward.core import restore_hooks
        from upward.organisations import offboarding

        # A restore must not bring back a destroyed key or an offboarded organisation.
        restore_hooks.register(
            "organisations.offboarding",
            before=offboarding.restore_before,
            after=offboarding.restore_after,
        )
