from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from apps.core.exceptions import ApplicationError
from apps.inference.registry import transcriber


class Command(BaseCommand):
    help = "Print the transcript of an audio file (OGG/Opus voice notes, WAV, MP3, …) with the configured transcriber."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--language", action="append", help="ru or en; repeat to allow both (default: ru and en).")

    def handle(self, *args, file: Path, language: list[str] | None, **options) -> None:
        try:
            audio = file.read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror}.") from error
        try:
            transcript = transcriber().transcribe(audio, languages=tuple(language or ("ru", "en")))
        except ApplicationError as error:
            raise CommandError(str(error.message)) from error
        self.stdout.write(transcript.text)
        self.stderr.write(f"— language {transcript.language}, {transcript.duration_seconds:.1f} s of audio")
