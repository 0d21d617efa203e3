from django.core.management.base import BaseCommand, CommandError, CommandParser

from apps.core.exceptions import ApplicationError
from apps.core.services import ColumnRotation, encryption_rotate


class Command(BaseCommand):
    help = (
        "Re-encrypt every encrypted column with the first key of FIELD_ENCRYPTION_KEYS. "
        "Safe to interrupt and run again: rows already on the newest key are skipped."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch-size", type=int, default=500, help="Rows per transaction (default 500).")
        parser.add_argument("--dry-run", action="store_true", help="Count what would change; write nothing.")
        parser.add_argument("--model", action="append", dest="models", help="Only this model (app_label.Model).")

    def handle(self, *args, batch_size: int, dry_run: bool, models: list[str] | None, **options) -> None:
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        try:
            report = encryption_rotate(batch_size=batch_size, dry_run=dry_run, model_labels=models, progress=self._show)
        except ApplicationError as error:
            raise CommandError(str(error.message)) from error
        verb = "would re-encrypt" if dry_run else "re-encrypted"
        self.stdout.write(f"Newest key {report.primary_fingerprint}: {verb} {report.rotated} value(s).")
        if report.failed:
            raise CommandError(
                f"{report.failed} value(s) could not be decrypted and were left unchanged (see the log for "
                "their primary keys). Add the missing key to FIELD_ENCRYPTION_KEYS and run again."
            )
        if not dry_run:
            self.stdout.write(
                self.style.SUCCESS("Every encrypted value uses the newest key; older keys may be retired.")
            )

    def _show(self, column: ColumnRotation) -> None:
        failed = f", {len(column.failed_pks)} failed" if column.failed_pks else ""
        self.stdout.write(f"  {column.label}: {column.scanned} scanned, {column.rotated} rotated{failed}")
