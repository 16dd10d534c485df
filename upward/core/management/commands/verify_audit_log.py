"""Check every audit chain from its first entry; exit 1 when any link is broken or missing.

The head hashes it prints are worth keeping somewhere else (a ticket, the backup log): someone
who can write to the database could rebuild a whole chain, but not one that ends in a hash
written down outside it.
"""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand

from upward.core import audit


class Command(BaseCommand):
    help = "Check the audit log's hash chains; exit 1 if any entry was changed or removed."

    def handle(self, *args: Any, **options: Any) -> None:
        broken = 0
        for organisation_id in audit.chain_organisation_ids():
            report = audit.verify_chain(organisation_id)
            name = (
                "no organisation" if organisation_id is None else f"organisation {organisation_id}"
            )
            if report.intact:
                self.stdout.write(
                    f"{name}: {report.checked} entries, intact, head {report.head_hash or '-'}"
                )
            else:
                broken += 1
                self.stdout.write(
                    f"{name}: broken at entry {report.broken_at} ({report.problem}); "
                    f"{report.checked} entries before it are intact"
                )
        if broken:
            self.stderr.write(f"Broken audit chains: {broken}.")
            sys.exit(1)
