"""The description every installed model directory carries in `sputnik_model.json`.

Written by the installers (GGUF conversion, Hugging Face conversion, Whisper assembly), read by the
loaders and shown in the admin and README: what the model is, where it came from, under which licence.
"""

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

MANIFEST_NAME = "sputnik_model.json"
MANIFEST_FORMAT = 1


@dataclass(frozen=True)
class ModelManifest:
    name: str  # directory name under var/models, e.g. "smollm2-135m-instruct"
    kind: str  # "generator" | "transcriber" | "embedder"
    source: str  # where it came from: a package==version, a hub id, a file path
    licence: str
    architecture: str = ""  # "llama", "qwen2", "whisper", ...
    quantization: str = ""  # "int8", "float16", ...
    chat_template: str = ""  # Jinja2 chat template (generators)
    bos_token: str = ""
    eos_token: str = ""
    stop_tokens: tuple[str, ...] = ()  # generation ends at any of these tokens
    context_length: int = 0
    languages: tuple[str, ...] = ()  # languages the model is good at, e.g. ("en",)
    extra: dict = field(default_factory=dict)
    format: int = MANIFEST_FORMAT

    def write(self, directory: Path) -> Path:
        path = directory / MANIFEST_NAME
        data = asdict(self)
        data["stop_tokens"] = list(self.stop_tokens)
        data["languages"] = list(self.languages)
        path.write_text(json.dumps(data, ensure_ascii=False, indent=2))
        return path

    @classmethod
    def read(cls, directory: Path) -> "ModelManifest":
        data = json.loads((directory / MANIFEST_NAME).read_text())
        data["stop_tokens"] = tuple(data.get("stop_tokens", ()))
        data["languages"] = tuple(data.get("languages", ()))
        known = set(cls.__dataclass_fields__)
        return cls(**{key: value for key, value in data.items() if key in known})

    @classmethod
    def exists_in(cls, directory: Path) -> bool:
        return (directory / MANIFEST_NAME).is_file()
