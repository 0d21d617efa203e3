"""Turn chat messages into the exact prompt text a model was trained on, and clean what comes back."""

from collections.abc import Sequence

from jinja2 import TemplateError
from jinja2.sandbox import ImmutableSandboxedEnvironment

from apps.inference.exceptions import UnsupportedModel
from apps.inference.types import ChatMessage

# For models that ship no template: plain role-prefixed turns, understood by most instruct models.
FALLBACK_TEMPLATE = (
    "{% for message in messages %}{{ message.role | capitalize }}: {{ message.content }}\n{% endfor %}"
    "{% if add_generation_prompt %}Assistant:{% endif %}"
)


def _raise(message: str) -> None:
    raise TemplateError(message)


class ChatFormatter:
    """Renders a Hugging Face style Jinja2 chat template in a sandbox (templates come with model files)."""

    def __init__(self, template: str, *, bos_token: str = "", eos_token: str = "") -> None:
        environment = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True)
        environment.globals["raise_exception"] = _raise
        try:
            self._template = environment.from_string(template or FALLBACK_TEMPLATE)
        except TemplateError as error:
            raise UnsupportedModel(f"The model's chat template does not parse: {error}") from error
        self._bos_token = bos_token
        self._eos_token = eos_token

    def render(self, messages: Sequence[ChatMessage], *, add_generation_prompt: bool = True) -> str:
        payload = [{"role": message.role, "content": message.content} for message in messages]
        try:
            return self._template.render(
                messages=payload,
                add_generation_prompt=add_generation_prompt,
                bos_token=self._bos_token,
                eos_token=self._eos_token,
            )
        except TemplateError as error:
            raise UnsupportedModel(f"The model's chat template refused these messages: {error}") from error


def cut_at_stop(text: str, stops: Sequence[str]) -> tuple[str, bool]:
    """Text up to the first stop string, and whether one was found."""
    positions = [index for index in (text.find(stop) for stop in stops if stop) if index >= 0]
    if not positions:
        return text, False
    return text[: min(positions)], True
