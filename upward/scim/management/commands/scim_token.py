"""Make an organisation service token with the scim scope and print it (once).

    manage.py scim_token --organisation acme [--create-org] [--name "Entra ID"]

--create-org makes the organisation when it does not exist (for CI and a first try-out),
with a level, a department and a team for the conformance checker to use."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from upward.accounts.models import TokenKind, TokenScope
from upward.accounts.tokens import issue_token
from upward.organisations import services
from upward.organisations.models import Organisation


class Command(BaseCommand):
    help = "Make a SCIM service token for an organisation and print it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--organisation", required=True, help="The organisation's slug.")
        parser.add_argument("--name", default="SCIM provisioning", help="The token's name.")
        parser.add_argument(
            "--create-org",
            action="store_true",
            help="Make the organisation (with a level, a department and a team) if missing.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        slug = options["organisation"]
        organisation = Organisation.objects.filter(slug=slug).first()
        if organisation is None:
            if not options["create_org"]:
                raise CommandError(f"No organisation {slug}; add --create-org to make it.")
            organisation, _admin = services.create_organisation(
                name=slug.title(),
                slug=slug,
                admin_email=f"admin@{slug}.example",
                admin_name="Organisation Admin",
                levels=("Associate", "Director"),
            )
            department = services.create_department(organisation, by=None, name="Engineering")
            services.create_team(department, by=None, name="Platform")
        _token, raw = issue_token(
            kind=TokenKind.SERVICE,
            organisation=organisation,
            name=options["name"],
            scopes=[TokenScope.SCIM],
            by=None,
        )
        self.stdout.write(raw)
