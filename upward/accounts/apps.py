from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "upward.accounts"
    label = "accounts"

    def ready(self) -> None:
        from upward.accounts import signals  # noqa: F401
