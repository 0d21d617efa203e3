"""Reading a GGUF file for conversion: the metadata, checked against what the converter supports, and the tensors,
dequantized one at a time (the file is memory-mapped; only the tensor being converted is in memory as float32)."""

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import gguf
import numpy as np
from gguf import GGMLQuantizationType, ReaderTensor
from gguf.quants import dequantize

from apps.inference.exceptions import UnsupportedModel

SUPPORTED_ARCHITECTURES = ("llama", "qwen2")
# Token types of `tokenizer.ggml.token_type` (llama.cpp's llama_token_type).
TOKEN_TYPE_CONTROL = 3
TOKEN_TYPE_USER_DEFINED = 4

DEQUANTIZE_CHUNK_ELEMENTS = 1 << 20
_MISSING = object()


@dataclass(frozen=True)
class GGUFModelInfo:
    """What the converter needs from a GGUF file's metadata."""

    architecture: str
    block_count: int
    embedding_length: int
    feed_forward_length: int
    head_count: int
    head_count_kv: int
    rms_epsilon: float
    rope_freq_base: float
    context_length: int
    tokens: tuple[str, ...]
    token_types: tuple[int, ...]
    merges: tuple[str, ...]
    pre_tokenizer: str  # tokenizer.ggml.pre; "default" when absent
    bos_id: int | None
    eos_id: int
    unk_id: int | None
    eot_id: int | None
    chat_template: str
    name: str
    languages: tuple[str, ...]

    @property
    def head_dim(self) -> int:
        return self.embedding_length // self.head_count

    def token(self, token_id: int | None) -> str:
        return "" if token_id is None else self.tokens[token_id]


class GGUFSource:
    """An open GGUF file: checked metadata in `info`, tensors through `tensor(name)`."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._reader = _open_reader(path)
        self._tensors = {tensor.name: tensor for tensor in self._reader.tensors}
        self.info = self._read_info()
        # The reader keeps every token and merge as its own small numpy array (~80 MB for a 49k vocabulary); `info`
        # has them as plain strings now.
        for key in ("tokenizer.ggml.tokens", "tokenizer.ggml.token_type", "tokenizer.ggml.merges"):
            self._reader.fields.pop(key, None)

    def has_tensor(self, name: str) -> bool:
        return name in self._tensors

    def tensor(self, name: str) -> np.ndarray:
        """The tensor `name` as a writable float32 array in (out, in) layout, the Hugging Face one."""
        tensor = self._tensors.get(name)
        if tensor is None:
            raise UnsupportedModel(f"{self.path.name} has no tensor {name}: the file is incomplete or not a model.")
        expected = tuple(int(dim) for dim in reversed(tensor.shape.tolist()))
        try:
            array = _dequantize_in_chunks(tensor, expected)
        except NotImplementedError as error:
            raise UnsupportedModel(
                f"Tensor {name} in {self.path.name} is stored as {tensor.tensor_type.name}, which this converter "
                "cannot dequantize. Use a GGUF file with Q4_0/Q4_1/Q5/Q8_0/K-quant/F16/F32 tensors."
            ) from error
        if array.shape != expected:
            array = array.reshape(expected)
        # F32 tensors come back as read-only views of the memory-mapped file; quantization works in place.
        if array.dtype != np.float32 or not array.flags.writeable or not array.flags.c_contiguous:
            array = np.array(array, dtype=np.float32, order="C")
        return array

    def field(self, key: str, default: Any = _MISSING) -> Any:
        field = self._reader.get_field(key)
        if field is None:
            if default is _MISSING:
                raise UnsupportedModel(f"{self.path.name} lacks the metadata key {key}: it is not a complete model.")
            return default
        return field.contents()

    def _read_info(self) -> GGUFModelInfo:
        architecture = self.field("general.architecture", "")
        if architecture not in SUPPORTED_ARCHITECTURES:
            raise UnsupportedModel(
                f"{self.path.name} has the architecture {architecture or '(none)'!r}; the GGUF converter supports "
                f"{', '.join(SUPPORTED_ARCHITECTURES)}."
            )
        arch = architecture
        head_count = self._int(f"{arch}.attention.head_count")
        info = GGUFModelInfo(
            architecture=arch,
            block_count=self._int(f"{arch}.block_count"),
            embedding_length=self._int(f"{arch}.embedding_length"),
            feed_forward_length=self._int(f"{arch}.feed_forward_length"),
            head_count=head_count,
            head_count_kv=self._int(f"{arch}.attention.head_count_kv", head_count),
            rms_epsilon=float(self.field(f"{arch}.attention.layer_norm_rms_epsilon", 1e-5)),
            rope_freq_base=float(self.field(f"{arch}.rope.freq_base", 10000.0)),
            context_length=self._int(f"{arch}.context_length"),
            tokens=tuple(self.field("tokenizer.ggml.tokens", ())),
            token_types=tuple(self.field("tokenizer.ggml.token_type", ())),
            merges=tuple(self.field("tokenizer.ggml.merges", ())),
            pre_tokenizer=self.field("tokenizer.ggml.pre", "default"),
            bos_id=self.field("tokenizer.ggml.bos_token_id", None),
            eos_id=self._int("tokenizer.ggml.eos_token_id", -1),
            unk_id=self.field("tokenizer.ggml.unknown_token_id", None),
            eot_id=self.field("tokenizer.ggml.eot_token_id", None),
            chat_template=self.field("tokenizer.chat_template", ""),
            name=self.field("general.name", ""),
            languages=tuple(self.field("general.languages", ())),
        )
        self._check_supported(info)
        return info

    def _int(self, key: str, default: Any = _MISSING) -> int:
        value = self.field(key, default)
        if isinstance(value, list):
            raise UnsupportedModel(f"{self.path.name} sets {key} per layer; the GGUF converter needs one value.")
        return int(value)

    def _check_supported(self, info: GGUFModelInfo) -> None:
        name, arch = self.path.name, info.architecture
        scaling = self.field(f"{arch}.rope.scaling.type", "none")
        linear_scale = float(self.field(f"{arch}.rope.scale_linear", 1.0))
        if scaling != "none" or linear_scale != 1.0 or self.has_tensor("rope_freqs.weight"):
            kind = scaling if scaling != "none" else ("linear" if linear_scale != 1.0 else "llama3 rope_freqs")
            raise UnsupportedModel(
                f"{name} uses RoPE scaling ({kind}), which the GGUF converter does not support (Llama 3.1+, YaRN and "
                "long-context variants). Convert the original Hugging Face model with ct2-transformers-converter."
            )
        if self.field(f"{arch}.expert_count", 0):
            raise UnsupportedModel(f"{name} is a mixture-of-experts model, which the GGUF converter does not support.")
        if info.embedding_length % info.head_count or info.head_count % info.head_count_kv:
            raise UnsupportedModel(
                f"{name} has {info.embedding_length} hidden units, {info.head_count} heads and {info.head_count_kv} "
                "key/value heads, which do not divide evenly."
            )
        for key in (f"{arch}.rope.dimension_count", f"{arch}.attention.key_length", f"{arch}.attention.value_length"):
            value = self.field(key, info.head_dim)
            if value != info.head_dim:
                raise UnsupportedModel(
                    f"{name} sets {key} to {value}, not the head size {info.head_dim}; the GGUF converter does not "
                    "support partial rotary embeddings or custom head sizes."
                )
        vocabulary = self.field("tokenizer.ggml.model", "")
        if vocabulary != "gpt2":
            described = "a SentencePiece vocabulary" if vocabulary == "llama" else f"the vocabulary type {vocabulary!r}"
            raise UnsupportedModel(
                f"{name} has {described}; the GGUF converter supports byte-level BPE vocabularies only "
                "(tokenizer.ggml.model = 'gpt2', as in SmolLM2, Qwen2 and Llama 3)."
            )
        if not info.tokens or not info.merges or len(info.token_types) not in (0, len(info.tokens)):
            raise UnsupportedModel(f"{name} has no complete vocabulary (tokens, token types and merges).")
        ids = (("eos", info.eos_id), ("bos", info.bos_id), ("unknown", info.unk_id), ("end-of-turn", info.eot_id))
        for key, token_id in ids:
            if token_id is not None and not 0 <= token_id < len(info.tokens):
                if key == "eos":
                    raise UnsupportedModel(f"{name} has no valid end-of-sequence token id.")
                raise UnsupportedModel(f"{name} has an out-of-range {key} token id {token_id}.")


def _dequantize_in_chunks(tensor: ReaderTensor, shape: tuple[int, ...]) -> np.ndarray:
    """Dequantize a block of rows at a time: `dequantize` makes several float32 temporaries of its input's size."""
    data = tensor.data
    if tensor.tensor_type in (GGMLQuantizationType.F32, GGMLQuantizationType.F16) or data.ndim != 2 or len(shape) != 2:
        return dequantize(data, tensor.tensor_type)
    output = np.empty(shape, dtype=np.float32)
    step = max(1, DEQUANTIZE_CHUNK_ELEMENTS // shape[1])
    for start in range(0, shape[0], step):
        output[start : start + step] = dequantize(data[start : start + step], tensor.tensor_type)
    return output


def _open_reader(path: Path) -> gguf.GGUFReader:
    if not path.is_file():
        raise UnsupportedModel(f"The GGUF file {path} does not exist.")
    try:
        return gguf.GGUFReader(path)
    except (ValueError, KeyError, IndexError, TypeError, OSError) as error:
        raise UnsupportedModel(f"{path.name} is not a readable GGUF file ({error}).") from error
