from django.core.management.base import BaseCommand

from orders.demo import DEMO_PASSWORD, seed_demo


class Command(BaseCommand):
    help = "Create or refresh the demo catalog, customers, products and one user per role (idempotent)."

    def handle(self, *args, **options):
        users = seed_demo()
        self.stdout.write(self.style.SUCCESS("Demo data ready. Log in at /accounts/login/ with:"))
        for username, role in users.items():
            self.stdout.write(f"  {username:<11} / {DEMO_PASSWORD}   {role}")
