import asyncio

from django.core.management.base import BaseCommand, CommandError, CommandParser

from apps.conversations.models import RegressionScript
from apps.conversations.regression import regression_run
from apps.core.exceptions import ApplicationError
from apps.inference.registry import embedder_or_none, text_generator


class Command(BaseCommand):
    help = (
        "Replay the saved regression scripts through the live reply pipeline and print a pass/fail table. "
        "Exits with an error when any script fails: run it before a new model, prompt or persona goes live."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--persona", help="Only scripts of this persona (its slug).")
        parser.add_argument("--script", type=int, action="append", help="Only this script id (repeatable).")

    def handle(self, *args, persona: str | None, script: list[int] | None, **options) -> None:
        scripts = RegressionScript.objects.select_related("persona").order_by("persona__name", "name")
        if persona:
            scripts = scripts.filter(persona__slug=persona)
        if script:
            scripts = scripts.filter(pk__in=script)
        ids = list(scripts.values_list("pk", flat=True))
        if not ids:
            raise CommandError("No regression scripts match; save one from the admin playground first.")
        try:
            generator = text_generator()
            outcomes = asyncio.run(self._run_all(ids, generator, embedder_or_none()))
        except ApplicationError as error:
            raise CommandError(str(error.message)) from error
        failed = 0
        self.stdout.write(f"{'result':<6}  {'persona':<16} {'script':<32} checks")
        for outcome in outcomes:
            failed += not outcome.passed
            label = self.style.SUCCESS("PASS  ") if outcome.passed else self.style.ERROR("FAIL  ")
            misses = [
                check.name + (f" ({check.detail})" if check.detail else "")
                for check in outcome.checks
                if not check.passed
            ]
            detail = "; ".join(misses) if misses else f"{len(outcome.checks)} ok"
            self.stdout.write(f"{label}  {outcome.persona[:16]:<16} {outcome.name[:32]:<32} {detail}")
        self.stdout.write(f"{len(outcomes) - failed} passed, {failed} failed")
        if failed:
            raise CommandError(f"{failed} regression script(s) failed.")

    @staticmethod
    async def _run_all(ids, generator, vectors):
        return [await regression_run(script_id=pk, generator=generator, embedder=vectors) for pk in ids]
