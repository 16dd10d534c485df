"""Organisation service tokens for scripts and deployments (docs/integrations.md).

    manage.py api_token create --organisation northwind --name "HR sync" \\
        --scope people:read --scope people:write [--expires-days 90]
    manage.py api_token list [--organisation northwind]
    manage.py api_token revoke <prefix> [--organisation northwind]

`create` prints the secret once, on standard output alone (so a script can capture it); the
rest goes to standard error. Every change is audited as done by the system.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from upward.accounts.models import ApiToken, TokenKind
from upward.accounts.tokens import SERVICE_SCOPES, issue_token, revoke_token
from upward.organisations.models import Organisation


class Command(BaseCommand):
    help = "Make, list and revoke an organisation's API service tokens."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        create = actions.add_parser("create", help="Make a service token; prints its secret.")
        create.add_argument("--organisation", required=True, help="The organisation's slug.")
        create.add_argument("--name", required=True, help="What uses the token.")
        create.add_argument(
            "--scope",
            action="append",
            required=True,
            choices=sorted(SERVICE_SCOPES),
            help="A scope (repeat for several).",
        )
        create.add_argument("--expires-days", type=int, help="Stop working after this many days.")
        listing = actions.add_parser("list", help="List service tokens (never their secrets).")
        listing.add_argument("--organisation", help="Only this organisation's (slug).")
        revoke = actions.add_parser("revoke", help="Revoke a service token by its prefix.")
        revoke.add_argument("prefix", help="The 8 characters after upw_.")
        revoke.add_argument("--organisation", help="The organisation's slug, to be sure.")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "create":
            self._create(options)
        elif action == "list":
            self._list(options.get("organisation"))
        else:
            self._revoke(options["prefix"], options.get("organisation"))

    def _organisation(self, slug: str) -> Organisation:
        organisation = Organisation.objects.filter(slug=slug).first()
        if organisation is None:
            raise CommandError(f"No organisation with the slug {slug!r}.")
        return organisation

    def _create(self, options: dict[str, Any]) -> None:
        organisation = self._organisation(options["organisation"])
        expires_at = None
        days = options.get("expires_days")
        if days is not None:
            if not 1 <= days <= 3650:
                raise CommandError("--expires-days must be between 1 and 3650.")
            expires_at = timezone.now() + dt.timedelta(days=days)
        try:
            token, raw = issue_token(
                kind=TokenKind.SERVICE,
                organisation=organisation,
                name=options["name"],
                scopes=options["scope"],
                by=None,
                expires_at=expires_at,
            )
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self.stderr.write(
            f"Made “{token.name}” for {organisation.slug} ({', '.join(token.scopes)}). "
            "The secret follows; it is not shown again:"
        )
        self.stdout.write(raw)

    def _list(self, slug: str | None) -> None:
        tokens = ApiToken.objects.filter(kind=TokenKind.SERVICE).select_related("organisation")
        if slug:
            tokens = tokens.filter(organisation=self._organisation(slug))
        if not tokens.exists():
            self.stdout.write("No service tokens.")
            return
        for token in tokens:
            if token.revoked_at:
                state = f"revoked {token.revoked_at:%Y-%m-%d}"
            elif not token.is_usable:
                state = "expired"
            elif token.expires_at:
                state = f"until {token.expires_at:%Y-%m-%d}"
            else:
                state = "active"
            used = f"{token.last_used_at:%Y-%m-%d %H:%M}" if token.last_used_at else "never"
            self.stdout.write(
                f"{token.prefix}  {token.organisation.slug}  {token.name}  "
                f"[{' '.join(token.scopes)}]  {state}  last used {used}"
            )

    def _revoke(self, prefix: str, slug: str | None) -> None:
        prefix = prefix.removeprefix("upw_").split("_")[0]
        tokens = ApiToken.objects.filter(kind=TokenKind.SERVICE, prefix=prefix)
        if slug:
            tokens = tokens.filter(organisation=self._organisation(slug))
        found = list(tokens[:2])
        if not found:
            raise CommandError(f"No service token starts with upw_{prefix}_.")
        if len(found) > 1:
            raise CommandError("Several tokens share this prefix: add --organisation.")
        token = found[0]
        if token.revoked_at is not None:
            self.stdout.write(f"“{token.name}” was already revoked.")
            return
        revoke_token(token, by=None)
        self.stdout.write(f"Revoked “{token.name}” ({token.organisation.slug}).")
