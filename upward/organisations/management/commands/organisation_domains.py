from django.core.management.base import BaseCommand, CommandError, CommandParser

from upward.core.errors import DomainError
from upward.organisations.models import Organisation, OrganisationDomain
from upward.organisations.services import add_organisation_domain, remove_organisation_domain


class Command(BaseCommand):
    help = (
        "List, add or remove the email domains an organisation owns. People whose verified "
        "address is in an organisation's domain can sign up and be linked to its directory by "
        "themselves, and no other organisation can add them. Only add a domain after checking "
        "that the organisation owns it. Examples: manage.py organisation_domains list; "
        "manage.py organisation_domains add acme acme.example acme.co.uk; "
        "manage.py organisation_domains remove acme acme.co.uk"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="{list,add,remove}")
        listing = actions.add_parser("list", help="Show each organisation's domains.")
        listing.add_argument("slug", nargs="?", help="Only this organisation (its short name).")
        for name, text in (
            ("add", "Give an organisation one or more domains."),
            ("remove", "Take one or more domains away from an organisation."),
        ):
            sub = actions.add_parser(name, help=text)
            sub.add_argument("slug", help="The organisation's short name, e.g. acme.")
            sub.add_argument("domains", nargs="+", metavar="domain", help="e.g. acme.example")

    def _organisation(self, slug: str) -> Organisation:
        organisation = Organisation.objects.filter(slug=slug).first()
        if organisation is None:
            known = ", ".join(Organisation.objects.values_list("slug", flat=True)) or "none yet"
            raise CommandError(f"No organisation has the short name “{slug}”. Known: {known}.")
        return organisation

    def handle(self, *args: object, **options: object) -> None:
        action = options["action"]
        if action == "list":
            self._list(str(options["slug"]) if options.get("slug") else None)
            return
        organisation = self._organisation(str(options["slug"]))
        change = add_organisation_domain if action == "add" else remove_organisation_domain
        failed = False
        for domain in options["domains"]:  # type: ignore[attr-defined]
            try:
                done = change(organisation, domain=str(domain))
            except DomainError as exc:
                failed = True
                self.stderr.write(f"{domain}: {exc.message}")
            else:
                verb = "now belongs to" if action == "add" else "no longer belongs to"
                self.stdout.write(self.style.SUCCESS(f"{done} {verb} {organisation.name}."))
        if failed:
            raise CommandError("Some domains were not changed (see above).")

    def _list(self, slug: str | None) -> None:
        organisations = [self._organisation(slug)] if slug else list(Organisation.objects.all())
        domains: dict[int, list[str]] = {}
        for org_id, domain in OrganisationDomain.objects.values_list("organisation_id", "domain"):
            domains.setdefault(org_id, []).append(domain)
        if not organisations:
            self.stdout.write("No organisations yet.")
        for organisation in organisations:
            owned = ", ".join(sorted(domains.get(organisation.pk, []))) or "(none: invitation only)"
            self.stdout.write(f"{organisation.slug}\t{organisation.name}\t{owned}")
