from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from upward.organisations.models import Organisation
from upward.organisations.offboarding import deletion_counts, offboard


class Command(BaseCommand):
    help = (
        "Offboard an organisation: destroy its encryption key (its encrypted text becomes "
        "unreadable at once), then delete the organisation, everything under it and its people's "
        "accounts. A dry run by default: it only counts. Add --for-real to do it. This cannot be "
        "undone; take a backup first if the organisation may want its data back."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug", help="The organisation's short name, e.g. acme.")
        parser.add_argument(
            "--for-real",
            action="store_true",
            help="Shred the key and delete. Without it, only report what would be deleted.",
        )

    def handle(self, *args: Any, slug: str, for_real: bool = False, **options: Any) -> None:
        organisation = Organisation.objects.filter(slug=slug).first()
        if organisation is None:
            raise CommandError(f"No organisation has the short name “{slug}”.")
        if for_real:
            counts = offboard(organisation)
            self.stdout.write(f"Destroyed the encryption key of “{slug}”.")
        else:
            counts = deletion_counts(organisation)
        verb = "Deleted" if for_real else "Would delete"
        for label, n in counts.items():
            self.stdout.write(f"{label}: {n}")
        self.stdout.write(self.style.SUCCESS(f"{verb} {sum(counts.values())} rows for “{slug}”."))
        if not for_real:
            self.stdout.write("Dry run: nothing was changed. Run again with --for-real.")
