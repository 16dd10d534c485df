from django.core.management.base import BaseCommand
from django.test.utils import override_settings

from upward.demo import seed


class Command(BaseCommand):
    help = (
        "Load the demo organisation (about 200 people; a completed pilot, a programme in "
        "recruitment and an active one; one account per role). Safe to run again: existing demo "
        "data is kept."
    )

    def handle(self, *args: object, **options: object) -> None:
        # The demo's colleagues are fictional: do not print dozens of decision emails.
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
            org = seed.build_directory()
            programmes = seed.build_programmes(org)
            seed.name_safeguarding_contact(org)
        self.stdout.write(f"Demo organisation: {org.name} ({org.people.count()} people)")
        for programme in programmes:
            self.stdout.write(f"  programme: {programme.name} [{programme.state}]")
        self.stdout.write(self.style.SUCCESS(f"Demo accounts (password: {seed.DEMO_PASSWORD}):"))
        for account in seed.ACCOUNTS:
            self.stdout.write(f"  {account.role:<20} {account.email:<32} {account.what}")
