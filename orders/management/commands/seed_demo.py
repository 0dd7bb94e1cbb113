from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from orders.demo import DEMO_PASSWORD, seed_demo


class Command(BaseCommand):
    help = (
        "Create or refresh the demo catalog, customers, products and one user per role (idempotent). "
        "With DEBUG off the users' password is DEMO_PASSWORD, which must pass the password rules."
    )

    def handle(self, *args, **options):
        password = settings.DEMO_PASSWORD or DEMO_PASSWORD
        if not settings.DEBUG:
            # Anywhere but a developer's machine, demo users are real accounts: no well-known password.
            try:
                validate_password(password)
            except ValidationError as error:
                raise CommandError(
                    "DEBUG is off, so the demo users need a strong password: set DEMO_PASSWORD to one that "
                    f"passes the password rules ({' '.join(error.messages)})"
                ) from None
        users = seed_demo(password)
        shown = password if password == DEMO_PASSWORD else "<DEMO_PASSWORD>"
        self.stdout.write(self.style.SUCCESS("Demo data ready. Log in at /accounts/login/ with:"))
        for username, role in users.items():
            self.stdout.write(f"  {username:<11} / {shown}   {role}")
