import asyncio

from django.core.management.base import BaseCommand, CommandError, CommandParser

from apps.core.exceptions import ApplicationError
from apps.inference.registry import text_generator
from apps.inference.types import ChatMessage, GenerationParams


class Command(BaseCommand):
    help = "Ask the configured text generator one question and print the answer and which backend gave it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("question")
        parser.add_argument("--system", default="", help="An optional system message.")
        parser.add_argument("--max-tokens", type=int, default=128)
        parser.add_argument("--temperature", type=float, default=0.0, help="0 (default) answers greedily.")

    def handle(self, *args, question: str, system: str, max_tokens: int, temperature: float, **options) -> None:
        messages = ([ChatMessage("system", system)] if system else []) + [ChatMessage("user", question)]
        params = GenerationParams(max_new_tokens=max_tokens, temperature=temperature)
        try:
            reply = asyncio.run(text_generator().generate(messages, params))
        except ApplicationError as error:
            raise CommandError(str(error.message)) from error
        self.stdout.write(reply.text)
        self.stderr.write(
            f"— {reply.backend}, {reply.prompt_tokens}+{reply.completion_tokens} tokens, "
            f"{reply.latency_ms:.0f} ms, finish: {reply.finish_reason}"
        )
