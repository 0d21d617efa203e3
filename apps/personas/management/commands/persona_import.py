from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from apps.personas.cards import MAX_CARD_FILE_BYTES
from apps.personas.services import persona_import_cards


class Command(BaseCommand):
    help = (
        "Import Character Card files (PNG with an embedded V2/V3 card, or JSON) as personas. "
        "Each file is imported on its own; the command fails if any file could not be imported."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("files", nargs="+", type=Path, metavar="FILE")
        parser.add_argument(
            "--update", action="store_true", help="Update the persona with the same slug instead of adding a new one."
        )

    def handle(self, *args, files: list[Path], update: bool, **options) -> None:
        readable, unreadable = [], []
        for path in files:
            try:
                with path.open("rb") as handle:
                    readable.append((path.name, handle.read(MAX_CARD_FILE_BYTES + 1)))
            except OSError as error:
                unreadable.append((path.name, f"{path}: cannot read the file ({error.strerror})."))
        result = persona_import_cards(files=readable, update_existing=update)
        for item in result.imported:
            verb = "created" if item.created else "updated"
            self.stdout.write(self.style.SUCCESS(f"{item.filename}: {verb} persona #{item.persona_id} {item.name}"))
        failed = unreadable + result.failed
        for _filename, problem in failed:
            self.stderr.write(self.style.ERROR(problem))
        if failed:
            raise CommandError(f"{len(failed)} of {len(files)} file(s) were not imported.")
