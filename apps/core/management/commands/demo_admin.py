import os
import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandParser

DEMO_USERNAME = "admin"


class Command(BaseCommand):
    help = (
        "Create the demo superuser once, with a generated password that is printed and kept in "
        "var/demo-admin.txt (readable by the owner only). Does nothing when the user already exists."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--username", default=DEMO_USERNAME)

    def handle(self, *args, username: str, **options) -> None:
        user_model = get_user_model()
        credentials_file = settings.VAR_DIR / "demo-admin.txt"
        if user_model.objects.filter(username=username).exists():
            hint = f" (password in {credentials_file})" if credentials_file.exists() else ""
            self.stdout.write(f"Admin login: {username}{hint}")
            return
        password = secrets.token_urlsafe(12)
        user_model.objects.create_superuser(username=username, email="", password=password)
        credentials_file.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(credentials_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(f"login: {username}\npassword: {password}\n")
        self.stdout.write(
            self.style.SUCCESS(f"Created the demo admin.\n  login:    {username}\n  password: {password}")
        )
