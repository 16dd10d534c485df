from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse

from upward.accounts.services import invite_person_to_upward
from upward.core.errors import DomainError
from upward.core.links import absolute_url
from upward.organisations.services import DEFAULT_LEVELS, create_organisation


class Command(BaseCommand):
    help = (
        "Create an organisation with its levels and its first admin, and invite the admin by "
        "email. Example: manage.py create_organisation --name 'Acme Ltd' --slug acme "
        "--admin-email priya@acme.example --admin-name 'Priya Shah' --domain acme.example"
    )

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("--name", required=True, help="The organisation's name.")
        parser.add_argument("--slug", required=True, help="A short unique name, e.g. acme.")
        parser.add_argument("--admin-email", required=True, help="The first admin's email.")
        parser.add_argument("--admin-name", required=True, help="The first admin's full name.")
        parser.add_argument(
            "--levels",
            default=",".join(DEFAULT_LEVELS),
            help="Grade bands from most junior to most senior, comma-separated "
            "(default: %(default)s).",
        )
        parser.add_argument(
            "--domain",
            action="append",
            default=[],
            dest="domains",
            metavar="DOMAIN",
            help="An email domain the organisation owns, e.g. acme.example (repeat for several). "
            "People with addresses there can sign up by themselves and no other organisation "
            "can add them. Check the organisation really owns it. Without one, people join "
            "only by invitation.",
        )
        parser.add_argument(
            "--no-invite", action="store_true", help="Do not email the admin an invitation."
        )

    def handle(self, *args: object, **options: object) -> None:
        levels = tuple(x.strip() for x in str(options["levels"]).split(",") if x.strip())
        try:
            organisation, admin = create_organisation(
                name=str(options["name"]),
                slug=str(options["slug"]),
                admin_email=str(options["admin_email"]),
                admin_name=str(options["admin_name"]),
                levels=levels,
                domains=tuple(str(d) for d in options["domains"]),  # type: ignore[attr-defined]
            )
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        domains = ", ".join(organisation.domains.values_list("domain", flat=True)) or "none"
        self.stdout.write(
            self.style.SUCCESS(
                f"Created {organisation.name} with {len(levels)} levels. Email domains: {domains}."
            )
        )
        if options["no_invite"]:
            if organisation.domains.exists():
                self.stdout.write(
                    f"{admin.email} can sign up at {absolute_url(reverse('account_signup'))}"
                )
            else:
                self.stdout.write(
                    "No invitation sent. Without an email domain the admin can join only by "
                    "invitation: run the command again without --no-invite, or add a domain "
                    "with manage.py organisation_domains add."
                )
            return
        invitation = invite_person_to_upward(admin, by=None)
        link = absolute_url(reverse("accept_invitation", args=[invitation.token]))
        self.stdout.write(f"Invitation emailed to {admin.email}. The link: {link}")
