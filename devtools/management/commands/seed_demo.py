from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from devtools.demo import demo_logins, seed_demo


class Command(BaseCommand):
    help = "Load the demo workspaces (idempotent). --print-logins lists the demo sign-ins."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--print-logins", action="store_true", help="Only print the logins.")

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["print_logins"]:
            seed_demo()
            self.stdout.write(self.style.SUCCESS("Demo workspaces are ready."))
            return
        for email, password, where in demo_logins():
            self.stdout.write(f"{email:<30} {password:<22} {where}")
