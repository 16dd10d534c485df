import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.test.utils import override_settings

from upward.demo import seed

# While seeding, the emails the services send (decisions, invitations, reminders) go nowhere,
# and tasks run inline: with the database task backend they would otherwise wait in the queue
# and the worker `make run` starts would print every one of them to the console.
QUIET = {
    "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
    "TASKS": {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}},
}


@contextmanager
def _quiet_task_log() -> Iterator[None]:
    # The inline backend logs two lines per task: hundreds of "send_queued_emails" lines.
    logger = logging.getLogger("django_tasks")
    level = logger.level
    logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        logger.setLevel(level)


class Command(BaseCommand):
    help = (
        "Load the demo organisation (about 200 people; a completed pilot, a programme in "
        "recruitment and an active one with events, cohort posts and a resource library; one "
        "account per role). Safe to run again: existing demo data is kept."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--no-accounts",
            action="store_true",
            help="Leave out the list of demo accounts (`make run` prints it just before serving).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        with override_settings(**QUIET), _quiet_task_log():
            org = seed.build_directory()
            programmes = seed.build_programmes(org)
            seed.name_safeguarding_contact(org)
            seed.build_library_and_community(org)
        self.stdout.write(f"Demo organisation: {org.name} ({org.people.count()} people)")
        for programme in programmes:
            self.stdout.write(f"  programme: {programme.name} [{programme.state}]")
        if not options["no_accounts"]:
            write_accounts(self)


def write_accounts(command: BaseCommand) -> None:
    command.stdout.write(command.style.SUCCESS(f"Demo accounts (password: {seed.DEMO_PASSWORD}):"))
    for account in seed.ACCOUNTS:
        command.stdout.write(f"  {account.role:<20} {account.email:<32} {account.what}")
