from typing import Any

from django.core.management.base import BaseCommand

from upward.demo.management.commands.seed_demo import write_accounts


class Command(BaseCommand):
    help = "Print the demo accounts and their password (`make run` does, just before serving)."

    def handle(self, *args: Any, **options: Any) -> None:
        write_accounts(self)
